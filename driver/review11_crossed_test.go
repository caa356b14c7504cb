package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview11CrossedSessions: sessions holding one data source's pin and
// asking for the other's, on pools of 1 and 2 (docs/faults.md, "Round 11
// review"). Before, every crossed pair waited until WithConnWaitTimeout
// (20 s here). Now the wait that closes a cycle fails at once with the
// wait error (naming the pool), its transaction rolls back and gives its
// pins back, and the others commit; every committed transaction is whole,
// nothing is left in use. The control: a wait on a session that is only
// slow to give its connection back (idle in the application, not waiting
// for a pin) is not a cycle and is served.
func TestReview11CrossedSessions(t *testing.T) {
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("pools of %d", limit), func(t *testing.T) {
			db, plains := parkEnv(t, driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(20*time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			// 2*limit transactions: half start on ds0 (user 0), half on
			// ds1 (user 1); once all hold their first pin, each writes on
			// the other data source.
			n := 2 * limit
			var holding, wg sync.WaitGroup
			holding.Add(n)
			errs := make([]error, n)
			took := make([]time.Duration, n)
			for g := 0; g < n; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					first, second := g%2, 1-g%2
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						holding.Done()
						errs[g] = err
						return
					}
					_, err = tx.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'x')", 1000+g*2, first)
					holding.Done()
					if err != nil {
						_ = tx.Rollback()
						errs[g] = err
						return
					}
					holding.Wait()
					start := time.Now()
					_, err = tx.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'x')", 1001+g*2, second)
					took[g] = time.Since(start)
					if err != nil {
						_ = tx.Rollback()
						errs[g] = err
						return
					}
					errs[g] = tx.Commit()
				}(g)
			}
			wg.Wait()
			committed := 0
			for g, err := range errs {
				if err == nil {
					committed++
					continue
				}
				assert.Contains(t, err.Error(), "waiting for a connection of data source", "g%d", g)
				assert.Contains(t, err.Error(), "held by a session waiting for a connection this one holds", "g%d: %v", g, err)
				assert.Less(t, took[g], 10*time.Second, "g%d failed at the wait timeout", g)
			}
			assert.Positive(t, committed)
			got := 0
			for _, p := range plains {
				var c int
				require.NoError(t, p.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pk WHERE v = 'x'").Scan(&c))
				got += c
			}
			assert.Equal(t, 2*committed, got, "every committed transaction whole, nothing of the others")
			for i, p := range plains {
				_, err := p.ExecContext(ctx, "DELETE FROM t_pk WHERE v = 'x'")
				require.NoError(t, err, "ds%d", i)
			}

			// Control: B holds ds1 and is idle (not waiting for a pin);
			// A holds ds0 and waits for ds1: served once B commits.
			txA, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = txA.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (2000, 0, 'y')")
			require.NoError(t, err)
			var bs []*sql.Tx
			for i := 0; i < limit; i++ {
				txB, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = txB.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, 1, 'y')", 2001+2*i)
				require.NoError(t, err)
				bs = append(bs, txB)
			}
			go func() {
				time.Sleep(500 * time.Millisecond)
				for _, txB := range bs {
					_ = txB.Commit()
				}
			}()
			_, err = txA.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (3001, 1, 'y')")
			require.NoError(t, err, "a wait for an idle session is not a cycle")
			require.NoError(t, txA.Commit())
			assert.Eventually(t, func() bool { return db.Stats().InUse == 0 }, 5*time.Second, 10*time.Millisecond)
		})
	}
}
