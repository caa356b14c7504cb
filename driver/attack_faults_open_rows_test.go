package driver_test

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttackFaultsOpenRowsInTx: rows of a transaction left open on ds0
// while the transaction runs more statements — on the same data source
// (one connection reads one result at a time, as with go-sql-driver: a
// clear error, and the transaction stays usable) and on the other one —
// then Commit keeps exactly what succeeded. Before the fix the statement
// on ds0 hung until the context ended: go-sql-driver refused it with
// driver.ErrBadConn, and database/sql then closed the data source's
// *sql.Conn, which waits for the open rows.
func TestAttackFaultsOpenRowsInTx(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	u0, u1 := e.users[0][0], e.users[1][0]
	for _, mode := range lockModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 20*time.Second)
			defer cancel()
			base := int64(93000)
			if mode.name == "XA" {
				base = 93100
			}
			var before int
			require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_sess WHERE user_id = ?", u0).Scan(&before))
			tx, err := e.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'o'), (?, ?, 'o')", base, u0, base+1, u1)
			require.NoError(t, err)
			rows, err := tx.QueryContext(ctx, "SELECT id FROM t_sess WHERE user_id = ?", u0)
			require.NoError(t, err)
			require.True(t, rows.Next())

			_, errSame := tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'o')", base+2, u0)
			t.Logf("same data source while rows are open: %v", errSame)
			require.Error(t, errSame, "one connection reads one result at a time")
			assert.Contains(t, errSame.Error(), "still open")
			assert.False(t, errors.Is(errSame, sqldriver.ErrBadConn), "never ErrBadConn: %v", errSame)
			_, err = tx.ExecContext(ctx, "SAVEPOINT s1")
			require.Error(t, err, "a savepoint reaches ds0 too")
			assert.Contains(t, err.Error(), "still open")
			_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'o')", base+3, u1)
			require.NoError(t, err, "the other data source")
			n := 1
			for rows.Next() {
				n++
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			assert.Equal(t, before+1, n, "the open rows read on to their end")
			_, err = tx.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, 'o')", base+4, u0)
			require.NoError(t, err, "ds0 once the rows are closed")
			require.NoError(t, tx.Commit())
			want := map[int64]int{base: 1, base + 1: 1, base + 2: 0, base + 3: 1, base + 4: 1}
			assert.Equal(t, want, markerRows(t, e, base, base+1, base+2, base+3, base+4))
			e.idle(t)
		})
	}
}

// TestAttackFaultsKilledPoolConnections: every idle pooled connection of
// ds1 is killed by another session; the next multi-node write runs
// exactly once (database/sql retries only a statement go-sql-driver
// proved unsent), and the next scatter reads everything.
func TestAttackFaultsKilledPoolConnections(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	u0, u1 := e.users[0][0], e.users[1][0]
	for round := 0; round < 3; round++ {
		// Warm ds1's pool, then kill its idle connections from a
		// session of its own.
		for i := 0; i < 3; i++ {
			_, err := answer(ctx, e.db, "SELECT COUNT(*) FROM t_sess")
			require.NoError(t, err)
		}
		admin, err := e.pools[1].Conn(ctx)
		require.NoError(t, err)
		var self int64
		require.NoError(t, admin.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&self))
		ids := killListed(t, ctx, admin, "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Sleep' AND ID <> ? AND DB = DATABASE()", self)
		require.NoError(t, admin.Close())
		time.Sleep(50 * time.Millisecond)

		res, err := e.db.ExecContext(ctx, "UPDATE t_sess SET note = CONCAT(note, 'x') WHERE user_id IN (?, ?)", u0, u1)
		require.NoError(t, err, "round %d (killed %d connections)", round, len(ids))
		n, err := res.RowsAffected()
		require.NoError(t, err)
		assert.Equal(t, rowsOf(u0)+rowsOf(u1), n)
		var bad int
		require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_sess WHERE user_id IN (?, ?) AND note NOT LIKE ?", u0, u1, "%"+repeatX(round+1)).Scan(&bad))
		assert.Zero(t, bad, "round %d: every row updated exactly once", round)
		var twice int
		require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_sess WHERE user_id IN (?, ?) AND note LIKE ?", u0, u1, "%"+repeatX(round+2)).Scan(&twice))
		assert.Zero(t, twice, "round %d: no row updated twice", round)
	}
	e.idle(t)
}

func repeatX(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

// TestAttackFaultsAutocommitDSN: a data source DSN with autocommit=0 is
// refused when the connector is made. Before, a single-node INSERT outside
// a transaction returned nil and stayed uncommitted in its pooled
// connection (another session saw 0 rows), until a later multi-node
// write's START TRANSACTION on that connection committed it.
func TestAttackFaultsAutocommitDSN(t *testing.T) {
	dsns := []string{"u:p@tcp(127.0.0.1:1)/app", "u:p@tcp(127.0.0.1:2)/app"}
	for _, v := range []string{"0", "OFF", "false", "'off'"} {
		topo := shard.NewTopology()
		for i, dsn := range withParams(t, dsns, map[string]string{"autocommit": v}) {
			require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		}
		_, err := driver.NewConnector(topo)
		require.ErrorIs(t, err, driver.ErrUnsupported, v)
		assert.Contains(t, err.Error(), "autocommit="+v)
	}
	topo := shard.NewTopology()
	for i, dsn := range withParams(t, dsns, map[string]string{"autocommit": "1"}) {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	_, err := driver.NewConnector(topo)
	require.NoError(t, err, "autocommit=1 is MariaDB's default")
}
