package route

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRowBound checks which one-node SELECTs prove a row bound
// (row_bound.go) and which do not, through the full routing and, for a
// cached statement, through the point shortcut routed a second time.
func TestRowBound(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog()}
	cases := []struct {
		sql  string
		args []any
		want int
	}{
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = ?", []any{int64(1), int64(2)}, 1},
		{"SELECT * FROM t_order o WHERE o.order_id = ? AND o.user_id = ?", []any{uint64(2), int64(1)}, 1},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = 7", []any{int64(1)}, 1},
		{"SELECT * FROM t_user WHERE id = ?", []any{int64(3)}, 1},
		// a string or float key compares as a double: no proof
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = ?", []any{int64(1), "2"}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = ?", []any{int64(1), 2.0}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = '2'", []any{int64(1)}, 0},
		// not every column of the key, <=>, OR, a range
		{"SELECT * FROM t_order WHERE user_id = ?", []any{int64(1)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id <=> ?", []any{int64(1), int64(2)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND (order_id = ? OR order_id = 3)", []any{int64(1), int64(2)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id > ?", []any{int64(1), int64(2)}, 0},
		// grouping folds the matched row, WITH ROLLUP adds rows to it
		{"SELECT user_id, COUNT(*) FROM t_order WHERE user_id = ? AND order_id = ? GROUP BY user_id", []any{int64(1), int64(2)}, 1},
		{"SELECT user_id, COUNT(*) FROM t_order WHERE user_id = ? AND order_id = ? GROUP BY user_id WITH ROLLUP", []any{int64(1), int64(2)}, 0},
		{"SELECT user_id, COUNT(*) FROM t_order WHERE user_id = ? AND order_id = ? GROUP BY user_id WITH ROLLUP LIMIT 3", []any{int64(1), int64(2)}, 3},
		// a constant LIMIT up to the cap
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT 5", []any{int64(1)}, 5},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT 2, 3", []any{int64(1)}, 3},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT 17", []any{int64(1)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT ?", []any{int64(1), int64(2)}, 2},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT 4, ?", []any{int64(1), int64(16)}, 16},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT ?", []any{int64(1), int64(17)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT ?", []any{int64(1), int64(0)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT ?", []any{int64(1), "2"}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? LIMIT 0", []any{int64(1)}, 0},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = ? LIMIT 10", []any{int64(1), "x"}, 10},
		// a text key proves nothing (collations), a join nothing
		{"SELECT * FROM t_user WHERE id = ? AND name = ?", []any{int64(1), "a"}, 1},
		{"SELECT * FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id = ? AND u.id = ? AND o.order_id = ?", []any{int64(1), int64(1), int64(2)}, 0},
		// tables outside the topology (passed through): the text alone —
		// a top-level LIMIT whatever is beneath it, one row without tables
		{"SELECT * FROM t_free WHERE id = ?", []any{int64(1)}, 0},
		{"SELECT * FROM t_free WHERE id = ? ORDER BY id LIMIT 1", []any{int64(1)}, 1},
		{"SELECT * FROM t_free LIMIT 3, ?", []any{int64(4)}, 4},
		{"SELECT * FROM t_free LIMIT ?", []any{int64(40)}, 0},
		{"SELECT * FROM t_free LIMIT 17", nil, 0},
		{"SELECT a.*, b.x FROM t_free a JOIN t_other b ON b.id = a.id WHERE a.id IN (SELECT id FROM t_third) LIMIT 2", nil, 2},
		{"SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) d LIMIT 2", nil, 2},
		{"SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 2) d", nil, 0},
		{"SELECT COUNT(*) FROM t_free GROUP BY id", nil, 0},
		{"SELECT 1", nil, 1},
		{"SELECT 1 FROM DUAL WHERE ? > 0", []any{int64(1)}, 1},
		{"SELECT NOW(), @@version, ? + 1", []any{int64(1)}, 1},
		{"SELECT 1 GROUP BY 1 WITH ROLLUP", nil, 0},
		{"SELECT 1 GROUP BY 1 WITH ROLLUP LIMIT 2", nil, 2},
		{"SELECT 1 FROM dual_x", nil, 0},
		// a quoted `dual` is a table (or CTE) of that name, not DUAL: the
		// parser cannot tell them apart, so the text decides
		{"SELECT * FROM `dual`", nil, 0},
		{"SELECT x FROM `DUAL` d WHERE x > 0", nil, 0},
		{"WITH `dual` AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT * FROM `dual`", nil, 0},
		{"SELECT * FROM \"dual\"", nil, 0},
		{"SELECT * FROM `dual` LIMIT 2", nil, 2},
		{"SELECT 1 INTO OUTFILE '/tmp/x'", nil, 0},
	}
	for _, c := range cases {
		for round := 0; round < 3; round++ { // full routing, then the cached shortcut
			p, err := r.RouteWith(c.sql, c.args, opts)
			require.NoError(t, err, c.sql)
			if len(p.Units) != 1 {
				require.Zero(t, p.RowBound, c.sql)
				continue
			}
			require.Equal(t, c.want, p.RowBound, "%s %v (round %d)", c.sql, c.args, round)
		}
	}
	// without the catalog, no unique key is known
	p, err := r.RouteWith("SELECT * FROM t_user WHERE id = ?", []any{int64(3)}, Options{})
	require.NoError(t, err)
	require.Zero(t, p.RowBound)
	p, err = r.RouteWith("SELECT * FROM t_user WHERE id = ? LIMIT 1", []any{int64(3)}, Options{})
	require.NoError(t, err)
	require.Equal(t, 1, p.RowBound)
}
