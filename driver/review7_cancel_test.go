package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReview7CancelledBeforeSend: on a *sql.Conn (which hands the driver a
// context that is already done), a statement whose context ended before
// it ran fails with the context's error and nothing else: with one
// MariaDB the session lives on, and the next statements on the Conn run
// and see its variables. shardsql dropped the pin instead, and every
// later statement on the Conn failed with driver.ErrBadConn. Each
// statement kind: a bounded read (inside Raw), a streamed read, a scatter
// and a write.
func TestReview7CancelledBeforeSend(t *testing.T) {
	sharded, oracle, _ := review7BoundEnv(t)
	ctx := context.Background()
	for name, db := range map[string]*sql.DB{"oracle": oracle, "shardsql": sharded} {
		for _, q := range []string{
			"SELECT v FROM t_rb WHERE user_id = 2 AND id = 5",
			"SELECT v FROM t_rb WHERE user_id = 2 AND a = 0 ORDER BY id",
			"SELECT v FROM t_rb ORDER BY id",
			"UPDATE t_rb SET v = 'x' WHERE user_id = 2 AND id = 5",
		} {
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "SET @r7 = 42")
			require.NoError(t, err)
			var x int64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT @r7 FROM t_rb WHERE user_id = 2 AND id = 7").Scan(&x), name)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if q[0] == 'U' {
				_, err = conn.ExecContext(cctx, q)
			} else {
				var rows *sql.Rows
				if rows, err = conn.QueryContext(cctx, q); err == nil {
					_ = rows.Close()
				}
			}
			require.ErrorIs(t, err, context.Canceled, "%s: %s", name, q)
			x = 0
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT @r7 FROM t_rb WHERE user_id = 2 AND id = 7").Scan(&x), "%s after %s", name, q)
			require.Equal(t, int64(42), x, "%s after %s: the session lives on", name, q)
			var v string
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT v FROM t_rb WHERE user_id = 2 AND id = 5").Scan(&v), name)
			require.Equal(t, "v5", v, "%s after %s: nothing was sent", name, q)
			require.NoError(t, conn.Close())
		}
	}
}
