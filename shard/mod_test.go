package shard_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

func TestMod(t *testing.T) {
	type orderID int32
	tests := []struct {
		value any
		n     int
		want  int
	}{
		{0, 4, 0},
		{1, 4, 1},
		{7, 4, 3},
		{8, 4, 0},
		{int8(5), 3, 2},
		{int16(5), 3, 2},
		{int32(5), 3, 2},
		{int64(1_000_000_007), 10, 7},
		{uint(9), 4, 1},
		{uint8(255), 4, 3},
		{uint16(9), 4, 1},
		{uint32(9), 4, 1},
		{uint64(9), 4, 1},
		{uint64(math.MaxUint64), 10, 5},    // 18446744073709551615
		{uint64(math.MaxInt64) + 1, 10, 8}, // 9223372036854775808
		{int64(math.MaxInt64), 10, 7},      // 9223372036854775807
		{-1, 4, 3},
		{-4, 4, 0},
		{-5, 4, 3},
		{int64(math.MinInt64), 10, 2}, // -9223372036854775808 mod 10 = 2
		{orderID(6), 4, 2},
		{42, 1, 0},
	}
	m := shard.Mod()
	for _, tt := range tests {
		got, err := m.Shard(tt.value, tt.n)
		require.NoError(t, err, "%#v", tt.value)
		assert.Equal(t, tt.want, got, "%T(%v) mod %d", tt.value, tt.value, tt.n)
	}
}

func TestModErrors(t *testing.T) {
	tests := []struct {
		name  string
		value any
		n     int
		want  string
	}{
		{"string", "1", 4, "shardsql: mod: cannot shard a value of type string; Mod needs an integer column"},
		{"bytes", []byte("1"), 4, "shardsql: mod: cannot shard a value of type []uint8; Mod needs an integer column"},
		{"float64", 4.0, 4, "shardsql: mod: cannot shard a value of type float64; Mod needs an integer column"},
		{"bool", false, 4, "shardsql: mod: cannot shard a value of type bool; Mod needs an integer column"},
		{"time", time.Time{}, 4, "shardsql: mod: cannot shard a value of type time.Time; Mod needs an integer column"},
		{"nil", nil, 4, "shardsql: mod: cannot shard NULL"},
		{"zero nodes", 1, 0, "shardsql: mod: node count must be positive, got 0"},
		{"negative nodes", 1, -1, "shardsql: mod: node count must be positive, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shard.Mod().Shard(tt.value, tt.n)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestValueErrorAs(t *testing.T) {
	_, err := shard.Mod().Shard(nil, 2)
	var ve *shard.ValueError
	require.True(t, errors.As(err, &ve))
	assert.True(t, ve.Null)
	assert.Equal(t, "mod", ve.Algorithm)

	_, err = shard.Hash().Shard(1.5, 2)
	require.True(t, errors.As(err, &ve))
	assert.False(t, ve.Null)
	assert.Equal(t, "float64", ve.Type)
}

func TestModDistribution(t *testing.T) {
	counts := make([]int, 8)
	for v := range 10000 {
		i, err := shard.Mod().Shard(v, 8)
		require.NoError(t, err)
		counts[i]++
	}
	for _, c := range counts {
		assert.Equal(t, 1250, c)
	}
}

func TestModName(t *testing.T) {
	assert.Equal(t, "mod", shard.Mod().Name())
}
