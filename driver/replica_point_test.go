package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// pointRead is a bounded point read of t_rw (equality on the sharding
// column and the primary key): on a replica it is read whole inside Raw
// (replica_point.go).
const pointRead = "SELECT id, note FROM t_rw WHERE user_id = ? AND id = ?"

// testReplicaPointReads runs the replica point read inside Raw through
// cancellation, a hung replica, its retries and read-your-writes, and
// counts its allocations. The cluster's t_rw holds rows 0..19 on ds0/ds1.
func testReplicaPointReads(t *testing.T, cluster *shardtest.Replicated, topology func(*testing.T) *shard.Topology) {
	fast := driver.WithReplicaProbeInterval(50 * time.Millisecond)
	t.Run("cancelled mid-read", func(t *testing.T) {
		testReplicaPointCancel(t, cluster, openDB(t, topology(t), fast))
	})
	t.Run("hung replica, deadline", func(t *testing.T) {
		testReplicaPointHung(t, cluster, openDB(t, topology(t), fast))
	})
	t.Run("read-your-writes token", func(t *testing.T) {
		testReplicaPointToken(t, cluster, openDB(t, topology(t), fast), openDB(t, topology(t), fast))
	})
	t.Run("allocations", func(t *testing.T) { testReplicaPointAllocs(t, openDB(t, topology(t))) })
	t.Run("caller's pool", func(t *testing.T) { testReplicaPointCallerPool(t, cluster) })
	t.Run("killed replica, primary answers", func(t *testing.T) { testReplicaPointKilled(t, cluster) })
}

// testReplicaPointCallerPool reads points from replicas given as pools
// the caller opened (AddReplicaDB), which shardsql does not dial and so
// cannot cut: they are read through database/sql as before, with the
// replica's rows, and a cancelled read returns the context's error.
func testReplicaPointCallerPool(t *testing.T, cluster *shardtest.Replicated) {
	ctx := context.Background()
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("app%d", i))))
		rdb, err := sql.Open("mysql", withDB(t, cluster.Replicas[0], fmt.Sprintf("app%d", i)))
		require.NoError(t, err)
		t.Cleanup(func() { _ = rdb.Close() })
		require.NoError(t, topo.AddReplicaDB(ds, rdb))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo)
	want := primaryNotes(t, db)
	time.Sleep(150 * time.Millisecond) // a probe has read the replicas' positions
	cctx, cancel := context.WithCancel(ctx)
	for i := 0; i < 20; i++ {
		note, replica, err := onReplicaRead(cctx, db, i)
		require.NoError(t, err, "read %d", i)
		assert.True(t, replica, "read %d", i)
		assert.Equal(t, want[i], note)
	}
	cancel()
	_, _, err := onReplicaRead(cctx, db, 1)
	require.ErrorIs(t, err, context.Canceled)
	notEjected(t, db)
}

// onReplicaRead runs pointRead for row i under ctx and reports whether a
// replica was picked.
func onReplicaRead(ctx context.Context, db *sql.DB, i int) (note string, replica bool, err error) {
	var trace []driver.ReadServer
	var id int
	err = db.QueryRowContext(driver.WithReadTrace(ctx, &trace), pointRead, i, i).Scan(&id, &note)
	return note, len(trace) == 1 && trace[0].Replica, err
}

// primaryNotes returns the notes of rows 0..19 as the primary has them
// (earlier subtests change some).
func primaryNotes(t *testing.T, db *sql.DB) []string {
	want := make([]string, 20)
	for i := range want {
		require.NoError(t, db.QueryRowContext(driver.WithPrimary(context.Background()), pointRead, i, i).Scan(new(int), &want[i]))
	}
	return want
}

