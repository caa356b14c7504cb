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
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestAttack15Replicas: read/write splitting against the shapes round 8
// did not try, with the one replica's replication stopped so that any
// read a replica answers after a write is stale: prepared statements
// (db.Prepare, Conn.PrepareContext, tx.Stmt) reused across a write,
// reads in another goroutine after the write returned, cross-node
// joins, bound subqueries and deep pages after a write, SELECT … INTO
// and `@v :=` on a *sql.Conn, a locking read outside a transaction.
func TestAttack15Replicas(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"a15r0", "a15r1"} {
		_, err := primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("a15r%d", i))))
		require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("a15r%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ro", Column: "id", Nodes: "ds${0..1}.t_ro_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	for _, q := range []string{
		"CREATE TABLE t_rw (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v INT NOT NULL)",
		"CREATE TABLE t_ro (id BIGINT PRIMARY KEY, k INT NOT NULL)",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	var sb strings.Builder
	for i := 1; i <= 400; i++ {
		if i > 1 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, %d, 0)", i, i%17)
	}
	_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, v) VALUES "+sb.String())
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO t_ro (id, k) VALUES (1, 1), (2, 2), (3, 3), (4, 4)")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(ctx))
	require.NoError(t, cluster.Replicas[0].StopReplication())
	defer func() { require.NoError(t, cluster.Replicas[0].StartReplication()) }()
	time.Sleep(150 * time.Millisecond) // the probe has read the stopped replica's position

	// sum is the sum of v on the primary itself.
	sum := func(t *testing.T) int {
		var n int
		require.NoError(t, primary.QueryRowContext(ctx,
			"SELECT (SELECT COALESCE(SUM(v), 0) FROM a15r0.t_rw_0) + (SELECT COALESCE(SUM(v), 0) FROM a15r0.t_rw_1) + "+
				"(SELECT COALESCE(SUM(v), 0) FROM a15r1.t_rw_0) + (SELECT COALESCE(SUM(v), 0) FROM a15r1.t_rw_1)").Scan(&n))
		return n
	}
	bump := func(t *testing.T, ex interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) {
		t.Helper()
		_, err := ex.ExecContext(ctx, "UPDATE t_rw SET v = v + 1 WHERE id % 5 = 0")
		require.NoError(t, err)
	}
	type querier interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
	readSum := func(t *testing.T, q querier, what string) {
		t.Helper()
		var n int
		var trace []driver.ReadServer
		require.NoError(t, q.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT SUM(v) FROM t_rw").Scan(&n), what)
		assert.Equal(t, sum(t), n, "%s: the read missed the write (read from %+v)", what, trace)
	}

	t.Run("prepared statements across a write", func(t *testing.T) {
		stmt, err := db.PrepareContext(ctx, "SELECT SUM(v) FROM t_rw WHERE id > ?")
		require.NoError(t, err)
		defer stmt.Close()
		one, err := db.PrepareContext(ctx, "SELECT v FROM t_rw WHERE user_id = ? AND id = ?")
		require.NoError(t, err)
		defer one.Close()
		check := func(what string) {
			t.Helper()
			var n, v int
			require.NoError(t, stmt.QueryRowContext(ctx, 0).Scan(&n))
			assert.Equal(t, sum(t), n, "%s: prepared scatter", what)
			require.NoError(t, one.QueryRowContext(ctx, 5, 5).Scan(&v))
			var want int
			require.NoError(t, primary.QueryRowContext(ctx, "SELECT v FROM a15r0.t_rw_0 WHERE id = 5 UNION ALL SELECT v FROM a15r0.t_rw_1 WHERE id = 5 UNION ALL SELECT v FROM a15r1.t_rw_0 WHERE id = 5 UNION ALL SELECT v FROM a15r1.t_rw_1 WHERE id = 5").Scan(&want))
			assert.Equal(t, want, v, "%s: prepared point read", what)
		}
		check("before")
		bump(t, db)
		check("after a write on the DB")
		w, err := db.PrepareContext(ctx, "UPDATE t_rw SET v = v + ? WHERE id = ? AND user_id = ?")
		require.NoError(t, err)
		defer w.Close()
		_, err = w.ExecContext(ctx, 3, 5, 5)
		require.NoError(t, err)
		check("after a prepared write")

		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		cs, err := conn.PrepareContext(ctx, "SELECT SUM(v) FROM t_rw")
		require.NoError(t, err)
		var n int
		require.NoError(t, cs.QueryRowContext(ctx).Scan(&n))
		bump(t, conn)
		require.NoError(t, cs.QueryRowContext(ctx).Scan(&n))
		assert.Equal(t, sum(t), n, "a Conn's prepared read after its write")
		require.NoError(t, cs.Close())

		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		bump(t, tx)
		var inTx int
		require.NoError(t, tx.StmtContext(ctx, stmt).QueryRowContext(ctx, 0).Scan(&inTx))
		var out int
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT SUM(v) FROM t_rw").Scan(&out))
		assert.Equal(t, out, inTx, "tx.Stmt of a DB statement inside a transaction that wrote")
		require.NoError(t, tx.Rollback())
		check("after a rolled-back transaction")
	})

	t.Run("another goroutine after the write returned", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			done := make(chan struct{})
			go func() { defer close(done); bump(t, db) }()
			<-done
			errs := make(chan string, 1)
			go func() {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT SUM(v) FROM t_rw").Scan(&n); err != nil {
					errs <- err.Error()
					return
				}
				if want := sum(t); n != want {
					errs <- fmt.Sprintf("read %d, primary %d", n, want)
					return
				}
				errs <- ""
			}()
			assert.Empty(t, <-errs, "round %d", i)
		}
	})

	t.Run("joins, subqueries and deep pages after a write", func(t *testing.T) {
		for _, q := range []string{
			"SELECT COALESCE(SUM(a.v), 0) FROM t_rw a JOIN t_ro b ON b.k = a.user_id",
			"SELECT COALESCE(SUM(v), 0) FROM t_rw WHERE user_id IN (SELECT k FROM t_ro)",
			"SELECT COALESCE(SUM(v), 0) FROM t_rw WHERE v >= (SELECT MIN(k) FROM t_ro) - 1",
			"SELECT COALESCE(SUM(x.v), 0) FROM (SELECT v FROM t_rw ORDER BY v DESC, id LIMIT 100, 40) x",
			"WITH c AS (SELECT user_id, SUM(v) s FROM t_rw GROUP BY user_id) SELECT COALESCE(SUM(s), 0) FROM c",
		} {
			var before int
			require.NoError(t, db.QueryRowContext(ctx, q).Scan(&before))
			_, err := db.ExecContext(ctx, "UPDATE t_rw SET v = v + 1000 WHERE id % 3 = 0")
			require.NoError(t, err)
			var after int
			var trace []driver.ReadServer
			require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&after))
			assert.NotEqual(t, before, after, "%s: the read after the write saw the old rows (%+v)", q, trace)
		}
		// the page itself, against the primary's rows
		const page = "SELECT id, v FROM t_rw ORDER BY v DESC, id LIMIT 250, 10"
		_, err := db.ExecContext(ctx, "UPDATE t_rw SET v = v + 7 WHERE id % 4 = 1")
		require.NoError(t, err)
		got, err := runDiffQuery(db, page)
		require.NoError(t, err)
		want, err := runDiffQuery(primary, "SELECT id, v FROM (SELECT * FROM a15r0.t_rw_0 UNION ALL SELECT * FROM a15r0.t_rw_1 UNION ALL SELECT * FROM a15r1.t_rw_0 UNION ALL SELECT * FROM a15r1.t_rw_1) x ORDER BY v DESC, id LIMIT 250, 10")
		require.NoError(t, err)
		assert.Equal(t, want.rows, got.rows, "deep page after a write")
	})

	t.Run("the side a statement reads later was written", func(t *testing.T) {
		// The write touches t_ro only: a join's lookups, a bound
		// subquery's values or a derived table read from a stale
		// replica would miss it while the rest of the statement is
		// fresh.
		// k of id 2 moves within 5…15, apart from the other rows' 1, 3, 4
		_, err := db.ExecContext(ctx, "UPDATE t_ro SET k = 10 WHERE id = 2")
		require.NoError(t, err)
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		type qe interface {
			querier
			ExecContext(context.Context, string, ...any) (sql.Result, error)
		}
		for _, on := range []struct {
			name string
			q    qe
		}{{"db", db}, {"conn", conn}, {"tx", tx}} {
			for _, q := range []string{
				"SELECT COALESCE(SUM(b.k), 0) FROM t_rw a JOIN t_ro b ON b.k = a.user_id",
				"SELECT COALESCE(SUM(b.k), 0) FROM t_ro b JOIN t_rw a ON b.k = a.user_id",
				"SELECT COALESCE(SUM(b.k), 0) FROM t_rw a LEFT JOIN t_ro b ON b.k = a.user_id",
				"SELECT COALESCE(SUM(id), 0) FROM t_rw WHERE user_id IN (SELECT k FROM t_ro)",
				"SELECT COUNT(*) FROM t_rw WHERE user_id > (SELECT MAX(k) FROM t_ro) - 3",
				"SELECT COALESCE(SUM(x.k), 0) FROM (SELECT k FROM t_ro ORDER BY k DESC LIMIT 2) x JOIN t_rw a ON a.user_id = x.k",
				"WITH c AS (SELECT k FROM t_ro) SELECT COALESCE(SUM(a.id), 0) FROM t_rw a JOIN c ON c.k = a.user_id",
			} {
				var before int
				require.NoError(t, on.q.QueryRowContext(ctx, q).Scan(&before), q)
				_, err := on.q.ExecContext(ctx, "UPDATE t_ro SET k = IF(k >= 15, 5, k + 1) WHERE id = 2")
				require.NoError(t, err)
				var after int
				var trace []driver.ReadServer
				require.NoError(t, on.q.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&after), q)
				assert.NotEqual(t, before, after, "%s: %s: the read after the write to t_ro saw its old rows (%+v)", on.name, q, trace)
			}
		}
	})

	t.Run("session variables set by a SELECT on a Conn", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		for _, c := range []struct{ set, read, want string }{
			{"SELECT 5 INTO @a15", "SELECT @a15", "5"},
			{"SELECT SUM(v) INTO @a15s FROM t_rw WHERE id = 10 AND user_id = 10", "SELECT @a15s IS NOT NULL", "1"},
			{"SELECT @a15b := 6", "SELECT @a15b", "6"},
			{"SELECT id, @a15c := v FROM t_rw WHERE user_id = 3 AND id = 3", "SELECT @a15c IS NOT NULL", "1"},
		} {
			rows, err := conn.QueryContext(ctx, c.set)
			if err != nil {
				require.ErrorIs(t, err, driver.ErrUnsupported, c.set)
				continue
			}
			for rows.Next() {
			}
			require.NoError(t, rows.Err(), c.set)
			require.NoError(t, rows.Close())
			var got sql.NullString
			require.NoError(t, conn.QueryRowContext(ctx, c.read).Scan(&got), c.read)
			assert.Equal(t, c.want, got.String, "%s then %s on one Conn", c.set, c.read)
		}
	})

	t.Run("diagnostics after a SELECT a replica answered", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		for _, probe := range []string{"SHOW WARNINGS", "SHOW COUNT(*) WARNINGS", "SELECT @@warning_count", "SHOW ERRORS"} {
			var trace []driver.ReadServer
			rows, err := conn.QueryContext(driver.WithReadTrace(ctx, &trace), "SELECT CAST(CONCAT(v, 'x') AS SIGNED) FROM t_rw WHERE user_id = 3 AND id = 3")
			require.NoError(t, err)
			for rows.Next() {
			}
			require.NoError(t, rows.Close())
			require.NotEmpty(t, trace)
			got, err := runConnQuery(ctx, conn, probe)
			if trace[0].Replica {
				require.ErrorIs(t, err, driver.ErrUnsupported, "%s after a SELECT a replica answered: %v", probe, got)
				continue
			}
			require.NoError(t, err, probe)
			if probe != "SHOW ERRORS" {
				assert.NotEqual(t, "[]", got, "%s: the SELECT's warning", probe)
				assert.NotEqual(t, "[[0]]", got, "%s: the SELECT's warning", probe)
			}
		}
	})

	t.Run("locking read outside a transaction", func(t *testing.T) {
		bump(t, db)
		readSum(t, db, "plain")
		var n int
		var trace []driver.ReadServer
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT SUM(v) FROM t_rw FOR UPDATE").Scan(&n))
		for _, s := range trace {
			assert.False(t, s.Replica, "FOR UPDATE ran on a replica: %+v", s)
		}
		assert.Equal(t, sum(t), n)
	})
}

// runConnQuery runs q on conn and returns its rows as text.
func runConnQuery(ctx context.Context, conn *sql.Conn, q string) (string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(res.rows), nil
}
