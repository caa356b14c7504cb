package driver_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview13aFunctionCalls: a stored function that writes a broadcast
// table through another routine — CALL of a procedure that updates it, or
// a call of a function that does — names no table of the topology itself.
// It was not read as a hazard: SELECT f() ran on the default data source
// and updated one broadcast copy of b13. A routine calling a hazardous
// routine is a hazard too.
func TestReview13aFunctionCalls(t *testing.T) {
	topo, plains := reloadEnv(t)
	for _, p := range plains {
		for _, q := range []string{
			"DROP FUNCTION IF EXISTS f13r_outer", "DROP FUNCTION IF EXISTS f13r_outer2", "DROP FUNCTION IF EXISTS f13r_inner",
			"DROP FUNCTION IF EXISTS f13r_outer3", "DROP PROCEDURE IF EXISTS p13r_bump", "DROP PROCEDURE IF EXISTS p13r_outer",
			"CREATE PROCEDURE p13r_bump() MODIFIES SQL DATA UPDATE b13 SET v = v + 1",
			"CREATE FUNCTION f13r_outer() RETURNS INT MODIFIES SQL DATA BEGIN CALL p13r_bump(); RETURN 1; END",
			"CREATE FUNCTION f13r_inner() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE b13 SET v = v + 1; RETURN 1; END",
			"CREATE FUNCTION f13r_outer2() RETURNS INT MODIFIES SQL DATA RETURN f13r_inner() + 1",
			"CREATE FUNCTION f13r_outer3() RETURNS INT MODIFIES SQL DATA RETURN f13r_outer2() + 1",
			"CREATE PROCEDURE p13r_outer() MODIFIES SQL DATA SELECT f13r_outer3()",
		} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
	}
	db := openDB(t, topo)
	for _, q := range []string{"SELECT f13r_outer()", "SELECT f13r_outer2()", "SELECT f13r_outer3()", "CALL p13r_outer()"} {
		_, err := db.Exec(q)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
	}
	for i, p := range plains {
		var v int
		require.NoError(t, p.QueryRow("SELECT v FROM b13 WHERE id = 1").Scan(&v))
		assert.Equal(t, 0, v, "b13's copy on ds%d was written", i)
	}
}

// TestReview13aTriggerWrites: a trigger on an unsharded table that writes
// a broadcast table — directly, through CALL of a procedure, or through a
// stored function — fires on the one data source the write goes to and
// changes that copy alone (INSERT INTO t13r1 left b13's copies at 1 and
// 0). Such writes are refused; a trigger on the broadcast table itself
// fires on every copy and is not.
func TestReview13aTriggerWrites(t *testing.T) {
	topo, plains := reloadEnv(t)
	for _, p := range plains {
		for _, q := range []string{
			"DROP TABLE IF EXISTS t13r1", "DROP TABLE IF EXISTS t13r2", "DROP TABLE IF EXISTS t13r3", "DROP TABLE IF EXISTS t13r4",
			"DROP FUNCTION IF EXISTS f13r_inner", "DROP PROCEDURE IF EXISTS p13r_bump",
			"CREATE PROCEDURE p13r_bump() MODIFIES SQL DATA UPDATE b13 SET v = v + 1",
			"CREATE FUNCTION f13r_inner() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE b13 SET v = v + 1; RETURN 1; END",
			"CREATE TABLE t13r1 (id INT)", "CREATE TABLE t13r2 (id INT)", "CREATE TABLE t13r3 (id INT)", "CREATE TABLE t13r4 (id INT)",
			"CREATE TRIGGER t13r1_ai AFTER INSERT ON t13r1 FOR EACH ROW UPDATE b13 SET v = v + 1",
			"CREATE TRIGGER t13r2_ai AFTER INSERT ON t13r2 FOR EACH ROW CALL p13r_bump()",
			"CREATE TRIGGER t13r3_ai AFTER INSERT ON t13r3 FOR EACH ROW SET @x = f13r_inner()",
			"CREATE TRIGGER t13r4_ai AFTER INSERT ON t13r4 FOR EACH ROW SET @x = (SELECT v FROM b13 WHERE id = 1)",
		} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
	}
	db := openDB(t, topo)
	for _, q := range []string{"INSERT INTO t13r1 VALUES (1)", "INSERT INTO t13r2 VALUES (1)", "INSERT INTO t13r3 VALUES (1)"} {
		_, err := db.Exec(q)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
	}
	_, err := db.Exec("INSERT INTO t13r4 VALUES (1)") // reads b13 only
	require.NoError(t, err)
	for i, p := range plains {
		var v int
		require.NoError(t, p.QueryRow("SELECT v FROM b13 WHERE id = 1").Scan(&v))
		assert.Equal(t, 0, v, "b13's copy on ds%d was written", i)
	}
}
