package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview17aLoneRowNull: a multi-row INSERT split by node sent a node
// its one row as a one-row INSERT. Outside strict mode MariaDB stores the
// implicit default for NULL in a NOT NULL column of a multi-row INSERT
// but fails a one-row INSERT with 1048: `VALUES (104, 1, 1), (105, 1, 1),
// (106, 1, NULL)` failed through shardsql where one database inserted
// three rows. Now refused (strict mode fails it both ways); INSERT
// IGNORE, nullable columns and nodes taking several rows still run.
func TestReview17aLoneRowNull(t *testing.T) {
	e := newDMLEnvOf(t, "review17a_lone", nil, dmlTables[:1]) // d_int
	const refuse = "whose rows for one node are a single row"
	sts := []dmlStmt{
		{sql: "SET SESSION sql_mode = ''", session: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (?, 1, ?), (?, 1, ?), (?, 1, ?)", args: []any{104, 1, 105, 1, 106, nil}, session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULLIF(1, 1))", session: true, refuse: refuse},
		{sql: "REPLACE INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL) ON DUPLICATE KEY UPDATE n = 5", session: true, refuse: refuse},
		{sql: "INSERT IGNORE INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, 1) ON DUPLICATE KEY UPDATE n = NULL", session: true, refuse: "ON DUPLICATE KEY UPDATE n"},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, 1) ON DUPLICATE KEY UPDATE n = ?", args: []any{nil}, session: true, refuse: "ON DUPLICATE KEY UPDATE n"},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, 1) ON DUPLICATE KEY UPDATE n = n + 1", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n, v) VALUES (107, 1, 1, NULL), (108, 1, 1, NULL), (109, 1, -1, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (1, 1, 1), (2, 1, 1), (1, 2, NULL), (2, 2, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (?, 1, ?), (?, 1, ?), (?, 1, ?)", args: []any{110, 1, 111, 1, 112, 3}, session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (113, 1, 1), (114, 1, 1), (115, 1, ABS(?))", args: []any{4}, session: true, mustRun: true},
		{sql: "SET SESSION sql_mode = DEFAULT", session: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (204, 1, 1), (205, 1, 1), (206, 1, NULL)", session: true, refuse: refuse},
	}
	refused := e.run(t, "lone row", sts)
	assert.Equal(t, 8, refused)
}

// TestReview17aNonTransactional: a write reaching several node tables of
// a MyISAM table ran as one internal transaction, whose rollback MyISAM
// ignores: `INSERT … VALUES (1, 1, 1), (1, 1, 1), (2, 1, 1), (3, 1, 1)`
// failed at its duplicate and one table kept row 1 only (MyISAM stops
// at the failing row), while shardsql's nodes of 2 and 3 kept theirs;
// `UPDATE … SET n = n + 100` failing on one row kept another node's
// updates. Now refused for engines that do not roll back; writes that
// reach one node, and every write once the table is InnoDB again, run.
func TestReview17aNonTransactional(t *testing.T) {
	tb := dmlTable{name: "t_r17m", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n TINYINT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"}
	e := newDMLEnvOf(t, "review17a_myisam", nil, []dmlTable{tb})
	const refuse = "does not roll back"
	sts := []dmlStmt{
		{sql: "ALTER TABLE t_r17m ENGINE = MyISAM", mustRun: true},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (1, 1, 1), (1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1)", refuse: refuse},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (5, 1, 1), (6, 1, 1), (7, 1, 1), (8, 1, 1), (9, 1, 1)", refuse: refuse},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (?, 1, 1)", args: []any{5}, mustRun: true},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (6, 1, 100), (6, 2, 1)", mustRun: true},
		{sql: "UPDATE t_r17m SET n = n + 100 WHERE k = 5", mustRun: true},
		{sql: "UPDATE t_r17m SET n = n + 20", refuse: refuse},
		{sql: "UPDATE t_r17m SET n = n + 1 WHERE k IN (5, 6, 7, 8)", refuse: refuse},
		{sql: "UPDATE t_r17m SET k = 9 WHERE k = 5", refuse: refuse},
		{sql: "DELETE FROM t_r17m WHERE n > 0", refuse: refuse},
		{sql: "DELETE FROM t_r17m WHERE k = 6", mustRun: true},
		{sql: "ALTER TABLE t_r17m ENGINE = InnoDB", mustRun: true},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (1, 1, 1), (1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1)", mustRun: true},
		{sql: "INSERT INTO t_r17m (k, id, n) VALUES (5, 2, 1), (6, 1, 1), (7, 1, 1), (8, 1, 1), (9, 1, 1)", mustRun: true},
		{sql: "UPDATE t_r17m SET n = n + 100", mustRun: true},
	}
	refused := e.run(t, "myisam", sts)
	assert.Equal(t, 6, refused)
}

