package shard

import (
	"encoding/binary"
	"testing"
)

// TestKeyspaceUint64MatchesKeyspaceID checks the allocation-free hashing of
// integers and strings against KeyspaceID's bytes.
func TestKeyspaceUint64MatchesKeyspaceID(t *testing.T) {
	for _, v := range []any{0, 1, -1, int64(42), int64(-9223372036854775808), uint64(18446744073709551615), int8(-7), uint16(65535), "", "abc", "héllo", []byte("abc")} {
		id, err := KeyspaceID(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := keyspaceUint64(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := binary.BigEndian.Uint64(id); got != want {
			t.Errorf("keyspaceUint64(%#v) = %x, want %x", v, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = keyspaceUint64(int64(123456789)) }); n > 1 {
		t.Errorf("keyspaceUint64 of an int64: %v allocations", n)
	}
}
