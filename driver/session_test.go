package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// sessionEnv is t_sess sharded by user_id over 2 MariaDB servers × 2
// tables, with pools the test opened (so it can check none stays in use),
// t_auto (AUTO_INCREMENT, not in the topology) on the first server, and
// users known to live on each data source.
type sessionEnv struct {
	db    *sql.DB
	pools []*sql.DB
	users [2][]int64 // users whose rows live on ds0 and ds1
}

func newSessionEnv(t *testing.T, dsns []string, opts ...driver.Option) *sessionEnv {
	t.Helper()
	e := &sessionEnv{}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		pool, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		pool.SetMaxOpenConns(8)
		t.Cleanup(func() { _ = pool.Close() })
		e.pools = append(e.pools, pool)
		require.NoError(t, topo.AddDB(fmt.Sprintf("ds%d", i), pool))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_sess", Column: "user_id",
		Nodes: "ds${0..1}.t_sess_${0..1}", Algorithm: shard.Hash()}))
	st, _ := topo.Table("t_sess")
	for u := int64(1); len(e.users[0]) < 3 || len(e.users[1]) < 3; u++ {
		n, err := st.NodeFor(u)
		require.NoError(t, err)
		ds := st.Nodes[n].DataSource
		e.users[ds[2]-'0'] = append(e.users[ds[2]-'0'], u)
	}
	e.db = openDB(t, topo, opts...)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS t_sess (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(16))",
		"CREATE TABLE IF NOT EXISTS t_auto (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, x INT)",
	} {
		_, err := e.db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	id := 0
	for _, users := range e.users {
		for _, u := range users {
			for k := 0; k < int(u%3)+2; k++ { // 2 to 4 rows per user
				id++
				_, err := e.db.ExecContext(ctx, "INSERT INTO t_sess (id, user_id, note) VALUES (?, ?, ?)", id, u, fmt.Sprintf("n%d", k))
				require.NoError(t, err)
			}
		}
	}
	return e
}

// rowsOf counts a user's rows.
func rowsOf(u int64) int64 { return u%3 + 2 }

// idle checks that no server connection stays in use once the callers are
// done: the sessions gave theirs back.
func (e *sessionEnv) idle(t *testing.T) {
	t.Helper()
	for i, p := range e.pools {
		deadline := time.Now().Add(5 * time.Second)
		for p.Stats().InUse > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		assert.Zero(t, p.Stats().InUse, "ds%d: server connections still in use", i)
	}
}

// querier is what *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func one[T any](t *testing.T, q querier, query string, args ...any) T {
	t.Helper()
	var v T
	require.NoError(t, q.QueryRowContext(context.Background(), query, args...).Scan(&v), query)
	return v
}

