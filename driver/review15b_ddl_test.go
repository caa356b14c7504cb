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

// TestReview15bDDLIfExistsDiffer: a sharded table's DDL with IF [NOT]
// EXISTS succeeds on a node table whose change looks already there (a
// note, not an error) whatever that node's definition is. Left by an
// earlier ADD COLUMN c VARCHAR(5) that failed on the other node tables,
// `ADD COLUMN IF NOT EXISTS c INT` added an INT column elsewhere and
// reported success: the node tables stayed different (one database has
// one definition, the earlier one). Now the node tables' definitions are
// compared after such a DDL, and a difference is an error saying where;
// the same statement on node tables that agree, or that it makes agree,
// succeeds as before.
func TestReview15bDDLIfExistsDiffer(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review15b_ddl")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_r15", Column: "user_id", Nodes: "ds${0..1}.t_r15_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b_r15"))
	db := openDB(t, topo)
	node := openPlain(t, dsns[0]) // node table t_r15_0 of ds0, behind shardsql's back
	type execer interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}
	run := func(x execer, q string) error {
		_, err := x.ExecContext(ctx, q)
		return err
	}
	reset := func() {
		require.NoError(t, run(db, "DROP TABLE IF EXISTS t_r15"))
		require.NoError(t, run(db, "CREATE TABLE t_r15 (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)"))
	}

	// The earlier ADD COLUMN applied on one node table only.
	reset()
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD COLUMN c VARCHAR(5) NULL"))
	err := run(db, "ALTER TABLE t_r15 ADD COLUMN IF NOT EXISTS c INT NULL")
	require.Error(t, err, "the node tables differ after the DDL")
	assert.ErrorIs(t, err, driver.ErrUnsupported)
	assert.Contains(t, err.Error(), "IF [NOT] EXISTS")
	assert.Contains(t, err.Error(), "varchar(5)")

	// The same statement as the earlier one completes it: no error.
	reset()
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD COLUMN c VARCHAR(5) NULL"))
	require.NoError(t, run(db, "ALTER TABLE t_r15 ADD COLUMN IF NOT EXISTS c VARCHAR(5) NULL"))

	// An index of the same name on other columns.
	reset()
	require.NoError(t, run(db, "ALTER TABLE t_r15 ADD COLUMN a INT NULL, ADD COLUMN b INT NULL"))
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD INDEX ix_r15 (a)"))
	require.Error(t, run(db, "CREATE INDEX IF NOT EXISTS ix_r15 ON t_r15 (b)"))

	// DROP … IF EXISTS of a column on some node tables only: they agree
	// afterwards.
	reset()
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD COLUMN d INT NULL"))
	require.NoError(t, run(db, "ALTER TABLE t_r15 DROP COLUMN IF EXISTS d"))

	// In a transaction, and on pins, too.
	reset()
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD COLUMN c VARCHAR(5) NULL"))
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.Error(t, run(tx, "ALTER TABLE t_r15 ADD COLUMN IF NOT EXISTS c INT NULL"), "in a transaction")
	_ = tx.Rollback()
	reset()
	require.NoError(t, run(node, "ALTER TABLE t_r15_0 ADD COLUMN c VARCHAR(5) NULL"))
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, run(conn, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'"))
	require.Error(t, run(conn, "ALTER TABLE t_r15 ADD COLUMN IF NOT EXISTS c INT NULL"), "on pins")
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_r15"))

	// A broadcast table's copies, alike.
	require.NoError(t, run(db, "DROP TABLE IF EXISTS b_r15"))
	require.NoError(t, run(db, "CREATE TABLE b_r15 (id BIGINT PRIMARY KEY)"))
	require.NoError(t, run(node, "ALTER TABLE b_r15 ADD COLUMN c VARCHAR(5) NULL"))
	err = run(db, "ALTER TABLE b_r15 ADD COLUMN IF NOT EXISTS c INT NULL")
	require.Error(t, err, "the copies differ after the DDL")
	assert.Contains(t, err.Error(), "broadcast table b_r15")
	require.NoError(t, run(db, "DROP TABLE IF EXISTS b_r15"))
}

// TestReview15bDDLCreateOverLeftover: completion took a node table that
// another statement left for one an earlier run of this CREATE TABLE
// made. `DROP TABLE t` applied on every node table but one, then `CREATE
// TABLE t`, succeeded with that node table's old rows (one database
// fails the CREATE: t exists). Now a node table the CREATE found there
// holding rows keeps the error; an empty one (a CREATE that failed on
// some node tables) is still completed.
func TestReview15bDDLCreateOverLeftover(t *testing.T) {
	ctx := context.Background()
	db, dsns := twoByTwo(t, "review15b_create", "t_c15r", "user_id")
	node := openPlain(t, dsns[0])
	run := func(x interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, q string) error {
		_, err := x.ExecContext(ctx, q)
		return err
	}
	const create = "CREATE TABLE t_c15r (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)"
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_c15r"))
	require.NoError(t, run(db, create))
	for i := 1; i <= 20; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_c15r (id, user_id) VALUES (?, ?)", i, i)
		require.NoError(t, err)
	}
	name := ""
	for _, cand := range []string{"t_c15r_0", "t_c15r_1"} {
		var k int
		require.NoError(t, node.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+cand).Scan(&k))
		if k > 0 {
			name = cand
			break
		}
	}
	require.NotEmpty(t, name, "a node table of ds0 holds rows")
	// The DROP reaches every node table but this one (moved aside, then
	// back: as if the DROP had failed there).
	require.NoError(t, run(node, "RENAME TABLE "+name+" TO keep_c15r"))
	require.NoError(t, run(db, "DROP TABLE t_c15r"))
	require.NoError(t, run(node, "RENAME TABLE keep_c15r TO "+name))
	err := run(db, create)
	require.Error(t, err, "the table's old rows on one node table: one database fails this CREATE")
	assert.Contains(t, err.Error(), "holding rows")

	// A CREATE that failed on one node table is completed.
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_c15r"))
	require.NoError(t, run(db, create))
	require.NoError(t, run(node, "DROP TABLE "+name))
	require.NoError(t, run(db, create))
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_c15r").Scan(&n))
	assert.Zero(t, n)
	require.Error(t, run(db, create), "everywhere already: fails as one database")
	require.NoError(t, run(db, "DROP TABLE IF EXISTS t_c15r"))
}
