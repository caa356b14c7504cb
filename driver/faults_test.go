package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// Fault tests: a data source that is down, hangs, or dies under a read or a
// write. Statements that touch it must fail within their context deadline
// naming it, the other data source must keep working, a scatter must fail
// as a whole, writes must not be retried, nothing may leak, and the same
// *sql.DB must work again once the data source is back.

// faultDeadline bounds each statement against a faulty data source; a
// statement must fail within faultDeadline+faultSlack.
const (
	faultDeadline = 2 * time.Second
	faultSlack    = time.Second
	faultIdle     = 4 // idle connections each data source pool keeps
)

// faultEnv is a shardsql *sql.DB over two data sources whose pools the test
// opens itself (Topology.AddDB), so it can see and drain them.
type faultEnv struct {
	db    *sql.DB
	pools []*sql.DB
	table string
	users [2][]int64 // users whose rows live on ds0 and ds1
}

func newFaultEnv(t *testing.T, table string, dsns ...string) *faultEnv {
	t.Helper()
	e := &faultEnv{table: table}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		pool, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		pool.SetMaxIdleConns(faultIdle)
		t.Cleanup(func() { _ = pool.Close() })
		e.pools = append(e.pools, pool)
		require.NoError(t, topo.AddDB(fmt.Sprintf("ds%d", i), pool))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: table, Column: "user_id",
		Nodes: fmt.Sprintf("ds${0..1}.%s_${0..3}", table), Algorithm: shard.Hash()}))
	st, _ := topo.Table(table)
	for u := int64(1); u <= 200; u++ {
		n, err := st.NodeFor(u)
		require.NoError(t, err)
		ds := st.Nodes[n].DataSource
		e.users[ds[len(ds)-1]-'0'] = append(e.users[ds[len(ds)-1]-'0'], u)
	}
	require.NotEmpty(t, e.users[0])
	require.NotEmpty(t, e.users[1])
	e.db = openDB(t, topo)
	return e
}

func (e *faultEnv) ddl() string {
	return "CREATE TABLE IF NOT EXISTS " + e.table + " (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(32) NULL)"
}

// insert inserts one row per (id, user) pair with one multi-row INSERT.
func (e *faultEnv) insert(ctx context.Context, pairs ...int64) error {
	var ph []string
	var args []any
	for i := 0; i < len(pairs); i += 2 {
		ph = append(ph, "(?, ?)")
		args = append(args, pairs[i], pairs[i+1])
	}
	_, err := e.db.ExecContext(ctx, "INSERT INTO "+e.table+" (id, user_id) VALUES "+strings.Join(ph, ", "), args...)
	return err
}

// settle waits until no pool connection is in use, then closes the idle
// ones, so the goroutine count does not depend on how many stay idle (each
// open go-sql-driver connection runs a goroutine).
func (e *faultEnv) settle(t *testing.T) {
	t.Helper()
	for i, p := range e.pools {
		deadline := time.Now().Add(5 * time.Second)
		for p.Stats().InUse > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		assert.Zero(t, p.Stats().InUse, "ds%d: connections still in use (leaked rows or statements)", i)
		p.SetMaxIdleConns(0)
		p.SetMaxIdleConns(faultIdle)
	}
}

// baseline settles the pools and returns the goroutine count to come back to.
func (e *faultEnv) baseline(t *testing.T) int {
	t.Helper()
	e.settle(t)
	time.Sleep(50 * time.Millisecond)
	return runtime.NumGoroutine()
}

// noLeaks settles the pools and checks the goroutines return to base.
func (e *faultEnv) noLeaks(t *testing.T, base int) {
	t.Helper()
	e.settle(t)
	waitGoroutines(t, base)
}

// close closes the shardsql DB and the pools, and checks the goroutines
// return to base, taken before newFaultEnv.
func (e *faultEnv) close(t *testing.T, base int) {
	t.Helper()
	require.NoError(t, e.db.Close())
	for _, p := range e.pools {
		require.NoError(t, p.Close())
	}
	waitGoroutines(t, base)
}

