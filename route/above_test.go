package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestAbovePlans checks the operator tree of SELECTs evaluated above a
// merged stream: the Pick at the top names the columns as MySQL does.
func TestAbovePlans(t *testing.T) {
	r := testRouter(t)
	p, err := r.Route("SELECT n AS cnt, COUNT(*), SUM(n) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n", nil)
	require.NoError(t, err)
	pick, ok := p.Root.(*merge.Pick)
	require.True(t, ok, p.String())
	var names []string
	for _, c := range pick.Cols {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"cnt", "COUNT(*)", "SUM(n)"}, names)
	assert.Equal(t, merge.AggCount, pick.Cols[1].Agg)
	assert.Equal(t, merge.AggSum, pick.Cols[2].Agg)

	for _, sql := range []string{
		"SELECT COUNT(*) FROM (SELECT * FROM t_order UNION SELECT * FROM t_user) u",
		"SELECT x FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t",
		"SELECT n FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t HAVING SUM(n) > (n)",
		"SELECT GROUP_CONCAT(status) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t",
		"SELECT status FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t WITH ROLLUP",
	} {
		_, err := r.Route(sql, nil)
		assert.ErrorIs(t, err, ErrUnsupported, sql)
	}
}

// TestCorrelatedSelectList: a co-located correlated subquery in the select
// list runs node by node when the rows are not folded, and is refused when
// they are.
func TestCorrelatedSelectList(t *testing.T) {
	r := joinRouter(t)
	p, err := r.Route("SELECT o.order_id, (SELECT COUNT(*) FROM t_order_item i WHERE i.user_id = o.user_id) AS items FROM t_order o ORDER BY o.order_id LIMIT 3", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 8)
	assert.Contains(t, p.Units[0].SQL, "from t_order_item_0 as i where i.user_id = o.user_id")
	_, err = r.Route("SELECT o.status, COUNT(*), (SELECT COUNT(*) FROM t_order_item i WHERE i.user_id = o.user_id) FROM t_order o GROUP BY o.status", nil)
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = r.Route("SELECT o.order_id, (SELECT COUNT(*) FROM t_order_item i WHERE i.sku = o.status) FROM t_order o", nil)
	assert.ErrorIs(t, err, ErrUnsupported)
}
