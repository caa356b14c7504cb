package shard_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

func TestRangeShard(t *testing.T) {
	type userID int16
	tests := []struct {
		name  string
		alg   shard.Algorithm
		value any
		want  int
	}{
		{"far below", shard.Range(100, 200), int64(math.MinInt64), 0},
		{"negative", shard.Range(100, 200), -5, 0},
		{"zero", shard.Range(100, 200), 0, 0},
		{"just below the first bound", shard.Range(100, 200), 99, 0},
		{"at the first bound", shard.Range(100, 200), 100, 1},
		{"just below the last bound", shard.Range(100, 200), uint8(199), 1},
		{"at the last bound", shard.Range(100, 200), int32(200), 2},
		{"far above", shard.Range(100, 200), uint64(math.MaxUint64), 2},
		{"defined type", shard.Range(100, 200), userID(150), 1},
		{"mixed bounds: below", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), -11, 0},
		{"mixed bounds: at a negative bound", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), int64(-10), 1},
		{"mixed bounds: unsigned value", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), uint(9), 1},
		{"mixed bounds: at a small bound", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), 10, 2},
		{"mixed bounds: at a large bound", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), uint64(1) << 40, 3},
		{"mixed bounds: below the top", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), uint64(math.MaxUint64 - 1), 3},
		{"mixed bounds: the top", shard.Range(int8(-10), uint16(10), int64(1)<<40, uint64(math.MaxUint64)), uint64(math.MaxUint64), 4},
		{"negative bounds", shard.Range(int64(math.MinInt64)+1, -1), int64(math.MinInt64), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Mixed-bound cases have 4 bounds, so 5 nodes; the others 3.
			n := 3
			if strings.HasPrefix(tt.name, "mixed") {
				n = 5
			}
			i, err := tt.alg.Shard(tt.value, n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, i)
		})
	}
}

func TestRangeErrors(t *testing.T) {
	tests := []struct {
		name  string
		alg   shard.Algorithm
		value any
		n     int
		want  string
	}{
		{"no bounds", shard.Range(), 1, 1, "shardsql: range: no bounds; pass the first value of every node but the first, e.g. shard.Range(1000, 2000) for 3 nodes"},
		{"string bound", shard.Range(1, "2"), 1, 3, "shardsql: range: bound 1 is 2 of type string; bounds must be Go integers"},
		{"float bound", shard.Range(1.5), 1, 2, "bound 0 is 1.5 of type float64; bounds must be Go integers"},
		{"NULL bound", shard.Range(nil), 1, 2, "bound 0 is <nil> of type <nil>"},
		{"descending", shard.Range(2, 1), 1, 3, "shardsql: range: bound 1 (1) is not above bound 0 (2); list bounds in strictly ascending order"},
		{"repeated", shard.Range(1, 1), 1, 3, "bound 1 (1) is not above bound 0 (1)"},
		{"unsigned then negative", shard.Range(uint64(5), int8(-1)), 1, 3, "bound 1 (-1) is not above bound 0 (5)"},
		{"too many nodes", shard.Range(100, 200), 1, 4, "shardsql: range: 2 bounds make 3 nodes but the table has 4; give it 3 nodes or change the bounds"},
		{"too few nodes", shard.Range(100, 200), 1, 2, "2 bounds make 3 nodes but the table has 2"},
		{"numeric string", shard.Range(100, 200), "150", 3, "shardsql: range: cannot shard a value of type string; Range needs an integer column"},
		{"float", shard.Range(100, 200), 1.0, 3, "cannot shard a value of type float64; Range needs an integer column"},
		{"NULL", shard.Range(100, 200), nil, 3, "shardsql: range: cannot shard NULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.alg.Shard(tt.value, tt.n)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	_, err := shard.Range(100).Shard("1", 2)
	var ve *shard.ValueError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, "range", ve.Algorithm)
}

func TestRangeAddTable(t *testing.T) {
	topo := newTopo(t)
	err := topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds${0..1}.t_user_${0..1}", Algorithm: shard.Range(100, 200)})
	require.Error(t, err, "AddTable checks the node count")
	assert.Contains(t, err.Error(), "shardsql: table t_user: range: 2 bounds make 3 nodes but the table has 4; give it 3 nodes or change the bounds")

	err = topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.t_user_${0..2}", Algorithm: shard.Range(200, 100)})
	require.Error(t, err, "AddTable reports bad bounds")
	assert.Contains(t, err.Error(), "shardsql: table t_user: range: bound 1 (100) is not above bound 0 (200)")
	assert.Empty(t, topo.Tables())

	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.t_user_${0..1}, ds1.t_user_2", Algorithm: shard.Range(100, 200)}))
	st, _ := topo.Table("t_user")
	assert.Equal(t, "range", st.Algorithm.Name())
	i, err := st.NodeFor(250)
	require.NoError(t, err)
	assert.Equal(t, "ds1.t_user_2", st.Nodes[i].String())

	_, err = st.NodeFor("250")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: table t_user, column id: range: cannot shard a value of type string; Range needs an integer column")
}

func TestRangeShardRange(t *testing.T) {
	// Node 0 holds (-inf, 100), node 1 [100, 200), node 2 [200, +inf).
	alg := shard.Range(100, 200).(shard.RangeAlgorithm)
	ge := func(v any) shard.Bound { return shard.Bound{Value: v, Inclusive: true, Set: true} }
	gt := func(v any) shard.Bound { return shard.Bound{Value: v, Set: true} }
	le, lt := ge, gt
	tests := []struct {
		name string
		r    shard.ValueRange
		want []int
	}{
		{"open", shard.ValueRange{}, []int{0, 1, 2}},
		{">= 100", shard.ValueRange{Low: ge(100)}, []int{1, 2}},
		{"> 99", shard.ValueRange{Low: gt(99)}, []int{1, 2}},
		{"> 100", shard.ValueRange{Low: gt(100)}, []int{1, 2}},
		{">= 99", shard.ValueRange{Low: ge(99)}, []int{0, 1, 2}},
		{"> 199", shard.ValueRange{Low: gt(199)}, []int{2}},
		{"< 100", shard.ValueRange{High: lt(100)}, []int{0}},
		{"<= 100", shard.ValueRange{High: le(100)}, []int{0, 1}},
		{"< 101", shard.ValueRange{High: lt(101)}, []int{0, 1}},
		{"<= 99", shard.ValueRange{High: le(99)}, []int{0}},
		{"<= 200", shard.ValueRange{High: le(200)}, []int{0, 1, 2}},
		{"[100, 200)", shard.ValueRange{Low: ge(100), High: lt(200)}, []int{1}},
		{"[100, 200]", shard.ValueRange{Low: ge(100), High: le(200)}, []int{1, 2}},
		{"(99, 100)", shard.ValueRange{Low: gt(99), High: lt(100)}, []int{}},
		{"(99, 101)", shard.ValueRange{Low: gt(99), High: lt(101)}, []int{1}},
		{"[150, 150]", shard.ValueRange{Low: ge(150), High: le(150)}, []int{1}},
		{"(150, 150]", shard.ValueRange{Low: gt(150), High: le(150)}, []int{}},
		{"[150, 150)", shard.ValueRange{Low: ge(150), High: lt(150)}, []int{}},
		{"low above high", shard.ValueRange{Low: ge(300), High: le(10)}, []int{}},
		{"> -1 and < 1", shard.ValueRange{Low: gt(-1), High: lt(uint8(1))}, []int{0}},
		{"> max uint64", shard.ValueRange{Low: gt(uint64(math.MaxUint64))}, []int{}},
		{">= max uint64", shard.ValueRange{Low: ge(uint64(math.MaxUint64))}, []int{2}},
		{"< min int64", shard.ValueRange{High: lt(int64(math.MinInt64))}, []int{}},
		{"<= min int64", shard.ValueRange{High: le(int64(math.MinInt64))}, []int{0}},
		{"> -1 exclusive crosses zero", shard.ValueRange{Low: gt(int64(-1)), High: le(uint64(0))}, []int{0}},
		{"< 0 exclusive crosses zero", shard.ValueRange{Low: ge(int64(-5)), High: lt(uint64(0))}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := alg.ShardRange(tt.r, 3)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, got)
		})
	}

	for name, r := range map[string]shard.ValueRange{
		"string low":  {Low: ge("100")},
		"float high":  {High: lt(1.5)},
		"NULL bound":  {Low: shard.Bound{Set: true}},
		"string both": {Low: ge("1"), High: le("2")},
	} {
		_, err := alg.ShardRange(r, 3)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "shardsql: range: cannot shard", name)
	}
	_, err := alg.ShardRange(shard.ValueRange{}, 4)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 bounds make 3 nodes but the table has 4")
}

