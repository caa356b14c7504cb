package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// review7BoundDDL has unique keys of each kind the row bound reads: the
// primary key, a composite unique key over nullable columns, and an
// unsigned one.
const review7BoundDDL = `CREATE TABLE t_rb (id BIGINT NOT NULL, user_id BIGINT NOT NULL, a INT NULL, b INT NULL,
	u BIGINT UNSIGNED NULL, bo TINYINT(1) NULL, v VARCHAR(10) NULL, PRIMARY KEY (id), UNIQUE KEY ab (a, b), UNIQUE KEY uu (u))`

// review7BoundEnv is t_rb sharded by user_id over the two shared servers
// (interpolateParams on, so that the bounded reads with arguments go
// through Raw) and the same rows in one oracle table. It returns the
// sharded DB, the oracle and the node connections.
func review7BoundEnv(t *testing.T) (*sql.DB, *sql.DB, []*sql.DB) {
	t.Helper()
	dsns := sharedDSNs(t, "review7_bound")
	oracle := openPlain(t, sharedDSNs(t, "review7_bound_oracle")[0]+"&interpolateParams=true") // arguments as the nodes get them
	var nodes []*sql.DB
	for _, d := range dsns {
		nodes = append(nodes, openPlain(t, d))
	}
	all := append([]*sql.DB{oracle}, nodes...)
	for _, db := range all {
		for _, s := range []string{"DROP TABLE IF EXISTS t_rb", review7BoundDDL} {
			_, err := db.Exec(s)
			require.NoError(t, err)
		}
	}
	for id := int64(1); id <= 40; id++ {
		user := id%2 + 1
		var a, b, u any
		if id%5 != 0 {
			a = id % 7
			b = id / 7
		} else {
			a = int64(1) // (1, NULL) several times: NULLs never conflict
		}
		if id%3 == 0 {
			u = uint64(math.MaxInt64) + uint64(id)
		}
		row := []any{id, user, a, b, u, id%2 == 0, fmt.Sprintf("v%d", id)}
		const ins = "INSERT INTO t_rb VALUES (?, ?, ?, ?, ?, ?, ?)"
		_, err := oracle.Exec(ins, row...)
		require.NoError(t, err)
		_, err = nodes[user%2].Exec(ins, row...)
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rb", Column: "user_id", Nodes: "ds${0..1}.t_rb", Algorithm: shard.Mod()}))
	return openDB(t, topo), oracle, nodes
}

// review7Same runs q on both and requires the same rows, names and
// types, or that both fail.
func review7Same(t *testing.T, sharded, oracle *sql.DB, q string, args ...any) {
	t.Helper()
	want, oerr := runDiffQuery(oracle, q, args...)
	got, err := runDiffQuery(sharded, q, args...)
	if oerr != nil {
		require.Error(t, err, "%s %#v: the oracle fails (%v)", q, args, oerr)
		return
	}
	require.NoError(t, err, "%s %#v", q, args)
	require.Equal(t, want.rows, got.rows, "%s %#v", q, args)
	require.Equal(t, want.cols, got.cols, "%s %#v", q, args)
	require.Equal(t, want.types, got.types, "%s %#v", q, args)
}

// TestReview7BoundedReads attacks the row bound (route/row_bound.go) and
// its read inside Raw (driver/rows_raw.go): unique keys over nullable and
// composite columns, all parts or some, every argument kind for a key and
// for LIMIT ?, grouping, DISTINCT, ROLLUP and FOUND_ROWS with the bound,
// against the unsharded oracle; then keys dropped and types changed behind
// the catalog's back, where the bound is stale and must be read past.
func TestReview7BoundedReads(t *testing.T) {
	sharded, oracle, nodes := review7BoundEnv(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	keys := []any{int64(3), int64(-3), int64(0), uint64(3), uint64(math.MaxUint64), int64(math.MinInt64), "3", "03", "3.0", " 3", "3abc",
		[]byte("3"), 3.0, 3.5, float32(3), true, false, nil, at, "", []byte{0}}
	for _, k := range keys {
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ?", k)
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND a = 1 AND b = ? ORDER BY id", k)
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND b = ? AND a = ? ORDER BY id", int64(0), k)
		review7Same(t, sharded, oracle, "SELECT id, u FROM t_rb WHERE user_id = 2 AND u = ? ORDER BY id", k)
		review7Same(t, sharded, oracle, "SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT ?", k)
		review7Same(t, sharded, oracle, "SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT 3 OFFSET ?", k)
		review7Same(t, sharded, oracle, "SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT ?, 2", k)
	}
	for _, q := range []string{
		"SELECT id, v FROM t_rb WHERE user_id = 2 AND id = 3 AND id = 4",
		"SELECT id, v FROM t_rb WHERE user_id = 2 AND a = 1 ORDER BY id", // part of (a, b): several rows
		"SELECT id, v FROM t_rb WHERE user_id = 2 AND a = 1 AND b <=> NULL ORDER BY id",
		"SELECT id, v FROM t_rb WHERE user_id = 2 AND a = 1 AND b = NULL",
		"SELECT id, u FROM t_rb WHERE user_id = 1 AND u = 9223372036854775810",
		"SELECT id, u FROM t_rb WHERE user_id = 1 AND u = 9223372036854775810.0",
		"SELECT id, u FROM t_rb WHERE user_id = 1 AND u = 9.22337203685477581e18 ORDER BY id",
		"SELECT id FROM t_rb WHERE user_id = 2 AND id = 1.0", "SELECT id FROM t_rb WHERE user_id = 2 AND id = 1e0",
		"SELECT id FROM t_rb WHERE user_id = 2 AND id = '1'", "SELECT id FROM t_rb WHERE user_id = 2 AND id = 0x01",
		"SELECT id FROM t_rb WHERE user_id = 2 AND id = b'1'", "SELECT id FROM t_rb WHERE user_id = 2 AND id = -0",
		"SELECT id FROM t_rb WHERE user_id = 2 AND id = TRUE", "SELECT id FROM t_rb WHERE user_id = 2 AND bo = 1 ORDER BY id LIMIT 16",
		"SELECT a, COUNT(*) FROM t_rb WHERE user_id = 2 AND id = 1 GROUP BY a WITH ROLLUP",
		"SELECT a, COUNT(*) FROM t_rb WHERE user_id = 2 GROUP BY a WITH ROLLUP LIMIT 3",
		"SELECT DISTINCT a FROM t_rb WHERE user_id = 2 ORDER BY a LIMIT 2",
		"SELECT COUNT(*), SUM(id) FROM t_rb WHERE user_id = 2 AND id = 99",
		"SELECT COUNT(*) FROM t_rb WHERE user_id = 2 HAVING COUNT(*) > 100 LIMIT 1",
		"SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT 0",
		"SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT 16", "SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT 17",
		"SELECT id, a, b, u, bo, v FROM t_rb WHERE user_id = 2 AND id = 4 FOR UPDATE",
	} {
		review7Same(t, sharded, oracle, q)
	}
	ctx := context.Background()
	conn, err := sharded.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	// A bounded read while another statement's rows are open on the Conn.
	open, err := conn.QueryContext(ctx, "SELECT id FROM t_rb WHERE user_id = 2 ORDER BY id")
	require.NoError(t, err)
	require.True(t, open.Next())
	var v string
	if err := conn.QueryRowContext(ctx, "SELECT v FROM t_rb WHERE user_id = 2 AND id = ?", int64(5)).Scan(&v); err != nil {
		_ = open.Close()
		t.Fatalf("a bounded read beside open rows: %v", err)
	}
	require.Equal(t, "v5", v)
	n := 1
	for open.Next() {
		n++
	}
	require.NoError(t, open.Err())
	require.Equal(t, 20, n)
	// SQL_CALC_FOUND_ROWS with a bound, then FOUND_ROWS() on the session.
	rows, err := conn.QueryContext(ctx, "SELECT SQL_CALC_FOUND_ROWS id FROM t_rb WHERE user_id = 2 ORDER BY id LIMIT 2")
	if err == nil {
		for rows.Next() {
		}
		require.NoError(t, rows.Close())
		var found int64
		if err := conn.QueryRowContext(ctx, "SELECT FOUND_ROWS()").Scan(&found); err == nil {
			require.Equal(t, int64(20), found)
		}
	}

	buffered, err := shardsql.QueryBuffered(ctx, conn, false, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ?", int64(5))
	require.NoError(t, err)
	require.True(t, buffered, "a key read is bounded")
	// Behind the catalog's back: the unique keys go, duplicates come.
	for _, q := range []string{"SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ?", "SELECT id FROM t_rb WHERE user_id = 2 AND u = ? ORDER BY id",
		"SELECT id FROM t_rb WHERE user_id = 2 AND a = ? AND b = 0 ORDER BY id"} {
		review7Same(t, sharded, oracle, q, int64(4)) // the catalog learns the keys
	}
	for _, db := range append([]*sql.DB{oracle}, nodes...) {
		for _, s := range []string{"ALTER TABLE t_rb DROP PRIMARY KEY, DROP INDEX uu, DROP INDEX ab"} {
			_, err := db.Exec(s)
			require.NoError(t, err)
		}
	}
	for i := int64(0); i < 30; i++ {
		row := []any{int64(4), int64(2), int64(4), int64(0), uint64(4), true, fmt.Sprintf("dup%d", i)}
		const ins = "INSERT INTO t_rb VALUES (?, ?, ?, ?, ?, ?, ?)"
		_, err := oracle.Exec(ins, row...)
		require.NoError(t, err)
		_, err = nodes[0].Exec(ins, row...) // user 2: ds0 (Mod)
		require.NoError(t, err)
	}
	// the first read after the change is bounded by the stale key, and
	// reads past it
	buffered, err = shardsql.QueryBuffered(ctx, conn, false, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ?", int64(4))
	require.NoError(t, err)
	require.True(t, buffered, "the stale bound is taken")
	for round := 0; round < 2; round++ {
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ? ORDER BY v", int64(4))
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND u = ? ORDER BY v", int64(4))
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND a = ? AND b = 0 ORDER BY v", int64(4))
		review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = 4 ORDER BY v")
	}
	// The key's type changed behind the catalog's back: '4' and '04' both
	// equal 4.
	for _, db := range append([]*sql.DB{oracle}, nodes...) {
		_, err := db.Exec("ALTER TABLE t_rb MODIFY id VARCHAR(20) NOT NULL")
		require.NoError(t, err)
		_, err = db.Exec("UPDATE t_rb SET id = '04' WHERE v = 'dup3'")
		require.NoError(t, err)
	}
	review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = ? ORDER BY v", int64(4))
	review7Same(t, sharded, oracle, "SELECT id, v FROM t_rb WHERE user_id = 2 AND id = 4 ORDER BY v")
}
