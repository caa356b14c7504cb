package route

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestRenderNodesSplice: the node statements renderNodes splices from one
// rendering are those render prints for each node, including physical
// names that must be quoted, qualified columns, aliases and several
// references to the table.
func TestRenderNodesSplice(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	// node tables the printer must quote: keywords, a digit-led name
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_q", Column: "id", Nodes: "ds0.order, ds0.select, ds1.t_q$1, ds1.1e5", Algorithm: shard.Mod()}))
	r, err := NewWithConfig(topo, Config{CacheSize: -1}) // an uncached parse: no memo
	require.NoError(t, err)

	for _, tc := range []struct {
		table, sql string
		args       []any
	}{
		{"t_order", "SELECT order_id, amount FROM t_order WHERE amount > ? ORDER BY amount DESC LIMIT 10", []any{int64(5)}},
		{"t_order", "SELECT t_order.order_id, o2.x FROM t_order JOIN (SELECT 1 AS x) o2 WHERE t_order.amount > ?", []any{int64(1)}},
		{"t_order", "SELECT o.order_id FROM t_order AS o WHERE o.amount BETWEEN ? AND ? AND o.note = 'a''b'", []any{1, 2}},
		{"t_order", "UPDATE t_order SET amount = amount + ? WHERE note = ?", []any{1, "x"}},
		{"t_order", "DELETE FROM t_order WHERE t_order.amount < 0", nil},
		{"t_q", "SELECT id, COUNT(*) FROM t_q WHERE t_q.id > ? GROUP BY id", []any{0}},
		{"t_q", "UPDATE t_q SET v = ? WHERE t_q.v IS NULL", []any{"y"}},
	} {
		ps, err := r.parse(tc.sql)
		require.NoError(t, err, tc.sql)
		require.False(t, ps.cached)
		s := &statement{router: r, sql: tc.sql, args: tc.args, topo: topo, ps: ps, version: topo.Version()}
		st, ok := topo.Table(tc.table)
		require.True(t, ok)
		tables := []*shard.ShardedTable{st}
		var nodes []int
		for i := range st.Nodes {
			nodes = append(nodes, i)
		}
		got := s.renderNodes(ps.stmt, tables, nodes, nil)
		require.Len(t, got, len(nodes))
		if tc.table == "t_q" {
			require.Contains(t, got[0].SQL, "`order`", "a keyword is quoted")
			require.Contains(t, got[1].SQL, "`select`", "a keyword is quoted")
		}
		for i, n := range nodes {
			want := s.render(ps.stmt, tables, n, nil, nil)
			require.Equal(t, want, got[i], "%s, node %d", tc.sql, n)
		}
	}
}