// buggyRange is a RangeAlgorithm that returns fixed indexes.
type buggyRange []int

func (buggyRange) Name() string                                         { return "buggy" }
func (buggyRange) Shard(any, int) (int, error)                          { return 0, nil }
func (b buggyRange) ShardRange(shard.ValueRange, int) ([]int, error)    { return b, nil }
func (buggyRange) ForNodes(nodes []shard.Node) (shard.Algorithm, error) { return nil, nil }

func TestNodesFor(t *testing.T) {
	nodes := []shard.Node{{DataSource: "ds0", Table: "t_0"}, {DataSource: "ds0", Table: "t_1"}, {DataSource: "ds1", Table: "t_2"}}
	st := func(alg shard.Algorithm) *shard.ShardedTable {
		return &shard.ShardedTable{Name: "t", Column: "id", Nodes: nodes, Algorithm: alg}
	}
	some := shard.ValueRange{Low: shard.Bound{Value: 150, Inclusive: true, Set: true}}
	bad := shard.ValueRange{Low: shard.Bound{Value: 1.5, Set: true}}

	for _, alg := range []shard.Algorithm{nil, shard.Hash(), shard.Mod(), fixed(0)} {
		got, err := st(alg).NodesFor(some)
		require.NoError(t, err)
		assert.Equal(t, []int{0, 1, 2}, got, "algorithms that cannot prune give every node")
		got, err = st(alg).NodesFor(bad)
		require.NoError(t, err, "values are not checked when every node is returned")
		assert.Equal(t, []int{0, 1, 2}, got)
	}

	got, err := st(shard.Range(100, 200)).NodesFor(some)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, got)

	_, err = st(shard.Range(100, 200)).NodesFor(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: table t, column id: range: cannot shard a value of type float64; Range needs an integer column")

	empty, err := st(buggyRange(nil)).NodesFor(some)
	require.NoError(t, err)
	assert.NotNil(t, empty, "an empty result is an empty slice")
	assert.Empty(t, empty)

	for _, idx := range [][]int{{3}, {-1}, {1, 1}, {2, 0}} {
		_, err := st(buggyRange(idx)).NodesFor(some)
		require.Error(t, err, idx)
		assert.Contains(t, err.Error(), "shardsql: table t, column id: algorithm buggy returned node indexes")
		assert.Contains(t, err.Error(), "want ascending indexes without repeats from 0 to 2; fix the algorithm")
	}
}

func TestTableAlgorithmReturningNil(t *testing.T) {
	topo := newTopo(t)
	err := topo.AddTable(shard.Table{Name: "t", Column: "id", Nodes: "ds0.t_0", Algorithm: buggyRange(nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: table t: algorithm buggy returned a nil Algorithm from ForNodes; fix the algorithm")
}
