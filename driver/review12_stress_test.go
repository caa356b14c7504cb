package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadConnErrors are answers that mean a dead or desynchronised connection
// was used: never right, whatever the context did.
// closedBranchNote is abortXA's note of a rollback on a branch's own
// connection that go-sql-driver had closed (its statement's context
// ended), whose branch the server rolls back.
var closedBranchNote = regexp.MustCompile(`rollback on data source [^:]+: [^(]*\(its connection is closed: [^)]*\)`)

var deadConnErrors = []string{"invalid connection", "busy buffer", "commands out of sync", "bad connection", "use of closed"}

// TestReview12CancelStress: pools of 1 and 2 connections per data source,
// workers running every path whose statements cancel through the socket
// (bounded reads and one-unit Execs with interpolateParams and as
// prepared statements inside Raw, deep page windows) and beside them
// transactions (best-effort and XA), session pins and scatters, each under
// a random deadline of 0–4 ms or a cancel at a random moment. Every
// failure is the context's; no answer is wrong; afterwards every path
// answers under context.Background(), no connection is in use, no row
// changed (every write sets a row's own value), and the goroutines settle.
func TestReview12CancelStress(t *testing.T) {
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("pool=%d", limit), func(t *testing.T) {
			db, plains := review12Env(t, strings.ToLower(t.Name()), func(_ int, b string) string { return b + "&interpolateParams=true" },
				driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(2*time.Second))
			dbp := review12Open(t, sharedDSNs(t, strings.ToLower(t.Name())), func(_ int, b string) string { return b },
				driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(2*time.Second))
			dbs := []*sql.DB{db, dbp}
			bg := context.Background()
			for _, d := range dbs { // warm: catalog loaded, XA log table made
				for op := range cancelOps {
					require.NoError(t, cancelOp(bg, d, op, 1), "warm op %d", op)
				}
			}
			time.Sleep(100 * time.Millisecond)
			base := runtime.NumGoroutine()

			const workers, rounds = 6, 60
			var mu sync.Mutex
			var bad []string
			ended := 0
			var wg sync.WaitGroup
			for g := range workers {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), uint64(limit)))
					for i := range rounds {
						d := dbs[rng.IntN(2)]
						op := rng.IntN(cancelOps)
						if o := os.Getenv("R12OP"); o != "" {
							op = int(o[0] - '0')
						}
						var ctx context.Context
						var cancel context.CancelFunc
						if rng.IntN(2) == 0 {
							ctx, cancel = context.WithTimeout(bg, time.Duration(rng.IntN(4000))*time.Microsecond)
						} else {
							ctx, cancel = context.WithCancel(bg)
							time.AfterFunc(time.Duration(rng.IntN(4000))*time.Microsecond, cancel)
						}
						err := cancelOp(ctx, d, op, int64(rng.IntN(review12Rows)+1))
						dl, _ := ctx.Deadline()
						ctxDone := ctx.Err() != nil || (!dl.IsZero() && !time.Now().Before(dl))
						cancel()
						if err == nil {
							continue
						}
						msg := err.Error()
						// A commit that ended with its context and rolled back
						// everywhere may note that a branch's own connection was
						// closed (go-sql-driver closes a connection whose
						// statement's context ended, even one that had answered;
						// the server then rolls the unprepared branch back): that
						// connection answered nothing, so the dead-connection
						// rule reads the commit's cause, not its notes.
						var ce *driver.CommitError
						if errors.As(err, &ce) && len(ce.Committed)+len(ce.Pending)+len(ce.Unknown) == 0 {
							msg = closedBranchNote.ReplaceAllString(msg, "")
						}
						dead := false
						for _, s := range deadConnErrors {
							dead = dead || strings.Contains(msg, s)
						}
						// sql.ErrTxDone: database/sql rolled the transaction back when
						// its context ended (Tx.awaitDone), as over one server.
						ours := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, sql.ErrTxDone)
						mu.Lock()
						switch {
						case strings.Contains(msg, "waiting for a connection of data source"):
							ended++ // crossed sessions (round 11's cycle error)
						case dead || !ctxDone || !ours:
							bad = append(bad, fmt.Sprintf("worker %d round %d op %d (ctx done %v): %v", g, i, op, ctxDone, err))
						default:
							ended++
						}
						mu.Unlock()
					}
				}(g)
			}
			wg.Wait()
			for _, b := range bad {
				t.Error(b)
			}
			t.Logf("%d of %d statements ended with their context", ended, workers*rounds)

			for _, d := range dbs {
				for op := range cancelOps {
					for id := int64(1); id <= 8; id++ {
						require.NoError(t, cancelOp(bg, d, op, id), "after: op %d id %d", op, id)
					}
				}
			}
			review12Values(t, plains)
			time.Sleep(100 * time.Millisecond) // parked connections go back within two ticks
			for _, d := range dbs {
				st, err := driver.Stats(bg, d)
				require.NoError(t, err)
				for ds, s := range st.DataSources {
					assert.Zero(t, s.InUse, "%s: connections still in use", ds)
				}
				assert.Zero(t, d.Stats().InUse, "outer pool")
			}
			var n int
			assert.Eventually(t, func() bool {
				n = runtime.NumGoroutine()
				return n <= base+4
			}, 5*time.Second, 20*time.Millisecond, "goroutines: %d, %d before", n, base)
		})
	}
}