// settledGoroutines waits up to four seconds for the goroutine count to
// fall to at most n and returns it.
func settledGoroutines(n int) int {
	deadline := time.Now().Add(4 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// notEjected asserts that no replica of db is ejected.
func notEjected(t *testing.T, db *sql.DB) {
	t.Helper()
	st, err := driver.Replicas(context.Background(), db)
	require.NoError(t, err)
	for _, s := range st {
		assert.False(t, s.Ejected, "a replica was ejected: %+v", s)
	}
}

// testReplicaPointCancel cancels a replica point read while the replica
// runs it: the read returns the context's error at once (its socket is
// cut: the statement would sleep five seconds), the replica is not
// ejected (the caller gave up, the replica did not fail), the pools go on
// serving and no goroutine is left behind.
func testReplicaPointCancel(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	want := primaryNotes(t, db)
	for i := 0; i < 8; i++ { // warm both replicas' pools
		_, _, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err)
	}
	time.Sleep(150 * time.Millisecond) // a probe has read the replicas' positions
	before := runtime.NumGoroutine()
	for round := 0; round < 2; round++ { // both replicas, round robin
		cctx, cancel := context.WithCancel(ctx)
		var trace []driver.ReadServer
		done := make(chan error, 1)
		begin := time.Now()
		go func() {
			var id, slept int
			var note string
			done <- db.QueryRowContext(driver.WithReadTrace(cctx, &trace), "SELECT id, note, SLEEP(5) FROM t_rw WHERE user_id = ? AND id = ?", 3, 3).Scan(&id, &note, &slept)
		}()
		server := cluster.Replicas[0]
		deadline := time.Now().Add(5 * time.Second)
		for found := false; !found; {
			for _, s := range cluster.Replicas {
				if queriesLike(t, s, "SELECT id, note, SLEEP(5)") > 0 {
					server, found = s, true
				}
			}
			require.True(t, time.Now().Before(deadline), "the read never reached a replica")
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		err := <-done
		took := time.Since(begin)
		require.ErrorIs(t, err, context.Canceled, "round %d on %s", round, server.Addr())
		require.Len(t, trace, 1)
		require.True(t, trace[0].Replica, "%+v", trace[0])
		assert.Less(t, took, 4*time.Second, "the cancelled read waited for the statement")
	}
	// The cut statements sleep on in the servers (holding their tables'
	// metadata locks): ended here, for the tests after.
	for _, s := range cluster.Replicas {
		killQueriesLike(t, s, "SELECT id, note, SLEEP(5)")
	}
	notEjected(t, db)
	for i := 0; i < 20; i++ {
		note, _, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err, "read %d after the cancellations", i)
		assert.Equal(t, want[i], note)
	}
	// NumGoroutine is the process's: tests running in parallel, new pool
	// connections (each with go-sql-driver's watcher) and the probes move
	// it by a few under load (CI saw +6 once), so a leak shows only past
	// that slack.
	assert.LessOrEqual(t, settledGoroutines(before+8), before+8, "goroutines left behind")
}

// queriesLike counts the statements running on s whose text starts with
// prefix.
func queriesLike(t *testing.T, s *shardtest.Server, prefix string) int {
	admin := direct(t, s)
	defer admin.Close()
	var n int
	require.NoError(t, admin.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()", prefix+"%").Scan(&n))
	return n
}

// killQueriesLike kills the statements running on s whose text starts
// with prefix.
func killQueriesLike(t *testing.T, s *shardtest.Server, prefix string) {
	admin := direct(t, s)
	defer admin.Close()
	rows, err := admin.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()", prefix+"%")
	require.NoError(t, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	for _, id := range ids {
		_, _ = admin.Exec("KILL QUERY ?", id) // it may have ended meanwhile
	}
}

// testReplicaPointHung reads from replicas whose t_rw tables another
// session has locked (LOCK TABLES … WRITE: the read waits for the lock,
// as on a stalled server) under a deadline: the read ends by the
// deadline with the context's error, ejects nothing, and the replicas
// serve once the lock is gone.
func testReplicaPointHung(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	want := primaryNotes(t, db)
	for i := 0; i < 4; i++ {
		_, _, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err)
	}
	time.Sleep(150 * time.Millisecond)
	var locks []*sql.Conn
	for _, s := range cluster.Replicas {
		admin := direct(t, s)
		conn, err := admin.Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "LOCK TABLES app0.t_rw_0 WRITE, app0.t_rw_1 WRITE, app1.t_rw_0 WRITE, app1.t_rw_1 WRITE")
		require.NoError(t, err)
		locks = append(locks, conn)
	}
	unlock := func() {
		for _, c := range locks {
			_, _ = c.ExecContext(ctx, "UNLOCK TABLES")
			_ = c.Close()
		}
		locks = nil
	}
	defer unlock()
	for i := 0; i < 2; i++ {
		dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		begin := time.Now()
		_, replica, err := onReplicaRead(dctx, db, i)
		took := time.Since(begin)
		cancel()
		require.True(t, replica, "read %d was not sent to a replica", i)
		require.ErrorIs(t, err, context.DeadlineExceeded, "read %d", i)
		assert.Less(t, took, 3*time.Second, "read %d outlived its deadline", i)
	}
	notEjected(t, db)
	unlock()
	for i := 0; i < 20; i++ {
		note, _, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err, "read %d after the lock", i)
		assert.Equal(t, want[i], note)
	}
}