// waitGoroutines is our goleak: it waits up to 5s for the number of
// goroutines to come back to base and otherwise fails with every stack.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d goroutines, %d before the scenario:\n%s", n, base, buf)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readIDs runs a query returning one integer column and reads it whole. It
// returns the rows the caller saw and the error, from Query, Scan or Err.
func readIDs(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// timed runs f under a faultDeadline context and returns its error and how
// long it took.
func timed(f func(ctx context.Context) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), faultDeadline)
	defer cancel()
	start := time.Now()
	err := f(ctx)
	return time.Since(start), err
}

// requireFault checks a statement against a faulty data source failed in
// time with an error naming ds1 and not ds0.
func requireFault(t *testing.T, what string, elapsed time.Duration, err error) {
	t.Helper()
	require.Error(t, err, what)
	assert.Less(t, elapsed, faultDeadline+faultSlack, "%s: took %v", what, elapsed)
	assert.Contains(t, err.Error(), "ds1", what)
	assert.NotContains(t, err.Error(), "ds0", what)
	t.Logf("%s: failed after %v: %v", what, elapsed.Round(time.Millisecond), err)
}

// expectFault runs f under a faultDeadline context and checks it fails in
// time naming ds1.
func expectFault(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	elapsed, err := timed(f)
	requireFault(t, what, elapsed, err)
}

