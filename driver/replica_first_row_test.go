package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"strings"
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

// sleepyRead is a point read that answers after a second.
const sleepyRead = "SELECT id, note, SLEEP(1) FROM t_rw WHERE user_id = ? AND id = ?"

// testReplicaStoppedMidRead shuts a replica down while reads it accepted
// are running: every read still returns its row (retried on the other
// replica or the primary), the replica is ejected, and it is re-admitted
// once it is back. Empty and multi-unit results pass through the
// first-row peek unchanged.
//
// MariaDB holds a result's columns in its network buffer until the first
// rows or the end, so a replica that dies mid-query fails these reads
// before their columns; the cut after the columns is
// testReplicaCutBeforeFirstRow's, with the fault proxy.
func testReplicaStoppedMidRead(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	victim := cluster.Replicas[0]

	// Empty results and multi-unit reads pass through the peek unchanged.
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw WHERE user_id = 999").Scan(&n))
	require.Equal(t, 0, n)
	rows, err := db.QueryContext(ctx, "SELECT id FROM t_rw WHERE user_id = 999")
	require.NoError(t, err)
	require.False(t, rows.Next())
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	var ids []int
	rows, err = db.QueryContext(ctx, "SELECT id FROM t_rw ORDER BY id")
	require.NoError(t, err)
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rw").Scan(&n))
	require.Len(t, ids, n)
	require.True(t, sort.IntsAreSorted(ids), "%v", ids)

	const reads = 8
	// The notes as the primary has them (earlier subtests changed some).
	want := make([]string, reads)
	for i := range want {
		require.NoError(t, db.QueryRowContext(driver.WithPrimary(ctx), "SELECT note FROM t_rw WHERE user_id = ? AND id = ?", i, i).Scan(&want[i]))
	}
	type result struct {
		id     int
		note   string
		err    error
		server string
	}
	// The victim's answered reads before these (earlier subtests read
	// there too).
	victimReads := func() (n int64) {
		st, err := driver.Replicas(ctx, db)
		require.NoError(t, err)
		for _, s := range st {
			if strings.HasSuffix(s.Name, "/r1") {
				n += s.Reads
			}
		}
		return n
	}
	answeredBefore := victimReads()
	out := make([]result, reads)
	var wg sync.WaitGroup
	for i := 0; i < reads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var trace []driver.ReadServer
			var slept int
			r := &out[i]
			r.err = db.QueryRowContext(driver.WithReadTrace(ctx, &trace), sleepyRead, i, i).Scan(&r.id, &r.note, &slept)
			if len(trace) == 1 {
				r.server = trace[0].Server
				if f := trace[0].Failed; f != "" {
					// Retried: the trace names the server that answered
					// and the replica that failed first.
					assert.NotEqual(t, f, r.server)
					r.server = f
				}
			}
		}()
	}
	// Stop the victim once it runs at least one of the reads.
	admin := direct(t, victim)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var running int
		require.NoError(t, admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT id, note, SLEEP%' AND ID <> CONNECTION_ID()").Scan(&running))
		if running > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no read reached the victim replica")
		time.Sleep(10 * time.Millisecond)
	}
	_ = admin.Close()
	require.NoError(t, victim.Stop())
	started := false
	defer func() {
		if !started {
			_ = victim.Start()
		}
	}()
	wg.Wait()
	onVictim := 0
	for i, r := range out {
		require.NoError(t, r.err, "read %d (first sent to %s)", i, r.server)
		assert.Equal(t, i, r.id, "read %d", i)
		assert.Equal(t, want[i], r.note, "read %d", i)
		if strings.HasSuffix(r.server, "/r1") {
			onVictim++
		}
	}
	require.Positive(t, onVictim, "no read was sent to the stopped replica: %+v", out)

	// A graceful shutdown may let the victim answer the reads it was
	// running (SLEEP interrupted returns 1, the row still sent) before it
	// closes their connections: then no read failed there and nothing
	// has told the driver it is down yet. The next read sent there finds
	// it stopped, is answered elsewhere and ejects it.
	if answered := victimReads() - answeredBefore; answered >= int64(onVictim) {
		t.Logf("the stopped replica answered all %d reads it was running; the next read there ejects it", onVictim)
		for i := 0; i < 50 && !victimEjected(ctx, t, db); i++ {
			require.Equal(t, 1, readCount(ctx, t, db, i%reads, nil), "read %d", i)
		}
	}
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		if strings.HasSuffix(s.Name, "/r1") {
			assert.True(t, s.Ejected, "%+v", s)
			assert.Error(t, s.Err)
		}
	}
	// Reads go on meanwhile, none on the ejected replica.
	for i := 0; i < 10; i++ {
		var trace []driver.ReadServer
		require.Equal(t, 1, readCount(ctx, t, db, i, &trace), "read %d", i)
		require.False(t, strings.HasSuffix(trace[0].Server, "/r1"), "read %d went to the ejected replica", i)
	}

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
	assert.True(t, seen["ds0/r1"] || seen["ds1/r1"], "the replica was not re-admitted: %s", fmt.Sprint(seen))
}

