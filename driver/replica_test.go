package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The replica tests run on one MariaDB primary with two GTID replicas,
// started once: data sources ds0 and ds1 are databases app0 and app1 of
// the primary, and each has both replicas' copies of its database as
// replicas. The subtests run in order and leave replication running
// without delay.
func TestReplicas(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 2, shardtest.ReplicaOptions{})
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"app0", "app1"} {
		_, err := primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(ctx))

	topology := func(t *testing.T) *shard.Topology {
		topo := shard.NewTopology()
		for i := 0; i < 2; i++ {
			ds := fmt.Sprintf("ds%d", i)
			require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("app%d", i))))
			for _, r := range cluster.Replicas {
				require.NoError(t, topo.AddReplica(ds, withDB(t, r, fmt.Sprintf("app%d", i))))
			}
		}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
		return topo
	}
	fast := driver.WithReplicaProbeInterval(50 * time.Millisecond)
	db := openDB(t, topology(t), fast)
	_, err := db.ExecContext(ctx, "CREATE TABLE t_rw (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(20))")
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'x')", i, i)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(ctx))

	t.Run("warm", func(t *testing.T) {
		// Warm opens the replicas' pools too (reads go there), and
		// Replicas reports each replica's pool.
		wdb := openDB(t, topology(t), driver.WithMaxIdleConns(3))
		require.NoError(t, driver.Warm(ctx, wdb, 8))
		st, err := driver.Replicas(ctx, wdb)
		require.NoError(t, err)
		require.Len(t, st, 4)
		for _, r := range st {
			assert.Equal(t, 3, r.Pool.Idle, "replica %s warmed to WithMaxIdleConns", r.Name)
		}
		cs, err := driver.Stats(ctx, wdb)
		require.NoError(t, err)
		assert.Equal(t, 3, cs.DataSources["ds0"].Idle)
	})
	t.Run("reads", func(t *testing.T) { testReplicaReads(t, cluster, db) })
	t.Run("read-your-writes", func(t *testing.T) { testReadYourWrites(t, cluster, db, topology(t)) })
	t.Run("read after key move", func(t *testing.T) { testReadAfterKeyMove(t, cluster, db) })
	t.Run("point reads inside Raw", func(t *testing.T) { testReplicaPointReads(t, cluster, topology) }) // replica_point_test.go
	t.Run("lag", func(t *testing.T) {
		testReplicaLag(t, cluster, openDB(t, topology(t), fast, driver.WithMaxReplicaLag(time.Second)))
	})
	t.Run("killed", func(t *testing.T) { testReplicaKilled(t, cluster, openDB(t, topology(t), fast)) })
	t.Run("stopped mid-read", func(t *testing.T) {
		testReplicaStoppedMidRead(t, cluster, openDB(t, topology(t), fast)) // replica_first_row_test.go
	})
	t.Run("cut before first row", func(t *testing.T) { testReplicaCutBeforeFirstRow(t, cluster) })
	t.Run("query killed before first row", func(t *testing.T) {
		testReplicaQueryKilledBeforeFirstRow(t, cluster, openDB(t, topology(t), fast))
	})
	t.Run("round 12 faults", func(t *testing.T) { testAttack12Replicas(t, cluster) }) // attack12_replica_test.go
}

// withDB returns s's DSN for database name.
func withDB(t *testing.T, s *shardtest.Server, name string) string {
	cfg, err := mysql.ParseDSN(s.DSN())
	require.NoError(t, err)
	cfg.DBName = name
	return cfg.FormatDSN()
}

// comSelects returns each server's Com_select: primary first.
func comSelects(t *testing.T, c *shardtest.Replicated) []int64 {
	var out []int64
	for _, s := range append([]*shardtest.Server{c.Primary}, c.Replicas...) {
		n, err := s.ComSelect()
		require.NoError(t, err)
		out = append(out, n)
	}
	return out
}

// readCount reads the rows of user u through db, recording the servers.
func readCount(ctx context.Context, t *testing.T, db *sql.DB, u int, trace *[]driver.ReadServer) int {
	var n int
	require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = ?", u).Scan(&n))
	return n
}

