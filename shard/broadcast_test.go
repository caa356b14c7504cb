package shard_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

func TestAddBroadcastTable(t *testing.T) {
	topo := newTopo(t)
	assert.False(t, topo.Broadcast("t_dict"))
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	require.NoError(t, topo.AddBroadcastTable("T_Config"))
	assert.True(t, topo.Broadcast("t_dict"))
	assert.True(t, topo.Broadcast("T_DICT"), "names compare case-insensitively")
	assert.True(t, topo.Broadcast("t_config"))
	assert.False(t, topo.Broadcast("t_order"))
	assert.False(t, topo.Broadcast(""))

	_, ok := topo.Table("t_dict")
	assert.False(t, ok, "a broadcast table is not a sharded table")
	assert.Empty(t, topo.Tables())

	var zero shard.Topology
	assert.False(t, zero.Broadcast("t_dict"))
	require.NoError(t, zero.AddBroadcastTable("t_dict"))
	assert.True(t, zero.Broadcast("t_dict"))
}

func TestAddBroadcastTableErrors(t *testing.T) {
	tests := []struct {
		name  string
		table string
		want  string
	}{
		{"empty", "", `shardsql: broadcast table name is empty; pass the table name, e.g. "t_dict"`},
		{"blank", "  ", "shardsql: broadcast table name is empty"},
		{"already broadcast", "t_dict", "shardsql: broadcast table t_dict: a broadcast table named t_dict is already registered; add each table once"},
		{"already broadcast other case", "T_DICT", "shardsql: broadcast table T_DICT: a broadcast table named t_dict is already registered"},
		{"sharded table", "T_Order", "shardsql: broadcast table T_Order: t_order is a sharded table; a table is either sharded or broadcast, so use another name"},
		{"physical table of a sharded table", "t_order_1",
			"shardsql: broadcast table t_order_1: node ds0.t_order_1 of sharded table t_order has that name; a broadcast table is on every data source, so use another name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..1}"}))
			require.NoError(t, topo.AddBroadcastTable("t_dict"))
			err := topo.AddBroadcastTable(tt.table)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestAddTableRejectsBroadcastNames(t *testing.T) {
	tests := []struct {
		name  string
		table shard.Table
		want  string
	}{
		{"logical name", shard.Table{Name: "t_dict", Column: "id", Nodes: "ds0.t_dict_${0..1}"},
			"shardsql: table t_dict: t_dict is a broadcast table; a table is either sharded or broadcast, so use another name"},
		{"logical name other case", shard.Table{Name: "T_DICT", Column: "id", Nodes: "ds0.t_dict_${0..1}"},
			"shardsql: table T_DICT: t_dict is a broadcast table"},
		{"physical name", shard.Table{Name: "t_x", Column: "id", Nodes: "ds0.t_x_0, ds1.T_Dict"},
			"shardsql: table t_x: node ds1.T_Dict is the physical table of broadcast table t_dict, which is on every data source; use another physical table name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			require.NoError(t, topo.AddBroadcastTable("t_dict"))
			err := topo.AddTable(tt.table)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, topo.Tables())
			assert.True(t, topo.Broadcast("t_dict"))
		})
	}
}