// testReplicaCutBeforeFirstRow puts a fault proxy in front of the first
// replica and cuts a read's connection right after the replica sent the
// result's columns, before any row: the read returns its row from the
// other replica or the primary, the replica is ejected, and the probe
// re-admits it.
func testReplicaCutBeforeFirstRow(t *testing.T, cluster *shardtest.Replicated) {
	ctx := context.Background()
	proxy, err := shardtest.StartProxy(cluster.Replicas[0].Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() })
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("app%d", i))))
		cfg, err := mysql.ParseDSN(proxy.DSN(cluster.Replicas[0]))
		require.NoError(t, err)
		cfg.DBName = fmt.Sprintf("app%d", i)
		require.NoError(t, topo.AddReplica(ds, cfg.FormatDSN())) // dsN/r1, through the proxy
		require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[1], fmt.Sprintf("app%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rw", Column: "user_id", Nodes: "ds${0..1}.t_rw_${0..1}", Algorithm: shard.Hash()}))
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond), driver.WithLogger(logger))

	var want string
	require.NoError(t, db.QueryRowContext(driver.WithPrimary(ctx), "SELECT note FROM t_rw WHERE user_id = 3 AND id = 3").Scan(&want))
	// Without arguments the statement goes as COM_QUERY, which the proxy
	// matches.
	const q = "SELECT id, note FROM t_rw WHERE user_id = 3 AND id = 3"
	const match = "select id, note from t_rw_" // the unit's text, table renamed (case ignored)
	time.Sleep(150 * time.Millisecond)         // a probe has read the replicas' positions
	proxy.Inject(shardtest.Fault{Match: match, Action: shardtest.CutAfterColumns})
	fired := false
	for i := 0; i < 6 && !fired; i++ {
		var id int
		var note string
		var trace []driver.ReadServer
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(ctx, &trace), q).Scan(&id, &note), "read %d", i)
		assert.Equal(t, 3, id)
		assert.Equal(t, want, note)
		for _, f := range proxy.Disarm() {
			fired = fired || f == match
		}
		if !fired {
			proxy.Inject(shardtest.Fault{Match: match, Action: shardtest.CutAfterColumns})
		} else {
			require.True(t, strings.HasSuffix(trace[0].Failed, "/r1"), "the cut read was sent to %v", trace)
			require.False(t, strings.HasSuffix(trace[0].Server, "/r1"), "the cut read was answered by %v", trace)
		}
	}
	require.True(t, fired, "no read reached the proxied replica")
	assert.Contains(t, logs.String(), "shardsql: replica ejected")
	assert.Contains(t, logs.String(), "shardsql: read failed on a replica, retried")

	// A scatter: the unit cut on the replica is rerun elsewhere, the
	// others are read where they ran, and the merge is whole.
	ids := func(ctx context.Context) []int {
		rows, err := db.QueryContext(ctx, "SELECT id FROM t_rw ORDER BY id")
		require.NoError(t, err)
		defer rows.Close()
		var out []int
		for rows.Next() {
			var id int
			require.NoError(t, rows.Scan(&id))
			out = append(out, id)
		}
		require.NoError(t, rows.Err())
		return out
	}
	wantIDs := ids(driver.WithPrimary(ctx))
	const scatterMatch = "select id" // the units of the scatter, whatever their spelling
	fired = false
	for i := 0; i < 20 && !fired; i++ {
		waitStatus(t, db, func(st []driver.ReplicaStatus) bool {
			for _, s := range st {
				if s.Ejected {
					return false
				}
			}
			return true
		})
		proxy.Inject(shardtest.Fault{Match: scatterMatch, Action: shardtest.CutAfterColumns})
		require.Equal(t, wantIDs, ids(ctx), "scatter %d", i)
		for _, f := range proxy.Disarm() {
			fired = fired || f == scatterMatch
		}
	}
	require.True(t, fired, "no scatter unit reached the proxied replica")

	// The replica answers the probe and is re-admitted.
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
	assert.True(t, seen["ds0/r1"] || seen["ds1/r1"], "the replica was not re-admitted: %s", fmt.Sprint(seen))
}