func testReplicaReads(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	time.Sleep(150 * time.Millisecond) // a probe has read the replicas' positions since the inserts

	// Reads with no recent write land on replicas, spread over both: the
	// primary runs none of them (its Com_select does not move; the
	// replicas' counts include the probe's reads of their positions).
	before := comSelects(t, cluster)
	served := map[string]int{}
	const reads = 200
	for i := 0; i < reads; i++ {
		var trace []driver.ReadServer
		require.Equal(t, 1, readCount(ctx, t, db, i%20, &trace))
		require.Len(t, trace, 1)
		require.True(t, trace[0].Replica, "read %d went to %+v", i, trace[0])
		served[trace[0].Server]++
	}
	after := comSelects(t, cluster)
	assert.Equal(t, int64(0), after[0]-before[0], "reads reached the primary")
	assert.GreaterOrEqual(t, after[1]-before[1]+after[2]-before[2], int64(reads))
	assert.Len(t, served, 4, "both replicas of both data sources: %v", served)
	for name, n := range served {
		assert.InDelta(t, reads/4, n, reads/8, "round robin: %s served %d", name, n)
	}

	// A scatter reads every data source from a replica.
	var trace []driver.ReadServer
	var total int
	require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw").Scan(&total))
	assert.Equal(t, 20, total)
	require.Len(t, trace, 2)
	for _, s := range trace {
		assert.True(t, s.Replica, "%+v", s)
	}

	// Locking reads, transactions, WithPrimary, session-dependent reads and
	// a *sql.Conn that wrote go to the primary.
	primaryOnly := func(what string, q func(ctx context.Context) error) {
		t.Helper()
		before := comSelects(t, cluster)
		trace = []driver.ReadServer{{Server: "unset"}}
		require.NoError(t, q(driver.WithReadTrace(ctx, &trace)), what)
		after := comSelects(t, cluster)
		for _, s := range trace {
			assert.False(t, s.Replica, "%s: %+v", what, s)
		}
		assert.Greater(t, after[0], before[0], "%s: the primary ran no SELECT", what)
	}
	primaryOnly("FOR UPDATE", func(ctx context.Context) error {
		_, err := db.QueryContext(ctx, "SELECT * FROM t_rw WHERE user_id = 3 FOR UPDATE")
		return err
	})
	primaryOnly("LOCK IN SHARE MODE", func(ctx context.Context) error {
		return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw LOCK IN SHARE MODE").Scan(&total)
	})
	primaryOnly("transaction", func(ctx context.Context) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 3").Scan(&total)
	})
	primaryOnly("WithPrimary", func(ctx context.Context) error {
		return db.QueryRowContext(driver.WithPrimary(ctx), "SELECT COUNT(*) FROM t_rw WHERE user_id = 3").Scan(&total)
	})
	primaryOnly("user variable", func(ctx context.Context) error {
		return db.QueryRowContext(ctx, "SELECT COUNT(*), @nothing FROM t_rw WHERE user_id = 3").Scan(&total, new(sql.NullString))
	})
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.Equal(t, 1, func() int {
		var n int
		require.NoError(t, conn.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 4").Scan(&n))
		return n
	}())
	require.True(t, trace[0].Replica, "a *sql.Conn that has not written reads from a replica")
	// FOUND_ROWS() answers for a SELECT on its session: after one that a
	// replica answered, no primary session can, and shardsql refuses.
	err = conn.QueryRowContext(ctx, "SELECT FOUND_ROWS()").Scan(&total)
	require.ErrorIs(t, err, route.ErrUnsupported)
	require.Contains(t, err.Error(), "replica answered")
	_, err = conn.ExecContext(ctx, "UPDATE t_rw SET note = 'y' WHERE user_id = 4")
	require.NoError(t, err)
	primaryOnly("*sql.Conn that wrote", func(ctx context.Context) error {
		return conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 4 AND note = 'y'").Scan(&total)
	})

	// A replica's answer that the statement failed (here: a table only the
	// primary has, created outside the binary log) is retried on the
	// primary, whose answer is the truth; the replica stays in service.
	pconn, err := direct(t, cluster.Primary).Conn(ctx)
	require.NoError(t, err)
	defer pconn.Close()
	for _, q := range []string{"SET sql_log_bin = 0", "CREATE TABLE app0.t_primary_only (a INT)", "INSERT INTO app0.t_primary_only VALUES (7)", "SET sql_log_bin = 1"} {
		_, err := pconn.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	var a int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT a FROM t_primary_only").Scan(&a))
	require.Equal(t, 7, a)
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		require.False(t, s.Ejected, "%+v", s)
	}

	// ExplainRead names the server.
	out, err := driver.ExplainRead(ctx, db, "SELECT * FROM t_rw WHERE user_id = ?", 5)
	require.NoError(t, err)
	assert.Regexp(t, `reads:\n  ds[01] → replica ds[01]/r[12]`, out)
	out, err = driver.ExplainRead(ctx, db, "SELECT * FROM t_rw WHERE user_id = ? FOR UPDATE", 5)
	require.NoError(t, err)
	assert.Contains(t, out, "→ primary (a locking read")
}

