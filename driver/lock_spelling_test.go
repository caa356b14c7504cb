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
// subquery, behind an executable comment — checks the Conn's later
// statements see it as theirs (one session), and that closing the Conn
// lets the lock go (its server connection is closed, not parked nor
// pooled with the lock). Fails without the fix: a quoted `GET_LOCK`
// recorded no session use, its connection was parked holding the lock,
// and the lock outlived the Conn (IS_FREE_LOCK 0 from another session).
func TestLockSpellingsHoldSession(t *testing.T) {
	ctx := context.Background()
	db, plains := parkEnv(t)
	for _, c := range []struct{ take, mine, release string }{
		{"SELECT `GET_LOCK`('l21', 0)", "SELECT `IS_USED_LOCK`('l21') = CONNECTION_ID()", ""},
		{"SELECT get_LOCK('l21', 0)", "SELECT IS_USED_LOCK('l21') = CONNECTION_ID()", ""},
		{"SELECT (SELECT `get_lock`('l21', 0))", "SELECT `is_used_lock`('l21') = CONNECTION_ID()", ""},
		{"SELECT 1 /*M! + GET_LOCK('l21', 0) - 1 */", "SELECT IS_USED_LOCK('l21') = CONNECTION_ID()", ""},
		{"SELECT `GET_LOCK`('l21', 0)", "SELECT IS_USED_LOCK('l21') = CONNECTION_ID()", "SELECT `RELEASE_LOCK`('l21')"},
		{"SELECT `GET_LOCK`('l21', 0)", "SELECT IS_USED_LOCK('l21') = CONNECTION_ID()", "SELECT `RELEASE_ALL_LOCKS`()"},
	} {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		var got int
		require.NoError(t, conn.QueryRowContext(ctx, c.take).Scan(&got), c.take)
		require.Equal(t, 1, got, c.take)
		require.NoError(t, conn.QueryRowContext(ctx, c.mine).Scan(&got), c.take)
		assert.Equal(t, 1, got, "%s: the Conn's next statement runs in the session holding the lock", c.take)
		if c.release != "" {
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
