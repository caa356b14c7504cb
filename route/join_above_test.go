package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestJoinAboveNames: the SELECT above a cross-node join resolves names
// as MySQL does over several tables — * and t.* as the catalog's
// columns, USING's coalesced column first and unqualified, an
// ambiguous name refused — and names the result's columns as the
// caller wrote them.
func TestJoinAboveNames(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog()}
	names := func(sql string) []string {
		t.Helper()
		p, err := r.RouteWith(sql, nil, opts)
		require.NoError(t, err, sql)
		pick, ok := p.Root.(*merge.Pick)
		require.True(t, ok, p.String())
		var out []string
		for _, c := range pick.Cols {
			out = append(out, c.Name)
		}
		return out
	}
	assert.Equal(t, []string{"order_id", "user_id", "id", "name"}, names("SELECT * FROM t_order o JOIN t_user u ON u.id = o.user_id"))
	assert.Equal(t, []string{"id", "name", "order_id"}, names("SELECT u.*, o.order_id FROM t_order o JOIN t_user u ON u.id = o.user_id"))
	assert.Equal(t, []string{"name", "o.order_id * u.id", "SUM(o.user_id + u.id)"},
		names("SELECT name, o.order_id * u.id, SUM(o.user_id + u.id) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY name, o.order_id * u.id"))
	// USING: the coalesced column comes first, then the rest of each
	// side; unqualified, it is not ambiguous
	assert.Equal(t, []string{"id", "order_id", "user_id", "name", "name"}, names("SELECT * FROM t_order o JOIN t_user u ON u.id = o.user_id JOIN t_user v USING (id)"))
	assert.Equal(t, []string{"id", "name"}, names("SELECT id, v.name FROM t_order o JOIN t_user u ON u.id = o.user_id JOIN t_user v USING (id) ORDER BY id"))
	for _, sql := range []string{
		// id is a column of both u and v
		"SELECT id FROM t_user u JOIN t_order o ON o.user_id = u.id JOIN t_user v ON v.name = u.name",
		// no common column
		"SELECT * FROM t_order o NATURAL JOIN t_user u",
		// a window function's rows are the join's, not one table's
		"SELECT o.order_id, ROW_NUMBER() OVER (ORDER BY o.order_id) FROM t_order o JOIN t_user u ON u.id = o.user_id",
	} {
		_, err := r.RouteWith(sql, nil, opts)
		assert.ErrorIs(t, err, ErrUnsupported, sql)
	}
}
