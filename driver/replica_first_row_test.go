package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
)

// sleepyRead is a point read that sends its columns at once and its one
// row after a second: a replica killed in that second fails after the
// query was accepted, before the first row.
const sleepyRead = "SELECT id, note, SLEEP(1) FROM t_rw WHERE user_id = ? AND id = ?"

// testReplicaKilledBeforeFirstRow kills a replica while reads it accepted
// wait for their first row: every read still returns its row (retried on
// the other replica or the primary), the replica is ejected, and it is
// re-admitted once it is back.
func testReplicaKilledBeforeFirstRow(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
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
			}
		}()
	}
	// Kill the victim once it runs at least one of the reads.
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
	require.NoError(t, victim.Kill())
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
	require.Positive(t, onVictim, "no read was sent to the killed replica: %+v", out)

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
