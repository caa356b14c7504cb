package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestStaleReadKilledRunning kills the server connection of a parked pin
// while its bounded read runs — the read waits behind LOCK TABLES t_pk
// WRITE held by another session — and expects the statement's error:
// not run again (StaleReads unchanged), though MariaDB ends the killed
// connection exactly as one killed while parked (the socket just ends,
// no error packet). Fails when the retry takes any dead connection for
// one that died parked: the read is sent again on a fresh connection,
// waits behind the lock, and returns the row once the lock is released.
func TestStaleReadKilledRunning(t *testing.T) {
	for _, interp := range []bool{true, false} {
		t.Run(fmt.Sprintf("interpolateParams=%v", interp), func(t *testing.T) {
			staleReadKilledRunning(t, fmt.Sprintf("&interpolateParams=%v", interp))
		})
	}
}

func staleReadKilledRunning(t *testing.T, suffix string) {
	ctx := context.Background()
	db, plains := parkEnvDSN(t, suffix, driver.WithMaxOpenConns(1))
	require.NoError(t, driver.SetParkTick(ctx, db, time.Hour))
	id := connID(t, db) // parks ds1's connection
	parked, _, err := driver.ParkState(ctx, db, "ds1")
	require.NoError(t, err)
	require.Equal(t, 1, parked)
	stale, err := driver.StaleReads(ctx, db)
	require.NoError(t, err)

	lock, err := plains[1].Conn(ctx)
	require.NoError(t, err)
	defer lock.Close()
	_, err = lock.ExecContext(ctx, "LOCK TABLES t_pk WRITE")
	require.NoError(t, err)
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			_, err := lock.ExecContext(ctx, "UNLOCK TABLES")
			require.NoError(t, err)
		}
	}
	defer unlock()

	done := make(chan error, 1)
	go func() {
		var v string
		done <- db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v)
	}()
	// waiting counts the server's sessions waiting behind the lock for
	// t_pk other than ours (the killed one, or a retry of it).
	waiting := func(self bool) int {
		var n int
		q := "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT v FROM t_pk%' AND ID <> CONNECTION_ID() AND (ID = ?) = ?"
		require.NoError(t, plains[1].QueryRowContext(ctx, q, id, self).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool { return waiting(true) == 1 }, 20*time.Second, 5*time.Millisecond, "the read waits behind the lock on the parked connection")
	_, err = plains[1].ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
	require.NoError(t, err)

	// The read ends with the kill, or is sent again (the fault): it then
	// waits behind the lock on another connection.
	var got error
	ended := false
	require.Eventually(t, func() bool {
		select {
		case got = <-done:
			ended = true
			return true
		default:
		}
		return waiting(false) > 0
	}, 20*time.Second, 5*time.Millisecond)
	unlock()
	if !ended {
		got = <-done
	}
	require.Error(t, got, "a read killed while it ran was run again and answered")
	staleAfter, err := driver.StaleReads(ctx, db)
	require.NoError(t, err)
	assert.Equal(t, stale, staleAfter, "a read killed while it ran is not retried: %v", got)

	// The session goes on, on a fresh connection.
	var v string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v))
	assert.Equal(t, "v5", v)
}