// eventually retries f for up to 10s and returns how long it took.
func eventually(t *testing.T, what string, f func(ctx context.Context) error) time.Duration {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < 10*time.Second {
		if _, err = timed(f); err == nil {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: still failing after %v: %v", what, time.Since(start), err)
	return 0
}

// onServer runs f on a plain go-sql-driver pool on s, closed afterwards so
// that it leaves no goroutine behind.
func onServer(t *testing.T, s *shardtest.Server, f func(db *sql.DB)) {
	t.Helper()
	db, err := sql.Open("mysql", s.DSN())
	require.NoError(t, err)
	defer db.Close()
	f(db)
}

// countOn counts the rows of a logical table on one server, all nodes.
func countOn(t *testing.T, s *shardtest.Server, table string) int {
	t.Helper()
	var n int
	onServer(t, s, func(db *sql.DB) {
		require.NoError(t, db.QueryRow(fmt.Sprintf("SELECT (SELECT COUNT(*) FROM %[1]s_0) + (SELECT COUNT(*) FROM %[1]s_1) + (SELECT COUNT(*) FROM %[1]s_2) + (SELECT COUNT(*) FROM %[1]s_3)", table)).Scan(&n))
	})
	return n
}

func TestFaults(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	bh := shardtest.BlackHole(t)
	dsns := []string{servers[0].DSN(), servers[1].DSN()}

	t.Run("data source down", func(t *testing.T) {
		before := runtime.NumGoroutine()
		e := newFaultEnv(t, "t_down", dsns...)
		ctx := context.Background()
		_, err := e.db.ExecContext(ctx, e.ddl())
		require.NoError(t, err)
		u0, u1 := e.users[0][0], e.users[1][0]
		for i := int64(0); i < 10; i++ {
			require.NoError(t, e.insert(ctx, 2*i, u0, 2*i+1, u1))
		}
		base := e.baseline(t)

		require.NoError(t, servers[1].Stop())

		pointDS1 := func(ctx context.Context) error {
			_, err := readIDs(ctx, e.db, "SELECT id FROM t_down WHERE user_id = ?", u1)
			return err
		}
		expectFault(t, "point read on ds1", pointDS1)

		ids, err := readIDs(ctx, e.db, "SELECT id FROM t_down WHERE user_id = ?", u0)
		require.NoError(t, err, "ds0 keeps working")
		assert.Len(t, ids, 10)

		for _, q := range []string{
			"SELECT id FROM t_down",
			"SELECT id FROM t_down ORDER BY id",
			"SELECT COUNT(*) FROM t_down",
			"SELECT id FROM t_down WHERE user_id IN (?, ?)",
		} {
			var args []any
			if strings.Contains(q, "?") {
				args = []any{u0, u1}
			}
			var seen []int64
			elapsed, err := timed(func(ctx context.Context) error {
				var err error
				seen, err = readIDs(ctx, e.db, q, args...)
				return err
			})
			requireFault(t, "scatter "+q, elapsed, err)
			assert.Empty(t, seen, "%s: a failed scatter returns no rows", q)
		}

		// Writes: ds1 fails, ds0 works, a multi-node INSERT fails naming ds1.
		expectFault(t, "insert on ds1", func(ctx context.Context) error { return e.insert(ctx, 101, u1) })
		require.NoError(t, e.insert(ctx, 100, u0), "insert on ds0 keeps working")
		expectFault(t, "multi-node insert", func(ctx context.Context) error { return e.insert(ctx, 102, u0, 103, u1) })

		// A transaction: joining ds1 fails; rollback undoes the ds0 part.
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_down (id, user_id) VALUES (?, ?)", 104, u0)
		require.NoError(t, err)
		expectFault(t, "insert on ds1 in a transaction", func(ctx context.Context) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO t_down (id, user_id) VALUES (?, ?)", 105, u1)
			return err
		})
		require.NoError(t, tx.Rollback())

		// A scatter read in a transaction fails before any row too.
		tx, err = e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		var seen []int64
		expectFault(t, "scatter in a transaction", func(ctx context.Context) error {
			rows, err := tx.QueryContext(ctx, "SELECT id FROM t_down")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				seen = append(seen, id)
			}
			return rows.Err()
		})
		assert.Empty(t, seen, "a failed scatter in a transaction returns no rows")
		require.NoError(t, tx.Rollback())

		e.noLeaks(t, base)

		require.NoError(t, servers[1].Start())
		took := eventually(t, "point read on ds1 after restart", pointDS1)
		t.Logf("ds1 answers again %v after Start returned", took.Round(time.Millisecond))
		ids, err = readIDs(ctx, e.db, "SELECT id FROM t_down")
		require.NoError(t, err)
		assert.Len(t, ids, 20+1, "the 20 rows loaded and 100; nothing of the failed multi-node INSERT")

		// No write was retried behind the caller's back, and a multi-node
		// write is all or nothing: ds1 holds exactly the rows inserted
		// before it stopped, ds0 those plus 100 (102 of the failed
		// multi-node INSERT was rolled back with it).
		assert.Equal(t, 10, countOn(t, servers[1], "t_down"))
		assert.Equal(t, 11, countOn(t, servers[0], "t_down"))

		e.noLeaks(t, base)
		e.close(t, before)
	})

	t.Run("data source hangs", func(t *testing.T) {
		before := runtime.NumGoroutine()
		// ds1 accepts connections and never answers; its DSN has no
		// timeout, so only the context bounds a statement.
		e := newFaultEnv(t, "t_hang", servers[0].DSN(), "root@tcp("+bh+")/app?parseTime=true")
		ctx := context.Background()
		onServer(t, servers[0], func(db *sql.DB) {
			for i := 0; i < 4; i++ {
				_, err := db.Exec(fmt.Sprintf("CREATE TABLE t_hang_%d (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(32) NULL)", i))
				require.NoError(t, err)
			}
		})
		u0, u1 := e.users[0][0], e.users[1][0]
		for i := int64(0); i < 10; i++ {
			require.NoError(t, e.insert(ctx, i, u0))
		}
		base := e.baseline(t)

		// In a transaction (begun without a deadline) that already holds
		// ds0, the statement that first reaches ds1 is bounded by its own
		// context.
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_hang (id, user_id) VALUES (?, ?)", 104, u0)
		require.NoError(t, err)

		// Every statement that touches ds1 runs at once, each under its own
		// deadline; meanwhile ds0 answers promptly.
		scatters := []string{"SELECT id FROM t_hang", "SELECT id FROM t_hang ORDER BY id"}
		hanging := []struct {
			what string
			f    func(ctx context.Context) error
		}{
			{"point read on hanging ds1", func(ctx context.Context) error {
				_, err := readIDs(ctx, e.db, "SELECT id FROM t_hang WHERE user_id = ?", u1)
				return err
			}},
			{"insert on hanging ds1", func(ctx context.Context) error { return e.insert(ctx, 100, u1) }},
			{"multi-node insert", func(ctx context.Context) error { return e.insert(ctx, 101, u0, 102, u1) }},
			{"insert on hanging ds1 in a transaction", func(ctx context.Context) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO t_hang (id, user_id) VALUES (?, ?)", 105, u1)
				return err
			}},
		}
		for _, q := range scatters {
			hanging = append(hanging, struct {
				what string
				f    func(ctx context.Context) error
			}{"scatter " + q, func(ctx context.Context) error {
				seen, err := readIDs(ctx, e.db, q)
				if len(seen) > 0 {
					err = fmt.Errorf("a failed scatter returned %d rows, then: %w", len(seen), err)
				}
				return err
			}})
		}
		type outcome struct {
			elapsed time.Duration
			err     error
		}
		outcomes := make([]chan outcome, len(hanging))
		for i, h := range hanging {
			outcomes[i] = make(chan outcome, 1)
			go func() {
				elapsed, err := timed(h.f)
				outcomes[i] <- outcome{elapsed, err}
			}()
		}
		time.Sleep(200 * time.Millisecond)
		for i := 0; i < 5; i++ {
			elapsed, err := timed(func(ctx context.Context) error {
				ids, err := readIDs(ctx, e.db, "SELECT id FROM t_hang WHERE user_id = ? AND id < 100", u0)
				if err == nil && len(ids) != 10 {
					err = fmt.Errorf("got %d rows, want 10", len(ids))
				}
				return err
			})
			require.NoError(t, err, "ds0 keeps working while ds1 hangs")
			assert.Less(t, elapsed, faultDeadline/2, "ds0 read while ds1 hangs")
		}
		require.NoError(t, e.insert(ctx, 103, u0), "insert on ds0 keeps working")
		for i, h := range hanging {
			select {
			case o := <-outcomes[i]:
				requireFault(t, h.what, o.elapsed, o.err)
				assert.GreaterOrEqual(t, o.elapsed, faultDeadline-100*time.Millisecond, "%s: only the deadline ended the wait", h.what)
			case <-time.After(faultDeadline + 5*time.Second):
				t.Fatalf("%s: no answer 5s after its deadline", h.what)
			}
		}
		require.NoError(t, tx.Rollback())
		var n int
		require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_hang WHERE user_id = ? AND id = 104", u0).Scan(&n))
		assert.Zero(t, n, "rolled back")

		e.noLeaks(t, base)
		e.close(t, before)
	})

	t.Run("a failing node cancels the others", func(t *testing.T) {
		before := runtime.NumGoroutine()
		// ds1 hangs, ds2 refuses connections (the port of a closed
		// listener); ds0, healthy, is the default data source.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		refused := ln.Addr().String()
		require.NoError(t, ln.Close())
		topo := shard.NewTopology()
		pools := []*sql.DB{}
		for i, dsn := range []string{servers[0].DSN(), "root@tcp(" + bh + ")/app", "root@tcp(" + refused + ")/app"} {
			pool, err := sql.Open("mysql", dsn)
			require.NoError(t, err)
			pools = append(pools, pool)
			require.NoError(t, topo.AddDB(fmt.Sprintf("ds%d", i), pool))
		}
		// ds1's nodes come first, so without cancellation the query would
		// wait for them until its deadline.
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_c", Column: "user_id", Nodes: "ds${1..2}.t_c_${0..1}", Algorithm: shard.Hash()}))
		e := &faultEnv{db: openDB(t, topo), pools: pools}
		base := e.baseline(t)
		var seen []int64
		elapsed, err := timed(func(ctx context.Context) error {
			var err error
			seen, err = readIDs(ctx, e.db, "SELECT id FROM t_c")
			return err
		})
		require.Error(t, err)
		assert.Empty(t, seen)
		assert.Less(t, elapsed, faultDeadline/2, "the refused node's failure cancels the hanging ones")
		assert.Contains(t, err.Error(), "ds2", "the error is the cause, not the cancellation it caused")
		assert.Contains(t, err.Error(), "connection refused")
		t.Logf("scatter over a hanging and a refusing data source failed after %v: %v", elapsed.Round(time.Millisecond), err)
		e.noLeaks(t, base)
		e.close(t, before)
	})

	t.Run("server killed during a scatter read", func(t *testing.T) {
		before := runtime.NumGoroutine()
		e := newFaultEnv(t, "t_kill", dsns...)
		ctx := context.Background()
		_, err := e.db.ExecContext(ctx, e.ddl())
		require.NoError(t, err)
		// 20,000 rows, 2,500 per physical table, ids interleaved over the
		// tables so that an ORDER BY merge reads all of them in turn.
		const perTable = 2500
		for ds, s := range servers {
			onServer(t, s, func(db *sql.DB) {
				for tbl := 0; tbl < 4; tbl++ {
					node := ds*4 + tbl
					for start := 0; start < perTable; start += 500 {
						var sb strings.Builder
						fmt.Fprintf(&sb, "INSERT INTO t_kill_%d (id, user_id) VALUES ", tbl)
						for k := start; k < start+500; k++ {
							if k > start {
								sb.WriteString(", ")
							}
							fmt.Fprintf(&sb, "(%d, %d)", k*8+node, e.users[ds][0])
						}
						_, err := db.Exec(sb.String())
						require.NoError(t, err)
					}
				}
			})
		}
		base := e.baseline(t)

		// Each row carries 2 KB, 40 MB in all, more than the sockets buffer.
		qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		rows, err := e.db.QueryContext(qctx, "SELECT id, REPEAT('x', 2000) AS pad FROM t_kill ORDER BY id")
		require.NoError(t, err)
		read := 0
		for read < 100 && rows.Next() {
			read++
		}
		require.Equal(t, 100, read)
		stopStart := time.Now()
		require.NoError(t, servers[1].Stop())
		stopped := time.Now()
		var id int64
		var pad string
		for rows.Next() {
			require.NoError(t, rows.Scan(&id, &pad))
			read++
		}
		err = rows.Err()
		failed := time.Now()
		require.Error(t, err, "killing ds1's server must surface as an error, after %d rows", read)
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "the kill, not the deadline, ends the read")
		assert.Contains(t, err.Error(), "ds1")
		assert.Less(t, read, 20000)
		t.Logf("Stop took %v; the read failed %v after it, after %d rows: %v",
			stopped.Sub(stopStart).Round(time.Millisecond), failed.Sub(stopped).Round(time.Millisecond), read, err)
		require.NoError(t, rows.Close())

		// ds0 is unaffected (the user's node is one of ds0's tables).
		ids, err := readIDs(ctx, e.db, "SELECT COUNT(*) FROM t_kill WHERE user_id = ?", e.users[0][0])
		require.NoError(t, err)
		assert.Equal(t, []int64{perTable}, ids)
		e.noLeaks(t, base)

		require.NoError(t, servers[1].Start())
		took := eventually(t, "scatter after restart", func(ctx context.Context) error {
			ids, err := readIDs(ctx, e.db, "SELECT COUNT(*) FROM t_kill")
			if err == nil && ids[0] != 8*perTable {
				err = fmt.Errorf("count %d", ids[0])
			}
			return err
		})
		t.Logf("the scatter works again %v after Start returned", took.Round(time.Millisecond))
		e.noLeaks(t, base)
		e.close(t, before)
	})

	t.Run("server killed during writes", func(t *testing.T) {
		before := runtime.NumGoroutine()
		e := newFaultEnv(t, "t_wkill", dsns...)
		ctx := context.Background()
		_, err := e.db.ExecContext(ctx, e.ddl())
		require.NoError(t, err)
		base := e.baseline(t)
		u0, u1 := e.users[0][0], e.users[1][0]

		// Multi-node INSERTs in a loop, one row on each data source, while
		// ds1's server is stopped.
		var stoppedAt atomic.Int64 // statements run when Stop returned, +1
		var ok, failedStmts int
		var slowest time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ; i++ {
				if s := stoppedAt.Load(); s > 0 && i >= s+20 {
					return
				}
				elapsed, err := timed(func(ctx context.Context) error { return e.insert(ctx, 2*i, u0, 2*i+1, u1) })
				slowest = max(slowest, elapsed)
				if err == nil {
					ok++
					continue
				}
				failedStmts++
				// ds1 failed; ds0 appears only in a CommitError saying
				// what it did (the statement in flight when ds1 died).
				var ce *driver.CommitError
				if !strings.Contains(err.Error(), "ds1") || (strings.Contains(err.Error(), "ds0") && !errors.As(err, &ce)) {
					t.Errorf("statement %d: the error must name ds1, and ds0 only to say what it committed: %v", i, err)
				}
			}
		}()
		for countOn(t, servers[0], "t_wkill") < 30 {
			time.Sleep(10 * time.Millisecond)
		}
		require.NoError(t, servers[1].Stop())
		stoppedAt.Store(int64(countOn(t, servers[0], "t_wkill")) + 1)
		wg.Wait()
		attempted := ok + failedStmts
		t.Logf("%d multi-node INSERTs: %d succeeded, %d failed; slowest %v", attempted, ok, failedStmts, slowest.Round(time.Millisecond))
		assert.GreaterOrEqual(t, failedStmts, 20)
		assert.Less(t, slowest, faultDeadline+faultSlack)

		// The healthy data source takes single-node writes meanwhile.
		require.NoError(t, e.insert(ctx, 1_000_000, u0))
		e.noLeaks(t, base)

		require.NoError(t, servers[1].Start())
		eventually(t, "insert on ds1 after restart", func(ctx context.Context) error { return e.insert(ctx, 1_000_001, u1) })

		// A multi-node INSERT is one internal transaction: on each data
		// source exactly the successful statements' rows (and the single
		// ones above), plus at most the one in flight when the server went
		// down (committed on ds0 before ds1 failed, or its outcome unknown
		// to the client). A retry would add more.
		got0 := countOn(t, servers[0], "t_wkill") - 1
		assert.GreaterOrEqual(t, got0, ok)
		assert.LessOrEqual(t, got0, ok+1)
		got := countOn(t, servers[1], "t_wkill") - 1
		assert.GreaterOrEqual(t, got, ok)
		assert.LessOrEqual(t, got, ok+1)
		e.noLeaks(t, base)
		e.close(t, before)
	})
}

