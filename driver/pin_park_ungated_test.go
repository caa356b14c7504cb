package driver_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestPinParkUngated: callers that use a data source's pool without the
// gate (here Ping) on a pool of one connection are served at once, whether
// the connection is parked when they come or held by a session that gives
// it back while they wait — not when the parking timer next gives it back
// (round 9: up to two ticks, 40 ms). The tick is made an hour, so without
// Connector.unparked each Ping waits until its deadline and fails.
func TestPinParkUngated(t *testing.T) {
	ctx := context.Background()
	db, _ := parkEnv(t, driver.WithMaxOpenConns(1))
	require.NoError(t, driver.SetParkTick(ctx, db, time.Hour))
	time.Sleep(100 * time.Millisecond) // the timers armed before run out (their next period is the hour)
	point := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) {
		var v string
		require.NoError(t, q.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v))
		require.Equal(t, "v5", v)
	}

	// Parked when Ping comes: it must not wait for the timer.
	point(db)
	parked, _, err := driver.ParkState(ctx, db, "ds1")
	require.NoError(t, err)
	require.Equal(t, 1, parked, "the point select's connection is parked")
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	start := time.Now()
	err = db.PingContext(pctx)
	cancel()
	require.NoError(t, err, "Ping waited for the parked connection")
	t.Logf("Ping with the only connection parked: %v", time.Since(start))
	point(db) // statements go on: the connection is parked again
	parked, _, err = driver.ParkState(ctx, db, "ds1")
	require.NoError(t, err)
	assert.Equal(t, 1, parked, "parking goes on once Ping is done")

	// Held by a session while Ping waits: given back to the pool, not parked.
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	point(conn) // the session's pin on ds1: the one connection
	pinged := make(chan error, 1)
	var took time.Duration
	go func() {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		start := time.Now()
		err := db.PingContext(pctx)
		took = time.Since(start)
		pinged <- err
	}()
	require.Eventually(t, func() bool {
		st, err := driver.Stats(ctx, db)
		return err == nil && st.DataSources["ds1"].WaitCount > 0
	}, 10*time.Second, time.Millisecond, "Ping waits for ds1's connection")
	released := time.Now()
	require.NoError(t, conn.Close()) // the session ends: its pin goes back
	require.NoError(t, <-pinged, "Ping waited for a connection that was parked instead of given back")
	t.Logf("Ping waiting on a session's connection: %v in all, %v after the session ended", took, time.Since(released))
	point(db)
}
