package driver_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttack18aTxControlText: transaction control and table locks in the
// spellings the parser cannot read (BEGIN WORK, COMMIT AND CHAIN,
// ROLLBACK WORK, LOCK TABLE …) went to the default data source alone; in
// a transaction `ROLLBACK WORK` undid that data source's part only and
// Commit kept the rest (route/tx_control_text.go). Each is refused now,
// on a *sql.Conn and in a transaction, and a transaction that met one
// still commits or rolls back whole.
func TestAttack18aTxControlText(t *testing.T) {
	e := newR18Env(t, "attack18a_txtext")
	defer e.closeConns()
	ctx := context.Background()
	spellings := []string{
		"BEGIN WORK", "begin work", "/* c */ BEGIN WORK", "COMMIT WORK", "COMMIT AND CHAIN",
		"COMMIT WORK AND NO CHAIN", "COMMIT RELEASE", "ROLLBACK WORK", "ROLLBACK AND CHAIN",
		"ROLLBACK WORK AND NO CHAIN NO RELEASE", "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
		"LOCK TABLE u18 WRITE", "UNLOCK TABLE", "BEGIN NOT ATOMIC SELECT 1",
	}
	refused := func(q string, err error) {
		t.Helper()
		require.Error(t, err, q)
		require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		require.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), err.Error())
	}
	for _, q := range spellings {
		_, err := e.sc.ExecContext(ctx, q)
		refused(q, err)
	}
	// On the held connection: nothing was begun, so the UPDATE is
	// autocommitted on every data source, as one database's would be
	// after the refused statement.
	_, err := e.sc.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	require.NoError(t, err)
	var inTx int
	require.NoError(t, e.sc.QueryRowContext(ctx, "SELECT @@in_transaction").Scan(&inTx))
	require.Equal(t, 0, inTx)

	// In a transaction: ROLLBACK WORK and COMMIT WORK are refused, and
	// Rollback undoes the writes on every data source.
	tx, err := e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = 0")
	require.NoError(t, err)
	for _, q := range []string{"ROLLBACK WORK", "COMMIT WORK", "COMMIT AND CHAIN", "LOCK TABLE u18 READ"} {
		_, err = tx.ExecContext(ctx, q)
		refused(q, err)
	}
	require.NoError(t, tx.Rollback())
	var sum int
	require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum))
	require.Equal(t, 360+8, sum) // the autocommitted +1 on each of 8 rows, nothing of the rolled-back transaction
}