// badConnector is a data source whose every connection attempt reports
// driver.ErrBadConn, which tells database/sql to retry on a new connection.
type badConnector struct{}

func (badConnector) Connect(context.Context) (sqldriver.Conn, error) {
	return nil, sqldriver.ErrBadConn
}
func (badConnector) Driver() sqldriver.Driver { return badDriver{} }

type badDriver struct{}

func (badDriver) Open(string) (sqldriver.Conn, error) { return nil, sqldriver.ErrBadConn }

// TestFaultWritesAreNotRetried checks that a multi-node write that failed on
// one data source with driver.ErrBadConn is not run again: database/sql
// retries a statement whose driver error is ErrBadConn, which would repeat
// the parts that succeeded on the other data sources.
func TestFaultWritesAreNotRetried(t *testing.T) {
	servers := shardtest.Embedded(t, 1)
	ds0 := direct(t, servers[0])
	for i := 0; i < 2; i++ {
		_, err := ds0.Exec(fmt.Sprintf("CREATE TABLE t_nr_%d (id BIGINT NOT NULL, user_id BIGINT NOT NULL)", i)) // no key: a repeat adds rows
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDB("ds0", ds0))
	bad := sql.OpenDB(badConnector{})
	t.Cleanup(func() { _ = bad.Close() })
	require.NoError(t, topo.AddDB("ds1", bad))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_nr", Column: "user_id", Nodes: "ds${0..1}.t_nr_${0..1}", Algorithm: shard.Mod()}))
	db := openDB(t, topo)

	// user 0 → ds0.t_nr_0, user 2 → ds1.t_nr_0
	_, err := db.Exec("INSERT INTO t_nr (id, user_id) VALUES (1, 0), (2, 2)")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ds1")
	assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "shardsql must not hand ErrBadConn to database/sql: it retries the statement")
	var n int
	require.NoError(t, ds0.QueryRow("SELECT COUNT(*) FROM t_nr_0").Scan(&n))
	assert.Equal(t, 0, n, "the ds0 row was rolled back with the failed statement, never inserted once per retry")

	// A single-node write that fails the same way.
	_, err = db.Exec("INSERT INTO t_nr (id, user_id) VALUES (3, 2)")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ds1")
}
