package driver_test

import (
	"testing"
)

// TestAttack10SessionCharsetDefault: SET … = DEFAULT of the connection's
// character set and collation runs when the catalog says every data
// source's defaults are utf8mb4 (the shared servers' are), and text keys
// written and read afterwards are placed and found as on the oracle.
// Before attack10 every DEFAULT was refused (round 9's left item).
func TestAttack10SessionCharsetDefault(t *testing.T) {
	e := newDMLEnv(t, "a10_session")
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true} }
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, session: true, refuse: why} }
	sts := []dmlStmt{
		s("INSERT INTO d_ci (k, id, n) VALUES ('a', 1, 1), ('B', 2, 2), ('é', 3, 3)"),
		m("SET @@SESSION.collation_connection = 'utf8mb4_bin'"),
		m("SET collation_connection = DEFAULT"),
		q("SELECT @@collation_connection, @@character_set_connection"),
		s("INSERT INTO d_ci (k, id, n) VALUES ('É', 4, 4), ('ß', 5, 5)"),
		q("SELECT k, id FROM d_ci WHERE k = 'e'"),
		m("SET NAMES DEFAULT"),
		q("SELECT @@character_set_client, @@character_set_connection, @@character_set_results"),
		s("INSERT INTO d_ci (k, id, n) VALUES ('ü', 6, 6)"),
		q("SELECT k, id FROM d_ci WHERE k = 'ü'"),
		m("SET CHARACTER SET DEFAULT"),
		m("SET character_set_client = DEFAULT, character_set_connection = DEFAULT"),
		m("SET @@session.character_set_connection = DEFAULT"),
		s("INSERT INTO d_ci (k, id, n) VALUES ('ø', 7, 7)"),
		q("SELECT k, id FROM d_ci ORDER BY id"),
		r("SET NAMES latin1", "character set"),
		r("SET GLOBAL collation_connection = DEFAULT", "GLOBAL"),
		m("SET NAMES utf8mb4"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "session", sts))
}
