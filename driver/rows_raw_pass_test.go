package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// passBoundEnv is a topology of one data source and no sharded table
// (every statement passed through) over a database holding t_pass (unique
// integer keys id and (a, b), a unique text key vc) and t_nokey (id
// indexed, not unique), and a plain pool on the same database.
func passBoundEnv(t *testing.T) (db, plain *sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := sharedDSNs(t, "raw_pass")[0]
	plain = openPlain(t, dsn)
	for _, q := range []string{
		"DROP TABLE IF EXISTS t_pass, t_nokey",
		"CREATE TABLE t_pass (id BIGINT PRIMARY KEY, a INT NOT NULL, b INT, vc VARCHAR(8) NOT NULL, UNIQUE KEY ab (a, b), UNIQUE KEY (vc))",
		"INSERT INTO t_pass VALUES (1, 10, 100, 'one'), (2, 10, 200, 'two'), (3, 30, NULL, 'three')",
		"CREATE TABLE t_nokey (id BIGINT, vc VARCHAR(8), KEY (id))",
		"INSERT INTO t_nokey VALUES (1, 'x'), (1, 'y')",
	} {
		_, err := plain.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", dsn+"&interpolateParams=true"))
	return openDB(t, topo), plain
}

// TestBoundedPassThrough: a SELECT passed through unchanged (no sharded
// table) with an integer equality on every column of one of its table's
// unique integer keys is read whole inside Raw (rows_raw.go), as a
// sharded point select is, from the keys the catalog reads of the default
// data source's tables (catalog_unsharded.go); nothing else is, and the
// keys' facts follow DDL run through the driver and behind its back.
func TestBoundedPassThrough(t *testing.T) {
	ctx := context.Background()
	db, plain := passBoundEnv(t)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	buffered := func(q string, args ...any) bool {
		t.Helper()
		b, err := shardsql.QueryBuffered(ctx, conn, false, q, args...)
		require.NoError(t, err, q)
		return b
	}
	rowsOf := func(q string, args ...any) int {
		t.Helper()
		_, got := rawResult(t)(conn.QueryContext(ctx, q, args...))
		return len(got)
	}

	// the first statement loads the catalog's keys (nothing read yet)
	for range 2 { // the second from the plan cache's pass-through shortcut
		assert.True(t, buffered("SELECT vc FROM t_pass WHERE id = ?", int64(1)), "the primary key")
		assert.True(t, buffered("SELECT vc FROM t_pass WHERE a = ? AND b = ?", 10, 100), "both columns of (a, b)")
		assert.True(t, buffered("SELECT p.vc FROM t_pass AS p WHERE 2 = p.id AND vc <> ''"), "a literal, qualified by the alias")
		assert.True(t, buffered("SELECT COUNT(*) FROM t_pass WHERE id = ? GROUP BY vc", 3))
		for _, c := range []struct {
			q    string
			args []any
		}{
			{"SELECT vc FROM t_pass WHERE id = ?", []any{"1"}},                                  // a string compares as a double
			{"SELECT vc FROM t_pass WHERE a = ?", []any{10}},                                    // part of a key
			{"SELECT vc FROM t_pass WHERE vc = ?", []any{"one"}},                                // a text key
			{"SELECT vc FROM t_pass WHERE id = ? OR id = ?", []any{1, 2}},                       // not a conjunct
			{"SELECT vc FROM t_pass WHERE id <=> ?", []any{1}},                                  // not `=`
			{"SELECT id FROM t_nokey WHERE id = ?", []any{1}},                                   // no unique key
			{"SELECT p.vc FROM t_pass p JOIN t_pass q ON q.id = p.id WHERE p.id = ?", []any{1}}, // a join
			{"SELECT vc FROM t_pass WHERE id = ? AND id IN (SELECT id FROM t_nokey)", []any{1}}, // a subquery
			{"SELECT COUNT(*) FROM t_pass WHERE id = ? GROUP BY vc WITH ROLLUP", []any{1}},
			{"SELECT vc FROM raw_pass.t_pass WHERE id = ?", []any{1}}, // qualified
		} {
			assert.False(t, buffered(c.q, c.args...), c.q)
		}
	}
	assert.Equal(t, 2, rowsOf("SELECT vc FROM t_nokey WHERE id = ?", 1))
	assert.Equal(t, 1, rowsOf("SELECT vc FROM t_pass WHERE a = ? AND b = ?", 10, 200))
	var vc string
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT vc FROM t_pass WHERE id = ?", 3).Scan(&vc))
	assert.Equal(t, "three", vc)

	// DDL through the driver: the keys are read again before the next
	// statement proves anything from them.
	const byID = "SELECT vc FROM t_pass WHERE id = ?"
	_, err = db.ExecContext(ctx, "ALTER TABLE t_pass DROP PRIMARY KEY")
	require.NoError(t, err)
	assert.False(t, buffered(byID, 1), "the primary key dropped through the driver")
	_, err = db.ExecContext(ctx, "ALTER TABLE t_pass ADD PRIMARY KEY (id)")
	require.NoError(t, err)
	assert.True(t, buffered(byID, 1), "and added again")

	// Behind the driver's back: the stale bound is read past, never
	// truncated, and the facts are forgotten and read again.
	_, err = plain.ExecContext(ctx, "ALTER TABLE t_pass DROP PRIMARY KEY")
	require.NoError(t, err)
	_, err = plain.ExecContext(ctx, "INSERT INTO t_pass VALUES (1, 11, 1, 'dup')")
	require.NoError(t, err)
	assert.Equal(t, 2, rowsOf(byID, 1), "a stale bound answers every row")
	assert.False(t, buffered(byID, 1), "the catalog forgot the stale key")
	assert.Equal(t, 2, rowsOf(byID, 1))

	// A session's temporary table shadows the base table: its session is
	// sticky, and nothing is read whole on it.
	_, err = plain.ExecContext(ctx, "DELETE FROM t_pass WHERE vc = 'dup'")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "ALTER TABLE t_pass ADD PRIMARY KEY (id)")
	require.NoError(t, err)
	assert.True(t, buffered(byID, 1))
	_, err = conn.ExecContext(ctx, "CREATE TEMPORARY TABLE t_pass (id BIGINT, vc VARCHAR(8))")
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "INSERT INTO t_pass VALUES (1, 't1'), (1, 't2')")
	require.NoError(t, err)
	assert.False(t, buffered(byID, 1), "a temporary table's session")
	assert.Equal(t, 2, rowsOf(byID, 1))
}
