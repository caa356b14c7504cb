package driver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
)

// TestLateMetaAfterNextStatement: a point select's column types, left to
// be captured from go-sql-driver's closed rows when first asked for
// (meta_late.go), are its own result's even when later statements of
// other column types ran on the same pin first — both while the first
// rows are open (their read held no connection) and on other Conns'
// statements — with interpolateParams and without (the binary protocol's
// prepared statement, raw_prepared.go). It fails when the types are
// captured from anything but the statement's own result (a Conn's last
// rows, a connection's): the second statement's types.
func TestLateMetaAfterNextStatement(t *testing.T) {
	ctx := context.Background()
	for _, params := range []string{"&interpolateParams=true", ""} {
		t.Run(params, func(t *testing.T) {
			db, _ := rawKindsEnv(t, params)
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			const point = "SELECT * FROM t_kinds WHERE user_id = ? AND id = ?"
			const other = "SELECT vc, id, tm AS dt FROM t_kinds WHERE user_id = ? AND id = ?"
			const streamed = "SELECT * FROM t_kinds WHERE user_id = ? AND id >= ? AND id <= ?"
			late, err := shardsql.QueryLateMeta(ctx, conn, point, int64(1), int64(1))
			require.NoError(t, err)
			require.True(t, late, "a point select's types are captured when asked for")
			wantTypes, want := rawResult(t)(db.QueryContext(ctx, streamed, 1, 1, 1))
			require.Len(t, want, 1)
			wantOther, _ := rawResult(t)(db.QueryContext(ctx, other, 1, 1))

			first, err := conn.QueryContext(ctx, point, 1, 1)
			require.NoError(t, err)
			defer first.Close() // before conn's, when an assertion fails
			// the same pin runs two more statements of other types while
			// first's rows are open
			for range 2 {
				gotOther, _ := rawResult(t)(conn.QueryContext(ctx, other, 1, 2))
				assert.Equal(t, wantOther, gotOther)
			}
			// and another Conn's on the same node
			gotOther, _ := rawResult(t)(db.QueryContext(ctx, other, 1, 1))
			assert.Equal(t, wantOther, gotOther)
			require.True(t, first.Next())
			cts, err := first.ColumnTypes()
			require.NoError(t, err)
			assert.Equal(t, wantTypes, describeColumns(cts))
			// asked twice: captured once, the same answer
			cts, err = first.ColumnTypes()
			require.NoError(t, err)
			assert.Equal(t, wantTypes, describeColumns(cts))
			vals := make([]any, len(cts))
			scan := make([]any, len(cts))
			for i := range vals {
				scan[i] = &vals[i]
			}
			require.NoError(t, first.Scan(scan...))
			assert.Equal(t, want[0], vals)
			require.False(t, first.Next())
			require.NoError(t, first.Close())
			_, err = first.ColumnTypes()
			assert.ErrorContains(t, err, "closed", "database/sql asks nothing of closed rows")

			// Types never asked for: the pooled struct goes back with the
			// kept rows cleared, and the next statement's are its own.
			for id := int64(1); id <= 3; id++ {
				rows, err := conn.QueryContext(ctx, point, 1, id)
				require.NoError(t, err)
				require.NoError(t, rows.Close())
			}
			gotTypes, _ := rawResult(t)(conn.QueryContext(ctx, point, 1, 2))
			assert.Equal(t, wantTypes, gotTypes)
		})
	}
}
