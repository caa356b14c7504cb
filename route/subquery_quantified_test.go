package route

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestQuantifiedSubqueries: = ANY / = SOME bind as IN and <> ALL as NOT
// IN (same NULL and empty-set logic); the other quantifiers and LIMIT in
// an IN subquery are not bound (MySQL's value is not the subquery's; a
// LIMIT there is MySQL's error 1235).
func TestQuantifiedSubqueries(t *testing.T) {
	r, err := New(planTopology(t))
	require.NoError(t, err)
	opts := Options{WeightStrings: true, Catalog: planCatalog()}
	outer := func(sql string, bd merge.Bound) string {
		t.Helper()
		p, err := r.RouteWith(sql, nil, opts)
		require.NoError(t, err, sql)
		bind, ok := p.Root.(*merge.BindSubqueries)
		require.True(t, ok, p.String())
		op, err := bind.Outer([]merge.Bound{bd})
		require.NoError(t, err, sql)
		return (&Plan{Root: op, Kind: KindSelect}).String()
	}
	two := merge.Bound{Type: "BIGINT", Values: []driver.Value{int64(1), int64(10)}}
	require.Contains(t, outer("SELECT order_id FROM t_order WHERE user_id = ANY (SELECT id FROM t_user)", two), "t_order_0 where user_id in (10)")
	require.Contains(t, outer("SELECT order_id FROM t_order WHERE qty = SOME (SELECT id FROM t_user)", two), "where qty in (1, 10)")
	require.Contains(t, outer("SELECT order_id FROM t_order WHERE qty <> ALL (SELECT id FROM t_user)", two), "where qty not in (1, 10)")
	none := merge.Bound{Type: "BIGINT"}
	require.Contains(t, outer("SELECT order_id FROM t_order WHERE qty = ANY (SELECT id FROM t_user)", none), "where 0 and qty and null") // false, keeping the column (diff18)
	require.Contains(t, outer("SELECT order_id FROM t_order WHERE qty <> ALL (SELECT id FROM t_user)", none), "where 1 or qty or null")
	for _, sql := range []string{
		"SELECT order_id FROM t_order WHERE qty < ALL (SELECT id FROM t_user)",
		"SELECT order_id FROM t_order WHERE qty > ANY (SELECT id FROM t_user)",
		"SELECT order_id FROM t_order WHERE qty <> ANY (SELECT id FROM t_user)",
		"SELECT order_id FROM t_order WHERE qty = ALL (SELECT id FROM t_user)",
		"SELECT order_id FROM t_order WHERE qty IN (SELECT id FROM t_user LIMIT 2)",
		"SELECT order_id FROM t_order WHERE qty = ANY (SELECT id FROM t_user ORDER BY id LIMIT 2)",
	} {
		_, err := r.RouteWith(sql, nil, opts)
		require.ErrorIs(t, err, ErrUnsupported, sql)
	}
}

// TestCTEColumnListRenames: a CTE column list is written as the body's
// select aliases, which changes what the body's ORDER BY, GROUP BY and
// HAVING name when they name a renamed item: refused then.
func TestCTEColumnListRenames(t *testing.T) {
	r, err := New(planTopology(t))
	require.NoError(t, err)
	opts := Options{WeightStrings: true, Catalog: planCatalog()}
	for _, sql := range []string{
		"WITH c (user_id, order_id) AS (SELECT order_id, user_id FROM t_order ORDER BY order_id LIMIT 10) SELECT * FROM c",
		"WITH c (k, m) AS (SELECT qty AS a, MAX(order_id) FROM t_order GROUP BY a ORDER BY a LIMIT 3) SELECT k FROM c",
		"WITH c (k, m) AS (SELECT qty + 1 AS qty, MAX(order_id) FROM t_order GROUP BY qty ORDER BY qty LIMIT 3) SELECT k FROM c",
	} {
		_, err := r.RouteWith(sql, nil, opts)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		require.ErrorContains(t, err, "column list", sql)
	}
	for _, sql := range []string{
		"WITH c (k, m) AS (SELECT qty, MAX(order_id) FROM t_order GROUP BY qty ORDER BY qty LIMIT 3) SELECT k FROM c",
		"WITH c (a, b) AS (SELECT user_id, order_id FROM t_order ORDER BY user_id, order_id LIMIT 3) SELECT a FROM c",
	} {
		_, err := r.RouteWith(sql, nil, opts)
		require.NoError(t, err, sql)
	}
}
