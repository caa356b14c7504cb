package shard_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// fixed is an Algorithm that always returns the same index.
type fixed int

func (fixed) Name() string                  { return "fixed" }
func (f fixed) Shard(any, int) (int, error) { return int(f), nil }

func TestNodeFor(t *testing.T) {
	topo := newTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}"}))
	st, _ := topo.Table("t_order")

	// int64(1) has keyspace id d4…, so it is owned by node 6 of 8.
	i, err := st.NodeFor(int64(1))
	require.NoError(t, err)
	assert.Equal(t, 6, i)
	assert.Equal(t, "ds1.t_order_2", st.Nodes[i].String())

	j, err := st.NodeFor("1")
	require.NoError(t, err)
	assert.Equal(t, i, j)
}

func TestNodeForErrors(t *testing.T) {
	st := &shard.ShardedTable{
		Name: "t_order", Column: "user_id",
		Nodes: []shard.Node{{DataSource: "ds0", Table: "t0"}, {DataSource: "ds0", Table: "t1"}},
	}
	tests := []struct {
		name  string
		alg   shard.Algorithm
		value any
		want  string
	}{
		{"float with hash", shard.Hash(), 1.5, "shardsql: table t_order, column user_id: hash: cannot shard a value of type float64; use an integer or a string"},
		{"NULL with nil algorithm", nil, nil, "shardsql: table t_order, column user_id: hash: cannot shard NULL"},
		{"string with mod", shard.Mod(), "a", "shardsql: table t_order, column user_id: mod: cannot shard a value of type string; Mod needs an integer column"},
		{"index too large", fixed(2), 1, "shardsql: table t_order, column user_id: algorithm fixed returned node index 2 for a value of type int, want 0 to 1; fix the algorithm"},
		{"negative index", fixed(-1), 1, "algorithm fixed returned node index -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := *st
			st.Algorithm = tt.alg
			_, err := st.NodeFor(tt.value)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	st.Algorithm = shard.Hash()
	_, err := st.NodeFor(nil)
	var ve *shard.ValueError
	assert.True(t, errors.As(err, &ve), "NodeFor wraps the algorithm's error")
}

func TestShardedTableDataSources(t *testing.T) {
	st := &shard.ShardedTable{Nodes: []shard.Node{
		{DataSource: "ds1", Table: "a"}, {DataSource: "ds0", Table: "a"},
		{DataSource: "ds1", Table: "b"}, {DataSource: "ds2", Table: "a"},
	}}
	assert.Equal(t, []string{"ds1", "ds0", "ds2"}, st.DataSources())
	assert.Empty(t, (&shard.ShardedTable{}).DataSources())
}
