package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestIDs22BroadcastVolatileDefaults: a broadcast table whose column's
// DEFAULT or ON UPDATE calls a function whose value differs from server to
// server (UUID(), RAND(), CURRENT_TIMESTAMP(6)) gets, from a write that
// leaves that column to the server, its own value on each copy: the copies
// drift apart silently. Such writes are refused, naming the column; writes
// that give the column its value run, and the copies stay equal.
func TestIDs22BroadcastVolatileDefaults(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "ids22_bdef")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("b_i22"))
	require.NoError(t, topo.AddBroadcastTable("c_i22"))
	db := openDB(t, topo)
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{
			"DROP TABLE IF EXISTS b_i22", "DROP TABLE IF EXISTS c_i22",
			"CREATE TABLE b_i22 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, u CHAR(36) NOT NULL DEFAULT uuid(), r DOUBLE NOT NULL DEFAULT (rand()))",
			"CREATE TABLE c_i22 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, at DATETIME(6) NOT NULL DEFAULT '2000-01-01 00:00:00' ON UPDATE CURRENT_TIMESTAMP(6))",
		} {
			_, err := p.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	copies := func(q string) []string {
		var out []string
		for _, dsn := range dsns {
			var s sql.NullString
			err := openPlain(t, dsn).QueryRowContext(ctx, q).Scan(&s)
			require.NoError(t, err, q)
			out = append(out, s.String)
		}
		return out
	}
	equal := func(q, after string) {
		c := copies(q)
		for i := 1; i < len(c); i++ {
			assert.Equal(t, c[0], c[i], "copy %d differs from copy 0 after %s", i, after)
		}
	}
	for _, q := range []string{
		"INSERT INTO b_i22 (id, n, u, r) VALUES (1, 1, 'a', 0.5)",
		"INSERT INTO b_i22 VALUES (2, 1, 'b', 0.25)",
		"REPLACE INTO b_i22 (id, n, u, r) VALUES (2, 2, 'c', 0.75)",
		"INSERT INTO b_i22 (id, n, u, r) VALUES (1, 1, 'a', 0.5) ON DUPLICATE KEY UPDATE n = n + 1",
		"UPDATE b_i22 SET n = n + 1",
		"INSERT INTO c_i22 (id, n) VALUES (1, 1)",
		"UPDATE c_i22 SET n = n + 1, at = '2020-01-01 00:00:00'",
		"INSERT INTO c_i22 (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1, at = '2021-01-01'",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
		equal("SELECT GROUP_CONCAT(id, ' ', n, ' ', u, ' ', r ORDER BY id) FROM b_i22", q)
		equal("SELECT GROUP_CONCAT(id, ' ', n, ' ', at ORDER BY id) FROM c_i22", q)
	}
	for _, c := range []struct{ q, col string }{
		{"INSERT INTO b_i22 (id, n) VALUES (3, 1)", "r"},
		{"INSERT INTO b_i22 (id, n, u) VALUES (3, 1, 'x')", "r"},
		{"INSERT INTO b_i22 (id, n, u, r) VALUES (3, 1, DEFAULT, 0.5)", "u"},
		{"INSERT INTO b_i22 SET id = 3, n = 1, r = 0.5", "u"},
		{"INSERT INTO b_i22 () VALUES ()", "r"},
		{"INSERT INTO b_i22 VALUES ()", "r"},
		{"REPLACE INTO b_i22 (id, n, r) VALUES (1, 1, 0.5)", "u"},
		{"INSERT INTO b_i22 (id, n, u, r) SELECT id + 10, n, u, DEFAULT(r) FROM b_i22", "r"},
		{"UPDATE b_i22 SET r = DEFAULT WHERE id = 1", "r"},
		{"UPDATE c_i22 SET n = n + 1", "at"},
		{"UPDATE c_i22 AS x SET x.n = x.n + 1 WHERE x.id = 1", "at"},
		{"INSERT INTO c_i22 (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1", "at"},
		{"INSERT INTO b_i22 (id, n, u, r) VALUES (1, 1, 'a', 0.5) ON DUPLICATE KEY UPDATE u = DEFAULT", "u"},
	} {
		_, err := db.ExecContext(ctx, c.q)
		if assert.Error(t, err, c.q) {
			assert.Contains(t, err.Error(), "shardsql: unsupported", c.q)
			assert.Contains(t, err.Error(), "column "+c.col, c.q)
		}
		equal("SELECT GROUP_CONCAT(id, ' ', n, ' ', u, ' ', r ORDER BY id) FROM b_i22", c.q)
		equal("SELECT GROUP_CONCAT(id, ' ', n, ' ', at ORDER BY id) FROM c_i22", c.q)
	}
}

