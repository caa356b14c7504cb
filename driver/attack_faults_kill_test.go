package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// killConn runs KILL CONNECTION id on data source ds (through its pool,
// another session) and waits until the server no longer lists it.
func killConn(t *testing.T, e *sessionEnv, ds int, id int64) {
	t.Helper()
	_, err := e.pools[ds].Exec(fmt.Sprintf("KILL CONNECTION %d", id))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.pools[ds].QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n))
		return n == 0
	}, 5*time.Second, 5*time.Millisecond)
	time.Sleep(20 * time.Millisecond) // the close reaches the client's socket
}

// sessionKiller is a *sql.DB or *sql.Conn that kills others' sessions.
type sessionKiller interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// killListed kills, through admin, every server connection whose ID the
// query lists (one column), without waiting for them to go, and returns
// their IDs.
func killListed(t *testing.T, ctx context.Context, admin sessionKiller, query string, args ...any) []int64 {
	t.Helper()
	rows, err := admin.QueryContext(ctx, query, args...)
	require.NoError(t, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Close())
	for _, id := range ids {
		_, _ = admin.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
	}
	return ids
}

// TestAttackFaultsKilledConnection: KILL CONNECTION of a transaction's
// connection to ds1 (another session kills it, as an operator or a
// watchdog does) after the transaction wrote on both data sources. The
// server rolled ds1's part back. Whatever comes next — Commit at once, or
// another statement first — nothing of the transaction may stay on ds0,
// Commit must fail, and no error may be driver.ErrBadConn (database/sql
// would run the statement again).
//
// Before the fix a best-effort Commit right after the kill committed ds0
// and failed on ds1 (reported "outcome unknown"): half committed. Commit
// now checks, without a round trip, that every connection is still open
// before the first COMMIT (tx_alive.go).
func TestAttackFaultsKilledConnection(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	u0, u1 := e.users[0][0], e.users[1][0]
	next := int64(92000)
	for _, mode := range lockModes {
		for _, then := range []string{"commit", "statement then commit", "savepoint then commit"} {
			t.Run(mode.name+"/"+then, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
				defer cancel()
				m0, m1 := next, next+1
				next += 10
				tx, err := e.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'k'), (?, ?, 'k')", m0, u0, m1, u1)
				require.NoError(t, err)
				var id int64
				require.NoError(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_sess WHERE user_id = ? AND id = ?", u1, m1).Scan(&id))
				killConn(t, e, 1, id)
				switch then {
				case "statement then commit":
					_, err = tx.ExecContext(ctx, "UPDATE t_sess SET note = 'x' WHERE user_id = ? AND id = ?", u1, m1)
					require.Error(t, err)
					assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "never ErrBadConn: %v", err)
				case "savepoint then commit":
					_, err = tx.ExecContext(ctx, "SAVEPOINT s1")
					require.Error(t, err)
					assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "never ErrBadConn: %v", err)
				}
				err = tx.Commit()
				t.Logf("Commit: %v", err)
				var ce *driver.CommitError
				require.ErrorAs(t, err, &ce)
				assert.Empty(t, ce.Committed)
				assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "never ErrBadConn: %v", err)
				_, rerr := driver.RecoverXA(ctx, e.db, 0)
				require.NoError(t, rerr)
				assert.Equal(t, map[int64]int{m0: 0, m1: 0}, markerRows(t, e, m0, m1), "nothing of the transaction stays")
				e.idle(t)
			})
		}
	}
}
