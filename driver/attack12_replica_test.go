package driver_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// testAttack12Replicas attacks read/write splitting under faults (round
// 12): replication stopped and started under read-your-writes, lag before
// the first probe, replicas whose few connections are all busy, a replica
// set back to an older copy, a stall under a lag bound, small pools under
// concurrency, tokens never received. It runs in TestReplicas on its
// cluster: data source ds0 is database a12 of the primary, with the first
// replica's copy as its only replica (ds0/r1).
func testAttack12Replicas(t *testing.T, cluster *shardtest.Replicated) {
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	_, err := primary.ExecContext(ctx, "CREATE DATABASE a12")
	require.NoError(t, err)
	topology := func(t *testing.T) *shard.Topology {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", withDB(t, cluster.Primary, "a12")))
		require.NoError(t, topo.AddReplica("ds0", withDB(t, cluster.Replicas[0], "a12")))
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds0.t_rw_${0..1}", Algorithm: shard.Hash()}))
		return topo
	}
	fast := driver.WithReplicaProbeInterval(50 * time.Millisecond)
	db := openDB(t, topology(t), fast)
	_, err = db.ExecContext(ctx, "CREATE TABLE t_rw (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(20))")
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'x')", i, i)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(ctx))
	nextID := 100

	t.Run("replication stopped and started under read-your-writes", func(t *testing.T) {
		rep := cluster.Replicas[0]
		rdb := direct(t, rep)
		defer func() { _, _ = rdb.ExecContext(ctx, "START SLAVE") }()
		steps := []string{"STOP SLAVE SQL_THREAD", "START SLAVE", "STOP SLAVE IO_THREAD", "START SLAVE IO_THREAD",
			"STOP SLAVE", "START SLAVE"}
		onReplica := 0
		for i := 0; i < 30; i++ {
			if i%5 == 0 {
				_, err := rdb.ExecContext(ctx, steps[(i/5)%len(steps)])
				require.NoError(t, err)
			}
			nextID++
			_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 7, 'y')", nextID)
			require.NoError(t, err)
			var n int
			var trace []driver.ReadServer
			require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 7 AND id = ?", nextID).Scan(&n))
			require.Equal(t, 1, n, "step %d: the read after the write missed it (read from %+v)", i, trace)
			if trace[0].Replica {
				onReplica++
			}
		}
		t.Logf("%d of 30 reads on the replica", onReplica)
		require.NoError(t, cluster.Sync(ctx))
	})

	t.Run("lag bound before the first probe", func(t *testing.T) {
		// The replica is stopped and a row is written around shardsql: the
		// replica's lag is unknown (NULL) and its copy stale. A connector
		// with a lag bound whose probe has not run yet must not let it
		// answer.
		rep := cluster.Replicas[0]
		require.NoError(t, rep.StopReplication())
		defer func() { _ = rep.StartReplication() }()
		nextID++
		_, err := primary.ExecContext(ctx, "INSERT INTO a12.t_rw_1 (id, user_id, note) VALUES (?, 0, 'z')", nextID)
		require.NoError(t, err)
		_, err = primary.ExecContext(ctx, "INSERT INTO a12.t_rw_0 (id, user_id, note) VALUES (?, 0, 'z')", nextID+1)
		require.NoError(t, err)
		nextID++
		var want int
		require.NoError(t, primary.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM a12.t_rw_0) + (SELECT COUNT(*) FROM a12.t_rw_1)").Scan(&want))
		fresh := openDB(t, topology(t), driver.WithMaxReplicaLag(time.Second), driver.WithReplicaProbeInterval(time.Hour))
		var n int
		var trace []driver.ReadServer
		require.NoError(t, fresh.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw").Scan(&n))
		assert.Equal(t, want, n, "a replica whose lag no probe has read answered (read from %+v)", trace)
		require.NoError(t, rep.StartReplication())
		require.NoError(t, cluster.Sync(ctx))
	})

	t.Run("busy replica pool", func(t *testing.T) {
		// Two connections per pool. A scan on the replica holds both while
		// its rows stay open; a write, then a read that must see it: the
		// replica's position cannot be read now (no connection), so the
		// primary answers at once, and the probe does not eject the
		// replica for being busy.
		small := openDB(t, topology(t), fast, driver.WithMaxOpenConns(2))
		// A first write loads the catalog, before the rows hold
		// connections (the load is bounded by 2 s, which a loaded
		// machine under -race has exceeded).
		nextID++
		_, err := small.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 8, 'warm')", nextID)
		require.NoError(t, err)
		require.NoError(t, cluster.Sync(ctx))
		// Let the probe read the replica's position first, so the scan
		// is the replica's.
		time.Sleep(150 * time.Millisecond)
		rows := replicaScan(ctx, t, small)
		defer rows.Close()
		// A read the replica could answer finds its connections held by
		// the scan: the primary answers, and the trace says why.
		var trace []driver.ReadServer
		var warm int
		require.NoError(t, small.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 8").Scan(&warm))
		assert.Positive(t, warm)
		require.Len(t, trace, 1)
		assert.False(t, trace[0].Replica, "%+v", trace)
		assert.Equal(t, "the replica's connections were all in use", trace[0].Reason)
		nextID++
		_, err = small.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 3, 'w')", nextID)
		require.NoError(t, err)
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		begin := time.Now()
		var n int
		err = small.QueryRowContext(driver.WithReadTrace(rctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 3 AND id = ?", nextID).Scan(&n)
		require.NoError(t, err, "the read waited for the busy replica's pool")
		assert.Equal(t, 1, n)
		assert.Less(t, time.Since(begin), time.Second)
		time.Sleep(200 * time.Millisecond) // four probes
		st, err := driver.Replicas(ctx, small)
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.False(t, st[0].Ejected, "the probe ejected a replica whose connections were busy: %v", st[0].Err)
		for rows.Next() {
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	})

	t.Run("busy replica pool with a wait", func(t *testing.T) {
		// The same with WithReplicaWait: MASTER_GTID_WAIT needs a
		// connection as well.
		small := openDB(t, topology(t), fast, driver.WithMaxOpenConns(2), driver.WithReplicaWait(2*time.Second))
		// A first write loads the catalog, before the rows hold
		// connections (the load is bounded by 2 s, which a loaded
		// machine under -race has exceeded).
		nextID++
		_, err := small.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 8, 'warm')", nextID)
		require.NoError(t, err)
		require.NoError(t, cluster.Sync(ctx))
		time.Sleep(150 * time.Millisecond)
		rows := replicaScan(ctx, t, small)
		defer rows.Close()
		var trace []driver.ReadServer
		nextID++
		_, err = small.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 4, 'w')", nextID)
		require.NoError(t, err)
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		begin := time.Now()
		var n int
		err = small.QueryRowContext(driver.WithReadTrace(rctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 4 AND id = ?", nextID).Scan(&n)
		require.NoError(t, err, "the read waited for the busy replica's pool")
		assert.Equal(t, 1, n)
		assert.Less(t, time.Since(begin), time.Second)
		require.NoError(t, rows.Close())
	})

	t.Run("replica set back to an older copy", func(t *testing.T) {
		// The replica is replaced by an older copy on the same address:
		// the copy lacks the last write and says so in its position. The
		// position shardsql cached before must not let it answer a read
		// that must see that write.
		rep := cluster.Replicas[0]
		rdb := direct(t, rep)
		var before string
		require.NoError(t, primary.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&before))
		nextID++
		id := nextID
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 5, 'old')", id)
		require.NoError(t, err)
		require.NoError(t, cluster.Sync(ctx))
		time.Sleep(150 * time.Millisecond) // the probe caches the position with the write
		var trace []driver.ReadServer
		var n int
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 5 AND id = ?", id).Scan(&n))
		require.Equal(t, 1, n)
		require.True(t, trace[0].Replica, "%+v", trace)
		// The older copy: without the row, at the position before it.
		for _, q := range []string{"STOP SLAVE", "DELETE FROM a12.t_rw_0 WHERE id = " + itoa(id), "DELETE FROM a12.t_rw_1 WHERE id = " + itoa(id),
			"SET GLOBAL gtid_slave_pos = '" + before + "'"} {
			_, err := rdb.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		defer func() { _, _ = rdb.ExecContext(ctx, "START SLAVE") }()
		time.Sleep(200 * time.Millisecond) // probes read the copy's position
		for i := 0; i < 5; i++ {
			require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 5 AND id = ?", id).Scan(&n))
			require.Equal(t, 1, n, "the older copy answered a read that must see the write (read from %+v)", trace)
		}
		_, err = rdb.ExecContext(ctx, "START SLAVE")
		require.NoError(t, err)
		require.NoError(t, cluster.Sync(ctx))
	})

	t.Run("replica stalled by a global read lock under a lag bound", func(t *testing.T) {
		// FLUSH TABLES WITH READ LOCK on the replica stalls its SQL
		// thread; writes made around shardsql (no read-your-writes) are
		// only kept from readers by the lag bound. Reads during the stall
		// and the catching up must never be more than the bound behind.
		bounded := openDB(t, topology(t), fast, driver.WithMaxReplicaLag(time.Second))
		lockConn, err := direct(t, cluster.Replicas[0]).Conn(ctx)
		require.NoError(t, err)
		defer lockConn.Close()
		_, err = lockConn.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK")
		require.NoError(t, err)
		locked := true
		defer func() {
			if locked {
				_, _ = lockConn.ExecContext(ctx, "UNLOCK TABLES")
			}
		}()
		nextID++
		stallID := nextID
		_, err = primary.ExecContext(ctx, "INSERT INTO a12.t_rw_0 (id, user_id, note) VALUES (?, 6, 's')", stallID)
		require.NoError(t, err)
		written := time.Now()
		deadline := written.Add(2500 * time.Millisecond)
		stale := 0
		for time.Now().Before(deadline) {
			var n int
			var trace []driver.ReadServer
			begin := time.Now()
			require.NoError(t, bounded.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE id = ?", stallID).Scan(&n))
			// Seconds_Behind_Master counts whole seconds and the probe
			// looks every 50ms: a stale answer more than 2s after the
			// write breaks the bound.
			if n == 0 && begin.Sub(written) > 2100*time.Millisecond {
				stale++
				t.Errorf("a read %v after the write missed it (read from %+v)", begin.Sub(written), trace)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, err = lockConn.ExecContext(ctx, "UNLOCK TABLES")
		require.NoError(t, err)
		locked = false
		require.NoError(t, cluster.Sync(ctx))
		waitStatus(t, bounded, func(st []driver.ReplicaStatus) bool { return !st[0].Lagging })
		var n int
		var trace []driver.ReadServer
		require.NoError(t, bounded.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE id = ?", stallID).Scan(&n))
		assert.Equal(t, 1, n)
		assert.True(t, trace[0].Replica, "the replica was not re-admitted after catching up: %+v", trace)
	})

	t.Run("small pools under concurrent writes and reads", func(t *testing.T) {
		// One connection per replica, two per primary, the probe every
		// 10ms: every read sees its goroutine's write, and nothing fails.
		small := openDB(t, topology(t), driver.WithReplicaProbeInterval(10*time.Millisecond), driver.WithMaxOpenConns(2))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					id := 10000 + g*100 + i
					if _, err := small.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'c')", id, 1000+g); err != nil {
						errs <- err
						return
					}
					rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					var n int
					err := small.QueryRowContext(rctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = ?", 1000+g).Scan(&n)
					cancel()
					if err != nil {
						errs <- err
						return
					}
					if n != i+1 {
						errs <- fmt.Errorf("goroutine %d read %d rows after its write %d", g, n, i+1)
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		require.NoError(t, cluster.Sync(ctx))
	})

	t.Run("replica that never answers the look at its position", func(t *testing.T) {
		// The replica behind a proxy that holds the look (the position
		// read, MASTER_GTID_WAIT) and never answers: the read after a
		// write goes to the primary within the look's bound, and the
		// replica is ejected. The probe looks once at the start, then not
		// for an hour.
		for _, c := range []struct {
			name, match string
			opts        []driver.Option
		}{
			{"position read", "SELECT @@GLOBAL.gtid_slave_pos", nil},
			{"MASTER_GTID_WAIT", "SELECT MASTER_GTID_WAIT", []driver.Option{driver.WithReplicaWait(50 * time.Millisecond)}},
		} {
			t.Run(c.name, func(t *testing.T) {
				proxy, err := shardtest.StartProxy(cluster.Replicas[0].Addr())
				require.NoError(t, err)
				t.Cleanup(func() { _ = proxy.Close() })
				cfg, err := mysql.ParseDSN(proxy.DSN(cluster.Replicas[0]))
				require.NoError(t, err)
				cfg.DBName = "a12"
				topo := shard.NewTopology()
				require.NoError(t, topo.AddDataSource("ds0", withDB(t, cluster.Primary, "a12")))
				require.NoError(t, topo.AddReplica("ds0", cfg.FormatDSN()))
				require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds0.t_rw_${0..1}", Algorithm: shard.Hash()}))
				hung := openDB(t, topo, append([]driver.Option{driver.WithReplicaProbeInterval(time.Hour)}, c.opts...)...)
				var n int
				require.NoError(t, hung.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 9").Scan(&n))
				waitStatus(t, hung, func(st []driver.ReplicaStatus) bool { return st[0].Position != "" })
				proxy.Inject(shardtest.Fault{Match: c.match, Action: shardtest.Hang})
				nextID++
				_, err = hung.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 9, 'h')", nextID)
				require.NoError(t, err)
				rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				begin := time.Now()
				var trace []driver.ReadServer
				require.NoError(t, hung.QueryRowContext(driver.WithReadTrace(rctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 9 AND id = ?", nextID).Scan(&n),
					"the read waited for a replica that does not answer")
				assert.Equal(t, 1, n)
				assert.Less(t, time.Since(begin), 2500*time.Millisecond)
				assert.Equal(t, []string{c.match}, proxy.Disarm(), "the fault did not fire")
				st, err := driver.Replicas(ctx, hung)
				require.NoError(t, err)
				assert.True(t, st[0].Ejected, "%+v", st[0])
			})
		}
	})

	t.Run("locking reads and transactions read the primary", func(t *testing.T) {
		// The replica is stopped and a row written around shardsql: a
		// replica's answer misses it. Locking reads and every statement of
		// a transaction (read only, any isolation level) must be the
		// primary's.
		rep := cluster.Replicas[0]
		require.NoError(t, rep.StopReplication())
		defer func() { _ = rep.StartReplication() }()
		nextID++
		id := nextID
		_, err := primary.ExecContext(ctx, "INSERT INTO a12.t_rw_1 (id, user_id, note) VALUES (?, 11, 'l')", id)
		require.NoError(t, err)
		_, err = primary.ExecContext(ctx, "INSERT INTO a12.t_rw_0 (id, user_id, note) VALUES (?, 11, 'l')", id+1)
		require.NoError(t, err)
		nextID++
		plain := openDB(t, topology(t), fast)
		time.Sleep(100 * time.Millisecond) // the probe has read the replica's position
		var n int
		var trace []driver.ReadServer
		require.NoError(t, plain.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE note = 'l'").Scan(&n))
		require.True(t, trace[0].Replica, "%+v", trace)
		require.Equal(t, 0, n, "the stopped replica has the rows?")
		for _, q := range []string{
			"SELECT COUNT(*) FROM t_rw WHERE note = 'l' FOR UPDATE",
			"SELECT COUNT(*) FROM t_rw WHERE note = 'l' LOCK IN SHARE MODE",
			"select count(*) from t_rw where note = 'l' for update nowait",
			"SELECT COUNT(*) FROM t_rw WHERE note = 'l' FOR UPDATE SKIP LOCKED",
			"SELECT COUNT(*) FROM t_rw WHERE note = 'l' /* x */ FOR\n UPDATE WAIT 1",
			"SELECT COUNT(*) FROM (SELECT id FROM t_rw WHERE note = 'l' FOR UPDATE) x",
			"SELECT COUNT(*) FROM t_rw WHERE note = 'l' AND id IN (SELECT id FROM t_rw WHERE note = 'l' LOCK IN SHARE MODE)",
		} {
			trace = nil
			err := plain.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&n)
			if err != nil {
				assert.ErrorIs(t, err, driver.ErrUnsupported, q)
				t.Logf("%s: %v", q, err)
				continue
			}
			assert.Equal(t, 2, n, "%s: read from %+v", q, trace)
		}
		for _, opts := range []*sql.TxOptions{{ReadOnly: true}, {ReadOnly: true, Isolation: sql.LevelSerializable},
			{Isolation: sql.LevelReadCommitted}, {ReadOnly: true, Isolation: sql.LevelRepeatableRead}} {
			tx, err := plain.BeginTx(ctx, opts)
			require.NoError(t, err)
			require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE note = 'l'").Scan(&n))
			assert.Equal(t, 2, n, "in a transaction %+v", opts)
			require.NoError(t, tx.QueryRowContext(ctx, "SELECT SUM(note = 'l') FROM t_rw").Scan(&n))
			assert.Equal(t, 2, n, "in a transaction %+v", opts)
			require.NoError(t, tx.Commit())
		}
		require.NoError(t, rep.StartReplication())
		require.NoError(t, cluster.Sync(ctx))
	})

	t.Run("every replica of the data source killed and restarted", func(t *testing.T) {
		// ds0's only replica is killed: point reads, scans and reads
		// after writes all go to the primary and succeed (the documented
		// policy), with and without a wait; restarted on the same port,
		// it is re-admitted.
		rep := cluster.Replicas[0]
		dbs := []*sql.DB{openDB(t, topology(t), fast), openDB(t, topology(t), fast, driver.WithReplicaWait(50*time.Millisecond)),
			openDB(t, topology(t), fast, driver.WithMaxOpenConns(1))}
		for _, d := range dbs { // warm the pools: idle connections to the replica
			var n int
			require.NoError(t, d.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw").Scan(&n))
		}
		require.NoError(t, rep.Kill())
		started := false
		defer func() {
			if !started {
				_ = rep.Start()
			}
		}()
		var want int
		for i := 0; i < 6; i++ {
			for k, d := range dbs {
				nextID++
				_, err := d.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, 12, 'k')", nextID)
				require.NoError(t, err)
				want++
				rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				var n, m int
				require.NoError(t, d.QueryRowContext(rctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 12").Scan(&n), "db %d read %d", k, i)
				require.NoError(t, d.QueryRowContext(rctx, "SELECT SUM(user_id = 12) FROM t_rw").Scan(&m), "db %d scan %d", k, i)
				cancel()
				assert.Equal(t, want, n, "db %d read %d", k, i)
				assert.Equal(t, want, m, "db %d scan %d", k, i)
			}
		}
		require.NoError(t, rep.Start())
		started = true
		require.NoError(t, cluster.Sync(ctx))
		for _, d := range dbs {
			waitStatus(t, d, func(st []driver.ReplicaStatus) bool { return !st[0].Ejected })
			var trace []driver.ReadServer
			var n int
			require.NoError(t, d.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 12").Scan(&n))
			assert.Equal(t, want, n)
		}
	})

	t.Run("close while the probe waits for a busy replica", func(t *testing.T) {
		// One connection per pool and an hour's probe interval: the scan
		// holds the replica's connection when the first probe comes, and
		// the probe waits for it. db.Close must not wait for the probe's
		// wait to end.
		slow := openDB(t, topology(t), driver.WithReplicaProbeInterval(time.Hour), driver.WithMaxOpenConns(1))
		var trace []driver.ReadServer
		rows, err := slow.QueryContext(driver.WithReadTrace(ctx, &trace), "SELECT id FROM t_rw WHERE user_id = 7")
		require.NoError(t, err)
		require.True(t, rows.Next())
		if !trace[0].Replica {
			t.Skipf("the first read went to the primary: %+v", trace)
		}
		time.Sleep(50 * time.Millisecond) // the probe waits for the connection
		closed := make(chan error, 1)
		go func() { closed <- slow.Close() }()
		select {
		case err := <-closed:
			assert.NoError(t, err)
		case <-time.After(700 * time.Millisecond): // the probe's wait is up to 1 s
			t.Fatal("db.Close waited for the probe")
		}
		_ = rows.Close()
	})

	t.Run("token never received", func(t *testing.T) {
		// A token in a domain the replica never sees: the wait is bounded by
		// WithReplicaWait, then the primary answers.
		waiting := openDB(t, topology(t), fast, driver.WithReplicaWait(100*time.Millisecond))
		tok := tokenFor(t, "ds0=9-1-1000000")
		rctx, err := driver.ReadAfter(ctx, tok)
		require.NoError(t, err)
		var trace []driver.ReadServer
		var n int
		begin := time.Now()
		require.NoError(t, waiting.QueryRowContext(driver.WithReadTrace(rctx, &trace), "SELECT COUNT(*) FROM t_rw WHERE user_id = 7").Scan(&n))
		assert.Less(t, time.Since(begin), 2*time.Second)
		assert.False(t, trace[0].Replica, "%+v", trace)
		_, err = driver.ReadAfter(ctx, "ssq1.!!")
		assert.Error(t, err)
	})
}

// tokenFor builds a read-after token from its clear text (the format of
// driver.WriteToken: "ssq1." and base64 of "ds=pos;…").
func tokenFor(t *testing.T, clear string) string {
	t.Helper()
	return "ssq1." + base64.RawURLEncoding.EncodeToString([]byte(clear))
}

func itoa(n int) string { return strconv.Itoa(n) }

// replicaScan opens a scan of t_rw that holds the replica's connections
// of a pool of two, its first row read. It must hold the replica's, not
// the primary's: a read that finds the replica's pool busy (the probe's
// look holds a connection for a moment) goes to the primary and holds its
// two connections, and a write after it then waits for them (CI saw it
// under load). The trace says where the read went once its connections
// are taken; such a scan is closed and run again.
func replicaScan(ctx context.Context, t *testing.T, db *sql.DB) *sql.Rows {
	t.Helper()
	for try := 0; ; try++ {
		var trace []driver.ReadServer
		rows, err := db.QueryContext(driver.WithReadTrace(ctx, &trace), "SELECT id FROM t_rw")
		require.NoError(t, err)
		require.True(t, rows.Next())
		require.Len(t, trace, 1)
		if trace[0].Replica {
			return rows
		}
		require.NoError(t, rows.Close())
		require.Less(t, try, 20, "the scan did not go to the replica: %+v", trace)
		time.Sleep(50 * time.Millisecond)
	}
}
