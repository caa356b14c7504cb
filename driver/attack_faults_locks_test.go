package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// The lock class of the fault attack: a deadlock (1213) or a lock wait
// timeout (1205) on one data source of a transaction that spans two.
//
// One MariaDB rolls back the whole transaction on a deadlock and only the
// statement on a lock wait timeout (innodb_rollback_on_timeout=OFF, the
// default). Across data sources the hazard is a half-committed
// transaction: the deadlocked data source's work is gone, the other's is
// still open, and a Commit would keep it. shardsql must roll back every
// data source when one reports that its transaction is gone (and fail
// the rest of the transaction clearly), and keep the transaction going
// after a lock wait timeout exactly as one server does.

// markerRows counts each marker's rows on t_sess (ids ≥ 90000), read on
// the data sources directly: what is committed.
func markerRows(t *testing.T, e *sessionEnv, ids ...int64) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for _, id := range ids {
		var n int
		require.NoError(t, e.db.QueryRow("SELECT COUNT(*) FROM t_sess WHERE id = ?", id).Scan(&n))
		out[id] = n
	}
	return out
}

// lockMode names the transaction modes the lock tests run in.
var lockModes = []struct {
	name string
	ctx  func(context.Context) context.Context
}{
	{"best effort", func(ctx context.Context) context.Context { return ctx }},
	{"XA", driver.WithXATransaction},
}

// isCode reports a MySQL error number in err's chain.
func isCode(err error, n uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == n
}

// TestAttackFaultsDeadlock: two transactions, each writing a marker row on
// both data sources, deadlock on ds1. The victim's error is MariaDB's
// 1213; whatever the victim's caller does next (another statement, then
// Commit), none of its rows may stay on any data source, and the winner
// commits all of its rows.
func TestAttackFaultsDeadlock(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	u0, r1, r2, u1 := e.users[0][0], e.users[1][0], e.users[1][1], e.users[1][2]
	// Two rows on ds1 to lock, found by primary key (no gap locks).
	_, err := e.db.Exec("INSERT INTO t_sess (id, user_id, note) VALUES (80001, ?, 'r'), (80002, ?, 'r')", r1, r2)
	require.NoError(t, err)
	// The statement of A's that closes the cycle: one node, a write on
	// both data sources (under the statement savepoint), a locking read.
	closers := []struct {
		name string
		run  func(ctx context.Context, tx *sql.Tx) error
	}{
		{"update", func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE t_sess SET note = 'A' WHERE user_id = ? AND id = 80002", r2)
			return err
		}},
		{"update on both data sources", func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE t_sess SET note = 'A' WHERE id = 80002 AND user_id IN (?, ?)", u0, r2)
			return err
		}},
		{"select for update", func(ctx context.Context, tx *sql.Tx) error {
			var note string
			return tx.QueryRowContext(ctx, "SELECT note FROM t_sess WHERE user_id = ? AND id = 80002 FOR UPDATE", r2).Scan(&note)
		}},
	}
	run := 0
	for _, mode := range lockModes {
		for _, closer := range closers {
			run++
			t.Run(mode.name+"/"+closer.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
				defer cancel()
				base := int64(90000 + 100*run)
				a, b := base+1, base+2 // marker ids of A (and A's ds1 marker: +10)
				txA, err := e.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				txB, err := e.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				// Both write their ds0 and ds1 markers; B writes more, so that
				// InnoDB picks the lighter A as the victim (either way the
				// checks below hold for whichever lost).
				for _, m := range []struct {
					tx *sql.Tx
					id int64
					n  int
				}{{txA, a, 1}, {txB, b, 20}} {
					for k := 0; k < m.n; k++ {
						_, err = m.tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'm')", m.id+int64(1000*k), u0)
						require.NoError(t, err)
						_, err = m.tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'm')", m.id+10+int64(1000*k), u1)
						require.NoError(t, err)
					}
				}
				_, err = txA.ExecContext(ctx, "UPDATE t_sess SET note = 'A' WHERE user_id = ? AND id = 80001", r1)
				require.NoError(t, err)
				_, err = txB.ExecContext(ctx, "UPDATE t_sess SET note = 'B' WHERE user_id = ? AND id = 80002", r2)
				require.NoError(t, err)
				bDone := make(chan error, 1)
				go func() {
					_, err := txB.ExecContext(ctx, "UPDATE t_sess SET note = 'B' WHERE user_id = ? AND id = 80001", r1)
					bDone <- err
				}()
				time.Sleep(300 * time.Millisecond) // B waits for A's lock on r1
				errA := closer.run(ctx, txA)
				errB := <-bDone
				t.Logf("A: %v; B: %v", errA, errB)
				require.True(t, isCode(errA, 1213) != isCode(errB, 1213), "exactly one deadlock victim: A %v, B %v", errA, errB)
				victim, winner, vid, wid := txA, txB, a, b
				if isCode(errB, 1213) {
					victim, winner, vid, wid = txB, txA, b, a
					require.NoError(t, errA)
				} else {
					require.NoError(t, errB)
				}
				// The victim's caller goes on as with one server: another
				// statement on ds0, then Commit.
				_, errNext := victim.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'late')", vid+5, u0)
				errCommit := victim.Commit()
				t.Logf("victim next statement: %v; commit: %v", errNext, errCommit)
				require.NoError(t, winner.Commit())
				got := markerRows(t, e, vid, vid+10, vid+5, wid, wid+10)
				assert.Equal(t, map[int64]int{vid: 0, vid + 10: 0, vid + 5: 0, wid: 1, wid + 10: 1}, got,
					"the deadlock victim keeps nothing on any data source, the winner everything")
				assert.True(t, isCode(errNext, 1213), "later statements fail with the deadlock: %v", errNext)
				var ce *driver.CommitError
				require.ErrorAs(t, errCommit, &ce, "Commit of a transaction MariaDB rolled back on ds1")
				assert.ElementsMatch(t, []string{"ds0", "ds1"}, ce.RolledBack)
				assert.Empty(t, ce.Committed)
				assert.True(t, isCode(errCommit, 1213), "Commit's error carries the deadlock: %v", errCommit)
				e.idle(t)
			})
		}
	}
}

