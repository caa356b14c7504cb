package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestSemiJoinNameScope: a correlated subquery's table is in the
// subquery's scope only. MySQL reads an unqualified column of the outer
// query in the outer tables, and one of the subquery in its own table
// first, then in the outer ones. Before compat15 the subquery's table was
// one more table for every unqualified name: ent's HasXWith with an
// unqualified outer column both tables have was refused as ambiguous.
func TestSemiJoinNameScope(t *testing.T) {
	r := joinRouter(t)
	cat := testCatalog()
	cat.Tables["t_order"].Columns = append(cat.Tables["t_order"].Columns,
		schema.Column{Name: "name", DataType: "varchar", ColumnType: "varchar(50)", Collation: "utf8mb4_general_ci", Nullable: true},
		schema.Column{Name: "kind", DataType: "bigint", ColumnType: "bigint(20)", Nullable: true})
	for _, tc := range []struct{ sql, outer, inner string }{
		// name: both tables have it; the outer one is t_user's, the
		// subquery's t_order's.
		{"SELECT name FROM t_user WHERE EXISTS (SELECT t_order.user_id FROM t_order WHERE t_user.id = t_order.user_id AND t_order.kind = 2) ORDER BY name",
			"ds0.t_user_0: select t_user_0.`name`, t_user_0.id from t_user_0", "ds0.t_order_0: select t_order_0.user_id from t_order_0 where t_order_0.kind = 2"},
		{"SELECT id, name FROM t_user WHERE NOT EXISTS (SELECT 1 FROM t_order WHERE user_id = t_user.id AND name = 'x')",
			"ds0.t_user_0: select t_user_0.id, t_user_0.`name` from t_user_0", "ds0.t_order_0: select t_order_0.user_id from t_order_0 where t_order_0.`name` = 'x'"},
		// kind is t_order's only: inside the subquery it is the
		// subquery's table's.
		{"SELECT name FROM t_user u WHERE id IN (SELECT user_id FROM t_order o WHERE o.user_id = u.id AND kind = 3)",
			"ds0.t_user_0: select u.`name`, u.id from t_user_0 as u", "ds0.t_order_0: select o.user_id from t_order_0 as o where o.kind = 3"},
	} {
		p, err := r.RouteWith(tc.sql, nil, Options{Catalog: cat})
		require.NoError(t, err, tc.sql)
		assert.Contains(t, p.String(), tc.outer, tc.sql)
		assert.Contains(t, p.String(), tc.inner, tc.sql)
	}
	// The outer name t_order.kind does not exist; t_order is in the
	// subquery's scope only (MySQL's 1054).
	_, err := r.RouteWith("SELECT kind FROM t_user WHERE EXISTS (SELECT 1 FROM t_order WHERE t_order.user_id = t_user.id)", nil, Options{Catalog: cat})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "unknown column kind")
	// The subquery's table named as an outer table is: t_order.user_id
	// is the subquery's own column (MySQL looks in the subquery first),
	// so the subquery is not correlated and never a semi-join over the
	// outer alias.
	p, err := r.RouteWith("SELECT t_order.name FROM t_user AS t_order WHERE EXISTS (SELECT 1 FROM t_order WHERE t_order.user_id = 5 AND t_order.kind = t_order.user_id)", nil, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Contains(t, p.String(), "BindSubqueries exists")
	assert.NotContains(t, p.String(), "semi on")
}