// sessionChecks runs every session scenario on q, a *sql.Conn or a *sql.Tx.
func sessionChecks(t *testing.T, e *sessionEnv, q querier) {
	ctx := context.Background()
	t.Run("user variables", func(t *testing.T) {
		_, err := q.ExecContext(ctx, "SET @v := ?, @n = 'n1'", 41)
		require.NoError(t, err)
		assert.Equal(t, int64(41), one[int64](t, q, "SELECT @v"))
		for ds, users := range e.users {
			u := users[0]
			// @n is set on every data source's session.
			assert.Equal(t, int64(1), one[int64](t, q, "SELECT COUNT(*) FROM t_sess WHERE user_id = ? AND note = @n", u), "ds%d", ds)
			_, err := q.ExecContext(ctx, "SET @u = ?", u)
			require.NoError(t, err)
			assert.Equal(t, rowsOf(u), one[int64](t, q, "SELECT COUNT(*) FROM t_sess WHERE user_id = ? AND user_id = @u", u))
		}
		_, err = q.QueryContext(ctx, "SELECT COUNT(*) FROM t_sess WHERE user_id = @u")
		require.ErrorIs(t, err, route.ErrUnsupported)
		assert.Contains(t, err.Error(), "pass its value as a ? argument")
		_, err = q.QueryContext(ctx, "SELECT @w := note FROM t_sess WHERE user_id = ?", e.users[0][0])
		require.ErrorIs(t, err, route.ErrUnsupported)
		assert.Contains(t, err.Error(), "SET @v = ?")
	})
	t.Run("SQL_CALC_FOUND_ROWS and FOUND_ROWS", func(t *testing.T) {
		for _, users := range e.users {
			for _, u := range users {
				rows, err := q.QueryContext(ctx, "SELECT SQL_CALC_FOUND_ROWS id FROM t_sess WHERE user_id = ? ORDER BY id LIMIT 1", u)
				require.NoError(t, err)
				assert.Len(t, collectInts(t, rows), 1)
				assert.Equal(t, rowsOf(u), one[int64](t, q, "SELECT FOUND_ROWS()"), "user %d", u)
			}
		}
		rows, err := q.QueryContext(ctx, "SELECT id FROM t_sess")
		require.NoError(t, err)
		collectInts(t, rows)
		_, err = q.QueryContext(ctx, "SELECT FOUND_ROWS()")
		require.ErrorIs(t, err, route.ErrUnsupported, "the previous statement ran on both data sources")
	})
	t.Run("ROW_COUNT", func(t *testing.T) {
		u := e.users[1][2] // the user whose rows the checks change
		_, err := q.ExecContext(ctx, "UPDATE t_sess SET note = note WHERE user_id = ?", u)
		require.NoError(t, err)
		assert.Equal(t, int64(0), one[int64](t, q, "SELECT ROW_COUNT()"), "no row changed")
		_, err = q.ExecContext(ctx, "UPDATE t_sess SET note = CONCAT(note, 'x') WHERE user_id = ?", u)
		require.NoError(t, err)
		assert.Equal(t, rowsOf(u), one[int64](t, q, "SELECT ROW_COUNT()"))
	})
	t.Run("LAST_INSERT_ID", func(t *testing.T) {
		res, err := q.ExecContext(ctx, "INSERT INTO t_auto (x) VALUES (1)")
		require.NoError(t, err)
		id, err := res.LastInsertId()
		require.NoError(t, err)
		// Another session's insert does not change ours.
		_, err = e.db.ExecContext(ctx, "INSERT INTO t_auto (x) VALUES (2)")
		require.NoError(t, err)
		assert.Equal(t, id, one[int64](t, q, "SELECT LAST_INSERT_ID()"))
		// A write on the other data source generates no id: still ours.
		_, err = q.ExecContext(ctx, "UPDATE t_sess SET note = 'y' WHERE user_id = ?", e.users[1][2])
		require.NoError(t, err)
		assert.Equal(t, id, one[int64](t, q, "SELECT LAST_INSERT_ID()"))
		_, err = q.ExecContext(ctx, "INSERT INTO t_auto (x) VALUES (LAST_INSERT_ID())")
		require.NoError(t, err)
		assert.Equal(t, id, one[int64](t, q, "SELECT x FROM t_auto WHERE id = LAST_INSERT_ID()"))
	})
	t.Run("CONNECTION_ID", func(t *testing.T) {
		first := one[int64](t, q, "SELECT CONNECTION_ID()")
		assert.Equal(t, first, one[int64](t, q, "SELECT CONNECTION_ID()"))
		_, err := q.QueryContext(ctx, "SELECT CONNECTION_ID(), id FROM t_sess")
		require.ErrorIs(t, err, route.ErrUnsupported)
	})
	t.Run("named locks", func(t *testing.T) {
		const name = "shardsql-session-lock"
		assert.Equal(t, int64(1), one[int64](t, q, "SELECT GET_LOCK(?, 5)", name))
		assert.Equal(t, one[int64](t, q, "SELECT CONNECTION_ID()"), one[int64](t, q, "SELECT IS_USED_LOCK(?)", name))
		var free int64
		require.NoError(t, e.db.QueryRowContext(ctx, "SELECT IS_FREE_LOCK(?)", name).Scan(&free))
		assert.Zero(t, free, "held by this session, seen from another")
		assert.Equal(t, int64(1), one[int64](t, q, "SELECT RELEASE_LOCK(?)", name))
		_, err := q.QueryContext(ctx, "SELECT GET_LOCK(?, 0) FROM t_sess WHERE user_id = ?", name, e.users[1][0])
		require.ErrorIs(t, err, route.ErrUnsupported, "locks live on the default data source")
	})
	t.Run("temporary tables", func(t *testing.T) {
		_, err := q.ExecContext(ctx, "CREATE TEMPORARY TABLE tmp_ids (id BIGINT)")
		require.NoError(t, err)
		_, err = q.ExecContext(ctx, "INSERT INTO tmp_ids VALUES (1), (2), (3)")
		require.NoError(t, err)
		assert.Equal(t, int64(3), one[int64](t, q, "SELECT COUNT(*) FROM tmp_ids"))
		var n int64
		require.Error(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM tmp_ids").Scan(&n), "another session does not see it")
		_, err = q.ExecContext(ctx, "DROP TEMPORARY TABLE tmp_ids")
		require.NoError(t, err)
		_, err = q.ExecContext(ctx, "CREATE TEMPORARY TABLE t_sess (id BIGINT)")
		require.ErrorIs(t, err, route.ErrUnsupported)
	})
	t.Run("SET SESSION reaches every node", func(t *testing.T) {
		_, err := q.ExecContext(ctx, "SET SESSION div_precision_increment = 9")
		require.NoError(t, err)
		rows, err := q.QueryContext(ctx, "SELECT 1/3 FROM t_sess WHERE user_id IN (?, ?)", e.users[0][0], e.users[1][0])
		require.NoError(t, err)
		n := 0
		for rows.Next() {
			var d string
			require.NoError(t, rows.Scan(&d))
			assert.Equal(t, "0.333333333", d)
			n++
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, rowsOf(e.users[0][0])+rowsOf(e.users[1][0]), int64(n))
		_, err = q.ExecContext(ctx, "SET SESSION div_precision_increment = DEFAULT")
		require.NoError(t, err)
	})
}

// A *sql.Conn and a *sql.Tx of shardsql keep one session per data source,
// as a go-sql-driver connection has one.
func TestSessionState(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	ctx := context.Background()
	t.Run("Conn", func(t *testing.T) {
		conn, err := e.db.Conn(ctx)
		require.NoError(t, err)
		sessionChecks(t, e, conn)
		require.NoError(t, conn.Close())
		e.idle(t)
	})
	t.Run("Tx", func(t *testing.T) {
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		sessionChecks(t, e, tx)
		require.NoError(t, tx.Commit())
		e.idle(t)
	})
	t.Run("Conn then Tx", func(t *testing.T) {
		conn, err := e.db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.ExecContext(ctx, "SET @before = 'b'")
		require.NoError(t, err)
		id := one[int64](t, conn, "SELECT CONNECTION_ID()")
		tx, err := conn.BeginTx(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, "b", one[string](t, tx, "SELECT @before"), "the transaction runs on the session")
		assert.Equal(t, id, one[int64](t, tx, "SELECT CONNECTION_ID()"))
		_, err = tx.ExecContext(ctx, "SET @inside = 'i'")
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		assert.Equal(t, "i", one[string](t, conn, "SELECT @inside"))
		require.NoError(t, conn.Close())
		e.idle(t)
	})
	t.Run("a pooled connection starts a fresh session", func(t *testing.T) {
		e.db.SetMaxOpenConns(1)
		defer e.db.SetMaxOpenConns(0)
		conn, err := e.db.Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "SET @stale = 1")
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		var v sql.NullInt64
		require.NoError(t, e.db.QueryRowContext(ctx, "SELECT @stale").Scan(&v))
		assert.False(t, v.Valid, "the same logical connection, a new session")
		e.idle(t)
	})
	t.Run("LAST_INSERT_ID after generated keys", func(t *testing.T) {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDB("ds0", e.pools[0]))
		require.NoError(t, topo.AddDB("ds1", e.pools[1]))
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_gen", Column: "id", Nodes: "ds${0..1}.t_gen_${0..1}",
			Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: &idCounter{next: 500}}))
		db := openDB(t, topo)
		_, err := db.ExecContext(ctx, "CREATE TABLE t_gen (id BIGINT PRIMARY KEY, x INT)")
		require.NoError(t, err)
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		res, err := conn.ExecContext(ctx, "INSERT INTO t_gen (x) VALUES (1)")
		require.NoError(t, err)
		id, err := res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, int64(501), id)
		_, err = conn.QueryContext(ctx, "SELECT LAST_INSERT_ID()")
		require.ErrorIs(t, err, route.ErrUnsupported)
		assert.Contains(t, err.Error(), "Result.LastInsertId")
		require.NoError(t, conn.Close())
		e.idle(t)
	})
}