// testReplicaQueryKilledBeforeFirstRow kills (KILL QUERY) reads a replica
// runs after it sent their columns: the replica answers each with
// ER_QUERY_INTERRUPTED before any row, which is the statement's outcome,
// not a failed server: the reads are rerun on the primary and return
// their rows, and the replica stays in service.
func testReplicaQueryKilledBeforeFirstRow(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	victim := cluster.Replicas[0]
	const reads = 8
	want := make([]string, reads)
	for i := range want {
		require.NoError(t, db.QueryRowContext(driver.WithPrimary(ctx), "SELECT note FROM t_rw WHERE user_id = ? AND id = ?", i, i).Scan(&want[i]))
	}
	time.Sleep(150 * time.Millisecond) // a probe has read the replicas' positions
	errs := make([]error, reads)
	notes := make([]string, reads)
	servers := make([]string, reads)
	var wg sync.WaitGroup
	for i := 0; i < reads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var trace []driver.ReadServer
			var id, slept int
			errs[i] = db.QueryRowContext(driver.WithReadTrace(ctx, &trace), sleepyRead, i, i).Scan(&id, &notes[i], &slept)
			if len(trace) == 1 {
				servers[i] = trace[0].Server
			}
		}()
	}
	admin := direct(t, victim)
	defer admin.Close()
	deadline := time.Now().Add(5 * time.Second)
	var killed []int64
	for len(killed) == 0 {
		rows, err := admin.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT id, note, SLEEP%' AND ID <> CONNECTION_ID()")
		require.NoError(t, err)
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			killed = append(killed, id)
		}
		require.NoError(t, rows.Err())
		require.True(t, time.Now().Before(deadline), "no read reached the replica")
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the other reads on the replica started too
	rows, err := admin.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT id, note, SLEEP%' AND ID <> CONNECTION_ID()")
	require.NoError(t, err)
	killed = killed[:0]
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		killed = append(killed, id)
	}
	require.NoError(t, rows.Err())
	for _, id := range killed {
		_, err := admin.ExecContext(ctx, "KILL QUERY ?", id)
		require.NoError(t, err)
	}
	wg.Wait()
	require.NotEmpty(t, killed)
	for i := range errs {
		require.NoError(t, errs[i], "read %d (sent to %s)", i, servers[i])
		assert.Equal(t, want[i], notes[i], "read %d", i)
	}
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		assert.False(t, s.Ejected, "%+v", s)
	}
}

// victimEjected reports whether the first replicas (named …/r1) are
// ejected.
func victimEjected(ctx context.Context, t *testing.T, db *sql.DB) bool {
	st, err := driver.Replicas(ctx, db)
	require.NoError(t, err)
	for _, s := range st {
		if strings.HasSuffix(s.Name, "/r1") && !s.Ejected {
			return false
		}
	}
	return true
}
