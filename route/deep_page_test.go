package route

import (
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

func TestDeepPagePlan(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog()}

	// t_order's primary key (order_id, user_id) completes ORDER BY order_id
	// DESC; 8 nodes, offset 1000 → each node’s phase 1 at offset 125 less the margin.
	// servers that report collations (MariaDB, MySQL) take a union per data source
	p, err := r.RouteWith("SELECT order_id FROM t_order WHERE user_id > ? ORDER BY order_id DESC LIMIT 1000, 10", []any{int64(5)}, Options{Catalog: testCatalog(), WeightStrings: true})
	require.NoError(t, err)
	require.NotNil(t, p.DeepPage)
	d := p.DeepPage
	assert.Equal(t, 8, d.Page.Nodes)
	assert.Equal(t, int64(102), d.Page.NodeOffset()) // 125 less a margin of ⌈2√125⌉ = 23
	assert.Equal(t, int64(56), d.Page.Window())
	require.Len(t, d.Phase1, 2) // one statement per data source: a UNION ALL of its 4 nodes' statements
	assert.Equal(t, [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}}, d.Phase1Union)
	assert.Equal(t, "(select 0 as __shardsql_u, order_id, t_order_0.user_id as __shardsql_0 from t_order_0 where user_id > ? order by order_id desc, t_order_0.user_id asc limit 102, 56) union all "+
		"(select 1 as __shardsql_u, order_id, t_order_1.user_id as __shardsql_0 from t_order_1 where user_id > ? order by order_id desc, t_order_1.user_id asc limit 102, 56) union all "+
		"(select 2 as __shardsql_u, order_id, t_order_2.user_id as __shardsql_0 from t_order_2 where user_id > ? order by order_id desc, t_order_2.user_id asc limit 102, 56) union all "+
		"(select 3 as __shardsql_u, order_id, t_order_3.user_id as __shardsql_0 from t_order_3 where user_id > ? order by order_id desc, t_order_3.user_id asc limit 102, 56)", d.Phase1[0].SQL)
	assert.Equal(t, []any{int64(5), int64(5), int64(5), int64(5)}, d.Phase1[0].Args) // each branch's, in order
	assert.Equal(t, "ds1", d.Phase1[1].DataSource)
	assert.Contains(t, d.Phase1[1].SQL, "(select 4 as __shardsql_u, ")
	assert.Equal(t, d.Phase1, p.Units, "the plan's units are phase 1")
	assert.Contains(t, p.String(), "DeepPage offset 1000, count 10 on 8 nodes")

	b := &merge.DeepBounds{Lower: []driver.Value{int64(900), int64(3)}, Nodes: make([]merge.DeepNode, 8)}
	for i := range b.Nodes {
		b.Nodes[i] = merge.DeepNode{Upper: []driver.Value{[]byte("880"), int64(7)}, Limit: 40, Count: i == 1}
	}
	units, err := d.Phase2([]int{0, 1}, b)
	require.NoError(t, err)
	require.Len(t, units, 8)
	assert.Equal(t, "select order_id, t_order_0.user_id as __shardsql_0 from t_order_0 where user_id > ? and ((order_id < 900 or order_id = 900 and t_order_0.user_id >= 3) and (order_id > 880 or order_id = 880 and t_order_0.user_id <= 7)) order by order_id desc, t_order_0.user_id asc limit 40", units[0].SQL)
	counts, err := d.Counts([]int{0, 1}, b)
	require.NoError(t, err)
	require.Len(t, counts, 1) // only node 1 needs one
	assert.Equal(t, "select count(*) as `count(*)` from t_order_1 where user_id > ? and (order_id > 900 or order_id = 900 and t_order_1.user_id < 3)", counts[0].SQL)

	// nullable text key: NULLs first ascending; text binds as an argument
	p, err = r.RouteWith("SELECT id, name FROM t_user ORDER BY name LIMIT 500, 5", nil, opts)
	require.NoError(t, err)
	require.NotNil(t, p.DeepPage)
	b = &merge.DeepBounds{Lower: []driver.Value{int64(4), []byte("bob")}, Nodes: []merge.DeepNode{{Upper: []driver.Value{int64(9), nil}, Limit: 7}, {Limit: 7, Count: true}, {}, {}}}
	units, err = p.DeepPage.Phase2([]int{1, 0}, b)
	require.NoError(t, err)
	assert.Equal(t, "select id, `name` from t_user_0 where (`name` > ? or `name` = ? and t_user_0.id >= 4) and (`name` is null and t_user_0.id <= 9) order by `name` asc, t_user_0.id asc limit 7", units[0].SQL)
	assert.Equal(t, []any{"bob", "bob"}, units[0].Args)
	counts, err = p.DeepPage.Counts([]int{1, 0}, b)
	require.NoError(t, err)
	assert.Equal(t, "select count(*) as `count(*)` from t_user_1 where `name` < ? or `name` is null or `name` = ? and t_user_1.id < 4", counts[0].SQL)

	for _, q := range []string{
		"SELECT order_id FROM t_order ORDER BY order_id LIMIT 10, 10",          // small offset: streams
		"SELECT order_id FROM t_order ORDER BY order_id + 1 LIMIT 100000, 10",  // expression key
		"SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id LIMIT 5000, 5", // folded rows
		"SELECT DISTINCT order_id FROM t_order ORDER BY order_id LIMIT 5000, 5",
	} {
		p, err := r.RouteWith(q, nil, opts)
		require.NoError(t, err, q)
		assert.Nil(t, p.DeepPage, q)
	}
	// without the catalog no total order is known: streams
	p, err = r.Route("SELECT order_id FROM t_order ORDER BY order_id LIMIT 100000, 10", nil)
	require.NoError(t, err)
	assert.Nil(t, p.DeepPage)
}

// TestDeepPageThreshold pins where the deep page starts on t_order's 8
// nodes: offset ≥ 32, ≥ 2 × count and × 8 ≥ 512 (64); DeepPageOff
// streams every one.
func TestDeepPageThreshold(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		offset, count int
		deep          bool
	}{{63, 10, false}, {64, 10, true}, {64, 32, true}, {65, 33, false}, {66, 33, true}, {100_000, 10_000, true}, {100_000, 10_001, false}} {
		q := fmt.Sprintf("SELECT order_id FROM t_order ORDER BY order_id LIMIT %d, %d", c.offset, c.count)
		p, err := r.RouteWith(q, nil, Options{Catalog: testCatalog()})
		require.NoError(t, err, q)
		assert.Equal(t, c.deep, p.DeepPage != nil, q)
		p, err = r.RouteWith(q, nil, Options{Catalog: testCatalog(), DeepPageKeys: DeepPageOff})
		require.NoError(t, err, q)
		assert.Nil(t, p.DeepPage, q)
	}
}
