package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview17aLockingReadClosed: a scattered `SELECT … FOR UPDATE` whose
// rows the caller closed before reading them all (or at all) left units
// unrun or cancelled: 0 of 8 rows locked through shardsql, where one
// server runs the statement whole and holds all 8. Now Close runs every
// unit of a locking read and reads it to its end (Plan.Locking); the
// transaction then holds what one database's would, and stays usable.
func TestReview17aLockingReadClosed(t *testing.T) {
	ctx := context.Background()
	tb := dmlTable{name: "t_r17c", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"}
	e := newDMLEnvOf(t, "review17a_lockclose", nil, []dmlTable{tb})
	var vals []string
	for k := 1; k <= 300; k++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", k, k))
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		_, err := db.ExecContext(ctx, "INSERT INTO t_r17c (k, id) VALUES "+strings.Join(vals, ", "))
		require.NoError(t, err)
	}
	probe := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 299, 300}
	for _, read := range []int{0, 1, 100} {
		for _, side := range []struct {
			name string
			db   *sql.DB
		}{{"oracle", e.oracle}, {"sharded", e.sharded}} {
			holder, err := side.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			rows, err := holder.QueryContext(ctx, "SELECT k FROM t_r17c FOR UPDATE")
			require.NoError(t, err)
			for i := 0; i < read && rows.Next(); i++ {
			}
			require.NoError(t, rows.Close())
			locked := 0
			for _, k := range probe {
				tx, err := side.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				var got int
				if tx.QueryRowContext(ctx, fmt.Sprintf("SELECT k FROM t_r17c WHERE k = %d FOR UPDATE NOWAIT", k)).Scan(&got) != nil {
					locked++
				}
				_ = tx.Rollback()
			}
			var n int
			require.NoError(t, holder.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_r17c").Scan(&n), "the transaction goes on")
			assert.Equal(t, 300, n)
			require.NoError(t, holder.Commit())
			assert.Equal(t, len(probe), locked, "%s, %d rows read before Close: rows the transaction holds", side.name, read)
		}
	}
}
