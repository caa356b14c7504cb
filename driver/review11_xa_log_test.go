package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// xaAddDBEnv is t_xl (sharded by user_id over 2 data sources) on pools
// given with AddDB, limited to limit connections each.
func xaAddDBEnv(t *testing.T, limit int, opts ...driver.Option) (*sql.DB, []*sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := shard.NewTopology()
	var pools []*sql.DB
	for i, dsn := range dsns {
		plain := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS t_xl", "CREATE TABLE t_xl (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)", "DROP TABLE IF EXISTS shardsql_xa_log"} {
			_, err := plain.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		pool := openPlain(t, dsn)
		pool.SetMaxOpenConns(limit)
		pools = append(pools, pool)
		require.NoError(t, topo.AddDB(fmt.Sprintf("ds%d", i), pool))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_xl", Column: "user_id", Nodes: "ds${0..1}.t_xl", Algorithm: shard.Mod()}))
	return openDB(t, topo, opts...), pools
}

// xaPair runs one XA transaction writing ids id (user 0, ds0) and id+1
// (user 1, ds1) and commits it.
func xaPair(ctx context.Context, db *sql.DB, id int) error {
	ctx = driver.WithXATransaction(ctx)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for user := 0; user < 2; user++ {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t_xl (id, user_id) VALUES (?, ?)", id+user, user); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// TestReview11XALogAddDB: the XA decision log on a data source given with
// AddDB shares the caller's pool with the transactions' branches
// (docs/faults.md, "Round 11 review"). Before the fix a transaction
// holding the only connection of a pool of one waited for a second one
// for the log until the commit timeout, and n transactions on a pool of n
// each held a branch and waited for the log: every one failed at the
// timeout. Now a pool of one refuses at once (nothing can commit there:
// the log needs a connection of its own), and on pools of n the
// transaction that closes the cycle is rolled back at once, before
// anything is prepared, so the others commit; a caller that retries it
// commits too. Every pair is on both data sources or on neither, and no
// connection is left in use.
func TestReview11XALogAddDB(t *testing.T) {
	t.Run("pool of 1 refuses at once", func(t *testing.T) {
		db, pools := xaAddDBEnv(t, 1, driver.WithCommitTimeout(20*time.Second), driver.WithConnWaitTimeout(20*time.Second))
		start := time.Now()
		err := xaPair(context.Background(), db, 1)
		require.Error(t, err)
		assert.Less(t, time.Since(start), 10*time.Second, "the refusal came at the commit timeout: %v", err)
		t.Logf("refused after %v", time.Since(start))
		assert.ErrorIs(t, err, driver.ErrUnsupported)
		assert.Contains(t, err.Error(), "decision log")
		var ce *driver.CommitError
		require.ErrorAs(t, err, &ce)
		assert.ElementsMatch(t, []string{"ds0", "ds1"}, ce.RolledBack)
		assertPairs(t, pools, 0)
		// One data source only: one phase, no log, commits.
		ctx := driver.WithXATransaction(context.Background())
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_xl (id, user_id) VALUES (100, 0)")
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		assertNoneInUse(t, pools)
	})
	for _, limit := range []int{2, 3} {
		for _, workers := range []int{limit, limit + 2} {
			t.Run(fmt.Sprintf("pool of %d, %d at once", limit, workers), func(t *testing.T) {
				db, pools := xaAddDBEnv(t, limit, driver.WithCommitTimeout(20*time.Second), driver.WithConnWaitTimeout(20*time.Second))
				const rounds = 4
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				var wg sync.WaitGroup
				var mu sync.Mutex
				var failures []error
				cycles := 0
				for w := 0; w < workers; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for r := 0; r < rounds; r++ {
							id := 1000 + (w*rounds+r)*2
							for {
								begun := time.Now()
								err := xaPair(ctx, db, id)
								if err == nil {
									break
								}
								mu.Lock()
								if !strings.Contains(err.Error(), "waiting for the decision log") || time.Since(begun) > 5*time.Second || ctx.Err() != nil {
									failures = append(failures, fmt.Errorf("worker %d round %d after %v: %w", w, r, time.Since(begun), err))
									mu.Unlock()
									return
								}
								cycles++
								mu.Unlock()
							}
						}
					}(w)
				}
				wg.Wait()
				for _, err := range failures {
					t.Error(err)
				}
				t.Logf("%d transactions rolled back to break a cycle", cycles)
				assertPairs(t, pools, workers*rounds)
				assertNoneInUse(t, pools)
			})
		}
	}
}

// assertPairs checks that t_xl holds want whole pairs: id on ds0 and id+1
// on ds1, never one without the other, and no XA branch is left prepared.
func assertPairs(t *testing.T, pools []*sql.DB, want int) {
	t.Helper()
	ids := make([]map[int]bool, 2)
	for i, p := range pools {
		ids[i] = map[int]bool{}
		rows, err := p.Query("SELECT id FROM t_xl WHERE id >= 1000 OR id < 100")
		require.NoError(t, err)
		for rows.Next() {
			var id int
			require.NoError(t, rows.Scan(&id))
			ids[i][id] = true
		}
		require.NoError(t, rows.Err())
		_ = rows.Close()
		var n int
		rows, err = p.Query("XA RECOVER")
		require.NoError(t, err)
		for rows.Next() {
			n++
		}
		_ = rows.Close()
		assert.Zero(t, n, "prepared XA branches left on ds%d", i)
	}
	for id := range ids[0] {
		assert.True(t, ids[1][id+1], "id %d committed on ds0 without %d on ds1", id, id+1)
	}
	for id := range ids[1] {
		assert.True(t, ids[0][id-1], "id %d committed on ds1 without %d on ds0", id, id-1)
	}
	assert.Len(t, ids[0], want)
	assert.Len(t, ids[1], want)
}

// assertNoneInUse checks that every pool gets all its connections back.
func assertNoneInUse(t *testing.T, pools []*sql.DB) {
	t.Helper()
	for i, p := range pools {
		assert.Eventually(t, func() bool { return p.Stats().InUse == 0 }, 5*time.Second, 10*time.Millisecond, "ds%d: %d connections in use", i, p.Stats().InUse)
	}
}

var _ = errors.Is
