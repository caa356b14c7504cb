package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestDDL22SequenceDefault: a DEFAULT taking a SEQUENCE's next value on a
// sharded or broadcast table. With a sequence of that name on each data
// source, `ALTER TABLE t ADD COLUMN n BIGINT DEFAULT NEXTVAL(s)` ran on
// every node table and each data source numbered its rows from 1 again
// (n repeated across nodes; a broadcast table's copies differed), where
// one database numbers every row once; with the sequence on the default
// data source only (CREATE SEQUENCE through shardsql) the ALTER applied
// there and failed on the others. Now refused before any server runs it,
// in each spelling; a column of an unsharded table, and the word in a
// string, still run.
func TestDDL22SequenceDefault(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "ddl22_seq")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_sq", Column: "user_id", Nodes: "ds${0..1}.t_sq_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b_sq"))
	db := openDB(t, topo)
	for _, dsn := range dsns {
		node := openPlain(t, dsn)
		for _, q := range []string{"DROP SEQUENCE IF EXISTS s_sq", "CREATE SEQUENCE s_sq"} {
			_, err := node.ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	exec := func(q string) error {
		_, err := db.ExecContext(ctx, q)
		return err
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS t_sq", "DROP TABLE IF EXISTS b_sq", "DROP TABLE IF EXISTS u_sq",
		"CREATE TABLE t_sq (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)",
		"CREATE TABLE b_sq (id BIGINT PRIMARY KEY)",
		"INSERT INTO t_sq (id, user_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)",
		"INSERT INTO b_sq (id) VALUES (1), (2), (3)",
	} {
		require.NoError(t, exec(q), q)
	}
	for _, q := range []string{
		"ALTER TABLE t_sq ADD COLUMN n BIGINT DEFAULT NEXTVAL(s_sq)",
		"ALTER TABLE t_sq ADD COLUMN n BIGINT DEFAULT (NEXTVAL(s_sq))",
		"ALTER TABLE t_sq ADD COLUMN n BIGINT DEFAULT (NEXT VALUE FOR s_sq)",
		"ALTER TABLE t_sq ADD COLUMN IF NOT EXISTS n BIGINT DEFAULT nextval (s_sq)",
		"ALTER TABLE t_sq ADD COLUMN n BIGINT DEFAULT (LASTVAL(s_sq) + 1)",
		"ALTER TABLE t_sq ADD COLUMN n BIGINT DEFAULT (PREVIOUS VALUE FOR s_sq)",
		"ALTER TABLE b_sq ADD COLUMN n BIGINT DEFAULT NEXTVAL(s_sq)",
		"ALTER TABLE b_sq ADD COLUMN n BIGINT DEFAULT (NEXT VALUE FOR s_sq)",
	} {
		err := exec(q)
		require.Error(t, err, q)
		assert.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.Contains(t, err.Error(), "of a SEQUENCE in a DDL of", q)
	}
	for _, table := range []string{"t_sq_0", "t_sq_1", "b_sq"} {
		for _, dsn := range dsns {
			var n int
			require.NoError(t, openPlain(t, dsn).QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'n'", table).Scan(&n))
			assert.Zero(t, n, "no server ran it: %s", table)
		}
	}
	err := exec("CREATE TABLE t_sq2 (id BIGINT NOT NULL DEFAULT NEXTVAL(s_sq), user_id BIGINT NOT NULL)")
	require.NoError(t, err, "t_sq2 is not in the topology: an unsharded table of the default data source")
	require.NoError(t, exec("DROP TABLE t_sq2"))
	require.NoError(t, exec("ALTER TABLE t_sq ADD COLUMN n VARCHAR(40) DEFAULT 'nextval(s_sq)' COMMENT 'NEXT VALUE FOR s_sq'"), "words in strings")
	require.NoError(t, exec("ALTER TABLE t_sq ADD COLUMN nextval INT NULL"), "a column named nextval")
}
