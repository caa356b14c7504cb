package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack16DDLDropThenAdd: a DROP COLUMN that failed on some node
// tables, followed by ADD COLUMN of the same definition, was "completed":
// the column was added (its DEFAULT) where it had been dropped and met
// "Duplicate column name" where it was kept, whose old values stayed,
// and the ALTER succeeded: one database gives the new column its DEFAULT
// in every row. Now a kept column holding anything but its DEFAULT keeps
// the error; an ADD COLUMN that failed on some node tables (the column
// holds its DEFAULT where it applied) is still completed.
func TestAttack16DDLDropThenAdd(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "attack16_ddl", "t_a16d", "user_id")
	node := openPlain(t, dsns[0]) // node tables of ds0, behind shardsql's back
	run := func(x interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, q string) error {
		_, err := x.ExecContext(ctx, q)
		return err
	}
	reset := func() {
		require.NoError(t, run(db, "DROP TABLE IF EXISTS t_a16d"))
		require.NoError(t, run(db, "CREATE TABLE t_a16d (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, c INT NULL DEFAULT 7)"))
		for i := 1; i <= 16; i++ {
			require.NoError(t, run(db, fmt.Sprintf("INSERT INTO t_a16d (id, user_id, c) VALUES (%d, %d, %d)", i, i, 100+i)))
		}
	}
	// The DROP applied on ds1's node tables and failed on ds0's (as a
	// lock wait timeout there leaves it): ds0 keeps c and its values.
	reset()
	other := openPlain(t, dsns[1])
	require.NoError(t, run(other, "ALTER TABLE t_a16d_0 DROP COLUMN c"))
	require.NoError(t, run(other, "ALTER TABLE t_a16d_1 DROP COLUMN c"))
	err := run(db, "ALTER TABLE t_a16d ADD COLUMN c INT NULL DEFAULT 7")
	t.Logf("ADD after the half-applied DROP: %v", err)
	require.Error(t, err, "ds0's c holds old values: one database gives every row 7")
	assert.Contains(t, err.Error(), "holding values other than its DEFAULT")
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_a16d WHERE c = 7").Scan(&n))
	assert.Less(t, n, 16)

	// An ADD COLUMN that applied on ds0's node tables only is completed.
	reset()
	require.NoError(t, run(db, "ALTER TABLE t_a16d DROP COLUMN c"))
	require.NoError(t, run(node, "ALTER TABLE t_a16d_0 ADD COLUMN c INT NULL DEFAULT 7"))
	require.NoError(t, run(node, "ALTER TABLE t_a16d_1 ADD COLUMN c INT NULL DEFAULT 7"))
	require.NoError(t, run(db, "ALTER TABLE t_a16d ADD COLUMN c INT NULL DEFAULT 7"))
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_a16d WHERE c = 7").Scan(&n))
	assert.Equal(t, 16, n)
	require.Error(t, run(db, "ALTER TABLE t_a16d ADD COLUMN c INT NULL DEFAULT 7"), "everywhere already: fails as one database")
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_a16d"))
}

// TestAttack16DDLAutoIncrement: ALTER TABLE of a sharded table that adds
// an AUTO_INCREMENT column, or makes a column one, ran on every node
// table and each numbered its own rows from 1 (1, 1, 2, 2, 3 where one
// database has 1 … 5). Now refused before any node table runs it; widening
// a column that is AUTO_INCREMENT already still runs.
func TestAttack16DDLAutoIncrement(t *testing.T) {
	ctx := context.Background()
	db, _ := twoByTwo(t, "attack16_ddl_ai", "t_a16a", "user_id")
	run := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16a"))
	require.NoError(t, run("CREATE TABLE t_a16a (id BIGINT NOT NULL AUTO_INCREMENT, user_id BIGINT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (id, user_id))"))
	require.NoError(t, run("INSERT INTO t_a16a (id, user_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)"))
	for _, q := range []string{
		"ALTER TABLE t_a16a ADD COLUMN c INT AUTO_INCREMENT UNIQUE",
		"ALTER TABLE t_a16a ADD COLUMN c BIGINT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY (c)",
		"ALTER TABLE t_a16a ADD (c INT NULL, d INT AUTO_INCREMENT UNIQUE)",
		"ALTER TABLE t_a16a MODIFY n INT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY (n)",
		"ALTER TABLE t_a16a CHANGE n m INT NOT NULL AUTO_INCREMENT UNIQUE",
	} {
		err := run(q)
		require.Error(t, err, q)
		assert.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "AUTO_INCREMENT column", q)
	}
	var cols int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't_a16a'").Scan(&cols))
	assert.Equal(t, 3, cols, "no node table was changed")
	require.NoError(t, run("ALTER TABLE t_a16a MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"), "AUTO_INCREMENT already")
	require.NoError(t, run("ALTER TABLE t_a16a AUTO_INCREMENT = 100, ADD COLUMN c INT NULL"), "the table option")
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16a"))
}

