package route

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestReview7PointShortcutForms routes more UPDATE/DELETE/SELECT spellings
// through the cached shortcut and through full routing, each with every
// odd argument kind, twice (the second round from the shortcut), and
// compares every part of the plans, the row bound and the write's move,
// RETURNING and savepoint included.
func TestReview7PointShortcutForms(t *testing.T) {
	r, cat := catalogRouter(t)
	// order_id: a unique integer key (the row bound's proof)
	ord := *cat.Tables["t_order"]
	ord.Columns = append(append([]schema.Column(nil), ord.Columns...), schema.Column{Name: "order_id", DataType: "bigint", ColumnType: "bigint(20)"})
	ord.Indexes = append(ord.Indexes, schema.Index{Name: "PRIMARY", Columns: []string{"order_id"}})
	c := *cat
	c.Tables = map[string]*schema.Table{}
	for k, v := range cat.Tables {
		c.Tables[k] = v
	}
	c.Tables["t_order"] = &ord
	full, err := NewWithConfig(r.topo, Config{CacheSize: -1})
	require.NoError(t, err)
	at := time.Date(2025, 8, 3, 10, 0, 0, 0, time.UTC)
	keys := []any{int64(1), int64(42), int64(-7), uint64(1<<63 + 5), "1", "01", "1.0", "abc", []byte("7"), 1.0, 1.5, true, false, nil, at,
		int8(3), uint8(3), int16(-3), uint32(9), float32(2), "", "x\x00", []byte{0}, "2025-08-03"}
	one := func(k any) []any { return []any{k} }
	keyFirst := func(k any) []any { return []any{k, int64(3)} }
	keySecond := func(k any) []any { return []any{int64(3), k} }
	stmts := []struct {
		sql  string
		args func(k any) []any
	}{
		{"UPDATE t_order SET `user_id` = 1 WHERE user_id = ?", one},
		{"UPDATE t_order SET t_order.User_Id = 1 WHERE user_id = ?", one},
		{"UPDATE t_order o SET o.amount = 1, O.USER_ID = 2 WHERE o.user_id = ?", one},
		{"UPDATE app.t_order SET app.t_order.user_id = 2 WHERE user_id = ?", one},
		{"UPDATE t_order SET amount = 1 WHERE (user_id = ?)", one},
		{"UPDATE t_order SET amount = 1 WHERE ((user_id = ?) AND (order_id = ?))", keyFirst},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND (order_id = 1 OR user_id = 5)", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND NOT (user_id <> 5)", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND user_id <=> 5", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND user_id IS NOT NULL", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND user_id NOT IN (5)", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND user_id LIKE '5'", one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? COLLATE utf8mb4_bin", one},
		{"UPDATE t_order SET amount = 1 WHERE BINARY user_id = ?", one},
		{"UPDATE LOW_PRIORITY IGNORE t_order SET amount = 1 WHERE user_id = ? ORDER BY order_id LIMIT 2", one},
		{"UPDATE /*+ NO_RANGE_OPTIMIZATION(t_order) */ t_order SET amount = 1 WHERE user_id = ?", one},
		{"UPDATE t_order SET amount = ? WHERE user_id = ? LIMIT 1", keySecond},
		{"UPDATE t_order SET note = (SELECT 1) WHERE user_id = ?", one},
		{"DELETE LOW_PRIORITY QUICK IGNORE FROM t_order WHERE user_id = ? ORDER BY order_id LIMIT 1", one},
		{"DELETE FROM t_order WHERE user_id = ? RETURNING order_id", one},
		{"DELETE FROM t_order WHERE (user_id = ?) AND order_id <=> ?", keyFirst},
		{"DELETE FROM app.t_order WHERE app.t_order.user_id = ?", one},
		{"DELETE FROM t_order WHERE `USER_ID` = ?", one},
		{"SELECT order_id FROM t_order WHERE user_id = ? AND order_id = ?", keyFirst},
		{"SELECT order_id FROM t_order WHERE user_id = ? AND order_id = ? GROUP BY order_id WITH ROLLUP", keyFirst},
		{"SELECT order_id FROM t_order WHERE user_id = ? LIMIT ?", keyFirst},
		{"SELECT order_id FROM t_order WHERE user_id = ? LIMIT 2, ?", keyFirst},
		{"SELECT order_id FROM t_order WHERE order_id = ? AND user_id = ?", keySecond},
		{"SELECT order_id FROM t_order WHERE user_id = ? AND order_id = 1.0", one},
		{"SELECT order_id FROM t_order WHERE user_id = ? AND order_id = '1'", one},
		{"SELECT order_id FROM t_order WHERE user_id = ? AND order_id <=> 1", one},
		{"SELECT SQL_CALC_FOUND_ROWS order_id FROM t_order WHERE user_id = ? LIMIT 1", one},
	}
	for round := 0; round < 2; round++ {
		for _, st := range stmts {
			for _, k := range keys {
				args := st.args(k)
				name := fmt.Sprintf("%s %#v", st.sql, args)
				want, wantErr := full.RouteWith(st.sql, args, Options{Catalog: &c})
				got, gotErr := r.RouteWith(st.sql, args, Options{Catalog: &c})
				if wantErr != nil {
					require.Error(t, gotErr, name)
					require.Equal(t, wantErr.Error(), gotErr.Error(), name)
					continue
				}
				require.NoError(t, gotErr, name)
				samePlan(t, want, got, name)
				require.Equal(t, want.RowBound, got.RowBound, name)
				require.Equal(t, want.Move == nil, got.Move == nil, name)
				require.Equal(t, want.Returning == nil, got.Returning == nil, name)
				require.Equal(t, want.Savepoint == nil, got.Savepoint == nil, name)
				require.Equal(t, want.Broadcast, got.Broadcast, name)
			}
		}
	}
	p, err := r.RouteWith("SELECT order_id FROM t_order WHERE user_id = ? AND order_id = ?", []any{int64(1), int64(2)}, Options{Catalog: &c})
	require.NoError(t, err)
	require.Equal(t, 1, p.RowBound, "the unique key proves one row")
}