// TestIDs22BroadcastVolatileTriggers: a trigger on a broadcast table fires
// on every copy; one whose body calls UUID() or NOW(6) gave each copy its
// own value. Writes that set such a trigger off are refused, naming the
// trigger and the function; a trigger computing from the row alone still
// runs, and the copies stay equal.
func TestIDs22BroadcastVolatileTriggers(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "ids22_btrg")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("t_i22"))
	db := openDB(t, topo)
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{
			"DROP TABLE IF EXISTS t_i22",
			"CREATE TABLE t_i22 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL, n2 INT NOT NULL DEFAULT 0, u CHAR(36) NOT NULL DEFAULT '', at DATETIME(6) NOT NULL DEFAULT '2000-01-01')",
			"CREATE TRIGGER t_i22_bi BEFORE INSERT ON t_i22 FOR EACH ROW SET NEW.u = uuid()",
			"CREATE TRIGGER t_i22_bu BEFORE UPDATE ON t_i22 FOR EACH ROW SET NEW.at = NOW(6)",
			"CREATE TRIGGER t_i22_bd BEFORE DELETE ON t_i22 FOR EACH ROW SET @n2 = OLD.n * 2",
		} {
			_, err := p.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	equal := func(after string) {
		var first string
		for i, dsn := range dsns {
			var s sql.NullString
			require.NoError(t, openPlain(t, dsn).QueryRowContext(ctx, "SELECT GROUP_CONCAT(id, ' ', n, ' ', u, ' ', at ORDER BY id) FROM t_i22").Scan(&s))
			if i == 0 {
				first = s.String
			} else {
				assert.Equal(t, first, s.String, "copy %d differs from copy 0 after %s", i, after)
			}
		}
	}
	for _, c := range []struct{ q, trigger, fn string }{
		{"INSERT INTO t_i22 (id, n) VALUES (1, 1)", "t_i22_bi", "UUID()"},
		{"REPLACE INTO t_i22 (id, n) VALUES (1, 1)", "t_i22_bi", "UUID()"},
		{"UPDATE t_i22 SET n = n + 1", "t_i22_bu", "NOW()"},
		{"INSERT INTO t_i22 (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1", "t_i22_b", ""},
	} {
		_, err := db.ExecContext(ctx, c.q)
		if assert.Error(t, err, c.q) {
			assert.Contains(t, err.Error(), "shardsql: unsupported", c.q)
			assert.Contains(t, err.Error(), "trigger "+c.trigger, c.q)
			assert.Contains(t, err.Error(), c.fn, c.q)
		}
		equal(c.q)
	}
	// The DELETE trigger computes from the row: the write runs.
	for _, dsn := range dsns {
		_, err := openPlain(t, dsn).ExecContext(ctx, "INSERT INTO t_i22 (id, n, u) VALUES (5, 5, 'x')")
		require.NoError(t, err)
	}
	res, err := db.ExecContext(ctx, "DELETE FROM t_i22 WHERE id = 5")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(1), n)
	equal("DELETE")
}

// TestIDs22BroadcastVolatileFunctions: a stored function whose body calls
// UUID() (directly or through another function), called by a broadcast
// write or by a trigger of a broadcast table, gave each copy its own
// value. Such writes are refused naming the function; a function that
// computes from its arguments still runs.
func TestIDs22BroadcastVolatileFunctions(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "ids22_bfn")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("f_i22"))
	require.NoError(t, topo.AddBroadcastTable("g_i22"))
	db := openDB(t, topo)
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{
			"DROP TABLE IF EXISTS f_i22", "DROP TABLE IF EXISTS g_i22",
			"DROP FUNCTION IF EXISTS f_i22_u", "DROP FUNCTION IF EXISTS f_i22_w", "DROP FUNCTION IF EXISTS f_i22_d",
			"CREATE TABLE f_i22 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL, u CHAR(40) NOT NULL DEFAULT '')",
			"CREATE TABLE g_i22 (id INT NOT NULL PRIMARY KEY, u CHAR(40) NOT NULL DEFAULT '')",
			"CREATE FUNCTION f_i22_u() RETURNS CHAR(36) NOT DETERMINISTIC RETURN UUID()",
			"CREATE FUNCTION f_i22_w() RETURNS CHAR(40) NOT DETERMINISTIC RETURN CONCAT('w', f_i22_u())",
			"CREATE FUNCTION f_i22_d(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
			"CREATE TRIGGER g_i22_bi BEFORE INSERT ON g_i22 FOR EACH ROW SET NEW.u = f_i22_u()",
		} {
			_, err := p.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	equal := func(after string) {
		var first string
		for i, dsn := range dsns {
			var s sql.NullString
			require.NoError(t, openPlain(t, dsn).QueryRowContext(ctx,
				"SELECT CONCAT_WS('|', (SELECT GROUP_CONCAT(id, ' ', n, ' ', u ORDER BY id) FROM f_i22), (SELECT GROUP_CONCAT(id, ' ', u ORDER BY id) FROM g_i22))").Scan(&s))
			if i == 0 {
				first = s.String
			} else {
				assert.Equal(t, first, s.String, "copy %d differs from copy 0 after %s", i, after)
			}
		}
	}
	for _, q := range []string{
		"INSERT INTO f_i22 (id, n, u) VALUES (1, f_i22_d(2), 'a')",
		"UPDATE f_i22 SET n = f_i22_d(n) WHERE id = 1",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
		equal(q)
	}
	for _, c := range []struct{ q, fn string }{
		{"INSERT INTO f_i22 (id, n, u) VALUES (2, 1, f_i22_u())", "f_i22_u"},
		{"UPDATE f_i22 SET u = f_i22_w() WHERE id = 1", "f_i22_w"},
		{"INSERT INTO f_i22 (id, n, u) VALUES (1, 1, 'x') ON DUPLICATE KEY UPDATE u = CONCAT(u, f_i22_u())", "f_i22_u"},
		{"INSERT INTO g_i22 (id) VALUES (1)", "f_i22_u"},
	} {
		_, err := db.ExecContext(ctx, c.q)
		if assert.Error(t, err, c.q) {
			assert.Contains(t, err.Error(), "shardsql: unsupported", c.q)
			assert.Contains(t, err.Error(), c.fn, c.q)
		}
		equal(c.q)
	}
}
