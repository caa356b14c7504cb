package driver_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAdaptiveParallelScatters: with WithAdaptiveParallel, concurrent
// scatters (top-n over 8 tables on two servers) return the rows one table
// returns, scatters whose context ends fail or answer whole, and once
// they are all done no scatter is counted as starting (a leaked count
// would run later statements one unit at a time).
func TestAdaptiveParallelScatters(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "adaptive_scatter")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ad", Column: "k", Nodes: "ds${0..1}.t_ad_${0..3}", Algorithm: shard.Mod()}))
	c, err := driver.NewConnector(topo, driver.WithAdaptiveParallel(true))
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS t_ad")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE TABLE t_ad (id BIGINT PRIMARY KEY, k BIGINT NOT NULL)")
	require.NoError(t, err)
	for i := 0; i < 200; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_ad (id, k) VALUES (?, ?)", i, i%37)
		require.NoError(t, err)
	}
	top := func(ctx context.Context, bound int) ([]int64, error) {
		rows, err := db.QueryContext(ctx, "SELECT id FROM t_ad WHERE k < ? ORDER BY id DESC LIMIT 5", bound)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	want := func(bound int) []int64 {
		var ids []int64
		for i := 199; i >= 0 && len(ids) < 5; i-- {
			if i%37 < bound {
				ids = append(ids, int64(i))
			}
		}
		return ids
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				bound := 1 + (g*15+i)%37
				if i%5 == 4 {
					// a context that ends while the scatter starts its
					// units, or before: the statement fails or answers
					// whole, and its count falls either way
					cctx, cancel := context.WithTimeout(ctx, time.Duration(i*g)*20*time.Microsecond)
					got, err := top(cctx, bound)
					cancel()
					if err == nil {
						assert.Equal(t, want(bound), got, "bound %d", bound)
					}
					continue
				}
				got, err := top(ctx, bound)
				if assert.NoError(t, err) {
					assert.Equal(t, want(bound), got, "bound %d", bound)
				}
			}
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool { return driver.ScatteringOf(c) == 0 }, 5*time.Second, 10*time.Millisecond,
		"scatters still counted: %d", driver.ScatteringOf(c))
}