func testReadYourWrites(t *testing.T, cluster *shardtest.Replicated, db *sql.DB, topo *shard.Topology) {
	ctx := context.Background()
	for _, r := range cluster.Replicas {
		require.NoError(t, r.SetReplicationDelay(time.Second))
	}
	defer func() {
		for _, r := range cluster.Replicas {
			require.NoError(t, r.SetReplicationDelay(0))
		}
		require.NoError(t, cluster.Sync(ctx))
	}()
	time.Sleep(100 * time.Millisecond)

	// Write-then-read pairs with replicas a second behind: zero stale reads.
	onReplica, onPrimary := 0, 0
	const pairs = 300
	for i := 0; i < pairs; i++ {
		id := 1000 + i
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'ryw')", id, id)
		require.NoError(t, err)
		var trace []driver.ReadServer
		require.Equal(t, 1, readCount(ctx, t, db, id, &trace), "stale read after write %d (from %+v)", i, trace)
		if trace[0].Replica {
			onReplica++
		} else {
			onPrimary++
		}
	}
	t.Logf("read-your-writes under 1s lag: %d of %d reads on replicas, %d on the primary", onReplica, pairs, onPrimary)
	assert.Greater(t, onPrimary, pairs/2, "replicas a second behind cannot serve reads right after writes")

	// A committed transaction's writes too.
	for i := 0; i < 20; i++ {
		id := 2000 + i
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'tx')", id, id)
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		require.Equal(t, 1, readCount(ctx, t, db, id, new([]driver.ReadServer)), "stale read after commit %d", i)
	}

	// WithReplicaWait: the read waits for a replica to apply the write
	// (MASTER_GTID_WAIT) rather than going to the primary.
	waiting := openDB(t, topo, driver.WithReplicaWait(3*time.Second))
	_, err := waiting.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (3000, 3000, 'wait')")
	require.NoError(t, err)
	begin := time.Now()
	var waited []driver.ReadServer
	require.Equal(t, 1, readCount(ctx, t, waiting, 3000, &waited))
	require.True(t, waited[0].Replica, "%+v", waited[0])
	// No bound on the time: on a loaded machine the replica may have
	// caught up before the read began. The row read from a replica a
	// second behind is the proof.
	t.Logf("read on a replica a second behind after %v", time.Since(begin))

	// A token carries the position to a connector that never saw the
	// write: without it, its read is stale; with it, not.
	other := openDB(t, topo)
	_, err = db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (5000, 5000, 'token')")
	require.NoError(t, err)
	token, err := driver.WriteToken(ctx, db)
	require.NoError(t, err)
	var trace []driver.ReadServer
	require.Equal(t, 0, readCount(ctx, t, other, 5000, &trace), "without the token a replica a second behind answers: the test shows nothing")
	require.True(t, trace[0].Replica)
	after, err := driver.ReadAfter(ctx, token)
	require.NoError(t, err)
	require.Equal(t, 1, readCount(after, t, other, 5000, &trace), "stale read with a token")
	require.False(t, trace[0].Replica)
	// Once the replicas have applied it, the token lets them serve.
	require.NoError(t, cluster.Sync(ctx))
	require.Equal(t, 1, readCount(after, t, other, 5000, &trace))
	require.True(t, trace[0].Replica, "a replica that applied the token's writes serves: %+v", trace[0])
	_, err = driver.ReadAfter(ctx, "garbage")
	require.Error(t, err)
}

