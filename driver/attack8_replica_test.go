package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestAttack8Replicas attacks read/write splitting with the replica's
// replication stopped: whatever a replica answers after a write is stale,
// so every way a session can write, or hold state, before a read shows up
// as a read that misses the write or answers for the wrong server. Data
// sources ds0 and ds1 are databases a8r0 and a8r1 of one primary, each
// with the one replica's copy as its replica.
func TestAttack8Replicas(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"a8r0", "a8r1"} {
		_, err := primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	topology := func(t *testing.T) *shard.Topology {
		topo := shard.NewTopology()
		for i := 0; i < 2; i++ {
			ds := fmt.Sprintf("ds%d", i)
			require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("a8r%d", i))))
			require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("a8r%d", i))))
		}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
		return topo
	}
	fast := driver.WithReplicaProbeInterval(50 * time.Millisecond)
	db := openDB(t, topology(t), fast)
	for _, q := range []string{
		"CREATE TABLE t_rw (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(20))",
		"CREATE TABLE t_plain (id BIGINT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(20))",
		"CREATE SEQUENCE s8 NOCACHE",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	// Routines are made on the primary itself (shardsql takes a compound
	// body for a multi-statement string), with a definer (the servers run
	// without grant tables, whose empty definer the replica rejects).
	for _, q := range []string{
		"CREATE DEFINER = root@localhost FUNCTION a8r0.f8_ins() RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN INSERT INTO a8r0.t_plain (note) VALUES ('f8'); RETURN 1; END",
		"CREATE DEFINER = root@localhost FUNCTION a8r1.f8_ins() RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN INSERT INTO a8r0.t_plain (note) VALUES ('f8'); RETURN 1; END",
		"CREATE DEFINER = root@localhost FUNCTION a8r0.f8_read() RETURNS INT DETERMINISTIC READS SQL DATA RETURN (SELECT COUNT(*) FROM a8r0.t_plain)",
		"CREATE DEFINER = root@localhost PROCEDURE a8r0.p8_ins() INSERT INTO a8r0.t_plain (note) VALUES ('p8')",
	} {
		_, err := primary.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	for i := 0; i < 8; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'x')", i, i)
		require.NoError(t, err)
	}
	if err := cluster.Sync(ctx); err != nil {
		rdb := direct(t, cluster.Replicas[0])
		rows, qerr := rdb.QueryContext(ctx, "SHOW SLAVE STATUS")
		require.NoError(t, qerr)
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var e1, e2 string
		for rows.Next() {
			require.NoError(t, rows.Scan(ptrs...))
			for i, c := range cols {
				if c == "Last_SQL_Error" || c == "Last_IO_Error" || c == "Slave_SQL_Running" {
					e1 += c + "=" + vals[i].String + " "
				}
			}
		}
		t.Fatalf("%v: %s %s", err, e1, e2)
	}
	require.NoError(t, cluster.Replicas[0].StopReplication())
	defer func() {
		require.NoError(t, cluster.Replicas[0].StartReplication())
	}()
	time.Sleep(150 * time.Millisecond) // the probe has read the stopped replica's position

	// plainCount counts t_plain's rows on the primary itself.
	plainCount := func(t *testing.T) int {
		var n int
		require.NoError(t, primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM a8r0.t_plain").Scan(&n))
		return n
	}
	// seen counts t_plain's rows through shardsql (a fresh Conn of db).
	seen := func(t *testing.T) (int, []driver.ReadServer) {
		var n int
		var trace []driver.ReadServer
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_plain").Scan(&n))
		return n, trace
	}
	// fresh reports the primary's and shardsql's counts agree, after a
	// statement that may have written.
	fresh := func(t *testing.T, what string) {
		t.Helper()
		n, trace := seen(t)
		assert.Equal(t, plainCount(t), n, "%s: the read after it did not see it (read from %+v)", what, trace)
	}
	refusedOrPrimary := func(t *testing.T, err error, trace []driver.ReadServer, what string) {
		t.Helper()
		if errors.Is(err, driver.ErrUnsupported) {
			return
		}
		require.NoError(t, err, what)
		for _, s := range trace {
			assert.False(t, s.Replica, "%s ran on a replica: %+v", what, s)
		}
	}

	t.Run("stored function that writes, called in a SELECT", func(t *testing.T) {
		for _, q := range []string{
			"SELECT f8_ins()",
			"SELECT f8_ins() AS x FROM DUAL",
			"SELECT `f8_ins`()",
			"SELECT a8r0.f8_ins()",
			"SELECT COUNT(*) FROM t_rw WHERE user_id = 3 AND f8_ins() > 0",
			"SELECT (SELECT f8_ins())",
		} {
			before := plainCount(t)
			var trace []driver.ReadServer
			rows, err := db.QueryContext(driver.WithReadTrace(ctx, &trace), q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Close()
			}
			refusedOrPrimary(t, err, trace, q)
			if err == nil {
				assert.Greater(t, plainCount(t), before, "%s did not write on the primary", q)
			}
			fresh(t, q)
		}
	})

	t.Run("stored function that reads, called in a SELECT after a write", func(t *testing.T) {
		_, err := db.ExecContext(ctx, "INSERT INTO t_plain (note) VALUES ('w')")
		require.NoError(t, err)
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT f8_read()").Scan(&n))
		assert.Equal(t, plainCount(t), n)
	})

	t.Run("writes through Query, CALL, DDL, multi-statements", func(t *testing.T) {
		for _, q := range []string{
			"INSERT INTO t_plain (note) VALUES ('q') RETURNING id",
			"INSERT INTO t_plain (note) VALUES ('q2')",
			"REPLACE INTO t_plain (id, note) VALUES (100000, 'r') RETURNING id",
			"DELETE FROM t_plain WHERE id = 100000 RETURNING id",
			"CALL p8_ins()",
			"INSERT INTO t_plain (note) VALUES ('m1'); INSERT INTO t_plain (note) VALUES ('m2')",
			"SELECT NEXTVAL(s8)",
			"DO f8_ins()",
		} {
			rows, err := db.QueryContext(ctx, q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Close()
			}
			if errors.Is(err, driver.ErrUnsupported) {
				continue
			}
			require.NoError(t, err, q)
			fresh(t, q)
			_, err = db.ExecContext(ctx, q)
			if errors.Is(err, driver.ErrUnsupported) {
				continue
			}
			require.NoError(t, err, q)
			fresh(t, q+" (Exec)")
		}
		_, err := db.ExecContext(ctx, "TRUNCATE TABLE t_plain")
		require.NoError(t, err)
		fresh(t, "TRUNCATE")
	})

	t.Run("a multi-statement string whose SELECT follows its write", func(t *testing.T) {
		rows, err := db.QueryContext(ctx, "INSERT INTO t_plain (note) VALUES ('ms'); SELECT COUNT(*) FROM t_plain")
		if errors.Is(err, driver.ErrUnsupported) {
			return
		}
		require.NoError(t, err)
		var got int
		for {
			for rows.Next() {
				require.NoError(t, rows.Scan(&got))
			}
			if !rows.NextResultSet() {
				break
			}
		}
		require.NoError(t, rows.Close())
		assert.Equal(t, plainCount(t), got)
	})

	t.Run("sequences", func(t *testing.T) {
		for _, q := range []string{"SELECT NEXTVAL(s8)", "SELECT NEXT VALUE FOR s8", "SELECT SETVAL(s8, 500)"} {
			var want int64
			require.NoError(t, primary.QueryRowContext(ctx, "SELECT next_not_cached_value FROM a8r0.s8").Scan(&want))
			var trace []driver.ReadServer
			var got sql.NullInt64
			err := db.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&got)
			refusedOrPrimary(t, err, trace, q)
			var after int64
			require.NoError(t, primary.QueryRowContext(ctx, "SELECT next_not_cached_value FROM a8r0.s8").Scan(&after))
			if err == nil && q != "SELECT SETVAL(s8, 500)" {
				assert.NotEqual(t, want, after, "%s did not advance the primary's sequence", q)
			}
		}
	})

	t.Run("server state: global variables and named locks", func(t *testing.T) {
		// Without read-your-writes the caught-up-or-not replica serves
		// any plain read: what only the primary can answer must still go
		// there.
		norw := openDB(t, topology(t), fast, driver.WithoutReadYourWrites())
		var want int64
		require.NoError(t, primary.QueryRowContext(ctx, "SELECT @@GLOBAL.server_id").Scan(&want))
		for _, q := range []string{"SELECT @@GLOBAL.server_id", "SELECT @@global.server_id FROM t_plain LIMIT 1", "SELECT @@server_id"} {
			_, err := db.ExecContext(ctx, "INSERT INTO t_plain (note) VALUES ('g')")
			require.NoError(t, err)
			var got int64
			var trace []driver.ReadServer
			err = norw.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&got)
			if errors.Is(err, driver.ErrUnsupported) {
				continue
			}
			require.NoError(t, err, q)
			assert.Equal(t, want, got, "%s answered by %+v", q, trace)
		}
		// The primary's own state in information_schema: a process of a
		// held connection, and the binary log functions.
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		var cid int64
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&cid))
		var seenProc int
		var ptrace []driver.ReadServer
		require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &ptrace), "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", cid).Scan(&seenProc))
		assert.Equal(t, 1, seenProc, "the primary's process list was read elsewhere")
		refusedOrPrimary(t, nil, ptrace, "information_schema.PROCESSLIST")
		var pos sql.NullString
		require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &ptrace), "SELECT MASTER_GTID_WAIT('0-1-1', 0)").Scan(&pos))
		refusedOrPrimary(t, nil, ptrace, "MASTER_GTID_WAIT")
		var got sql.NullInt64
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT GET_LOCK('a8lock', 0)").Scan(&got))
		require.Equal(t, int64(1), got.Int64)
		for _, q := range []string{"SELECT IS_USED_LOCK('a8lock') IS NOT NULL", "SELECT IS_FREE_LOCK('a8lock') = 0"} {
			var held bool
			require.NoError(t, db.QueryRowContext(ctx, q).Scan(&held), q)
			assert.True(t, held, "%s: the lock held on the primary was not seen", q)
		}
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK('a8lock')").Scan(&got))
	})

	t.Run("session state on a Conn", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		steps := []struct{ exec, query, want string }{
			{"CREATE TEMPORARY TABLE t_plain (id BIGINT PRIMARY KEY, note VARCHAR(20))", "SELECT COUNT(*) FROM t_plain", "0"},
			{"DROP TEMPORARY TABLE t_plain", "SELECT COUNT(*) > 0 FROM t_plain", "1"},
			{"SET @a8 = 5", "SELECT @a8", "5"},
			{"SET SESSION div_precision_increment = 7", "SELECT @@div_precision_increment", "7"},
			{"INSERT INTO t_plain (note) VALUES ('lid')", "SELECT LAST_INSERT_ID() > 0", "1"},
			{"UPDATE t_plain SET note = 'rc' WHERE note = 'lid'", "SELECT ROW_COUNT()", "1"},
			{"INSERT INTO t_plain (id, note) VALUES (50, 'w')", "SELECT ROW_COUNT()", "1"},
			{"INSERT IGNORE INTO t_plain (id, note) VALUES (50, 'dup')", "SELECT @@warning_count", "1"},
			{"DELETE FROM t_plain WHERE id = 50", "SELECT ROW_COUNT()", "1"},
		}
		for _, s := range steps {
			_, err := conn.ExecContext(ctx, s.exec)
			require.NoError(t, err, s.exec)
			var got string
			err = conn.QueryRowContext(ctx, s.query).Scan(&got)
			if errors.Is(err, driver.ErrUnsupported) {
				continue
			}
			require.NoError(t, err, s.query)
			assert.Equal(t, s.want, got, "%s after %s", s.query, s.exec)
		}
	})

	t.Run("statements that keep a write out of the replicas", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		for _, q := range []string{"SET sql_log_bin = 0", "SET SESSION sql_log_bin = OFF", "SET @@sql_log_bin = 0", "SET @@session.sql_log_bin = 0", "SET sql_log_bin = FALSE", "/*!40101 SET sql_log_bin = 0 */", "SET gtid_seq_no = 1", "SET STATEMENT sql_log_bin = 0 FOR INSERT INTO t_rw (id, user_id, note) VALUES (900, 900, 'nolog')"} {
			_, err := conn.ExecContext(ctx, q)
			if err == nil {
				// Accepted: the write must still reach the replicas.
				_, err = conn.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (900, 900, 'nolog')")
				require.NoError(t, err)
				require.NoError(t, cluster.Replicas[0].StartReplication())
				var n int
				require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 900").Scan(&n))
				require.NoError(t, cluster.Sync(ctx))
				require.NoError(t, cluster.Replicas[0].StopReplication())
				time.Sleep(150 * time.Millisecond)
				var onReplica int
				rdb := direct(t, cluster.Replicas[0])
				for _, tb := range []string{"a8r0.t_rw_0", "a8r0.t_rw_1", "a8r1.t_rw_0", "a8r1.t_rw_1"} {
					var k int
					require.NoError(t, rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tb+" WHERE user_id = 900").Scan(&k))
					onReplica += k
				}
				assert.Equal(t, 1, onReplica, "%s: a row written outside the binary log never reaches the replica that later reads of it use", q)
				t.Fatalf("%s accepted", q)
			}
			require.ErrorIs(t, err, driver.ErrUnsupported, q)
		}
	})

	t.Run("wait bound passed", func(t *testing.T) {
		waiting := openDB(t, topology(t), fast, driver.WithReplicaWait(30*time.Millisecond))
		_, err := waiting.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (700, 700, 'w')")
		require.NoError(t, err)
		var trace []driver.ReadServer
		var n int
		require.NoError(t, waiting.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 700").Scan(&n))
		assert.Equal(t, 1, n, "read past the wait bound: %+v", trace)
	})

	t.Run("writes on another Conn and tokens across DBs", func(t *testing.T) {
		a, err := db.Conn(ctx)
		require.NoError(t, err)
		defer a.Close()
		b, err := db.Conn(ctx)
		require.NoError(t, err)
		defer b.Close()
		_, err = a.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (701, 701, 'a')")
		require.NoError(t, err)
		var n int
		require.NoError(t, b.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 701").Scan(&n))
		assert.Equal(t, 1, n, "a read on another Conn missed the write")
		token, err := driver.WriteToken(ctx, db)
		require.NoError(t, err)
		other := openDB(t, topology(t), fast, driver.WithoutReadYourWrites())
		after, err := driver.ReadAfter(ctx, token)
		require.NoError(t, err)
		require.NoError(t, other.QueryRowContext(after, "SELECT COUNT(*) FROM t_rw WHERE user_id = 701").Scan(&n))
		assert.Equal(t, 1, n, "a read with a token missed the write")
		// A write on the DB without read-your-writes, and its token.
		_, err = other.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (702, 702, 'o')")
		require.NoError(t, err)
		token, err = driver.WriteToken(ctx, other)
		require.NoError(t, err)
		after, err = driver.ReadAfter(ctx, token)
		require.NoError(t, err)
		require.NoError(t, db.QueryRowContext(after, "SELECT COUNT(*) FROM t_rw WHERE user_id = 702").Scan(&n))
		assert.Equal(t, 1, n, "a read with a token of a DB without read-your-writes missed the write")
	})
}