// TestReview17aNowaitLimit: `SELECT … ORDER BY k LIMIT 2 FOR UPDATE
// NOWAIT` scattered over the node tables made each lock up to two rows;
// with another transaction holding every row but the first two, one
// database locks the two rows it returns and answers, shardsql failed on
// the node tables whose first rows were held. Now refused as SKIP LOCKED
// is; a read that reaches one node, or pins a unique key, still runs.
func TestReview17aNowaitLimit(t *testing.T) {
	ctx := context.Background()
	tb := dmlTable{name: "t_r17w", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"}
	e := newDMLEnvOf(t, "review17a_nowait", nil, []dmlTable{tb})
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		_, err := db.ExecContext(ctx, "INSERT INTO t_r17w (k, id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8)")
		require.NoError(t, err)
	}
	read := func(db *sql.DB, q string) ([]int, error) {
		holder, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = holder.Rollback() }()
		rows, err := holder.QueryContext(ctx, "SELECT k FROM t_r17w WHERE k > 2 FOR UPDATE")
		require.NoError(t, err)
		held := 0
		for rows.Next() {
			held++
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 6, held)
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		rows, err = tx.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ks []int
		for rows.Next() {
			var k int
			require.NoError(t, rows.Scan(&k))
			ks = append(ks, k)
		}
		return ks, rows.Err()
	}
	const q = "SELECT k FROM t_r17w ORDER BY k LIMIT 2 FOR UPDATE NOWAIT"
	want, err := read(e.oracle, q)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, want)
	got, err := read(e.sharded, q)
	require.Error(t, err, "answered %v", got)
	assert.ErrorIs(t, err, driver.ErrUnsupported)
	got, err = read(e.sharded, "SELECT k FROM t_r17w WHERE k = 1 ORDER BY k LIMIT 1 FOR UPDATE NOWAIT")
	require.NoError(t, err, "one node")
	assert.Equal(t, []int{1}, got)
}

// TestReview17aAddIfNotExistsAfterDrop (round 16's leftover): a DROP
// COLUMN applied on ds1's node tables only, then `ADD COLUMN IF NOT
// EXISTS` of the same definition: ds0's node tables answered with a note
// and kept their old values, ds1's got the DEFAULT, and the ALTER
// succeeded — one database has the old values everywhere or the DEFAULT
// everywhere. Now refused before any node table runs it; an ADD left half
// done (the column holds its DEFAULT where it is) is still completed.
func TestReview17aAddIfNotExistsAfterDrop(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "review17a_addif", "t_r17d", "user_id")
	node := []*sql.DB{openPlain(t, dsns[0]), openPlain(t, dsns[1])}
	run := func(x interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, q string) error {
		_, err := x.ExecContext(ctx, q)
		return err
	}
	reset := func() {
		require.NoError(t, run(db, "DROP TABLE IF EXISTS t_r17d"))
		require.NoError(t, run(db, "CREATE TABLE t_r17d (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, c INT NULL DEFAULT 7)"))
		for i := 1; i <= 16; i++ {
			require.NoError(t, run(db, fmt.Sprintf("INSERT INTO t_r17d (id, user_id, c) VALUES (%d, %d, %d)", i, i, 100+i)))
		}
	}
	const add = "ALTER TABLE t_r17d ADD COLUMN IF NOT EXISTS c INT NULL DEFAULT 7"
	reset()
	require.NoError(t, run(node[1], "ALTER TABLE t_r17d_0 DROP COLUMN c"))
	require.NoError(t, run(node[1], "ALTER TABLE t_r17d_1 DROP COLUMN c"))
	err := run(db, add)
	require.Error(t, err, "ds0's c holds old values, ds1's would get 7")
	assert.ErrorIs(t, err, driver.ErrUnsupported)
	var cols int
	require.NoError(t, node[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name = 'c'").Scan(&cols))
	assert.Equal(t, 0, cols, "refused before any node table ran it")

	// An ADD that applied on ds0's node tables only is completed.
	reset()
	require.NoError(t, run(db, "ALTER TABLE t_r17d DROP COLUMN c"))
	require.NoError(t, run(node[0], "ALTER TABLE t_r17d_0 ADD COLUMN c INT NULL DEFAULT 7"))
	require.NoError(t, run(node[0], "ALTER TABLE t_r17d_1 ADD COLUMN c INT NULL DEFAULT 7"))
	require.NoError(t, run(db, add))
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_r17d WHERE c = 7").Scan(&n))
	assert.Equal(t, 16, n)
	require.NoError(t, run(db, add), "everywhere already: a note, as one database")
	require.NoError(t, run(db, "ALTER TABLE t_r17d ADD INDEX IF NOT EXISTS ic (c)"))
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_r17d"))
}