// testReplicaPointToken: with the replicas a second behind, a point read
// on a connector that never saw a write is stale without the write's
// token and sees the row with it (the primary answers), and a point read
// after a write on the writing connector sees it.
func testReplicaPointToken(t *testing.T, cluster *shardtest.Replicated, db, other *sql.DB) {
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
	const id = 6000
	wrote := time.Now()
	_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'pt')", id, id)
	require.NoError(t, err)
	note, _, err := onReplicaRead(ctx, db, id)
	require.NoError(t, err, "read-your-writes on the writing connector")
	assert.Equal(t, "pt", note)
	token, err := driver.WriteToken(ctx, db)
	require.NoError(t, err)
	_, replica, err := onReplicaRead(ctx, other, id)
	if err == nil && time.Since(wrote) >= 900*time.Millisecond {
		// The replica's second passed before the read (a loaded CI
		// machine): it rightly answers; the stale case shows nothing.
		t.Logf("the replica applied the write before the read without the token (%v after it)", time.Since(wrote))
	} else {
		require.ErrorIs(t, err, sql.ErrNoRows, "without the token a replica a second behind answers: the test shows nothing")
	}
	require.True(t, replica)
	after, err := driver.ReadAfter(ctx, token)
	require.NoError(t, err)
	note, replica, err = onReplicaRead(after, other, id)
	require.NoError(t, err, "stale read with a token")
	assert.Equal(t, "pt", note)
	assert.False(t, replica)
}

// testReplicaPointAllocs counts a replica point read's allocations (the
// caller's QueryRowContext and Scan included) under a cancellable
// context. Measured: 28 (round 13; the primary's own point read 26). It
// was 50 when the read went through database/sql's QueryContext on the
// replica pool.
func testReplicaPointAllocs(t *testing.T, db *sql.DB) {
	if raceBuild {
		t.Skip("the race detector changes allocations (sync.Pool drops items)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var id int
	var note string
	read := func() {
		if err := db.QueryRowContext(ctx, pointRead, 5, 5).Scan(&id, &note); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		read()
	}
	time.Sleep(150 * time.Millisecond) // a probe has read the replicas' positions
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	var reads0 int64
	for _, s := range st {
		reads0 += s.Reads
	}
	allocs := testing.AllocsPerRun(200, read)
	st, err = driver.Replicas(ctx, db)
	require.NoError(t, err)
	var reads int64
	for _, s := range st {
		reads += s.Reads
	}
	require.GreaterOrEqual(t, reads-reads0, int64(200), "the reads did not go to the replicas")
	t.Logf("a replica point read: %.1f allocations", allocs)
	assert.LessOrEqual(t, allocs, 36.0, "a replica point read allocates more than it did in round 13")
}

// testReplicaPointKilled kills the only replica of a topology: its point
// reads are retried on the primary and return the primary's rows, and the
// replica is ejected. It is started again for the tests after.
func testReplicaPointKilled(t *testing.T, cluster *shardtest.Replicated) {
	ctx := context.Background()
	victim := cluster.Replicas[0]
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("app%d", i))))
		require.NoError(t, topo.AddReplica(ds, withDB(t, victim, fmt.Sprintf("app%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(time.Hour))
	want := primaryNotes(t, db)
	for i := 0; i < 4; i++ { // warm the replica's pools
		_, replica, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err)
		require.True(t, replica)
	}
	require.NoError(t, victim.Kill())
	defer func() {
		require.NoError(t, victim.Start())
		require.NoError(t, cluster.Sync(ctx))
	}()
	for i := range want {
		note, _, err := onReplicaRead(ctx, db, i)
		require.NoError(t, err, "read %d", i)
		assert.Equal(t, want[i], note, "read %d", i)
	}
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		assert.True(t, s.Ejected, "%+v", s)
		if s.Err != nil {
			assert.False(t, errors.Is(s.Err, context.Canceled), "%+v", s)
		}
	}
}
