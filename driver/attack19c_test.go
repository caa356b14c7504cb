package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// Review 19c: transactions under faults. Tests on the shared servers, each
// in databases of its own.

// prepareBranch leaves XA branch 'gtrid','ds' prepared on dsn's server
// after inserting row (id, user_id) into t_xa_0 there, detached as a
// killed coordinator leaves it (MariaDB keeps a prepared branch when its
// connection ends), and waits until XA RECOVER lists it.
func prepareBranch(t *testing.T, dsn, gtrid, ds string, id, user int) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	xid := fmt.Sprintf("'%s','%s'", gtrid, ds)
	for _, q := range []string{"XA START " + xid, fmt.Sprintf("INSERT INTO t_xa_0 (id, user_id) VALUES (%d, %d)", id, user), "XA END " + xid, "XA PREPARE " + xid} {
		_, err := conn.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	_ = conn.Close()
	require.NoError(t, db.Close())
	admin := sqlOpen(t, dsn)
	require.Eventually(t, func() bool {
		rows, err := admin.QueryContext(ctx, "XA RECOVER")
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var f, gl, bl int
			var data string
			require.NoError(t, rows.Scan(&f, &gl, &bl, &data))
			if data == gtrid+ds {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "branch %s detached", xid)
}

func sqlOpen(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestAttack19cRecoverOtherDeployment: two shardsql deployments (two
// topologies, each with its own decision log) on the same two servers, one
// database each. B's coordinator died after logging its commit decision,
// leaving both branches prepared. XA RECOVER on a server lists every
// prepared branch, whatever its database: A's RecoverXA found B's gtrid
// (shardsql's prefix) with no row in A's log and rolled both back — B's
// logged commit lost (or, had B's coordinator committed ds0 before dying,
// half applied). A must leave them to B's log.
func TestAttack19cRecoverOtherDeployment(t *testing.T) {
	ctx := context.Background()
	dsnA := sharedDSNs(t, "r19c_rec_a")
	dsnB := sharedDSNs(t, "r19c_rec_b")
	dbA := openDB(t, xaTopology(t, dsnA), driver.WithXA())
	dbB := openDB(t, xaTopology(t, dsnB), driver.WithXA())
	for _, db := range []*sql.DB{dbA, dbB} {
		_, err := db.ExecContext(ctx, xaDDL)
		require.NoError(t, err)
		_, err = driver.RecoverXA(ctx, db, time.Hour) // creates the log
		require.NoError(t, err)
	}
	gtrid := fmt.Sprintf("shardsql-r19c%d", time.Now().UnixNano())
	prepareBranch(t, dsnB[0], gtrid, "ds0", 1, 0)
	prepareBranch(t, dsnB[1], gtrid, "ds1", 2, 2)
	_, err := sqlOpen(t, dsnB[0]).ExecContext(ctx, "INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, 'commit', NOW(6))", gtrid)
	require.NoError(t, err)

	repA, err := driver.RecoverXA(ctx, dbA, 0)
	require.NoError(t, err)
	for _, l := range append(repA.Committed, repA.RolledBack...) {
		assert.False(t, strings.HasPrefix(l, gtrid), "A's recovery resolved B's branch %s", l)
	}
	assert.ElementsMatch(t, []string{gtrid + "@ds0", gtrid + "@ds1"}, repA.NotInLog)

	repB, err := driver.RecoverXA(ctx, dbB, 0)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{gtrid + "@ds0", gtrid + "@ds1"}, repB.Committed)
	for i, dsn := range dsnB {
		var n int
		require.NoError(t, sqlOpen(t, dsn).QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa_0 WHERE id = ?", i+1).Scan(&n))
		assert.Equal(t, 1, n, "B's decided commit applied on ds%d", i)
	}
}

// TestAttack19cRecoverLateBranch: a coordinator logged its transaction
// ('preparing') and was still out of sight when recovery ran: the row,
// older than the grace with no branch listed, was deleted. Its branch,
// prepared afterwards (a slow coordinator, or one attached to a dead
// connection the server had not yet seen end), then had no row — and a
// branch with no row is left alone since review19c (it may be another
// deployment's). Recovery now turns such a row into an 'abort' kept for
// the retention, which rolls the late branch back.
func TestAttack19cRecoverLateBranch(t *testing.T) {
	ctx := context.Background()
	dsn := sharedDSNs(t, "r19c_late")
	db := openDB(t, xaTopology(t, dsn), driver.WithXA())
	_, err := db.ExecContext(ctx, xaDDL)
	require.NoError(t, err)
	_, err = driver.RecoverXA(ctx, db, time.Hour) // creates the log
	require.NoError(t, err)
	gtrid := fmt.Sprintf("shardsql-r19l%d", time.Now().UnixNano())
	logDB := sqlOpen(t, dsn[0])
	_, err = logDB.ExecContext(ctx, "INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, 'preparing', NOW(6) - INTERVAL 1 MINUTE)", gtrid)
	require.NoError(t, err)

	_, err = driver.RecoverXA(ctx, db, time.Second)
	require.NoError(t, err)
	var state string
	require.NoError(t, logDB.QueryRowContext(ctx, "SELECT state FROM shardsql_xa_log WHERE gtrid = ?", gtrid).Scan(&state))
	assert.Equal(t, "abort", state, "an undecided row with no branch is aborted and kept")

	prepareBranch(t, dsn[0], gtrid, "ds0", 3, 0)
	rep, err := driver.RecoverXA(ctx, db, time.Second)
	require.NoError(t, err)
	assert.Contains(t, rep.RolledBack, gtrid+"@ds0")
	assert.Empty(t, rep.NotInLog)
	var n int
	require.NoError(t, logDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa_0 WHERE id = 3").Scan(&n))
	assert.Zero(t, n)
}

// lateTimer is a context whose deadline has passed while its timer has not
// fired yet (a loaded machine): Done is still open, so database/sql sends
// the statement on to the driver, and shardsql's transaction refuses to
// send it (participant.send: nothing is sent past a deadline).
type lateTimer struct{ context.Context }

func (lateTimer) Deadline() (time.Time, bool) { return time.Now().Add(-time.Second), true }

// TestAttack19cSavepointNotSent: a SAVEPOINT (and a ROLLBACK TO) whose
// deadline passed before anything was sent marked the first data source's
// connection broken, so Commit rolled everything back with "the
// connection to data source ds0 failed during the transaction" — false,
// and one server's transaction goes on after a statement its context kept
// from being sent. Nothing reached any server: the transaction commits.
func TestAttack19cSavepointNotSent(t *testing.T) {
	ctx := context.Background()
	dsn := sharedDSNs(t, "r19c_sp")
	for _, mode := range []string{"best effort", "XA"} {
		t.Run(mode, func(t *testing.T) {
			var opts []driver.Option
			base := 10
			if mode == "XA" {
				opts = append(opts, driver.WithXA())
				base = 20
			}
			db := openDB(t, xaTopology(t, dsn), opts...)
			_, err := db.ExecContext(ctx, xaDDL)
			require.NoError(t, err)
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "SAVEPOINT a")
			require.NoError(t, err)
			for i, user := range []int{0, 2} { // ds0, ds1
				_, err := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+i, user)
				require.NoError(t, err)
			}
			for _, q := range []string{"SAVEPOINT b", "ROLLBACK TO SAVEPOINT a", "RELEASE SAVEPOINT a"} {
				_, err = tx.ExecContext(lateTimer{ctx}, q)
				require.ErrorIs(t, err, context.DeadlineExceeded, q)
			}
			_, err = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT a") // still there: nothing was sent
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0)", base+5)
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE id >= ? AND id < ?", base, base+10).Scan(&n))
			assert.Equal(t, 1, n, "the rollback to a undid both inserts, the later one committed")
		})
	}
}
