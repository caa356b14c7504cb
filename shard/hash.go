package shard

import (
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/cespare/xxhash/v2"
)

// hashHint tells the user what Hash can shard.
const hashHint = "use an integer or a string"

// Hash returns the default algorithm. It computes the value's keyspace id
// (see KeyspaceID) and gives node i of n the keyspace range
// [i·2⁶⁴/n, (i+1)·2⁶⁴/n). Because nodes own contiguous key ranges, a node can
// later be split in two by moving only its own rows, and the layout matches
// Vitess's xxhash vindex.
//
// Hash accepts all Go integer types (hashed as their decimal text), strings
// and []byte. Any other value, including NULL, is an error.
//
// The router (package route) hands Hash the value converted as the server
// converts it for the column's type: the integer a string such as '01'
// stands for in an integer column, and for a text column under a
// collation that is not binary the collation's weight string (so 'a', 'A'
// and 'a ' hash alike under utf8mb4_general_ci).
func Hash() Algorithm { return hashAlgorithm{} }

// hashAlgorithm implements Hash.
type hashAlgorithm struct{}

// Name implements Algorithm.
func (hashAlgorithm) Name() string { return "hash" }

// Shard implements Algorithm.
func (hashAlgorithm) Shard(value any, n int) (int, error) {
	if err := checkNodeCount("hash", n); err != nil {
		return 0, err
	}
	k, err := keyspaceUint64(value)
	if err != nil {
		return 0, err
	}
	hi, _ := bits.Mul64(k, uint64(n))
	return int(hi), nil
}

// KeyspaceID returns the Vitess xxhash-vindex keyspace id of v: the 8 bytes of
// little-endian xxhash64 of the value's canonical bytes (decimal text for
// integers, raw bytes for string/[]byte).
func KeyspaceID(v any) ([]byte, error) {
	b, ok := canonicalBytes(v)
	if !ok {
		return nil, newValueError("hash", v, hashHint)
	}
	id := make([]byte, 8)
	binary.LittleEndian.PutUint64(id, xxhash.Sum64(b))
	return id, nil
}

// keyspaceUint64 returns the keyspace id of v read as a big-endian integer,
// so that byte order and numeric order of keyspace ids agree.
//
// It is on every routed statement's path: integers and strings are hashed
// without allocating (the decimal text in a stack buffer), with the same
// bytes as KeyspaceID's.
func keyspaceUint64(v any) (uint64, error) {
	if s, ok := v.(string); ok {
		return bits.ReverseBytes64(xxhash.Sum64String(s)), nil
	}
	if i, u, signed, ok := intValue(v); ok {
		var buf [24]byte
		b := buf[:0]
		if signed {
			b = strconv.AppendInt(b, i, 10)
		} else {
			b = strconv.AppendUint(b, u, 10)
		}
		// KeyspaceID's little-endian bytes read big-endian.
		return bits.ReverseBytes64(xxhash.Sum64(b)), nil
	}
	id, err := KeyspaceID(v)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(id), nil
}
