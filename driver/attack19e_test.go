package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// Review 19e: transactions under faults, part 2. Tests on the shared
// servers (a database per test) unless they kill or stop one.

// r19eEnv is t_xa (xaTopology: user 0 on ds0, users 2 and 3 on ds1) in a
// database of its own on the shared servers, with direct pools.
type r19eEnv struct {
	db      *sql.DB
	directs []*sql.DB
}

func newR19eEnv(t *testing.T, name string, opts ...driver.Option) *r19eEnv {
	t.Helper()
	dsns := sharedDSNs(t, name)
	e := &r19eEnv{db: openDB(t, xaTopology(t, dsns), opts...)}
	for _, d := range dsns {
		e.directs = append(e.directs, openPlain(t, d))
	}
	_, err := e.db.Exec(xaDDL)
	require.NoError(t, err)
	return e
}

// count returns how many of ids are committed, per data source.
func (e *r19eEnv) count(t *testing.T, ids ...int) []int {
	t.Helper()
	in := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
	out := make([]int, len(e.directs))
	for i, d := range e.directs {
		for _, tbl := range []string{"t_xa_0", "t_xa_1"} {
			var n int
			require.NoError(t, d.QueryRow("SELECT COUNT(*) FROM "+tbl+" WHERE id IN ("+in+")").Scan(&n))
			out[i] += n
		}
	}
	return out
}

