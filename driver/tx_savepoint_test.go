package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// errCode is a statement's outcome as text: "ok", the MySQL error number,
// or the error.
func errCode(err error) string {
	var me *mysql.MySQLError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &me):
		return fmt.Sprint(me.Number)
	}
	return err.Error()
}

// spRows is t_sp's content in id order.
func spRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT id, v FROM t_sp ORDER BY id")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int
		var v string
		require.NoError(t, rows.Scan(&id, &v))
		out = append(out, fmt.Sprintf("%d=%s", id, v))
	}
	require.NoError(t, rows.Err())
	return out
}

// TestSavepointsAcrossDataSources: savepoint scripts run in a transaction
// on t_sp, sharded over two data sources (even ids on ds0, odd on ds1),
// and on one unsharded table give the same outcome per statement and the
// same rows, in the default and the XA mode: data sources that join after
// a savepoint undo their work on ROLLBACK TO SAVEPOINT, nested and
// released savepoints behave as MySQL's, and the driver's own statement
// savepoint for multi-node writes keeps working among them.
func TestSavepointsAcrossDataSources(t *testing.T) {
	scripts := map[string][]string{
		"joins after the savepoint": {
			"INSERT INTO t_sp (id, v) VALUES (2, 'a')",
			"SAVEPOINT s1",
			"INSERT INTO t_sp (id, v) VALUES (1, 'b')", // ds1 joins here
			"INSERT INTO t_sp (id, v) VALUES (4, 'c')",
			"ROLLBACK TO SAVEPOINT s1",
			"INSERT INTO t_sp (id, v) VALUES (3, 'd')",
			"ROLLBACK TO SAVEPOINT s1", // still there after a rollback to it
			"INSERT INTO t_sp (id, v) VALUES (5, 'e')",
		},
		"nested and released": {
			"SAVEPOINT a",
			"INSERT INTO t_sp (id, v) VALUES (1, 'a')",
			"SAVEPOINT b",
			"INSERT INTO t_sp (id, v) VALUES (2, 'b')",
			"SAVEPOINT c",
			"INSERT INTO t_sp (id, v) VALUES (3, 'c')",
			"ROLLBACK TO SAVEPOINT b", // deletes c
			"ROLLBACK TO SAVEPOINT c",
			"INSERT INTO t_sp (id, v) VALUES (4, 'd')",
			"RELEASE SAVEPOINT a", // deletes a and b
			"ROLLBACK TO SAVEPOINT b",
			"RELEASE SAVEPOINT a",
			"INSERT INTO t_sp (id, v) VALUES (6, 'e')",
		},
		"same name again, other case": {
			"INSERT INTO t_sp (id, v) VALUES (1, 'a')",
			"SAVEPOINT x",
			"INSERT INTO t_sp (id, v) VALUES (2, 'b')",
			"SAVEPOINT y",
			"SAVEPOINT X", // moves x after y
			"INSERT INTO t_sp (id, v) VALUES (3, 'c')",
			"ROLLBACK TO SAVEPOINT y",
			"ROLLBACK TO SAVEPOINT x", // deleted with the rollback to y
		},
		"with multi-node writes": {
			"INSERT INTO t_sp (id, v) VALUES (1, 'a'), (2, 'b')",
			"SAVEPOINT s",
			"UPDATE t_sp SET v = 'u'",
			"INSERT INTO t_sp (id, v) VALUES (3, 'c'), (2, 'dup')", // fails whole
			"INSERT INTO t_sp (id, v) VALUES (4, 'd'), (5, 'e')",
			"SAVEPOINT t",
			"DELETE FROM t_sp WHERE id > 3",
			"ROLLBACK TO SAVEPOINT t",
			"UPDATE t_sp SET v = CONCAT(v, '!') WHERE id > 3",
			"ROLLBACK TO SAVEPOINT s",
			"UPDATE t_sp SET v = CONCAT(v, '?')",
		},
		"unknown names": {
			"ROLLBACK TO SAVEPOINT nope",
			"RELEASE SAVEPOINT nope",
			"INSERT INTO t_sp (id, v) VALUES (1, 'a')",
		},
	}
	for _, xa := range []bool{false, true} {
		t.Run(fmt.Sprintf("xa=%v", xa), func(t *testing.T) {
			ctx := context.Background()
			name := fmt.Sprintf("savepoints_xa%v", xa)
			dsns := sharedDSNs(t, name)
			topo := dsTopology(t, dsns)
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_sp", Column: "id", Nodes: "ds${0..1}.t_sp", Algorithm: shard.Mod()}))
			var opts []driver.Option
			if xa {
				opts = append(opts, driver.WithXA())
			}
			db := openDB(t, topo, opts...)
			oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
			for script, steps := range scripts {
				for _, d := range []*sql.DB{db, oracle} {
					for _, q := range []string{"DROP TABLE IF EXISTS t_sp", "CREATE TABLE t_sp (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB"} {
						_, err := d.ExecContext(ctx, q)
						require.NoError(t, err, q)
					}
				}
				for _, commit := range []bool{true, false} {
					stx, err := db.BeginTx(ctx, nil)
					require.NoError(t, err)
					otx, err := oracle.BeginTx(ctx, nil)
					require.NoError(t, err)
					for _, q := range steps {
						_, oerr := otx.ExecContext(ctx, q)
						_, serr := stx.ExecContext(ctx, q)
						assert.Equal(t, errCode(oerr), errCode(serr), "%s: %s", script, q)
					}
					if commit {
						require.NoError(t, otx.Commit())
						require.NoError(t, stx.Commit(), script)
					} else {
						require.NoError(t, otx.Rollback())
						require.NoError(t, stx.Rollback(), script)
					}
					assert.Equal(t, spRows(t, oracle), spRows(t, db), "%s (commit=%v)", script, commit)
				}
			}

			// Outside a transaction, as MySQL with autocommit.
			for _, q := range []string{"SAVEPOINT s", "ROLLBACK TO SAVEPOINT s", "RELEASE SAVEPOINT s"} {
				_, oerr := oracle.ExecContext(ctx, q)
				_, serr := db.ExecContext(ctx, q)
				assert.Equal(t, errCode(oerr), errCode(serr), q)
			}
		})
	}
}
