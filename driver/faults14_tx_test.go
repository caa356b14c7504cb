package driver_test

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestFaults14SingleNodeKilled: a best-effort transaction on one data
// source whose connection is killed while it is idle (KILL CONNECTION
// from another session). The server rolled the work back when the
// connection ended; Commit said the outcome was unknown ("the COMMIT was
// sent and its reply lost"). It now states it: rolled back, nothing
// committed, never ErrBadConn; the *sql.Conn that ran the transaction
// fails its next statement rather than run it on a fresh connection as if
// the session went on; the rows are on no node.
func TestFaults14SingleNodeKilled(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	bg := context.Background()
	u1 := e.users[1][0]
	for i, xa := range []bool{false, true} {
		ctx := bg
		if xa {
			ctx = driver.WithXATransaction(bg)
		}
		m := int64(97000 + 10*i)
		conn, err := e.db.Conn(bg)
		require.NoError(t, err)
		tx, err := conn.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'k')", m, u1)
		require.NoError(t, err)
		var id int64
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_sess WHERE user_id = ? AND id = ?", u1, m).Scan(&id))
		killConn(t, e, 1, id)
		err = tx.Commit()
		var ce *driver.CommitError
		require.ErrorAs(t, err, &ce, "xa=%v", xa)
		assert.Empty(t, ce.Committed, "xa=%v: %v", xa, err)
		assert.Empty(t, ce.Unknown, "xa=%v: the server rolled back when the connection ended: %v", xa, err)
		assert.Equal(t, []string{"ds1"}, ce.RolledBack, "xa=%v: %v", xa, err)
		assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "never ErrBadConn: %v", err)
		// The session's connection is gone: the next statement on the
		// *sql.Conn is refused, not run on a fresh connection.
		_, err = conn.ExecContext(bg, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'k')", m+1, u1)
		require.Error(t, err, "xa=%v", xa)
		_ = conn.Close()
		assert.Equal(t, map[int64]int{m: 0, m + 1: 0}, markerRows(t, e, m, m+1), "xa=%v", xa)
	}
	e.idle(t)
}