// TestAttack16DDLRenameRetry: an ALTER that renames a column and adds a
// unique index the rows of one node table violate applied on the other
// node tables; run again once the rows are fixed, it failed there with
// "Unknown column" for ever, where one database (whose failed ALTER
// changed nothing) runs it. Now completed as the other retries are; a
// column unknown on every node table still fails.
func TestAttack16DDLRenameRetry(t *testing.T) {
	ctx := context.Background()
	db, _ := twoByTwo(t, "attack16_ddl_rn", "t_a16r", "k")
	run := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	for _, alter := range []string{
		"ALTER TABLE t_a16r ADD UNIQUE uv (v), CHANGE n m INT NOT NULL DEFAULT 0",
		"ALTER TABLE t_a16r ADD UNIQUE uv (v), RENAME COLUMN n TO m",
	} {
		require.NoError(t, run("DROP TABLE IF EXISTS t_a16r"))
		require.NoError(t, run("CREATE TABLE t_a16r (k INT NOT NULL, id INT NOT NULL, v VARCHAR(10) NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id))"))
		require.NoError(t, run("INSERT INTO t_a16r (k, id, v) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'a'), (4, 4, 'c'), (5, 5, 'a')"))
		require.Error(t, run(alter), "violated on some node tables")
		require.NoError(t, run("DELETE FROM t_a16r WHERE id IN (3, 5)"))
		require.NoError(t, run(alter), "the retry completes it: %s", alter)
		var m int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(m) FROM t_a16r").Scan(&m))
		assert.Equal(t, 3, m)
		require.Error(t, run(alter), "everywhere already: fails as one database")
	}
	require.Error(t, run("ALTER TABLE t_a16r CHANGE nosuch x INT"), "unknown on every node table")
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16r"))
}

// TestAttack16DDLNarrowKey: MODIFY of the sharding column to a narrower
// type of the same class (INT to TINYINT, signed to unsigned, VARCHAR(10)
// to VARCHAR(2)) ran: under a non-strict sql_mode every node table cut or
// clamped its keys (300 to 127, 'abcdef' to 'ab'), which then route to
// other nodes: rows no point read finds. Now refused; widening runs.
func TestAttack16DDLNarrowKey(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "attack16_ddl_nk")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_a16n", Column: "k", Nodes: "ds${0..1}.t_a16n_${0..1}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_a16s", Column: "k", Nodes: "ds${0..1}.t_a16s_${0..1}"}))
	db := openDB(t, topo)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	run := func(q string) error {
		_, err := conn.ExecContext(ctx, q)
		return err
	}
	require.NoError(t, run("SET SESSION sql_mode = ''"))
	for _, c := range []struct{ create, insert, alter, count string }{
		{"CREATE TABLE t_a16n (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))",
			"INSERT INTO t_a16n (k, id) VALUES (300, 1), (-5, 2), (1000, 3)", "ALTER TABLE t_a16n MODIFY k TINYINT NOT NULL", "SELECT COUNT(*) FROM t_a16n WHERE k = 127"},
		{"CREATE TABLE t_a16n (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))",
			"INSERT INTO t_a16n (k, id) VALUES (300, 1), (-5, 2), (-1000, 3)", "ALTER TABLE t_a16n MODIFY k INT UNSIGNED NOT NULL", "SELECT COUNT(*) FROM t_a16n WHERE k = 0"},
		{"CREATE TABLE t_a16s (k VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))",
			"INSERT INTO t_a16s (k, id) VALUES ('abcdef', 1), ('abzzzz', 2), ('abqq', 3)", "ALTER TABLE t_a16s MODIFY k VARCHAR(2) COLLATE utf8mb4_general_ci NOT NULL", "SELECT COUNT(*) FROM t_a16s WHERE k = 'ab'"},
	} {
		require.NoError(t, run("DROP TABLE IF EXISTS t_a16n"))
		require.NoError(t, run("DROP TABLE IF EXISTS t_a16s"))
		require.NoError(t, run(c.create))
		require.NoError(t, run(c.insert))
		err := run(c.alter)
		if err == nil {
			var n int
			require.NoError(t, conn.QueryRowContext(ctx, c.count).Scan(&n))
			t.Errorf("%s ran: a point read by the cut key finds %d of its rows", c.alter, n)
			continue
		}
		assert.ErrorIs(t, err, driver.ErrUnsupported, c.alter)
	}
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16n"))
	require.NoError(t, run("CREATE TABLE t_a16n (k SMALLINT UNSIGNED NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))"))
	for _, q := range []string{"ALTER TABLE t_a16n MODIFY k INT UNSIGNED NOT NULL", "ALTER TABLE t_a16n MODIFY k BIGINT NOT NULL"} {
		require.NoError(t, run(q), "widening runs")
	}
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16s"))
	require.NoError(t, run("CREATE TABLE t_a16s (k VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))"))
	require.NoError(t, run("ALTER TABLE t_a16s MODIFY k VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL"), "widening runs")
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16n"))
	require.NoError(t, run("DROP TABLE IF EXISTS t_a16s"))
}
