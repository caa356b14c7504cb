package route

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

func TestPlanCacheHitsAndEviction(t *testing.T) {
	r, err := NewWithConfig(testTopology(t), Config{CacheSize: 2})
	require.NoError(t, err)
	q1, q2, q3 := "SELECT * FROM t_user WHERE id = ?", "SELECT * FROM t_user WHERE id IN (?, ?)", "DELETE FROM t_user WHERE id = ?"
	for i := 0; i < 3; i++ {
		p, err := r.Route(q1, []any{int64(i)})
		require.NoError(t, err)
		require.Len(t, p.Units, 1)
		assert.Equal(t, []any{int64(i)}, p.Units[0].Args, "cached renderings take this call's arguments")
		assert.Equal(t, shardNodeMod(i), p.Units[0].Node.String())
	}
	assert.Equal(t, CacheStats{Hits: 2, Misses: 1, Entries: 1}, r.CacheStats())
	p, err := r.Route(q2, []any{int64(1), int64(2)})
	require.NoError(t, err)
	require.Len(t, p.Units, 2)
	assert.Equal(t, "select * from t_user_1 where id in (?)", p.Units[0].SQL)
	p, err = r.Route(q2, []any{int64(1), int64(5)})
	require.NoError(t, err)
	require.Len(t, p.Units, 1, "IN lists are trimmed per call, not from the cache")
	assert.Equal(t, []any{int64(1), int64(5)}, p.Units[0].Args)
	_, err = r.Route(q3, []any{int64(1)})
	require.NoError(t, err)
	assert.Equal(t, 2, r.CacheStats().Entries, "least recently used entry evicted")
	_, err = r.Route(q1, []any{int64(1)})
	require.NoError(t, err)
	assert.Equal(t, uint64(4), r.CacheStats().Misses)

	off, err := NewWithConfig(testTopology(t), Config{CacheSize: -1})
	require.NoError(t, err)
	_, err = off.Route(q1, []any{int64(1)})
	require.NoError(t, err)
	assert.Equal(t, CacheStats{}, off.CacheStats())
}

func shardNodeMod(i int) string {
	return []string{"ds0.t_user_0", "ds0.t_user_1", "ds1.t_user_0", "ds1.t_user_1"}[i%4]
}

func TestPlanCacheFollowsTopologyChanges(t *testing.T) {
	topo := testTopology(t)
	r, err := New(topo)
	require.NoError(t, err)
	q := "SELECT * FROM t_new WHERE k = ?"
	p, err := r.Route(q, []any{int64(3)})
	require.NoError(t, err)
	assert.Equal(t, "ds0", p.Units[0].DataSource)
	assert.Equal(t, q, p.Units[0].SQL, "an unknown table passes through")

	require.NoError(t, topo.AddTable(shard.Table{Name: "t_new", Column: "k", Nodes: "ds1.t_new_${0..1}", Algorithm: shard.Mod()}))
	p, err = r.Route(q, []any{int64(3)})
	require.NoError(t, err)
	assert.Equal(t, "ds1.t_new_1", p.Units[0].Node.String())
	assert.Equal(t, "select * from t_new_1 where k = ?", p.Units[0].SQL)
}

func TestPlanCacheConcurrentUse(t *testing.T) {
	r := testRouter(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				p, err := r.Route("SELECT name FROM t_user WHERE id = ?", []any{int64(i)})
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, shardNodeMod(i), p.Units[0].Node.String())
				assert.Equal(t, []any{int64(i)}, p.Units[0].Args)
			}
		}()
	}
	wg.Wait()
}

// TestPlanCacheConcurrentEviction routes, from 8 goroutines at once, 40
// statement texts through a cache of 5 entries, so that lookups run while
// put stores and evicts (the lock-free lookups of round 9): every plan is
// its statement's, the cache never holds more than its size, and every
// lookup is counted once, as a hit or a miss.
func TestPlanCacheConcurrentEviction(t *testing.T) {
	r, err := NewWithConfig(testTopology(t), Config{CacheSize: 5})
	require.NoError(t, err)
	const goroutines, rounds, texts = 8, 300, 40
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				n := (i*7 + g) % texts
				q := fmt.Sprintf("SELECT name, %d FROM t_user WHERE id = ?", n)
				p, err := r.Route(q, []any{int64(i)})
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, shardNodeMod(i), p.Units[0].Node.String())
				assert.Equal(t, fmt.Sprintf("select `name`, %d as `%d` from t_user_%d where id = ?", n, n, i%2), p.Units[0].SQL)
				assert.LessOrEqual(t, r.CacheStats().Entries, 5)
			}
		}()
	}
	wg.Wait()
	st := r.CacheStats()
	assert.Equal(t, uint64(goroutines*rounds), st.Hits+st.Misses)
	assert.Equal(t, 5, st.Entries)
}
