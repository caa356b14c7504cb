package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/shardsql/shardsql/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12TxOptions: BeginTx's options hold on every data source a
// transaction reaches. An isolation level MariaDB does not have
// (Snapshot, Linearizable, WriteCommitted) is refused at BeginTx, as
// go-sql-driver refuses it, never run at the server's default; a
// read-only transaction refuses writes on each data source; SERIALIZABLE
// makes each data source's reads lock their rows (a writer on either
// waits).
func TestReview12TxOptions(t *testing.T) {
	db, plains := review12Env(t, strings.ToLower(t.Name()), func(_ int, b string) string { return b + "&interpolateParams=true" })
	ctx := context.Background()

	for _, lvl := range []sql.IsolationLevel{sql.LevelSnapshot, sql.LevelLinearizable, sql.LevelWriteCommitted} {
		for _, xa := range []bool{false, true} {
			tctx := ctx
			if xa {
				tctx = driver.WithXATransaction(ctx)
			}
			tx, err := db.BeginTx(tctx, &sql.TxOptions{Isolation: lvl})
			if err == nil {
				// the level must be refused by the first statement at the latest
				_, err = tx.ExecContext(tctx, "UPDATE t_pk SET v = v WHERE id = ? AND user_id = ?", 2, 2)
				_ = tx.Rollback()
			}
			require.Error(t, err, "%s xa=%v", lvl, xa)
			assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", lvl, err)
			assert.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), "%s: %v", lvl, err)
		}
	}

	// Read-only over both data sources.
	for _, xa := range []bool{false, true} {
		tctx := ctx
		if xa {
			tctx = driver.WithXATransaction(ctx)
		}
		tx, err := db.BeginTx(tctx, &sql.TxOptions{ReadOnly: true})
		require.NoError(t, err)
		var v string
		for _, id := range []int64{2, 5} { // ds0, ds1
			require.NoError(t, tx.QueryRowContext(tctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v))
		}
		for _, id := range []int64{5, 2} {
			_, err := tx.ExecContext(tctx, "UPDATE t_pk SET v = 'changed' WHERE id = ? AND user_id = ?", id, id%4)
			var me *mysql.MySQLError
			require.True(t, errors.As(err, &me), "xa=%v id %d: %v", xa, id, err)
			assert.Equal(t, uint16(1792), me.Number, "read-only transaction: %v", err)
		}
		require.NoError(t, tx.Rollback())
	}
	review12Values(t, plains)

	// SERIALIZABLE on both data sources: the transaction's plain reads lock.
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	require.NoError(t, err)
	var v string
	for _, id := range []int64{2, 5} {
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v))
	}
	for i, id := range []int64{2, 5} {
		conn, err := plains[i].Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 1")
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "UPDATE t_pk SET v = v WHERE id = ?", id)
		var me *mysql.MySQLError
		require.True(t, errors.As(err, &me), "ds%d: a SERIALIZABLE read locks the row: %v", i, err)
		assert.Equal(t, uint16(1205), me.Number, "ds%d: %v", i, err)
		_ = conn.Close()
	}
	require.NoError(t, tx.Commit())
	review12Values(t, plains)
}
