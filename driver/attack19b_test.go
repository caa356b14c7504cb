package driver_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestAttack19bReplicas: read/write splitting attacked again (review19b),
// on r19bEnv (attack19b_probe_test.go: the one replica's replication is
// stopped, so whatever it answers after a write is stale, and a statement
// it runs changes only its copy).
func TestAttack19bReplicas(t *testing.T) {
	e := newR19bEnv(t)
	ctx := context.Background()
	_, err := e.db.ExecContext(ctx, "CREATE SEQUENCE s19 NOCACHE")
	require.NoError(t, err)
	require.NoError(t, e.cluster.Sync(ctx))

	t.Run("the source check on a saturated primary", func(t *testing.T) {
		// The source check reads the primary when the replica has
		// applied more than the connector knows the primary reached (a
		// write made around it). Waiting for a connection of a primary
		// pool whose one connection a *sql.Conn holds, it ran out the
		// probe's interval, and the lag read after it failed: under a
		// lag bound the replicas counted as lagging.
		p := openDB(t, e.topo(t), driver.WithReplicaProbeInterval(50*time.Millisecond), driver.WithMaxOpenConns(1), driver.WithMaxReplicaLag(time.Minute))
		conn, err := p.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.ExecContext(ctx, "SET @h19 = 1") // pins each data source's one primary connection
		require.NoError(t, err)
		_, err = e.primary.ExecContext(ctx, "INSERT INTO a19r0.p19 (v) VALUES (9)") // around shardsql
		require.NoError(t, err)
		require.NoError(t, e.cluster.Sync(ctx))
		time.Sleep(300 * time.Millisecond) // probes
		st, err := driver.Replicas(ctx, p)
		require.NoError(t, err)
		for _, r := range st {
			assert.False(t, r.Lagging || r.Ejected, "%+v", r)
		}
		var trace []driver.ReadServer
		var n int
		require.NoError(t, p.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM p19").Scan(&n))
		assert.Equal(t, 3, n)
		assert.True(t, len(trace) == 1 && trace[0].Replica, "%+v", trace)
	})

	e.stop(t)

	t.Run("RETURNING write across nodes, then a read", func(t *testing.T) {
		// The multi-node RETURNING path recorded no primary position:
		// the read after it went to the stale replica.
		for _, q := range []string{
			"INSERT INTO t19 (id, user_id, v) VALUES (201, 1, 0), (202, 2, 0), (203, 3, 0) RETURNING id",
			"DELETE FROM t19 WHERE id > 200 RETURNING id",
		} {
			rows, err := e.db.QueryContext(ctx, q)
			require.NoError(t, err, q)
			for rows.Next() {
			}
			require.NoError(t, rows.Close())
			e.readCount(t, e.db, q)
		}
		// In a transaction whose only write is the RETURNING one.
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		rows, err := tx.QueryContext(ctx, "INSERT INTO t19 (id, user_id, v) VALUES (211, 1, 0), (212, 2, 0) RETURNING id")
		require.NoError(t, err)
		for rows.Next() {
		}
		require.NoError(t, rows.Close())
		require.NoError(t, tx.Commit())
		e.readCount(t, e.db, "a transaction whose write was INSERT … RETURNING across nodes")
	})

	// Without read-your-writes a replica serves any plain read whatever
	// its position: what only the primary may run must still go there.
	norw := openDB(t, e.topo(t), driver.WithReplicaProbeInterval(50*time.Millisecond), driver.WithoutReadYourWrites())

	t.Run("a Conn's RETURNING write across nodes, without read-your-writes", func(t *testing.T) {
		// A *sql.Conn that wrote reads from the primary until it is
		// closed, read-your-writes or not: the multi-node RETURNING path
		// did not mark the Conn as having written either.
		conn, err := norw.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		rows, err := conn.QueryContext(ctx, "INSERT INTO t19 (id, user_id, v) VALUES (221, 1, 0), (222, 2, 0) RETURNING id")
		require.NoError(t, err)
		for rows.Next() {
		}
		require.NoError(t, rows.Close())
		var n int
		var trace []driver.ReadServer
		require.NoError(t, conn.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t19").Scan(&n))
		assert.Equal(t, e.count19(t), n, "the Conn's read after its write (read from %+v)", trace)
	})

	t.Run("executable comments hide what only a primary may run", func(t *testing.T) {
		next := func() int64 {
			var n int64
			require.NoError(t, e.primary.QueryRowContext(ctx, "SELECT next_not_cached_value FROM a19r0.s19").Scan(&n))
			return n
		}
		var trace []driver.ReadServer
		var id, v int64
		for i := 0; i < 2; i++ { // the second from the plan cache
			before := next()
			trace = nil
			require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT id /*M! , NEXTVAL(s19) */ FROM p19 WHERE id = 1").Scan(&id, &v))
			assert.Equal(t, before+1, next(), "NEXTVAL in a /*M! */ comment did not advance the primary's sequence (ran on %+v)", trace)
		}
		for _, q := range []string{
			"SELECT id FROM p19 WHERE id = 1 /*M! FOR UPDATE */",
			"SELECT id FROM p19 WHERE id = 1 /*M!100000 LOCK IN SHARE MODE */",
		} {
			trace = nil
			require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&id), q)
			onPrimary(t, trace, q)
		}
	})

	t.Run("UUID_SHORT is the primary's counter", func(t *testing.T) {
		var want, got int64
		require.NoError(t, e.primary.QueryRowContext(ctx, "SELECT @@GLOBAL.server_id").Scan(&want))
		for _, q := range []string{"SELECT UUID_SHORT() >> 56", "SELECT UUID_SHORT() >> 56 FROM p19 WHERE id = 1"} {
			var trace []driver.ReadServer
			require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&got), q)
			assert.Equal(t, want, got, "%s: the server_id of %+v", q, trace)
		}
	})

	t.Run("LOAD_FILE reads the primary's file", func(t *testing.T) {
		var dir string
		require.NoError(t, e.primary.QueryRowContext(ctx, "SELECT @@datadir").Scan(&dir))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a19b.txt"), []byte("on the primary"), 0o644))
		var trace []driver.ReadServer
		var got sql.NullString
		require.NoError(t, norw.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT LOAD_FILE('a19b.txt') FROM p19 WHERE id = 1").Scan(&got))
		assert.Equal(t, "on the primary", got.String, "LOAD_FILE answered by %+v", trace)
	})

	t.Run("replica of another primary", func(t *testing.T) {
		// Q is a server of its own (binary log on, as a primary's) that
		// holds ds0's database with other rows; the replica named as
		// its replica follows the cluster's primary, whose domain 0 has
		// gone further than Q's.
		q, err := shardtest.StartMariaDBArgs("app", "--log-bin=q-bin", "--server-id=7")
		require.NoError(t, err)
		t.Cleanup(func() { _ = q.Close() })
		qdb := direct(t, q)
		for _, s := range []string{
			"CREATE DATABASE a19r0",
			"CREATE TABLE a19r0.p19 (id BIGINT PRIMARY KEY AUTO_INCREMENT, v INT NOT NULL)",
			"INSERT INTO a19r0.p19 (v) VALUES (70), (71)",
		} {
			_, err := qdb.ExecContext(ctx, s)
			require.NoError(t, err, s)
		}
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", withDB(t, q, "a19r0")))
		require.NoError(t, topo.AddReplica("ds0", withDB(t, e.cluster.Replicas[0], "a19r0")))
		wrong := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
		var trace []driver.ReadServer
		var v int
		require.NoError(t, wrong.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT v FROM p19 WHERE id = 1").Scan(&v))
		assert.Equal(t, 70, v, "the primary's row; read from %+v", trace)
		st, err := driver.Replicas(ctx, wrong)
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.True(t, st[0].Ejected, "%+v", st[0])
		if st[0].Err != nil {
			assert.Contains(t, st[0].Err.Error(), "beyond its primary's binary log")
		}
	})

	t.Run("replica with a smaller max_allowed_packet", func(t *testing.T) {
		rdirect := direct(t, e.cluster.Replicas[0])
		_, err := rdirect.ExecContext(ctx, "SET GLOBAL max_allowed_packet = 4096")
		require.NoError(t, err)
		defer func() { _, _ = rdirect.ExecContext(ctx, "SET GLOBAL max_allowed_packet = DEFAULT") }()
		small := openDB(t, e.topo(t), driver.WithReplicaProbeInterval(50*time.Millisecond), driver.WithoutReadYourWrites())
		var trace []driver.ReadServer
		var n sql.NullInt64
		require.NoError(t, small.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT LENGTH(REPEAT('a', 10000)) FROM p19 WHERE id = 1").Scan(&n))
		assert.Equal(t, sql.NullInt64{Int64: 10000, Valid: true}, n, "read from %+v", trace)
	})

	t.Run("replica at another isolation level", func(t *testing.T) {
		// A transaction the replica is still applying (here one opened on
		// it directly, its SQL thread being stopped) is invisible to a
		// primary's REPEATABLE READ session; a replica whose server runs
		// READ-UNCOMMITTED counted its rows.
		rdirect := direct(t, e.cluster.Replicas[0])
		_, err := rdirect.ExecContext(ctx, "SET GLOBAL tx_isolation = 'READ-UNCOMMITTED'")
		require.NoError(t, err)
		defer func() { _, _ = rdirect.ExecContext(ctx, "SET GLOBAL tx_isolation = DEFAULT") }()
		applying, err := rdirect.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = applying.Rollback() }()
		_, err = applying.ExecContext(ctx, "INSERT INTO a19r0.p19 (v) VALUES (99)")
		require.NoError(t, err)
		var want int
		require.NoError(t, e.primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM a19r0.p19").Scan(&want))
		iso := openDB(t, e.topo(t), driver.WithReplicaProbeInterval(50*time.Millisecond), driver.WithoutReadYourWrites())
		var trace []driver.ReadServer
		var n int
		require.NoError(t, iso.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM p19").Scan(&n))
		assert.Equal(t, want, n, "read from %+v", trace)
		st, err := driver.Replicas(ctx, iso)
		require.NoError(t, err)
		for _, r := range st {
			if assert.Error(t, r.Err, r.Name) {
				assert.Contains(t, r.Err.Error(), "tx_isolation")
			}
		}
	})
}

// onPrimary asserts no replica answered.
func onPrimary(t *testing.T, trace []driver.ReadServer, what string) {
	t.Helper()
	require.NotEmpty(t, trace, what)
	for _, s := range trace {
		assert.False(t, s.Replica, "%s ran on a replica: %+v", what, s)
	}
}

// readCount reads t19's row count through db and compares it with the
// primary's.
func (e *r19bEnv) readCount(t *testing.T, db *sql.DB, what string) {
	t.Helper()
	var n int
	var trace []driver.ReadServer
	require.NoError(t, db.QueryRowContext(driver.WithReadTrace(context.Background(), &trace), "SELECT COUNT(*) FROM t19").Scan(&n))
	assert.Equal(t, e.count19(t), n, "%s: the read after it missed it (read from %+v)", what, trace)
}