// cancelOps is the number of cancelOp operations.
const cancelOps = 9

// cancelOp runs operation op of TestReview12CancelStress on row id and
// checks its answer; every write sets rows to their own values.
func cancelOp(ctx context.Context, db *sql.DB, op int, id int64) error {
	want := fmt.Sprintf("v%d", id)
	switch op {
	case 0: // bounded read
		var v string
		if err := db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v); err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("point %d: %q", id, v)
		}
	case 1: // one-unit Exec
		_, err := db.ExecContext(ctx, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", want, id, id%4)
		return err
	case 2: // one-unit Exec whose answer is checked
		res, err := db.ExecContext(ctx, "UPDATE t_pk SET v = CONCAT('v', id) WHERE id = ? AND user_id = ?", id, id%4)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 0 {
			return fmt.Errorf("update to the same value: %d rows affected, %v", n, err)
		}
	case 3: // deep page (windows read inside Raw)
		off := id % 300
		ids, err := stressIDs(db.QueryContext(ctx, "SELECT id FROM t_pk WHERE id <= ? ORDER BY id LIMIT 3 OFFSET ?", review12Rows, off))
		if err != nil {
			return err
		}
		if fmt.Sprint(ids) != fmt.Sprint([]int64{off + 1, off + 2, off + 3}) {
			return fmt.Errorf("deep page at %d: %v", off, ids)
		}
	case 4, 5: // transaction over both data sources
		tctx := ctx
		if op == 5 {
			tctx = driver.WithXATransaction(ctx)
		}
		tx, err := db.BeginTx(tctx, nil)
		if err != nil {
			return err
		}
		for _, k := range []int64{id, id%review12Rows + 1} {
			if _, err := tx.ExecContext(tctx, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", fmt.Sprintf("v%d", k), k, k%4); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		var v string
		if err := tx.QueryRowContext(tctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v); err != nil {
			_ = tx.Rollback()
			return err
		}
		if v != want {
			_ = tx.Rollback()
			return fmt.Errorf("in transaction %d: %q", id, v)
		}
		return tx.Commit()
	case 6: // session pin with state
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SET @r12 = ?", id); err != nil {
			return err
		}
		var v string
		if err := conn.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = @r12 AND user_id = ?", id%4).Scan(&v); err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("session %d: %q", id, v)
		}
	case 7: // scatter
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pk WHERE id IN (?, ?, ?, ?)", 1, 2, 3, 4).Scan(&n); err != nil {
			return err
		}
		if n != 4 {
			return fmt.Errorf("scatter: %d", n)
		}
	case 8: // many rows of one node
		ids, err := stressIDs(db.QueryContext(ctx, "SELECT id FROM t_pk WHERE user_id = ? ORDER BY id", id%4))
		if err != nil {
			return err
		}
		if len(ids) != review12Rows/4 {
			return fmt.Errorf("one node's rows: %d", len(ids))
		}
	}
	return nil
}
