package driver_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
)

// TestAttackFaultsCancelDuringCommit: the caller cancels BeginTx's
// context while Commit is at each message of the commit protocol (the
// fault proxy holds the message, cancels, then forwards it). One MariaDB
// through go-sql-driver does not interrupt a COMMIT once sent (its Commit
// takes no context). Before the fix a cancel at a best-effort COMMIT cut
// that data source's connection after the one before had committed: a
// half-committed transfer (reported as unknown). Now Commit is not
// interrupted by cancellation (only by a deadline and the commit
// timeout): every transfer commits on both data sources, and Commit
// returns nil.
//
// SHARDSQL_FAULT_ATTACK_ROUNDS=n runs the matrix n times (default 1).
func TestAttackFaultsCancelDuringCommit(t *testing.T) {
	rounds := 1
	if v := os.Getenv("SHARDSQL_FAULT_ATTACK_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "SHARDSQL_FAULT_ATTACK_ROUNDS")
		rounds = n
	}
	e := newTxFaultEnv(t)
	next := int64(1000)
	for round := 0; round < rounds; round++ {
		for _, pt := range []struct {
			xa     bool
			server int
			match  string
		}{
			{false, 0, "COMMIT"},
			{false, 1, "COMMIT"},
			{true, 0, "XA END"},
			{true, 1, "XA PREPARE"},
			{true, 0, "UPDATE shardsql_xa_log SET state = 'commit'"},
			{true, 0, "XA COMMIT"},
			{true, 1, "XA COMMIT"},
		} {
			for _, delay := range []time.Duration{0, 2 * time.Millisecond} {
				what := fmt.Sprintf("xa=%v %q on ds%d, delay %v", pt.xa, pt.match, pt.server, delay)
				from, to := next*4, next*4+2
				next++
				for _, id := range []int64{from, to} {
					ds, tbl := (id%4)/2, id%2
					_, err := e.direct[ds].Exec(fmt.Sprintf("INSERT INTO t_acct_%d (id, balance) VALUES (?, ?)", tbl), id, startBalance)
					require.NoError(t, err, what)
				}
				ctx, cancel := context.WithCancel(context.Background())
				if pt.xa {
					ctx = driver.WithXATransaction(ctx)
				}
				tx, err := e.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, "UPDATE t_acct SET balance = balance - 7 WHERE id = ?", from)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, "UPDATE t_acct SET balance = balance + 7 WHERE id = ?", to)
				require.NoError(t, err)
				e.proxies[pt.server].Inject(shardtest.Fault{Match: pt.match, Action: shardtest.Delay, Delay: delay, Then: func() {
					cancel()
					time.Sleep(5 * time.Millisecond) // the driver sees the cancel first
				}})
				err = tx.Commit()
				fired := e.proxies[pt.server].Disarm()
				cancel()
				require.Len(t, fired, 1, "%s: the fault must fire (Commit: %v)", what, err)
				e.recoverAllXA(t)
				e.settle(t, what)
				a, b := e.balance(t, from), e.balance(t, to)
				t.Logf("%s: %d, %d; Commit: %v", what, a, b, err)
				assert.NoError(t, err, "%s: a cancel does not interrupt Commit", what)
				committed := a == startBalance-7 && b == startBalance+7
				assert.True(t, committed || a == startBalance && b == startBalance, "%s: MIXED: %d, %d (Commit: %v)", what, a, b, err)
				checkCommitError(t, what, err, []string{"ds0", "ds1"}, map[string]bool{"ds0": a != startBalance, "ds1": b != startBalance})
				if err != nil && !committed {
					var ce *driver.CommitError
					if errors.As(err, &ce) {
						assert.Empty(t, ce.Committed, what)
					}
				}
			}
		}
	}
}
