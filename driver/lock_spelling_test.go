package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLockSpellingsHoldSession takes a named lock on a *sql.Conn with
// each spelling MariaDB runs as GET_LOCK — quoted, odd case, in a
// subquery, behind an executable comment — checks the Conn's quoted
// RELEASE_LOCK / RELEASE_ALL_LOCKS run in the session holding it, and
// that closing the Conn lets the lock go (its server connection is
// closed, not parked nor pooled with the lock). Fails without the fix: a quoted `GET_LOCK`
// recorded no session use, its connection was parked holding the lock,
// and the lock outlived the Conn (IS_FREE_LOCK 0 from another session);
// so did the executable comment's without the route's LeavesState.
func TestLockSpellingsHoldSession(t *testing.T) {
	ctx := context.Background()
	db, plains := parkEnv(t)
	for _, c := range []struct{ take, release string }{
		{"SELECT `GET_LOCK`('l21', 0)", ""},
		{"SELECT get_LOCK('l21', 0)", ""},
		{"SELECT (SELECT `get_lock`('l21', 0))", ""},
		{"SELECT 1 /*M! + GET_LOCK('l21', 0) - 1 */", ""},
		{"SELECT `GET_LOCK`('l21', 0)", "SELECT `RELEASE_LOCK`('l21')"},
		{"SELECT `GET_LOCK`('l21', 0)", "SELECT `RELEASE_ALL_LOCKS`()"},
	} {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		var got int
		require.NoError(t, conn.QueryRowContext(ctx, c.take).Scan(&got), c.take)
		require.Equal(t, 1, got, c.take)
		// Held, seen from another session (a statement of the Conn's
		// own that reads the session would hold it by itself).
		var held bool
		require.NoError(t, plains[0].QueryRowContext(ctx, "SELECT IS_USED_LOCK('l21') IS NOT NULL").Scan(&held))
		require.True(t, held, c.take)
		if c.release != "" {
			// the Conn's next statement runs in the session holding it
			require.NoError(t, conn.QueryRowContext(ctx, c.release).Scan(&got), c.release)
			assert.Equal(t, 1, got, c.release)
		}
		require.NoError(t, conn.Close())
		// Another session: the lock is let go once the Conn is closed (the
		// server ends the closed connection's session on its own time).
		freed := assert.Eventually(t, func() bool {
			var free int
			require.NoError(t, plains[0].QueryRowContext(ctx, "SELECT IS_FREE_LOCK('l21')").Scan(&free))
			return free == 1
		}, 10*time.Second, 5*time.Millisecond, "%s: the lock outlived its Conn", c.take)
		if !freed {
			// Let the next case start clean: kill the holder.
			var id int64
			require.NoError(t, plains[0].QueryRowContext(ctx, "SELECT IS_USED_LOCK('l21')").Scan(&id))
			kill(t, plains[0], id)
		}
	}
}
