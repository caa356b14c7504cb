package shard_test

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// keyspaceVectors come from Vitess's own xxhash vindex tests
// (go/vt/vtgate/vindexes/xxhash_test.go, TestXXHashMap), so they check
// compatibility independently of this package's code.
var keyspaceVectors = []struct {
	in  any
	hex string
}{
	{"test1", "d01ab7e4d6978f0b"},
	{"test2", "87eb11714c0a0e89"},
	{"testaverylongvaluetomakesurethisworks", "81d8c38e0d850e6a"},
	{int64(1), "d46405367612b4b7"},
	{int64(-1), "d8e2a6a7c8c7623d"},
	{uint64(math.MaxUint64), "477cfa8d6d8f1f8d"},
	{int64(math.MaxInt64), "b37eb01f7bffafd8"},
	{uint64(math.MaxInt64), "b37eb01f7bffafd8"},
	{int64(math.MinInt64), "102c27ddb26a609e"},
}

func TestKeyspaceIDVectors(t *testing.T) {
	for _, v := range keyspaceVectors {
		id, err := shard.KeyspaceID(v.in)
		require.NoError(t, err, "%#v", v.in)
		assert.Equal(t, v.hex, hex.EncodeToString(id), "%#v", v.in)
	}
}

func TestKeyspaceIDMatchesXXHashOfCanonicalText(t *testing.T) {
	for _, v := range keyspaceVectors {
		var text string
		switch x := v.in.(type) {
		case string:
			text = x
		case int64:
			text = strconv.FormatInt(x, 10)
		case uint64:
			text = strconv.FormatUint(x, 10)
		}
		want := make([]byte, 8)
		binary.LittleEndian.PutUint64(want, xxhash.Sum64String(text))
		got, err := shard.KeyspaceID(v.in)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%#v", v.in)
	}
}

func TestKeyspaceIDSameForEveryIntegerType(t *testing.T) {
	type userID int64
	type name string
	ones := []any{
		int(1), int8(1), int16(1), int32(1), int64(1),
		uint(1), uint8(1), uint16(1), uint32(1), uint64(1),
		"1", []byte("1"), userID(1), name("1"),
	}
	for _, v := range ones {
		id, err := shard.KeyspaceID(v)
		require.NoError(t, err, "%T", v)
		assert.Equal(t, "d46405367612b4b7", hex.EncodeToString(id), "%T", v)
	}
	for _, v := range []any{int8(-1), int16(-1), int32(-1), int(-1), int64(-1)} {
		id, err := shard.KeyspaceID(v)
		require.NoError(t, err)
		assert.Equal(t, "d8e2a6a7c8c7623d", hex.EncodeToString(id), "%T", v)
	}
}

func TestHashNodeIndex(t *testing.T) {
	// For n a power of two the owner is the top log2(n) bits of the
	// keyspace id's first byte; the wants below were read off the hex.
	tests := []struct {
		in         any
		n2, n4, n8 int
	}{
		{"test1", 1, 3, 6},                // d0 = 1101 0000
		{"test2", 1, 2, 4},                // 87 = 1000 0111
		{int64(1), 1, 3, 6},               // d4 = 1101 0100
		{int64(-1), 1, 3, 6},              // d8 = 1101 1000
		{uint64(math.MaxUint64), 0, 1, 2}, // 47 = 0100 0111
		{int64(math.MaxInt64), 1, 2, 5},   // b3 = 1011 0011
		{int64(math.MinInt64), 0, 0, 0},   // 10 = 0001 0000
	}
	h := shard.Hash()
	for _, tt := range tests {
		for n, want := range map[int]int{1: 0, 2: tt.n2, 4: tt.n4, 8: tt.n8} {
			got, err := h.Shard(tt.in, n)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%#v over %d nodes", tt.in, n)
		}
	}
}

func TestHashNodeIndexMatchesKeyRange(t *testing.T) {
	// Node i of n owns [i·2⁶⁴/n, (i+1)·2⁶⁴/n): check with big integers.
	h := shard.Hash()
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for v := range int64(2000) {
		id, err := shard.KeyspaceID(v)
		require.NoError(t, err)
		k := new(big.Int).SetUint64(binary.BigEndian.Uint64(id))
		for _, n := range []int{1, 3, 5, 7, 10, 1000} {
			want := new(big.Int).Mul(k, big.NewInt(int64(n)))
			want.Div(want, two64)
			got, err := h.Shard(v, n)
			require.NoError(t, err)
			require.Equal(t, want.Int64(), int64(got), "value %d over %d nodes", v, n)
		}
	}
}

func TestHashDistribution(t *testing.T) {
	const values, nodes = 10000, 8
	counts := make([]int, nodes)
	h := shard.Hash()
	for v := range values {
		i, err := h.Shard(v, nodes)
		require.NoError(t, err)
		counts[i]++
	}
	for i, c := range counts {
		assert.GreaterOrEqual(t, c, values*10/100, "node %d: %v", i, counts)
		assert.LessOrEqual(t, c, values*15/100, "node %d: %v", i, counts)
	}
}

func TestHashErrors(t *testing.T) {
	tests := []struct {
		name  string
		value any
		n     int
		want  string
	}{
		{"float64", 1.5, 2, "shardsql: hash: cannot shard a value of type float64; use an integer or a string"},
		{"float32", float32(1), 2, "shardsql: hash: cannot shard a value of type float32; use an integer or a string"},
		{"bool", true, 2, "shardsql: hash: cannot shard a value of type bool; use an integer or a string"},
		{"time", time.Unix(0, 0), 2, "shardsql: hash: cannot shard a value of type time.Time; use an integer or a string"},
		{"struct", struct{}{}, 2, "shardsql: hash: cannot shard a value of type struct {}; use an integer or a string"},
		{"nil", nil, 2, "shardsql: hash: cannot shard NULL"},
		{"zero nodes", 1, 0, "shardsql: hash: node count must be positive, got 0"},
		{"negative nodes", 1, -3, "shardsql: hash: node count must be positive, got -3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shard.Hash().Shard(tt.value, tt.n)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestKeyspaceIDErrors(t *testing.T) {
	_, err := shard.KeyspaceID(2.5)
	assert.EqualError(t, err, "shardsql: hash: cannot shard a value of type float64; use an integer or a string")
	_, err = shard.KeyspaceID(nil)
	assert.EqualError(t, err, "shardsql: hash: cannot shard NULL")
}

func TestHashName(t *testing.T) {
	assert.Equal(t, "hash", shard.Hash().Name())
}
