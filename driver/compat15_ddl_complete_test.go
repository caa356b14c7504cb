package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestCompat15DDLCompletes: a unique index that the rows of one node
// table violate is added to the other node tables and fails on that one
// (DDL cannot be rolled back). Once the rows are fixed, the same ALTER —
// what golang-migrate's Force then Up, or goose's Up, sends — must
// succeed as on one database, completing the index where it is missing,
// instead of failing for ever with "Duplicate key name" on the nodes that
// have it. The first failure says where the DDL stays applied; an ALTER
// whose change is already on every node fails as on one database; so
// does one that fails otherwise. Runs on the pool, on a session's
// pinned connections (after SET SESSION) and in a transaction.
func TestCompat15DDLCompletes(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "compat15_ddl")
	oracle := openPlain(t, sharedDSNs(t, "compat15_ddl_oracle")[0])
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_c15d", Column: "user_id", Nodes: "ds${0..1}.t_c15d_${0..1}"}))
	db := openDB(t, topo)
	type execer interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}
	steps := func(t *testing.T, x execer, pinned bool) []string {
		var out []string
		run := func(q string) error {
			_, err := x.ExecContext(ctx, q)
			return err
		}
		if pinned {
			require.NoError(t, run("SET SESSION sql_mode = 'STRICT_ALL_TABLES'"))
		}
		require.NoError(t, run("DROP TABLE IF EXISTS t_c15d"))
		require.NoError(t, run("CREATE TABLE t_c15d (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, code VARCHAR(8) NOT NULL)"))
		require.NoError(t, run("INSERT INTO t_c15d (id, user_id, code) VALUES (1, 1, 'a'), (2, 1, 'a'), (3, 2, 'b'), (4, 3, 'c'), (5, 4, 'd')"))
		const add = "ALTER TABLE t_c15d ADD UNIQUE INDEX uq_c15d (user_id, code)"
		err := run(add)
		out = append(out, fmt.Sprintf("violated: %v", err != nil))
		if err != nil && x != execer(oracle) {
			require.Contains(t, err.Error(), "failed on 1 of its 4 node tables and stays applied on the others")
		}
		require.NoError(t, run("DELETE FROM t_c15d WHERE id = 2"))
		out = append(out, fmt.Sprintf("again after the fix: %v", run(add)))
		err = run(add) // the index is everywhere: 1061, as one database
		out = append(out, fmt.Sprintf("once more fails: %v", err != nil))
		err = run("ALTER TABLE t_c15d ADD COLUMN note VARCHAR(8) NULL AFTER no_such_column")
		out = append(out, fmt.Sprintf("other error: %v", err != nil))
		// The index, and the same definition on every node table: a
		// lookup of the table is answered (not refused as differing).
		rows, err := x.(interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		}).QueryContext(ctx, "SELECT index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 't_c15d' ORDER BY index_name, seq_in_index")
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var idx, col string
			require.NoError(t, rows.Scan(&idx, &col))
			out = append(out, idx+"."+col)
		}
		require.NoError(t, rows.Err())
		return out
	}
	want := steps(t, oracle, false)
	require.Equal(t, want, steps(t, db, false), "on the pool")
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.Equal(t, want, steps(t, conn, true), "on the session's pins")
	// goose runs each migration in a transaction.
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, want, steps(t, tx, false), "in a transaction")
	require.NoError(t, tx.Commit())
}
