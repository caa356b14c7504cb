package shardtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMariaDBPause: a paused server answers nothing (a query under a
// deadline fails by it), answers again after Resume on the same
// connection, and a paused server stops and closes (Stop sends SIGCONT
// after SIGTERM).
func TestMariaDBPause(t *testing.T) {
	s := MariaDB(t, 1)[0]
	db := open(t, s)
	require.NoError(t, db.Ping())
	require.NoError(t, s.Pause())
	require.NoError(t, s.Pause(), "pausing a paused server does nothing")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	var one int
	err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	cancel()
	require.Error(t, err, "a paused server answers nothing")
	require.NoError(t, s.Resume())
	require.NoError(t, db.QueryRow("SELECT 1").Scan(&one))
	require.NoError(t, s.Pause())
	start := time.Now()
	require.NoError(t, s.Stop(), "a paused server stops")
	require.Less(t, time.Since(start), 10*time.Second)
	require.NoError(t, s.Resume(), "resuming a stopped server does nothing")
	requireClosed(t, s)
}
