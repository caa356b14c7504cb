package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttack13StoredFunctions: stored functions called in ordinary
// statements (round 12's left item). Reproduced by the round-13 attack on
// MariaDB 10.11: `SELECT h_fbump()`, whose body updates the broadcast
// table h_fpar, ran on the default data source alone and updated its copy
// only; the same call in a SELECT routed to one node, or in an UPDATE's
// SET, wrote that node's server's copy (branch xa13 refuses these
// writers). Also found: `SELECT h_fnode()`, whose body only reads the
// sharded table h_fk by its logical name, failed with error 1146 where
// the oracle answers (a node table's name would read one node's rows);
// such readers are refused too now. Functions that compute, or only read
// a broadcast table, still run.
func TestAttack13StoredFunctions(t *testing.T) {
	tables := []dmlTable{{name: "h_fk", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"}}
	e := newDMLEnvOf(t, "a13_functions", nil, tables)
	require.NoError(t, e.topo.AddBroadcastTable("h_fpar"))
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, q := range []string{"DROP TABLE IF EXISTS h_fpar", "CREATE TABLE h_fpar (pk INT NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 0)"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	// the same functions on the oracle and on every data source
	for _, db := range append([]*sql.DB{e.oracle}, e.direct...) {
		for _, q := range []string{"DROP FUNCTION IF EXISTS h_fbump", "DROP FUNCTION IF EXISTS h_fread",
			"DROP FUNCTION IF EXISTS h_fnode", "DROP FUNCTION IF EXISTS h_ffine",
			"CREATE FUNCTION h_fbump() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE h_fpar SET v = v + 1; RETURN 1; END",
			"CREATE FUNCTION h_fread() RETURNS INT READS SQL DATA RETURN (SELECT COALESCE(SUM(v), 0) FROM h_fpar)",
			"CREATE FUNCTION h_fnode() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM `h_fk`)",
			"CREATE FUNCTION h_ffine(x INT) RETURNS INT DETERMINISTIC RETURN x * 2 + 1"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, mustRun: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, refuse: why} }
	const bump = "call of stored function h_fbump, whose body writes a table of the topology or reads a sharded one (function h_fbump on ds0 names table h_fpar)"
	sts := []dmlStmt{
		m("INSERT INTO h_fpar (pk) VALUES (1), (2)"),
		m("INSERT INTO h_fk (k, id) VALUES (1, 1), (2, 2), (3, 3)"),
		r("SELECT h_fbump()", bump),
		r("SELECT k, h_fbump() FROM h_fk WHERE k = 2", bump),
		r("SELECT k FROM h_fk WHERE k = 1 AND h_fbump() = 1", bump),
		r("UPDATE h_fk SET n = H_FBUMP() WHERE k = 3", "stored function H_FBUMP"),
		r("INSERT INTO h_fk (k, id, n) VALUES (4, 4, h_fbump())", bump),
		r("SELECT h_fnode()", "function h_fnode on ds0 names table h_fk"),
		m("SELECT h_ffine(3)"),
		m("SELECT k, h_ffine(k) FROM h_fk WHERE k = 2"),
		m("UPDATE h_fk SET n = h_ffine(n) WHERE k = 1"),
		m("SELECT h_fread()"),
		m("SELECT k, h_fread() FROM h_fk WHERE k = 3"),
	}
	for i := range sts {
		if sts[i].sql[:6] == "SELECT" {
			sts[i].query = true
		}
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "functions", sts))
	// every copy of the broadcast table as the oracle's
	want, err := runDiffQuery(e.oracle, "SELECT pk, v FROM h_fpar ORDER BY pk")
	require.NoError(t, err)
	for i, d := range e.direct {
		got, err := runDiffQuery(d, "SELECT pk, v FROM h_fpar ORDER BY pk")
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(want.rows), fmt.Sprint(got.rows), "ds%d's copy of h_fpar", i)
	}
}
