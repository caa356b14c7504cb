package driver_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttack10DDLInTransaction: DDL inside a transaction commits the
// transaction's earlier writes on one server (an implicit commit); a
// later Rollback cannot take them back. shardsql must do the same on
// every data source, or refuse the DDL. Before attack10 the writes before
// CREATE TABLE or DROP TABLE of an unsharded table were rolled back.
func TestAttack10DDLInTransaction(t *testing.T) {
	e := newDMLEnv(t, "a10_txddl")
	ctx := context.Background()
	for _, ddl := range []string{
		"ALTER TABLE d_int ADD COLUMN z INT NULL",
		"TRUNCATE TABLE d_ci",
		"CREATE TABLE IF NOT EXISTS t_a10_tx (id INT)",
		"DROP TABLE IF EXISTS t_a10_tx",
		"CREATE INDEX ix_tx ON d_int (n)",
		"CREATE TEMPORARY TABLE t_a10_tmp (id INT)", // no implicit commit: must run
		"DROP TEMPORARY TABLE IF EXISTS t_a10_tmp",
	} {
		var outcomes [2]string
		for i, db := range []*sql.DB{e.oracle, e.sharded} {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO d_int (k, id, n) VALUES (1, 100, 1), (2, 100, 2), (3, 100, 3), (4, 100, 4)")
			require.NoError(t, err)
			_, derr := tx.ExecContext(ctx, ddl)
			_ = tx.Rollback()
			outcomes[i] = "ok"
			if derr != nil {
				outcomes[i] = "err: " + derr.Error()
			}
		}
		t.Logf("%s: oracle %s, shardsql %s", ddl, outcomes[0], outcomes[1])
		if strings.Contains(ddl, "TEMPORARY") && outcomes[1] != "ok" {
			t.Errorf("%s: %s", ddl, outcomes[1])
		}
		if outcomes[1] != "ok" && !strings.Contains(outcomes[1], "shardsql: unsupported: ") {
			t.Errorf("%s: shardsql failed without refusing: %s", ddl, outcomes[1])
		}
		if outcomes[1] == "ok" {
			if diff := e.contents(); diff != "" {
				t.Errorf("%s in a transaction: %s", ddl, diff)
			}
		}
		for _, db := range []*sql.DB{e.oracle, e.sharded} {
			_, _ = db.ExecContext(ctx, "DELETE FROM d_int WHERE id = 100")
		}
	}
}
