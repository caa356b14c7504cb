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
	e := newR18aEnv(t, "attack18a_txtext")
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
	var errs []error
	for _, q := range []string{"ROLLBACK WORK", "COMMIT WORK", "COMMIT AND CHAIN", "LOCK TABLE u18 READ"} {
		_, err = tx.ExecContext(ctx, q)
		errs = append(errs, err)
	}
	require.NoError(t, tx.Rollback()) // first: a failed check must not leave the Conn's Close waiting on it
	for i, q := range []string{"ROLLBACK WORK", "COMMIT WORK", "COMMIT AND CHAIN", "LOCK TABLE u18 READ"} {
		refused(q, errs[i])
	}
	var sum int
	require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum))
	require.Equal(t, 360+8, sum) // the autocommitted +1 on each of 8 rows, nothing of the rolled-back transaction
}

// TestAttack18aImplicitCommitInTx: a statement that commits implicitly,
// in a transaction that wrote on both data sources, must be refused (one
// server commits everything first; shardsql would commit the default data
// source's part alone, and Rollback would take back the rest). Three ways
// it ran before: a statement the parser cannot read (CHECK TABLE, CREATE
// SEQUENCE, GRANT, …: route/implicit_commit_text.go), a DDL run with
// Query, and a DDL after a write run with Query (not recorded as a write:
// driver/tx_implicit_commit.go).
func TestAttack18aImplicitCommitInTx(t *testing.T) {
	e := newR18aEnv(t, "attack18a_implicit")
	defer e.closeConns()
	ctx := context.Background()
	sum := func() int {
		var n int
		require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&n))
		return n
	}
	require.Equal(t, 360, sum())
	statements := []string{
		"CHECK TABLE u18", "CREATE OR REPLACE TABLE w18a (a INT)", "CREATE SEQUENCE IF NOT EXISTS s18a",
		"DROP SEQUENCE IF EXISTS s18a", "CREATE FUNCTION f18a() RETURNS INT RETURN 1", "DROP FUNCTION IF EXISTS f18a",
		"CREATE TRIGGER IF NOT EXISTS tr18a BEFORE INSERT ON u18 FOR EACH ROW SET @z = 1", "DROP TRIGGER IF EXISTS tr18a",
		"CREATE USER IF NOT EXISTS 'r18a'@'%'", "GRANT SELECT ON u18 TO 'r18a'@'%'", "REVOKE ALL ON u18 FROM 'r18a'@'%'",
		"RENAME USER 'r18a'@'%' TO 'r18b'@'%'", "ALTER USER IF EXISTS 'r18a'@'%' ACCOUNT LOCK", "CREATE ROLE IF NOT EXISTS r18a",
		"INSTALL SONAME 'ha_blackhole'", "CACHE INDEX u18 IN default", "LOAD INDEX INTO CACHE u18", "RESET QUERY CACHE",
		"CREATE TABLE IF NOT EXISTS w18a (a INT)", "ALTER TABLE u18 COMMENT 'x'",
	}
	for _, query := range []bool{false, true} {
		for _, writeByQuery := range []bool{false, true} {
			for _, q := range statements {
				tx, err := e.sc.BeginTx(ctx, nil)
				require.NoError(t, err)
				if writeByQuery {
					rows, err := tx.QueryContext(ctx, "UPDATE t18 SET n = n + 1")
					require.NoError(t, err)
					require.NoError(t, rows.Close())
				} else {
					_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
					require.NoError(t, err)
				}
				if query {
					var rows interface{ Close() error }
					rows, err = tx.QueryContext(ctx, q)
					if err == nil {
						_ = rows.Close()
					}
				} else {
					_, err = tx.ExecContext(ctx, q)
				}
				require.NoError(t, tx.Rollback()) // first: a failed check must not leave the Conn's Close waiting on it
				require.Error(t, err, "%s (query %v, write by query %v)", q, query, writeByQuery)
				require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
				require.Equal(t, 360, sum(), "%s (query %v, write by query %v): the rollback took back part of the transaction only", q, query, writeByQuery)
			}
		}
	}
	// A write through INSERT … RETURNING is recorded too.
	tx, err := e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	rows, err := tx.QueryContext(ctx, "INSERT INTO t18 (id, n) VALUES (20, 1), (21, 1), (22, 1), (23, 1) RETURNING id")
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	_, err = tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS w18a (a INT)")
	require.NoError(t, tx.Rollback())
	require.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	require.Equal(t, 360, sum())

	// Still run: outside a transaction, in one that wrote nowhere, and
	// the TEMPORARY forms.
	_, err = e.sc.ExecContext(ctx, "CHECK TABLE u18")
	require.NoError(t, err)
	tx, err = e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err1 := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	_, err2 := tx.ExecContext(ctx, "CREATE OR REPLACE TEMPORARY TABLE tmp18a (a INT)")
	_, err3 := tx.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS s18a")
	require.NoError(t, tx.Commit())
	require.NoError(t, err1)
	require.NoError(t, err2)
	require.True(t, errors.Is(err3, driver.ErrUnsupported), "%v", err3)
	require.Equal(t, 368, sum())
	tx, err = e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err1 = tx.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS s18a")
	_, err2 = tx.ExecContext(ctx, "INSERT INTO u18 (n) VALUES (3)")
	require.NoError(t, tx.Rollback())
	require.NoError(t, err1)
	require.NoError(t, err2)
	_, err = e.sc.ExecContext(ctx, "DROP SEQUENCE IF EXISTS s18a")
	require.NoError(t, err)
}

