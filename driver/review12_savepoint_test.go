package driver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12SavepointAfterNodeLoss: a best-effort (and an XA)
// transaction over ds0 and ds1 with a savepoint; ds1's connection is
// killed after it. The next statement on ds1 fails; ROLLBACK TO SAVEPOINT
// and COMMIT are refused (ds1's work before the savepoint is gone: no
// exact outcome is left but a rollback), and nothing of the transaction
// is committed on ds0. Then a transaction on the same Conn pool commits
// whole.
func TestReview12SavepointAfterNodeLoss(t *testing.T) {
	db, plains := review12Env(t, strings.ToLower(t.Name()), func(_ int, b string) string { return b + "&interpolateParams=true" })
	bg := context.Background()
	upd := "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?"
	for k, xa := range []bool{false, true, false, true} {
		direct := k >= 2 // ROLLBACK TO SAVEPOINT is the first statement after the kill
		ctx := bg
		if xa {
			ctx = driver.WithXATransaction(bg)
		}
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for _, id := range []int64{2, 5} { // ds0, ds1
			_, err := tx.ExecContext(ctx, upd, "before", id, id%4)
			require.NoError(t, err)
		}
		_, err = tx.ExecContext(ctx, "SAVEPOINT s1")
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, upd, "after", 6, 2)
		require.NoError(t, err)
		var id1 int64
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_pk WHERE user_id = ? LIMIT 1", 1).Scan(&id1))
		kill(t, plains[1], id1)

		if !direct {
			_, err = tx.ExecContext(ctx, upd, "after", 9, 1)
			require.Error(t, err, "xa=%v: ds1's connection is gone", xa)
		}
		_, err = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT s1")
		assert.Error(t, err, "xa=%v direct=%v: ds1 holds no savepoint any more", xa, direct)
		err = tx.Commit()
		assert.Error(t, err, "xa=%v: commit refused", xa)
		_ = tx.Rollback()
		review12Values(t, plains) // nothing of it committed, on ds0 either

		tx, err = db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for _, id := range []int64{2, 5} {
			_, err := tx.ExecContext(ctx, upd, "whole", id, id%4)
			require.NoError(t, err)
		}
		require.NoError(t, tx.Commit(), "xa=%v", xa)
		for i, id := range []int64{2, 5} {
			var v string
			require.NoError(t, plains[i].QueryRowContext(bg, "SELECT v FROM t_pk WHERE id = ?", id).Scan(&v))
			assert.Equal(t, "whole", v)
			_, err := plains[i].ExecContext(bg, "UPDATE t_pk SET v = ? WHERE id = ?", fmt.Sprintf("v%d", id), id)
			require.NoError(t, err)
		}
	}
}
