package driver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// A cross-node merge keeps one connection per node open while it streams.
// Pools smaller than that must neither hang a query nor let concurrent
// queries each hold part of the pool and wait for the rest.
func TestSmallPoolsDoNotHangMerges(t *testing.T) {
	servers := shardtest.Embedded(t, 1)
	for _, limit := range []int{2, 8} {
		t.Run(fmt.Sprintf("MaxOpenConns=%d", limit), func(t *testing.T) {
			pool := direct(t, servers[0])
			pool.SetMaxOpenConns(limit)
			topo := shard.NewTopology()
			require.NoError(t, topo.AddDB("ds0", pool))
			require.NoError(t, topo.AddTable(shard.Table{Name: fmt.Sprintf("t_pool%d", limit), Column: "k", Nodes: fmt.Sprintf("ds0.t_pool%d_${0..7}", limit), Algorithm: shard.Mod()}))
			db := openDB(t, topo)
			table := fmt.Sprintf("t_pool%d", limit)
			_, err := db.Exec("CREATE TABLE " + table + " (k BIGINT PRIMARY KEY)")
			require.NoError(t, err)
			_, err = db.Exec("INSERT INTO " + table + " (k) VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15)")
			require.NoError(t, err)

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 10; i++ {
						rows, err := db.QueryContext(ctx, "SELECT k FROM "+table+" ORDER BY k DESC LIMIT 5")
						if !assert.NoError(t, err) {
							return
						}
						ks := collectOrdered(t, rows)
						assert.Equal(t, []int64{15, 14, 13, 12, 11}, ks)
					}
				}()
			}
			wg.Wait()
			require.NoError(t, ctx.Err(), "no query may hang on the small pool")
			assert.LessOrEqual(t, pool.Stats().MaxOpenConnections, limit)
		})
	}
}
