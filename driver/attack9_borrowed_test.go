package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack9BorrowedSession: a statement that runs while the *sql.Conn's
// rows are open borrows another server connection (one MariaDB connection
// would refuse it: commands out of sync). Its outcome is in the borrowed
// session, so LAST_INSERT_ID(), ROW_COUNT() and FOUND_ROWS() read on the
// Conn's own connection afterwards would answer for an earlier statement:
// they must be refused until a statement runs on the Conn's connection
// again. Before attack9 SELECT LAST_INSERT_ID() answered the id of the
// INSERT before the borrowed one, ROW_COUNT() that of the statement before.
func TestAttack9BorrowedSession(t *testing.T) {
	dsns := sharedDSNs(t, "attack9_borrowed")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "b9_sh", Column: "id", Nodes: "ds${0..1}.b9_sh_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo)
	ctx := context.Background()
	for _, s := range []string{"DROP TABLE IF EXISTS b9_auto", "CREATE TABLE b9_auto (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
		"DROP TABLE IF EXISTS b9_sh", "CREATE TABLE b9_sh (id INT PRIMARY KEY, v INT)"} {
		_, err := db.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	for i := 1; i <= 200; i++ {
		_, err := db.ExecContext(ctx, "INSERT INTO b9_sh (id, v) VALUES (?, ?)", i, i)
		require.NoError(t, err)
	}
	refusedOrEqual := func(t *testing.T, conn *sql.Conn, q string, want int64) {
		t.Helper()
		var got int64
		err := conn.QueryRowContext(ctx, q).Scan(&got)
		if err != nil {
			assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
			return
		}
		assert.Equal(t, want, got, "%s answered for another statement than the last", q)
	}
	for round, busy := range []string{"SELECT id, v FROM b9_auto", "SELECT id, v FROM b9_sh WHERE id > 0 ORDER BY id"} {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			res, err := conn.ExecContext(ctx, "INSERT INTO b9_auto (v) VALUES (1)")
			require.NoError(t, err)
			first, err := res.LastInsertId()
			require.NoError(t, err)
			for i := 0; i < 3; i++ { // the busy read needs rows
				_, err = conn.ExecContext(ctx, "INSERT INTO b9_auto (v) VALUES (2)")
				require.NoError(t, err)
			}
			rows, err := conn.QueryContext(ctx, busy)
			require.NoError(t, err)
			require.True(t, rows.Next())
			res, err = conn.ExecContext(ctx, "INSERT INTO b9_auto (v) VALUES (3), (4)")
			if err != nil {
				_ = rows.Close()
				t.Skipf("not borrowed: %v", err)
			}
			id, err := res.LastInsertId()
			require.NoError(t, err)
			require.NotEqual(t, first, id)
			require.NoError(t, rows.Close())
			refusedOrEqual(t, conn, "SELECT ROW_COUNT()", 2)
			refusedOrEqual(t, conn, "SELECT LAST_INSERT_ID()", id)

			rows, err = conn.QueryContext(ctx, busy)
			require.NoError(t, err)
			require.True(t, rows.Next())
			_, err = conn.ExecContext(ctx, "UPDATE b9_auto SET v = v + 1 WHERE v = 1")
			require.NoError(t, err)
			require.NoError(t, rows.Close())
			refusedOrEqual(t, conn, "SELECT ROW_COUNT()", 1)

			// once a statement runs on the Conn's own connection again,
			// its outcome is read there
			res, err = conn.ExecContext(ctx, "INSERT INTO b9_auto (v) VALUES (5)")
			require.NoError(t, err)
			id, err = res.LastInsertId()
			require.NoError(t, err)
			var got int64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&got))
			assert.Equal(t, id, got)
		})
	}
}
