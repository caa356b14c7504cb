package route

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestBoundLiterals checks how a subquery's values are written into the
// outer statement, and which are refused, without servers: the outer
// plan is built from values as the merge would pass them.
func TestBoundLiterals(t *testing.T) {
	r, err := New(planTopology(t))
	require.NoError(t, err)
	cat := planCatalog()
	cat.Tables["t_user"].Columns[1].Collation = "utf8mb4_bin" // t_user.name vs t_order.status (general_ci)
	opts := Options{WeightStrings: true, Catalog: cat}
	outer := func(sql string, bd merge.Bound) (*Plan, error) {
		t.Helper()
		p, err := r.RouteWith(sql, nil, opts)
		require.NoError(t, err)
		bind, ok := p.Root.(*merge.BindSubqueries)
		require.True(t, ok, p.String())
		op, err := bind.Outer([]merge.Bound{bd})
		if err != nil {
			return nil, err
		}
		return &Plan{Root: op, Kind: KindSelect}, nil
	}
	// integers prune the outer nodes and trim each node's IN list
	p, err := outer("SELECT order_id FROM t_order WHERE user_id IN (SELECT id FROM t_user)",
		merge.Bound{Type: "BIGINT", Values: []driver.Value{int64(1), []byte("10"), nil}})
	require.NoError(t, err)
	require.Contains(t, p.String(), "t_order_1 where user_id in (1)")
	require.Contains(t, p.String(), "t_order_0 where user_id in (10)")
	// decimals stay decimals, NULL for an empty scalar subquery
	p, err = outer("SELECT order_id FROM t_order WHERE amount > (SELECT MAX(amount) FROM t_order WHERE user_id = 1)",
		merge.Bound{Type: "DECIMAL", Values: []driver.Value{[]byte("12.50")}})
	require.NoError(t, err)
	require.Contains(t, p.String(), "amount > 12.50")
	p, err = outer("SELECT order_id FROM t_order WHERE amount > (SELECT MAX(amount) FROM t_order WHERE user_id = 1)",
		merge.Bound{Type: "DECIMAL"})
	require.NoError(t, err)
	require.Contains(t, p.String(), "amount > null")
	// empty IN / NOT IN
	p, err = outer("SELECT order_id FROM t_order WHERE user_id NOT IN (SELECT id FROM t_user)", merge.Bound{Type: "BIGINT"})
	require.NoError(t, err)
	require.Contains(t, p.String(), "where 1 or user_id or null") // true, keeping the column (diff18)
	// NOT IN keeps its NULL on every node
	p, err = outer("SELECT order_id FROM t_order WHERE user_id NOT IN (SELECT id FROM t_user)",
		merge.Bound{Type: "BIGINT", Values: []driver.Value{int64(1), nil}})
	require.NoError(t, err)
	require.Contains(t, p.String(), "t_order_0 where user_id not in (1, null)")
	// text with quotes is escaped
	p, err = outer("SELECT order_id FROM t_order WHERE status IN (SELECT status FROM t_order WHERE user_id = 2)",
		merge.Bound{Type: "VARCHAR", Values: []driver.Value{[]byte("it's")}})
	require.NoError(t, err)
	require.Contains(t, p.String(), "`status` in ('it\\'s')")
	// refused: floats, dates, text of another collation, text against a non-column
	for sql, bd := range map[string]merge.Bound{
		"SELECT order_id FROM t_order WHERE amount > (SELECT AVG(amount) FROM t_order)":           {Type: "DOUBLE", Values: []driver.Value{1.5}},
		"SELECT order_id FROM t_order WHERE user_id IN (SELECT id FROM t_user)":                   {Type: "DATETIME", Values: []driver.Value{[]byte("2025-01-01 00:00:00")}},
		"SELECT order_id FROM t_order WHERE status IN (SELECT name FROM t_user)":                  {Type: "VARCHAR", Values: []driver.Value{[]byte("a")}},
		"SELECT order_id FROM t_order WHERE CONCAT(status, 'x') = (SELECT MIN(name) FROM t_user)": {Type: "VARCHAR", Values: []driver.Value{[]byte("a")}},
	} {
		_, err := outer(sql, bd)
		require.ErrorIs(t, err, ErrUnsupported, sql)
	}
}