// migrateLock is golang-migrate's MySQL lock: GET_LOCK on a connection of
// its own, work, RELEASE_LOCK on the same connection.
func migrateLock(t *testing.T, db *sql.DB, other *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	const name = "shardsql-migrate-lock"
	var ok int
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 10)", name).Scan(&ok))
	require.Equal(t, 1, ok, "the lock is free")
	require.NoError(t, other.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&ok))
	require.Equal(t, 0, ok, "another session cannot take it")
	var holder, me int64
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&holder))
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&me))
	require.Equal(t, me, holder)
	_, err = conn.ExecContext(ctx, "INSERT INTO t_auto (x) VALUES (7)")
	require.NoError(t, err)
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", name).Scan(&ok))
	require.Equal(t, 1, ok, "released by the session that holds it")
	require.NoError(t, conn.Close())
}

func TestSessionMigrateLockTwice(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	other, err := e.db.Conn(context.Background())
	require.NoError(t, err)
	migrateLock(t, e.db, other)
	migrateLock(t, e.db, other)
	require.NoError(t, other.Close())
	e.idle(t)
}

// A session whose server connection dies is gone: the Conn's next
// statements fail with driver.ErrBadConn instead of running on a fresh
// session without its variables, and nothing leaks.
func TestSessionLost(t *testing.T) {
	e := newSessionEnv(t, sharedDSNs(t, t.Name()))
	ctx := context.Background()
	conn, err := e.db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "SET @v = 1")
	require.NoError(t, err)
	id := one[int64](t, conn, "SELECT CONNECTION_ID()")
	_, err = e.pools[0].ExecContext(ctx, fmt.Sprintf("KILL %d", id))
	require.NoError(t, err)

	var v int64
	err = conn.QueryRowContext(ctx, "SELECT @v").Scan(&v)
	require.Error(t, err, "the session's connection is gone")
	err = conn.QueryRowContext(ctx, "SELECT @v").Scan(&v)
	require.ErrorIs(t, err, sqldriver.ErrBadConn, "never a fresh session without @v")
	_ = conn.Close()

	require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_sess WHERE user_id = ?", e.users[0][0]).Scan(&v))
	assert.Equal(t, rowsOf(e.users[0][0]), v)
	e.idle(t)
}