// withParams adds go-sql-driver parameters (session variables) to DSNs.
func withParams(t *testing.T, dsns []string, params map[string]string) []string {
	t.Helper()
	out := make([]string, len(dsns))
	for i, dsn := range dsns {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err)
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		for k, v := range params {
			cfg.Params[k] = v
		}
		out[i] = cfg.FormatDSN()
	}
	return out
}

// TestAttackFaultsLockWaitTimeout: a lock wait timeout on ds1 rolls back
// only the statement, as on one MariaDB (innodb_rollback_on_timeout=OFF):
// the transaction goes on, a multi-node statement that times out on ds1
// leaves nothing on ds0, and Commit keeps everything else on both data
// sources.
func TestAttackFaultsLockWaitTimeout(t *testing.T) {
	e := newSessionEnv(t, withParams(t, sharedDSNs(t, t.Name()), map[string]string{"innodb_lock_wait_timeout": "1"}))
	u0, r, u1 := e.users[0][0], e.users[1][0], e.users[1][1]
	_, err := e.db.Exec("INSERT INTO t_sess (id, user_id, note) VALUES (80003, ?, 'r')", r)
	require.NoError(t, err)
	// What the driver asks after a 1205 to learn whether the server
	// ended the transaction (innodb_rollback_on_timeout=ON): the server
	// must answer @@in_transaction.
	ptx, err := e.pools[1].Begin()
	require.NoError(t, err)
	var in int
	require.NoError(t, ptx.QueryRow("SELECT @@in_transaction").Scan(&in))
	assert.Equal(t, 1, in)
	require.NoError(t, ptx.Rollback())
	require.NoError(t, e.pools[1].QueryRow("SELECT @@in_transaction").Scan(&in))
	assert.Equal(t, 0, in)
	for mi, mode := range lockModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
			defer cancel()
			m0, m1, m2 := int64(91000+10*mi), int64(91001+10*mi), int64(91002+10*mi)
			holder, err := e.db.BeginTx(context.Background(), nil)
			require.NoError(t, err)
			defer func() { _ = holder.Rollback() }()
			_, err = holder.ExecContext(ctx, "UPDATE t_sess SET note = 'H' WHERE user_id = ? AND id = 80003", r)
			require.NoError(t, err)

			tx, err := e.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'm'), (?, ?, 'm')", m0, u0, m1, u1)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "UPDATE t_sess SET note = 'V' WHERE user_id = ? AND id = 80003", r)
			require.True(t, isCode(err, 1205), "lock wait timeout: %v", err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'm')", m2, u0)
			require.NoError(t, err, "the transaction goes on after a lock wait timeout")
			_, err = tx.ExecContext(ctx, "UPDATE t_sess SET note = 'X' WHERE id IN (?, 80003) AND user_id IN (?, ?)", m0, u0, r)
			require.True(t, isCode(err, 1205), "lock wait timeout of a multi-node statement: %v", err)
			var note string
			require.NoError(t, tx.QueryRowContext(ctx, "SELECT note FROM t_sess WHERE user_id = ? AND id = ?", u0, m0).Scan(&note))
			assert.Equal(t, "m", note, "the timed-out statement is undone on ds0 too")
			require.NoError(t, tx.Commit())
			require.NoError(t, holder.Rollback())

			assert.Equal(t, map[int64]int{m0: 1, m1: 1, m2: 1}, markerRows(t, e, m0, m1, m2))
			require.NoError(t, e.db.QueryRow("SELECT note FROM t_sess WHERE user_id = ? AND id = ?", u0, m0).Scan(&note))
			assert.Equal(t, "m", note)
			require.NoError(t, e.db.QueryRow("SELECT note FROM t_sess WHERE user_id = ? AND id = 80003", r).Scan(&note))
			assert.Equal(t, "r", note)
			e.idle(t)
		})
	}
}
