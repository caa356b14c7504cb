package route

import (
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestDeepStreamLazy: a deep page's fallback stream is not printed when
// the page is routed, and once built (by Explain here) it is the plain
// scatter's tree, node statements and arguments included.
func TestDeepStreamLazy(t *testing.T) {
	r := testRouter(t)
	const q = "SELECT order_id, amount FROM t_order WHERE user_id > ? ORDER BY order_id LIMIT 1000, 10"
	for _, weights := range []bool{false, true} {
		p, err := r.RouteWith(q, []any{int64(5)}, Options{Catalog: testCatalog(), WeightStrings: weights})
		require.NoError(t, err)
		require.NotNil(t, p.DeepPage)
		scan := p.Root.(*merge.DeepPageScan)
		lazy := scan.Stream.(*deepStream)
		assert.Nil(t, lazy.op, "not built by routing")

		plain, err := r.RouteWith(q, []any{int64(5)}, Options{Catalog: testCatalog(), WeightStrings: weights, DeepPageKeys: DeepPageOff})
		require.NoError(t, err)
		require.Nil(t, plain.DeepPage)
		want := plain.String()
		want = want[strings.Index(want, "\n"):] // the tree, below the plan's line
		got := p.String()
		assert.Contains(t, strings.ReplaceAll(got, "\n    ", "\n  "), want, "the stream under the deep page is the plain plan's tree")
		assert.NotNil(t, lazy.op, "built by Explain")
	}
}

// TestDeepLaterBounds: the later phases' statements carry their row
// bound — phase 2 its LIMIT, a count one row, the fetch its range's rows,
// a union its branches' summed — and none above the memory cap.
func TestDeepLaterBounds(t *testing.T) {
	r := testRouter(t)
	const q = "SELECT order_id, amount FROM t_order WHERE user_id > ? ORDER BY order_id DESC LIMIT 1000, 10"
	b := &merge.DeepBounds{Lower: []driver.Value{int64(900), int64(3)}, Nodes: make([]merge.DeepNode, 8)}
	limitOf := func(i int) int64 { // node 2's above the cap of 500
		if i == 2 {
			return 600
		}
		return int64(40 + i)
	}
	for i := range b.Nodes {
		b.Nodes[i] = merge.DeepNode{Upper: []driver.Value{int64(880), int64(7)}, Limit: limitOf(i), Count: i < 3, Covered: i == 5}
	}
	ranges := []merge.DeepRange{
		{Node: 1, First: []driver.Value{int64(899), int64(1)}, Last: []driver.Value{int64(897), int64(1)}, KeyCols: []int{0, 1}, Rows: 3},
		{Node: 6, First: []driver.Value{int64(898), int64(2)}, Last: []driver.Value{int64(890), int64(2)}, KeyCols: []int{0, 1}, Rows: 7},
	}
	for _, c := range []struct {
		weights bool
		maxRows int
	}{{false, 0}, {true, 0}, {false, 500}, {true, 500}, {true, 700}} {
		p, err := r.RouteWith(q, []any{int64(5)}, Options{Catalog: testCatalog(), WeightStrings: c.weights, DeepPageKeys: DeepPageKeysOnly, MaxMemoryRows: c.maxRows})
		require.NoError(t, err)
		require.NotNil(t, p.DeepPage)
		d := p.DeepPage
		limit := func(n int) int { // the cap drops bounds above it
			if c.maxRows > 0 && n > c.maxRows {
				return 0
			}
			return n
		}
		// as deepStatements builds them (the bounds' key columns 0 and 1)
		nu, err := d.Phase2([]int{0, 1}, b)
		require.NoError(t, err)
		p2 := d.deepUnion(nu, false)
		nu, err = d.Counts([]int{0, 1}, b)
		require.NoError(t, err)
		counts := d.deepUnion(nu, false)
		nu, err = d.Fetch(ranges)
		require.NoError(t, err)
		fetch := d.deepUnion(nu, true)
		if !c.weights {
			require.Len(t, p2, 7)
			for _, u := range p2 {
				assert.Equal(t, limit(int(limitOf(u.Node))), u.RowBound, u.SQL)
			}
			require.Len(t, counts, 3)
			for _, u := range counts {
				assert.Equal(t, 1, u.RowBound, u.SQL)
			}
			require.Len(t, fetch, 2)
			assert.Equal(t, []int{3, 7}, []int{fetch[0].RowBound, fetch[1].RowBound})
			continue
		}
		// one statement per data source: nodes 0–3 on ds0, 4–7 on ds1
		require.Len(t, p2, 2)
		switch c.maxRows {
		case 0:
			assert.Equal(t, 40+41+600+43, p2[0].RowBound)
		case 700:
			assert.Equal(t, 0, p2[0].RowBound, "every branch within the cap, their sum above it: no bound for the union")
		default:
			assert.Equal(t, 0, p2[0].RowBound, "a branch above the cap: no bound for its union")
		}
		assert.Equal(t, 44+46+47, p2[1].RowBound, "node 5 is covered")
		require.Len(t, counts, 1)
		assert.Equal(t, 3, counts[0].RowBound)
		require.Len(t, fetch, 2)
		assert.Equal(t, []int{3, 7}, []int{fetch[0].RowBound, fetch[1].RowBound})
	}
}
