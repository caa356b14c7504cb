package driver_test

import (
	"testing"
)

// TestAttack12Prepare: SQL-level PREPARE, EXECUTE and EXECUTE IMMEDIATE.
// Found by the round-12 attack: `PREPARE s FROM 'SELECT COUNT(*) FROM
// p_int'` went to the default data source as it was (the scan for table
// names read the string as one token), and EXECUTE s failed there with
// error 1146 where one server counts the table; `PREPARE s FROM @q` and
// `EXECUTE IMMEDIATE @q` ran whatever text the variable held on the
// default data source alone. Now refused; a literal text naming no table
// of the topology still runs, with EXECUTE … USING and DEALLOCATE.
func TestAttack12Prepare(t *testing.T) {
	e := newDMLEnvOf(t, "a12_prepare", nil, []dmlTable{
		{name: "p_int", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	})
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	qm := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true, mustRun: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, session: true, refuse: why} }
	const opaque = "a text shardsql cannot read before the server runs it"
	sts := []dmlStmt{
		m("INSERT INTO p_int (k, id, n) VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)"),
		r("PREPARE s1 FROM 'SELECT COUNT(*) FROM p_int'", "PREPARE of a statement naming p_int"),
		r("PREPARE s1 FROM 'UPDATE /* c */ `p_int` SET n = 0'", "PREPARE of a statement naming p_int"),
		r("PREPARE s1 FROM 'SELECT * FROM p_int_0'", "p_int_0"),
		m("SET @q = 'SELECT COUNT(*) FROM p_int'"),
		r("PREPARE s1 FROM @q", opaque),
		r("PREPARE s1 FROM CONCAT('SELECT COUNT(*) FROM p_', 'int')", opaque),
		r("EXECUTE IMMEDIATE @q", opaque),
		r("EXECUTE IMMEDIATE CONCAT('DELETE FROM p_', 'int')", opaque),
		r("EXECUTE IMMEDIATE 'DELETE FROM p_int'", "naming table p_int"),
		m("PREPARE s2 FROM 'SELECT ? + 1'"),
		m("SET @a = 41"),
		qm("EXECUTE s2 USING @a"),
		qm("EXECUTE IMMEDIATE 'SELECT ? * 2' USING 21"),
		m("DEALLOCATE PREPARE s2"),
		qm("SELECT COUNT(*), SUM(n) FROM p_int"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "prepare", sts))
}