// waitLockWait waits until a transaction on data source i's server waits
// for a lock (no timing threshold: ctx bounds it).
func (e *r19eEnv) waitLockWait(ctx context.Context, t *testing.T, i int) {
	t.Helper()
	for {
		var n int
		require.NoError(t, e.directs[i].QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'").Scan(&n))
		if n > 0 {
			return
		}
		require.NoError(t, ctx.Err())
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLockWaitOr is waitLockWait that stops, failing with its error,
// when the statement expected to wait ends first (done): it did not wait
// for the lock, and waiting on would only run into ctx's deadline.
func (e *r19eEnv) waitLockWaitOr(ctx context.Context, t *testing.T, i int, done chan error) {
	t.Helper()
	for {
		var n int
		require.NoError(t, e.directs[i].QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'").Scan(&n))
		if n > 0 {
			return
		}
		select {
		case err := <-done:
			done <- err
			require.Failf(t, "the statement expected to wait for a lock ended first", "error %v", err)
		default:
		}
		require.NoError(t, ctx.Err())
		time.Sleep(10 * time.Millisecond)
	}
}

func execT(ctx context.Context, t *testing.T, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args ...any) {
	t.Helper()
	_, err := q.ExecContext(ctx, query, args...)
	require.NoError(t, err, query)
}

// drainQ runs a query and reads every row, returning the first error.
func drainQ(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// TestAttack19eDeadlockMidStream: the deadlock of a transaction over both
// data sources is reported while its rows stream — a locking read that
// scans (not a primary key lookup): MariaDB sends the result's columns
// before it reads the first row, so QueryContext succeeds and the 1213
// comes from rows.Next. ds1's server rolled the whole transaction back;
// ds0's insert must not commit.
func TestAttack19eDeadlockMidStream(t *testing.T) {
	for mi, mode := range lockModes {
		t.Run(mode.name, func(t *testing.T) {
			e := newR19eEnv(t, fmt.Sprintf("r19e_dlms%d", mi))
			ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
			defer cancel()
			execT(ctx, t, e.db, "INSERT INTO t_xa (id, user_id) VALUES (80001, 2), (80002, 2)")
			txA, err := e.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			txB, err := e.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			execT(ctx, t, txA, "INSERT INTO t_xa (id, user_id) VALUES (1, 0)")
			require.NoError(t, drainQ(ctx, txA, "SELECT id FROM t_xa WHERE id = 80001 AND user_id = 2 FOR UPDATE"))
			for k := 0; k < 30; k++ { // B heavier: InnoDB picks A as the victim
				execT(ctx, t, txB, "INSERT INTO t_xa (id, user_id) VALUES (?, 3)", 1000+k)
			}
			require.NoError(t, drainQ(ctx, txB, "SELECT id FROM t_xa WHERE id = 80002 AND user_id = 2 FOR UPDATE"))
			bDone := make(chan error, 1)
			go func() { bDone <- drainQ(ctx, txB, "SELECT id FROM t_xa WHERE id = 80001 AND user_id = 2 FOR UPDATE") }()
			e.waitLockWaitOr(ctx, t, 1, bDone)
			errA := drainQ(ctx, txA, "SELECT id FROM t_xa WHERE user_id = 2 FOR UPDATE") // scans: 80002 is B's
			require.NoError(t, <-bDone)
			require.True(t, isCode(errA, 1213), "A is the deadlock victim: %v", errA)
			_, errNext := txA.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (2, 0)")
			errCommit := txA.Commit()
			t.Logf("next: %v; commit: %v", errNext, errCommit)
			require.NoError(t, txB.Commit())
			assert.Equal(t, []int{0, 0}, e.count(t, 1, 2), "nothing of the deadlocked transaction commits")
			assert.True(t, isCode(errNext, 1213), "later statements fail with the deadlock: %v", errNext)
			assert.True(t, isCode(errCommit, 1213), "Commit fails with the deadlock: %v", errCommit)
			assert.Contains(t, fmt.Sprint(errCommit), "rolled back")
		})
	}
}

// TestAttack19eIdleTransactionTimeout: ds1's server ends a transaction
// left idle past idle_transaction_timeout (MariaDB 10.3+) by closing its
// connection, which rolls ds1's part back. Whatever comes next — Commit,
// or a statement on ds0 or ds1 first — nothing may commit on ds0, and
// Commit's error says the transaction was rolled back.
func TestAttack19eIdleTransactionTimeout(t *testing.T) {
	dsns := sharedDSNs(t, "r19e_idle")
	e := &r19eEnv{directs: []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}}
	dsns[1] = withParams(t, dsns[1:], map[string]string{"idle_transaction_timeout": "1"})[0]
	id := 0
	for mi, mode := range lockModes {
		db := openDB(t, xaTopology(t, dsns))
		_, err := db.Exec(xaDDL)
		require.NoError(t, err)
		for _, then := range []string{"commit", "ds0 then commit", "ds1 then commit", "ds1, ds0 then commit"} {
			t.Run(fmt.Sprintf("%s/%s", mode.name, then), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
				defer cancel()
				id += 10
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", id, id+1)
				var cid int64 // ds1's connection: the server closes it
				require.NoError(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_xa WHERE user_id = 2 AND id = ?", id+1).Scan(&cid))
				for {
					var n int
					require.NoError(t, e.directs[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", cid).Scan(&n))
					if n == 0 {
						break
					}
					require.NoError(t, ctx.Err())
					time.Sleep(20 * time.Millisecond)
				}
				var errNext error
				switch then {
				case "ds0 then commit":
					_, errNext = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0)", id+2)
				case "ds1 then commit", "ds1, ds0 then commit":
					_, errNext = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", id+3)
					require.Error(t, errNext)
					assert.Contains(t, errNext.Error(), "can only be rolled back", "the statement on the lost data source says so")
					assert.False(t, errors.Is(errNext, sqldriver.ErrBadConn), "never ErrBadConn: %v", errNext)
				}
				if then == "ds1, ds0 then commit" {
					_, errNext = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0)", id+2)
					require.Error(t, errNext, "a transaction that lost a data source's part takes no more statements")
					assert.Contains(t, errNext.Error(), "can only be rolled back")
				}
				errCommit := tx.Commit()
				t.Logf("mode %d: next %v; commit %v", mi, errNext, errCommit)
				assert.Equal(t, []int{0, 0}, e.count(t, id, id+1, id+2, id+3), "nothing commits")
				require.Error(t, errCommit)
				assert.Contains(t, errCommit.Error(), "rolled back")
			})
		}
	}
}

// TestAttack19eSavepointNodeKilled: ds1's connection is killed (KILL
// CONNECTION from another session) after a savepoint and writes on both
// data sources, then ROLLBACK TO SAVEPOINT or RELEASE SAVEPOINT runs: it
// reaches ds0 and fails on ds1 (or fails on ds1 first, when ds1 joined
// first). ds1's server rolled its whole part back: the savepoint
// statement must fail saying the transaction can only be rolled back, and
// Commit must keep nothing, saying it rolled back.
func TestAttack19eSavepointNodeKilled(t *testing.T) {
	e := newR19eEnv(t, "r19e_spkill")
	id := 0
	for _, mode := range lockModes {
		for _, first := range []int{0, 2} {
			for _, op := range []string{"ROLLBACK TO SAVEPOINT a", "RELEASE SAVEPOINT a"} {
				t.Run(fmt.Sprintf("%s/user %d first/%s", mode.name, first, op), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
					defer cancel()
					id += 10
					tx, err := e.db.BeginTx(ctx, nil)
					require.NoError(t, err)
					execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", id, first)
					execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", id+1, 2-first)
					execT(ctx, t, tx, "SAVEPOINT a")
					execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", id+2, id+3)
					var cid int64
					require.NoError(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_xa WHERE user_id = 2 AND id = ?", id+3).Scan(&cid))
					_, err = e.directs[1].ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", cid))
					require.NoError(t, err)
					_, errSp := tx.ExecContext(ctx, op)
					errCommit := tx.Commit()
					t.Logf("%s: %v; commit: %v", op, errSp, errCommit)
					assert.Equal(t, []int{0, 0}, e.count(t, id, id+1, id+2, id+3), "nothing commits")
					require.Error(t, errSp)
					assert.Contains(t, errSp.Error(), "rolled back")
					require.Error(t, errCommit)
					assert.Contains(t, errCommit.Error(), "rolled back")
				})
			}
		}
	}
}

// TestAttack19eRecoverConcurrently: RecoverXA from two processes at once
// (two connectors on one topology and log) while a third commits new XA
// transactions. Decided transactions (a 'commit' row, both branches left
// prepared) end committed on both servers, undecided old ones ('preparing'
// row) rolled back on both; the new transactions, younger than the grace,
// are left alone and commit; neither recoverer fails.
func TestAttack19eRecoverConcurrently(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsns := sharedDSNs(t, "r19e_rec2")
	var dbs []*sql.DB
	for i := 0; i < 3; i++ {
		dbs = append(dbs, openDB(t, xaTopology(t, dsns), driver.WithXA()))
	}
	_, err := dbs[0].ExecContext(ctx, xaDDL)
	require.NoError(t, err)
	_, err = driver.RecoverXA(ctx, dbs[0], time.Hour) // creates the log
	require.NoError(t, err)
	logDB := sqlOpen(t, dsns[0])
	const n = 6
	for k := 0; k < n; k++ {
		gtrid := fmt.Sprintf("shardsql-r19e%d-%d", time.Now().UnixNano(), k)
		prepareBranch(t, dsns[0], gtrid, "ds0", 100+k, 0)
		prepareBranch(t, dsns[1], gtrid, "ds1", 200+k, 2)
		state := map[bool]string{true: "commit", false: "preparing"}[k%2 == 0]
		_, err := logDB.ExecContext(ctx, "INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, ?, NOW(6) - INTERVAL 1 HOUR)", gtrid, state)
		require.NoError(t, err)
	}
	done := make(chan error, 3)
	for _, db := range dbs[:2] {
		go func(db *sql.DB) {
			for i := 0; i < 3; i++ {
				if _, err := driver.RecoverXA(ctx, db, time.Minute); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(db)
	}
	go func() {
		for k := 0; k < 20; k++ {
			tx, err := dbs[2].BeginTx(ctx, nil)
			if err == nil {
				_, err = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", 1000+2*k, 1001+2*k)
				if err == nil {
					err = tx.Commit()
				} else {
					_ = tx.Rollback()
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 3; i++ {
		require.NoError(t, <-done)
	}
	rep, err := driver.RecoverXA(ctx, dbs[0], time.Minute)
	require.NoError(t, err)
	assert.Empty(t, rep.InFlight)
	assert.Empty(t, rep.NotInLog)
	for k := 0; k < n; k++ {
		want := map[bool][]int{true: {1, 1}, false: {0, 0}}[k%2 == 0]
		assert.Equal(t, want, (&r19eEnv{directs: []*sql.DB{logDB, sqlOpen(t, dsns[1])}}).countIn(t, "t_xa_0", 100+k, 200+k), "transaction %d", k)
	}
	for i, d := range dsns {
		var c int
		require.NoError(t, sqlOpen(t, d).QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM t_xa_0 WHERE id >= 1000) + (SELECT COUNT(*) FROM t_xa_1 WHERE id >= 1000)").Scan(&c))
		assert.Equal(t, 20, c, "ds%d: every new transaction committed", i)
	}
}

// countIn counts ids in table on each data source.
func (e *r19eEnv) countIn(t *testing.T, table string, ids ...int) []int {
	t.Helper()
	out := make([]int, len(e.directs))
	for i, d := range e.directs {
		for _, id := range ids {
			var n int
			require.NoError(t, d.QueryRow("SELECT COUNT(*) FROM "+table+" WHERE id = ?", id).Scan(&n))
			out[i] += n
		}
	}
	return out
}

// TestAttack19eRecoverServerStopped: ds1's server is stopped (SIGSTOP) or
// killed (SIGKILL) while RecoverXA resolves a decided transaction whose
// branches are prepared on both. Recovery fails (bounded by its context)
// and removes no log row; once the server is back, a second run commits
// the branch left, so the transaction ends committed on both servers.
func TestAttack19eRecoverServerStopped(t *testing.T) {
	e := newF15Env(t, driver.WithXA())
	_, err := driver.RecoverXA(context.Background(), e.db, time.Hour) // creates the log
	require.NoError(t, err)
	for fi, f := range f15Faults[:2] {
		t.Run(f.name, func(t *testing.T) {
			gtrid := fmt.Sprintf("shardsql-r19es%d", time.Now().UnixNano())
			base := 9100 + 10*fi
			prepareBranch(t, e.servers[0].DSN(), gtrid, "ds0", base, 0)
			prepareBranch(t, e.servers[1].DSN(), gtrid, "ds1", base+1, 2)
			_, err := e.directs[0].Exec("INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, 'commit', NOW(6) - INTERVAL 1 HOUR)", gtrid)
			require.NoError(t, err)
			require.NoError(t, f.do(e.servers[1]))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, rerr := driver.RecoverXA(ctx, e.db, time.Minute)
			cancel()
			require.NoError(t, f.restore(e.servers[1]))
			t.Logf("recovery with ds1 down: %v", rerr)
			assert.Error(t, rerr)
			var state string
			require.NoError(t, e.directs[0].QueryRow("SELECT state FROM shardsql_xa_log WHERE gtrid = ?", gtrid).Scan(&state))
			assert.Equal(t, "commit", state, "the decision is kept")
			e.recover(t)
			assert.Equal(t, []int{1, 1}, e.rows(t, base, base+2), "committed on both servers")
		})
	}
}

// TestAttack19eSmallPools: pools of one connection per data source. A
// transaction over both data sources (A: ds0 then ds1) crosses a session
// (B, a *sql.Conn: ds1 then ds0): each holds the one connection the other
// waits for. The wait must end with a clear error (WithConnWaitTimeout),
// never hang; the transaction is then all or nothing. Rows left open on
// ds1 in A make A's next statement there fail clearly (one connection
// reads one result at a time), and A goes on once they are closed.
func TestAttack19eSmallPools(t *testing.T) {
	dsns := sharedDSNs(t, "r19e_small")
	for mi, mode := range lockModes {
		t.Run(mode.name, func(t *testing.T) {
			db := openDB(t, xaTopology(t, dsns), driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(time.Second))
			_, err := db.Exec(xaDDL)
			require.NoError(t, err)
			e := &r19eEnv{db: db, directs: []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}}
			ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
			defer cancel()
			base := 500 + 100*mi
			execT(ctx, t, db, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", base)
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0)", base+1)
			b, err := db.Conn(ctx)
			require.NoError(t, err)
			var n int
			require.NoError(t, b.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE user_id = 2").Scan(&n)) // B pins ds1
			bDone := make(chan error, 1)
			go func() {
				var m int
				bDone <- b.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE user_id = 0").Scan(&m) // B wants ds0, A's
			}()
			_, errA := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", base+2) // A wants ds1, B's
			errB := <-bDone
			t.Logf("A: %v; B: %v", errA, errB)
			require.True(t, errA != nil || errB != nil, "a crossed wait on pools of one ends with an error")
			for _, err := range []error{errA, errB} {
				if err != nil {
					assert.Contains(t, err.Error(), "ds")
				}
			}
			require.NoError(t, b.Close())
			// Rows left open on ds1 in A.
			rows, err := tx.QueryContext(ctx, "SELECT id FROM t_xa WHERE user_id = 2")
			require.NoError(t, err)
			_, errBusy := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", base+3)
			t.Logf("with rows open: %v", errBusy)
			require.Error(t, errBusy)
			require.NoError(t, rows.Close())
			execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", base+4)
			require.NoError(t, tx.Commit())
			want := []int{1, 1}
			if errA == nil {
				want[1]++
			}
			assert.Equal(t, want, e.count(t, base+1, base+2, base+3, base+4))
		})
	}
}

// TestAttack19eStatementInterrupted: statements MariaDB interrupts and
// undoes alone, the transaction going on — max_statement_time (1969) in a
// lock wait, and KILL QUERY (1317) of a scanning locking read whose rows
// were streaming (the error comes from rows.Next, tx_rows_ended.go). On
// ds1 of a transaction over both data sources, best effort and XA: the
// transaction goes on and Commit keeps every other write on both servers.
func TestAttack19eStatementInterrupted(t *testing.T) {
	dsns := sharedDSNs(t, "r19e_intr")
	directs := []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}
	plain := openDB(t, xaTopology(t, dsns))
	_, err := plain.Exec(xaDDL)
	require.NoError(t, err)
	e := &r19eEnv{db: plain, directs: directs}
	_, err = plain.Exec("INSERT INTO t_xa (id, user_id) VALUES (80001, 2)")
	require.NoError(t, err)
	dsns[1] = withParams(t, dsns[1:], map[string]string{"max_statement_time": "0.5"})[0]
	limited := openDB(t, xaTopology(t, dsns))
	id := 0
	for _, mode := range lockModes {
		for _, how := range []string{"max_statement_time", "KILL QUERY mid-stream"} {
			t.Run(mode.name+"/"+how, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 30*time.Second)
				defer cancel()
				id += 10
				holder, err := directs[1].BeginTx(ctx, nil) // holds 80001
				require.NoError(t, err)
				defer func() { _ = holder.Rollback() }()
				_, err = holder.ExecContext(ctx, "UPDATE t_xa_0 SET user_id = 2 WHERE id = 80001")
				require.NoError(t, err)
				db := plain
				if how == "max_statement_time" {
					db = limited
				}
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", id, id+1)
				var errStmt error
				if how == "max_statement_time" {
					_, errStmt = tx.ExecContext(ctx, "UPDATE t_xa SET user_id = 2 WHERE id = 80001 AND user_id = 2")
				} else {
					killed := make(chan error, 1)
					drained := make(chan struct{})
					go func() {
						var cid int64
						var err error
						for err == nil && cid == 0 { // (PROCESSLIST, live: INNODB_TRX's cache once showed no waiter for 30 s under load)
							select {
							case <-drained:
								killed <- fmt.Errorf("the locking read ended before it waited for the lock")
								return
							default:
							}
							err = directs[1].QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM information_schema.PROCESSLIST WHERE info LIKE '%from t_xa_0 where user_id = 2%for update%' AND info NOT LIKE '%PROCESSLIST%'").Scan(&cid)
							time.Sleep(10 * time.Millisecond)
						}
						if err == nil {
							_, err = directs[1].ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", cid))
						}
						killed <- err
					}()
					errStmt = drainQ(ctx, tx, "SELECT id FROM t_xa WHERE user_id = 2 AND id > 0 FOR UPDATE")
					close(drained)
					require.NoError(t, <-killed, "the locking read: %v", errStmt)
				}
				require.NoError(t, holder.Rollback())
				execT(ctx, t, tx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", id+2, id+3)
				errCommit := tx.Commit()
				t.Logf("statement: %v; commit: %v", errStmt, errCommit)
				require.True(t, isCode(errStmt, 1969) || isCode(errStmt, 1317), "interrupted: %v", errStmt)
				assert.NoError(t, errCommit, "the transaction goes on, as on one server")
				assert.Equal(t, []int{2, 2}, e.count(t, id, id+1, id+2, id+3))
			})
		}
	}
}
