package route

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestParseMemo: a caller's memo of its last statement (Options.Memo)
// answers as the plan cache does — counted as its hit — and not once the
// cache evicted the entry, nor for another router.
func TestParseMemo(t *testing.T) {
	r, err := NewWithConfig(testTopology(t), Config{CacheSize: 1})
	require.NoError(t, err)
	q1, q2 := "SELECT * FROM t_user WHERE id = ?", "DELETE FROM t_user WHERE id = ?"
	var memo ParseMemo
	route := func(r *Router, q string, i int, memo *ParseMemo) string {
		t.Helper()
		p, err := r.RouteWith(q, []any{int64(i)}, Options{Memo: memo})
		require.NoError(t, err)
		require.Len(t, p.Units, 1)
		return p.Units[0].Node.String()
	}
	for i := 0; i < 3; i++ {
		require.Equal(t, shardNodeMod(i), route(r, q1, i, &memo))
	}
	require.Equal(t, CacheStats{Hits: 2, Misses: 1, Entries: 1}, r.CacheStats(), "memo hits are the cache's hits")
	route(r, q2, 1, nil) // evicts q1
	require.Equal(t, CacheStats{Hits: 2, Misses: 2, Entries: 1}, r.CacheStats())
	require.Equal(t, shardNodeMod(3), route(r, q1, 3, &memo))
	require.Equal(t, CacheStats{Hits: 2, Misses: 3, Entries: 1}, r.CacheStats(), "q1 was evicted: the memo must not answer for it")
	require.Equal(t, shardNodeMod(2), route(r, q1, 2, &memo))
	require.Equal(t, CacheStats{Hits: 3, Misses: 3, Entries: 1}, r.CacheStats())

	// Another router (t_user on two nodes by Mod) with the same memo:
	// its own parse, its own topology's node.
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.u_${0..1}", Algorithm: shard.Mod()}))
	r2, err := New(topo)
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		require.Equal(t, []string{"ds0.u_0", "ds0.u_1"}[(i+3)%2], route(r2, q1, i+3, &memo))
		require.Equal(t, shardNodeMod(i), route(r, q1, i, &memo))
	}
	require.Equal(t, uint64(1), r2.CacheStats().Misses)
	require.Equal(t, uint64(1), r2.CacheStats().Hits)
	// A memo hit counts in the cache of the router it hit on: the memo's
	// stripe is drawn with it, from that router's cache, on every fill.
	// Twice on each router in turn: the first refills the memo there, the
	// second is a memo hit (fails when a refill keeps the stripe it had:
	// the hit counted in the other router's cache).
	for _, rr := range []*Router{r2, r, r2, r} {
		want, other := rr.CacheStats(), r2
		if rr == r2 {
			other = r
		}
		otherBefore := other.CacheStats()
		route(rr, q1, 5, &memo)
		route(rr, q1, 6, &memo)
		want.Hits += 2
		require.Equal(t, want, rr.CacheStats(), "a memo hit counts in its router's cache")
		require.Equal(t, otherBefore, other.CacheStats())
	}
}
