package driver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
)

// TestPassBoundQuotedDual: a table or CTE named `dual` (quoted, which
// MariaDB reads as a table, not as DUAL) passed through to the default
// data source is no SELECT of no table: its rows stream as the plain
// driver's do, and the memory cap of buffered reads does not apply to
// them, where a one-row bound read them whole and failed past the cap.
func TestPassBoundQuotedDual(t *testing.T) {
	ctx := context.Background()
	db, dsns := rawKindsEnv(t, "&interpolateParams=true", shardsql.WithMaxMemoryRows(2))
	plain := openPlain(t, dsns[0]) // ds0: the default data source
	_, err := plain.ExecContext(ctx, "DROP TABLE IF EXISTS `dual`")
	require.NoError(t, err)
	_, err = plain.ExecContext(ctx, "CREATE TABLE `dual` (x INT)")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = plain.ExecContext(context.Background(), "DROP TABLE IF EXISTS `dual`") })
	_, err = plain.ExecContext(ctx, "INSERT INTO `dual` VALUES (1), (2), (3), (4)")
	require.NoError(t, err)

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, q := range []string{
		"SELECT x FROM `dual` ORDER BY x",
		"SELECT x FROM `dual` d WHERE x > 0 ORDER BY x",
		"WITH `dual` AS (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) SELECT x FROM `dual` ORDER BY x",
	} {
		_, want := rawResult(t)(plain.QueryContext(ctx, q))
		require.Len(t, want, 4, q)
		_, got := rawResult(t)(db.QueryContext(ctx, q))
		assert.Equal(t, want, got, q)
		buffered, err := shardsql.QueryBuffered(ctx, conn, false, q)
		require.NoError(t, err, q)
		assert.False(t, buffered, "a table's rows stream: %s", q)
	}
	// DUAL itself and no FROM still prove one row
	for _, q := range []string{"SELECT 1 FROM DUAL", "SELECT 1 FROM dual WHERE 1 = 1", "SELECT 1"} {
		buffered, err := shardsql.QueryBuffered(ctx, conn, false, q)
		require.NoError(t, err, q)
		assert.True(t, buffered, q)
	}
}
