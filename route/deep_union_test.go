package route

import (
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestDeepPageUnionChoice: which deep pages run one statement per data
// source (deep_union.go), and the threshold that follows from it.
func TestDeepPageUnionChoice(t *testing.T) {
	r := testRouter(t)
	weighted := Options{Catalog: testCatalog(), WeightStrings: true}
	route := func(q string, opts Options) *DeepPage {
		t.Helper()
		p, err := r.RouteWith(q, nil, opts)
		require.NoError(t, err, q)
		return p.DeepPage
	}

	// joined phases move the threshold: offset 32 on 8 nodes is deep
	// with unions, streams without (embedded shards: no WeightStrings)
	const shallow = "SELECT order_id, user_id FROM t_order ORDER BY order_id LIMIT 32, 10"
	require.NotNil(t, route(shallow, weighted))
	require.Nil(t, route(shallow, Options{Catalog: testCatalog()}))
	require.Nil(t, route("SELECT order_id, user_id FROM t_order ORDER BY order_id LIMIT 16, 10", weighted), "16 × 8 nodes < 256")

	d := route("SELECT order_id, user_id FROM t_order WHERE user_id > 3 ORDER BY order_id LIMIT 1000, 10", weighted)
	require.NotNil(t, d)
	require.Len(t, d.Phase1, 2)
	assert.Contains(t, d.String(), "one UNION ALL statement per data source")

	// later phases: one statement per data source holding nodes to read,
	// the branches' arguments in order
	b := &merge.DeepBounds{Lower: []driver.Value{int64(900), int64(3)}, Nodes: make([]merge.DeepNode, 8)}
	for i := range b.Nodes {
		b.Nodes[i] = merge.DeepNode{Limit: 40, Covered: i == 2 || i >= 5}
	}
	us, err := d.Phase2([]int{0, 1}, b)
	require.NoError(t, err)
	require.Len(t, us, 4) // nodes 0, 1, 3 on ds0, 4 on ds1
	joined := d.deepUnion(us, true)
	require.Len(t, joined, 2)
	assert.Equal(t, []int{0, 1, 3}, joined[0].Union)
	assert.Equal(t, []int{4}, joined[1].Union, "a data source with one node to read: a union of one, so that the phase reads one way")
	assert.Equal(t, 3, strings.Count(joined[0].SQL, "(select "))
	assert.True(t, strings.HasPrefix(joined[1].SQL, "(select 4 as __shardsql_u, "), joined[1].SQL)
	assert.Equal(t, "ds0", joined[0].DataSource)

	// never joined: functions whose value depends on the call, comments
	// (user variables do not reach a scatter: refused before); the phases
	// keep one statement per node
	for _, q := range []string{
		"SELECT order_id, user_id FROM t_order WHERE user_id > RAND() ORDER BY order_id LIMIT 1000, 10",
		"SELECT /* note */ order_id, user_id FROM t_order ORDER BY order_id LIMIT 1000, 10",
	} {
		d := route(q, weighted)
		require.NotNil(t, d, q)
		assert.Nil(t, d.Phase1Union, q)
		assert.Len(t, d.Phase1, 8, q)
	}

	// rows that are the result's are joined only when their columns keep
	// their types in a UNION: t_user.name is a VARCHAR of unknown length
	// here; the key-only phases are joined, full rows are not
	const users = "SELECT id, name FROM t_user ORDER BY id LIMIT 1000, 10"
	d = route(users, weighted)
	require.NotNil(t, d)
	assert.True(t, d.KeyOnly(), "with unions the keys are read alone")
	assert.NotNil(t, d.Phase1Union)
	full := weighted
	full.DeepPageKeys = DeepPageKeysFull
	d = route(users, full)
	require.NotNil(t, d)
	assert.Nil(t, d.Phase1Union)
}