func testReplicaLag(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	lagging := cluster.Replicas[0]
	require.NoError(t, lagging.StopReplication())
	restarted := false
	defer func() {
		if !restarted {
			_ = lagging.StartReplication()
		}
	}()
	// The stopped replica's lag is unknown (NULL): the probe takes it out.
	waitStatus(t, db, func(st []driver.ReplicaStatus) bool {
		for _, s := range st {
			if strings.HasSuffix(s.Name, "/r1") && !s.Lagging {
				return false
			}
		}
		return true
	})
	for i := 0; i < 40; i++ {
		var trace []driver.ReadServer
		readCount(ctx, t, db, i%20, &trace)
		require.True(t, trace[0].Replica, "%+v", trace[0])
		require.True(t, strings.HasSuffix(trace[0].Server, "/r2"), "read on the stopped replica: %+v", trace[0])
	}
	require.NoError(t, lagging.StartReplication())
	restarted = true
	require.NoError(t, cluster.Sync(ctx))
	waitStatus(t, db, func(st []driver.ReplicaStatus) bool {
		for _, s := range st {
			if s.Lagging {
				return false
			}
		}
		return true
	})
	seen := map[string]bool{}
	for i := 0; i < 8; i++ {
		var trace []driver.ReadServer
		readCount(ctx, t, db, i, &trace)
		seen[trace[0].Server] = true
	}
	assert.True(t, seen["ds0/r1"] || seen["ds1/r1"], "the replica was not re-admitted: %v", seen)
}

func testReplicaKilled(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	// Warm both replicas' pools, so the killed one has idle connections.
	for i := 0; i < 8; i++ {
		readCount(ctx, t, db, i, new([]driver.ReadServer))
	}
	victim := cluster.Replicas[0]
	require.NoError(t, victim.Kill())
	started := false
	defer func() {
		if !started {
			_ = victim.Start()
		}
	}()
	// No read fails; at most one per data source is slow (the one that
	// finds the replica gone and is retried).
	slow := 0
	for i := 0; i < 100; i++ {
		begin := time.Now()
		var trace []driver.ReadServer
		require.Equal(t, 1, readCount(ctx, t, db, i%20, &trace), "read %d", i)
		if time.Since(begin) > 100*time.Millisecond {
			slow++
		}
		require.False(t, strings.HasSuffix(trace[0].Server, "/r1") && i > 10, "read %d went to the killed replica", i)
	}
	assert.LessOrEqual(t, slow, 2)
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		if strings.HasSuffix(s.Name, "/r1") {
			assert.True(t, s.Ejected, "%+v", s)
			assert.Error(t, s.Err)
		}
	}
	// Back up, it is probed and re-admitted.
	require.NoError(t, victim.Start())
	started = true
	require.NoError(t, cluster.Sync(ctx))
	waitStatus(t, db, func(st []driver.ReplicaStatus) bool {
		for _, s := range st {
			if s.Ejected {
				return false
			}
		}
		return true
	})
	seen := map[string]bool{}
	for i := 0; i < 8; i++ {
		var trace []driver.ReadServer
		readCount(ctx, t, db, i, &trace)
		seen[trace[0].Server] = true
	}
	assert.True(t, seen["ds0/r1"] || seen["ds1/r1"], "the replica was not re-admitted: %v", seen)
}

// waitStatus polls driver.Replicas until ok holds, for at most 5 seconds.
func waitStatus(t *testing.T, db *sql.DB, ok func([]driver.ReplicaStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := driver.Replicas(context.Background(), db)
		require.NoError(t, err)
		if ok(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica status not reached: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
