package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// TestAttack18eDeleteLimitZeroChecked: DELETE … LIMIT 0 across nodes is
// checked by the server as one table's is (review18e). MariaDB resolves
// the statement before applying the limit, so an unknown column (1054),
// an unknown function (1305) or a read-only transaction (1792) fail
// there; shardsql ran LIMIT 0 on no node and answered 0 rows. A valid
// LIMIT 0 still deletes nothing, in and outside a transaction.
func TestAttack18eDeleteLimitZeroChecked(t *testing.T) {
	e := newR18eEnv(t, "attack18e_zero")
	ctx := context.Background()
	for _, tc := range []struct {
		q    string
		args []any
		code uint16
	}{
		{q: "DELETE FROM w WHERE nosuch < 2 LIMIT 0", code: 1054},
		{q: "DELETE FROM w WHERE nosuch < 2 LIMIT ?", args: []any{0}, code: 1054},
		{q: "DELETE FROM w WHERE k < 2 AND nosuch(k) LIMIT 0", code: 1305},
	} {
		for i, db := range e.dbs() {
			_, err := db.Exec(tc.q, tc.args...)
			var me *mysql.MySQLError
			require.True(t, errors.As(err, &me), "side %d: %s: %v", i, tc.q, err)
			require.Equal(t, tc.code, me.Number, "side %d: %s", i, tc.q)
		}
	}
	// A READ ONLY transaction refuses the write, LIMIT 0 or not.
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		require.NoError(t, err)
		_, err = tx.Exec("DELETE FROM w WHERE k < 2 LIMIT 0")
		var me *mysql.MySQLError
		require.True(t, errors.As(err, &me), "side %d: %v", i, err)
		require.Equal(t, uint16(1792), me.Number, "side %d", i)
		require.NoError(t, tx.Rollback())
	}
	// Valid: nothing deleted.
	for i, db := range e.dbs() {
		n, err := r18eExec(db, "DELETE FROM w WHERE k < 2 LIMIT 0")
		require.NoError(t, err, "side %d", i)
		require.Zero(t, n)
		tx, err := db.Begin()
		require.NoError(t, err)
		r, err := tx.Exec("DELETE FROM w WHERE k < ? LIMIT ?", 2, 0)
		require.NoError(t, err, "side %d", i)
		n, err = r.RowsAffected()
		require.NoError(t, err)
		require.Zero(t, n)
		require.NoError(t, tx.Commit())
		require.Equal(t, 16, r18eCount(t, db, "k < 2"), "side %d", i)
	}
}
