package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLazyColumnTypes: the column types of a one-unit statement's rows are
// read from the node only when asked for (Rows.typeOf). Asked before the
// first row, between rows, on the last row, and of a statement whose rows
// a cancelled context ended, they are the plain driver's on the same table.
func TestLazyColumnTypes(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	e := newSessionEnv(t, dsns)
	plain, err := sql.Open("mysql", dsns[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = plain.Close() })
	ctx := context.Background()
	_, err = plain.ExecContext(ctx, "CREATE TABLE t_types (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,3), note VARCHAR(16) NOT NULL)")
	require.NoError(t, err)
	_, err = plain.ExecContext(ctx, "INSERT INTO t_types VALUES (1, 1, 1.5, 'a'), (2, 1, NULL, 'b')")
	require.NoError(t, err)

	describe := describeColumns
	// t_types is not in the topology: shardsql passes it through to ds0,
	// one unit, as it does a point select on a sharded table.
	const q = "SELECT id, amount, note FROM t_types WHERE user_id = ? ORDER BY id"
	rows, err := plain.QueryContext(ctx, q, 1)
	require.NoError(t, err)
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	want := describe(cts)
	require.NoError(t, rows.Close())
	require.Len(t, want, 3)

	for _, at := range []int{0, 1, 2} { // rows read before asking
		rows, err := e.db.QueryContext(ctx, q, 1)
		require.NoError(t, err)
		for range at {
			require.True(t, rows.Next())
		}
		cts, err := rows.ColumnTypes()
		require.NoError(t, err, "after %d rows", at)
		require.Equal(t, want, describe(cts), "after %d rows", at)
		require.NoError(t, rows.Close())
	}

	// a sharded point select: the types are the node table's
	rows, err = e.db.QueryContext(ctx, "SELECT id, user_id, note FROM t_sess WHERE user_id = ? AND id = ?", e.users[1][0], 1)
	require.NoError(t, err)
	cts, err = rows.ColumnTypes()
	require.NoError(t, err)
	got := describe(cts)
	require.Equal(t, []string{"BIGINT", "BIGINT", "VARCHAR"}, []string{got[0].db, got[1].db, got[2].db})
	require.NoError(t, rows.Close())

	// rows whose context was cancelled: database/sql refuses, no panic
	cctx, cancel := context.WithCancel(ctx)
	rows, err = e.db.QueryContext(cctx, q, 1)
	require.NoError(t, err)
	cancel()
	for rows.Next() {
	}
	_, _ = rows.ColumnTypes()
	_ = rows.Close()
}