// TestAttack18aAfterImplicitCommit: after a statement that commits
// implicitly, one server runs the rest of the transaction in autocommit
// mode. shardsql's statement ended the transaction only where it ran, so
// a later write elsewhere stayed in the transaction and Rollback took it
// back (driver/tx_implicit_commit.go). Such a statement is refused now;
// statements where the implicit commit ran keep running as one server's.
func TestAttack18aAfterImplicitCommit(t *testing.T) {
	e := newR18aEnv(t, "attack18a_after")
	defer e.closeConns()
	ctx := context.Background()
	var n int
	nOf := func(id int) int {
		require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT n FROM t18 WHERE id = ?", id).Scan(&n))
		return n
	}
	_, err := e.sc.ExecContext(ctx, "DROP TABLE IF EXISTS w18")
	require.NoError(t, err)

	// A read joins the data source of id 3, a DDL of an unsharded table
	// commits on the default data source alone, then a write of id 3.
	tx, err := e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT n FROM t18 WHERE id = 3").Scan(&n))
	_, err = tx.ExecContext(ctx, "CREATE TABLE w18 (a INT)")
	require.NoError(t, err)
	_, uerr := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1 WHERE id = 3")
	_, aerr := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	require.NoError(t, tx.Rollback())
	for _, err := range []error{uerr, aerr} {
		require.Error(t, err)
		require.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	}
	require.Equal(t, 30, nOf(3))

	// Where the implicit commit ran the transaction goes on in
	// autocommit mode, as on one server: the DDL then its version row
	// (goose) and a sharded table's ALTER then a write everywhere are
	// kept by a Rollback.
	tx, err = e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "DROP TABLE w18")
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "CREATE TABLE w18 (a INT)")
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "INSERT INTO u18 (n) VALUES (3)")
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT COUNT(*) FROM u18").Scan(&n))
	require.Equal(t, 3, n)

	tx, err = e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "ALTER TABLE t18 COMMENT 'r18'")
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.Equal(t, 31, nOf(3))
	require.Equal(t, 81, nOf(8))
	_, err = e.sc.ExecContext(ctx, "DROP TABLE w18")
	require.NoError(t, err)
}

// TestAttack18aDoInTx: DO commits nothing, so it runs in a transaction
// that wrote on both data sources (it was refused as a statement that
// commits implicitly: the parser keeps DO beside REPAIR and OPTIMIZE),
// and Rollback still takes back the transaction's writes.
func TestAttack18aDoInTx(t *testing.T) {
	e := newR18aEnv(t, "attack18a_do")
	defer e.closeConns()
	ctx := context.Background()
	tx, err := e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err1 := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	_, err2 := tx.ExecContext(ctx, "DO 1")
	_, err3 := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	require.NoError(t, tx.Rollback())
	require.NoError(t, err1)
	require.NoError(t, err2)
	require.NoError(t, err3)
	var sum int
	require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum))
	require.Equal(t, 360, sum)
}

// TestAttack18aWriteAfterImplicitCommit: after a statement that committed
// the transaction implicitly, a write over several nodes ran node by node
// in autocommit mode, and a failing node left the others' parts applied
// (the statement savepoint means nothing there). Refused now; a one-node
// write still runs (the server applies it whole).
func TestAttack18aWriteAfterImplicitCommit(t *testing.T) {
	e := newR18aEnv(t, "attack18a_wafter")
	defer e.closeConns()
	ctx := context.Background()
	tx, err := e.sc.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err1 := tx.ExecContext(ctx, "ALTER TABLE t18 COMMENT 'r18'")
	_, err2 := tx.ExecContext(ctx, "UPDATE t18 SET n = 1 / (id - 1)") // division by 0 on id 1's node only (strict mode)
	_, err3 := tx.ExecContext(ctx, "UPDATE t18 SET id = 100 WHERE id = 3")
	var rerr error
	if rows, err := tx.QueryContext(ctx, "UPDATE t18 SET n = n + 100"); err != nil {
		rerr = err
	} else {
		rows.Close()
	}
	_, err4 := tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1 WHERE id = 3")
	_, err5 := tx.ExecContext(ctx, "INSERT INTO t18 (id, n) VALUES (11, 1), (12, 1), (13, 1), (14, 1)") // goose's seed rows after its CREATE TABLE
	require.NoError(t, tx.Rollback())
	require.NoError(t, err1)
	require.Error(t, err2)
	require.False(t, errors.Is(err2, driver.ErrUnsupported), "%v", err2) // the server's division by 0, on the whole statement
	for _, err := range []error{err3, rerr} {
		require.Error(t, err)
		require.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	}
	require.NoError(t, err4)
	require.NoError(t, err5)
	var sum int
	require.NoError(t, e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum))
	require.Equal(t, 365, sum) // the failed UPDATE changed nothing; the one-node UPDATE and the INSERT after the ALTER stay, as on one server
}
