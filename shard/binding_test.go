package shard_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// bindingTopo returns a topology with data sources ds0 and ds1 and tables to
// bind or fail to bind.
func bindingTopo(t *testing.T) *shard.Topology {
	t.Helper()
	topo := newTopo(t)
	month := shard.Interval(shard.Month, "200601")
	for _, tb := range []shard.Table{
		{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..1}"},
		{Name: "t_order_item", Column: "user_id", Nodes: "ds${0..1}.t_order_item_${0..1}", Algorithm: shard.Hash()},
		{Name: "t_payment", Column: "user_id", Nodes: "ds0.t_payment_${0..1}, ds1.t_payment_${2..3}"},
		{Name: "t_small", Column: "user_id", Nodes: "ds${0..1}.t_small"},
		{Name: "t_swapped", Column: "user_id", Nodes: "${ds1,ds0}.t_swapped_${0..1}"},
		{Name: "t_mod", Column: "user_id", Nodes: "ds${0..1}.t_mod_${0..1}", Algorithm: shard.Mod()},
		{Name: "r1", Column: "id", Nodes: "ds0.r1_${0..2}", Algorithm: shard.Range(10, 20)},
		{Name: "r2", Column: "id", Nodes: "ds0.r2_${0..2}", Algorithm: shard.Range(10, 30)},
		{Name: "r3", Column: "id", Nodes: "ds0.r3_${0..2}", Algorithm: shard.Range(int8(10), uint64(20))},
		{Name: "l1", Column: "day", Nodes: "ds0.l1_${2025-01..2025-03|month|200601}", Algorithm: month},
		{Name: "l2", Column: "day", Nodes: "ds0.l2_${2025-01..2025-03|month|200601}", Algorithm: month},
		{Name: "l3", Column: "day", Nodes: "ds0.l3_${2025-02..2025-04|month|200601}", Algorithm: month},
		{Name: "l4", Column: "day", Nodes: "ds0.l4_${2025-01-06..2025-01-20|week|20060102}", Algorithm: shard.Interval(shard.Week, "20060102")},
	} {
		require.NoError(t, topo.AddTable(tb), tb.Name)
	}
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	return topo
}

func TestBind(t *testing.T) {
	topo := bindingTopo(t)
	require.NoError(t, topo.Bind("t_order", "T_ORDER_ITEM", "t_payment"))
	require.NoError(t, topo.Bind("r1", "r3"))
	require.NoError(t, topo.Bind("l1", "l2"))

	tests := []struct {
		a, b string
		want bool
	}{
		{"t_order", "t_order_item", true},
		{"t_order_item", "t_order", true},
		{"T_Order", "t_PAYMENT", true},
		{"t_order_item", "t_payment", true},
		{"r1", "r3", true},
		{"l2", "l1", true},
		{"t_order", "r1", false},
		{"r1", "l1", false},
		{"t_order", "t_small", false},
		{"t_small", "t_mod", false},
		{"t_order", "t_missing", false},
		{"t_missing", "t_other", false},
		{"t_small", "t_small", true},
		{"t_order", "T_ORDER", true},
		{"t_missing", "t_missing", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, topo.Bound(tt.a, tt.b), "Bound(%q, %q)", tt.a, tt.b)
	}
}

func TestBindErrors(t *testing.T) {
	tests := []struct {
		name   string
		tables []string
		want   string
	}{
		{"no tables", nil, "shardsql: Bind needs at least two tables, got 0; pass every table of the binding group"},
		{"one table", []string{"t_order"}, "shardsql: Bind needs at least two tables, got 1"},
		{"unknown table", []string{"t_order", "t_missing"}, "shardsql: Bind: table t_missing is not registered; call AddTable for it before Bind"},
		{"broadcast table", []string{"t_order", "T_DICT"}, "shardsql: Bind: t_dict is a broadcast table; only sharded tables can be bound"},
		{"same table twice", []string{"t_order", "t_order_item", "T_ORDER"}, "shardsql: Bind: table t_order is listed twice; list each table once"},
		{"different node counts", []string{"t_order", "t_small"}, "shardsql: Bind: table t_small has 2 nodes but t_order has 4; binding tables need the same number of nodes"},
		{"different data source at an index", []string{"t_order", "t_swapped"},
			"shardsql: Bind: node 0 of table t_swapped (ds1.t_swapped_0) is on data source ds1 but node 0 of t_order (ds0.t_order_0) is on ds0; binding tables need node i of every table on the same data source"},
		{"different algorithm", []string{"t_order", "t_mod"}, "shardsql: Bind: table t_mod uses algorithm mod but t_order uses hash; binding tables need the same algorithm"},
		{"different range bounds", []string{"r1", "r2"},
			"shardsql: Bind: tables r1 and r2 both use algorithm range, but their bounds differ: [10 20] and [10 30]; binding tables must place every value on the same node index"},
		{"different interval periods", []string{"l1", "l3"},
			"shardsql: Bind: tables l1 and l3 both use algorithm interval, but node 0 holds the month starting 2025-01-01 in one and the month starting 2025-02-01 in the other"},
		{"different interval units", []string{"l1", "l4"},
			"but one has a node per month, the other per week"},
		{"third table differs", []string{"t_order", "t_order_item", "t_small"}, "table t_small has 2 nodes but t_order has 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := bindingTopo(t)
			err := topo.Bind(tt.tables...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			for _, a := range tt.tables {
				for _, b := range tt.tables {
					if !strings.EqualFold(a, b) {
						assert.False(t, topo.Bound(a, b), "a failed Bind binds nothing: %s, %s", a, b)
					}
				}
			}
		})
	}
}

func TestBindAlreadyBound(t *testing.T) {
	topo := bindingTopo(t)
	require.NoError(t, topo.Bind("t_order", "t_order_item"))

	err := topo.Bind("t_payment", "T_Order_Item")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shardsql: Bind: table t_order_item is already bound to t_order; a table can be in one binding group only, so bind all of its tables in one call")
	assert.False(t, topo.Bound("t_payment", "t_order_item"))

	err = topo.Bind("t_order", "t_order_item")
	require.Error(t, err, "binding the same group again is an error too")
	assert.Contains(t, err.Error(), "table t_order is already bound to t_order_item")

	// Binding groups are separate.
	require.NoError(t, topo.Bind("l1", "l2"))
	assert.False(t, topo.Bound("t_order", "l1"))
	assert.True(t, topo.Bound("t_order", "t_order_item"))
}
