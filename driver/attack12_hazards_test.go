package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// a12HazardTables are sharded tables that triggers and foreign keys,
// created on the servers directly, write behind shardsql's back.
var a12HazardTables = []dmlTable{
	// BEFORE INSERT/UPDATE triggers set NEW.k
	{name: "h_trg", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	// BEFORE INSERT/UPDATE triggers that leave the key alone
	{name: "h_ok", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	// FOREIGN KEY (k) REFERENCES h_par (pk) ON UPDATE CASCADE
	{name: "h_child", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"},
	// FOREIGN KEY (k) REFERENCES h_par2 (pk) ON DELETE SET NULL
	{name: "h_null", key: "k", intKey: true, cols: "id INT NOT NULL, k INT NULL, UNIQUE KEY u (k, id)", order: "id"},
}

// TestAttack12Hazards: triggers and foreign key actions that change a
// sharding column in place (round 11's left item). Found by the round-12
// attack on MariaDB 10.11: a BEFORE INSERT trigger `SET NEW.k = NEW.k +
// NEW.n` stored the row with k = 7 on 2's node; `UPDATE h_par SET pk = 50
// WHERE pk = 5` (a broadcast parent) cascaded k = 50 into the child rows
// on 5's node; `DELETE FROM h_par2 WHERE pk = 7` set the child's key to
// NULL on 7's node. Now the catalog reads every data source's triggers
// and foreign keys and such writes are refused; writes of the same tables
// that set nothing off still run and match the oracle. Also found: CALL of
// a stored procedure whose body updates a broadcast table ran on the
// default data source alone (one copy updated); now refused.
func TestAttack12Hazards(t *testing.T) {
	e := newDMLEnvOf(t, "a12_hazards", nil, a12HazardTables)
	require.NoError(t, e.topo.AddBroadcastTable("h_par"))
	require.NoError(t, e.topo.AddBroadcastTable("h_par2"))
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, q := range []string{"DROP TABLE IF EXISTS h_par", "DROP TABLE IF EXISTS h_par2", "DROP TABLE IF EXISTS h_log",
			"CREATE TABLE h_par (pk INT NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 0)",
			"CREATE TABLE h_par2 (pk INT NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 0)"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	// the same objects on the oracle's tables and on every node table
	objects := func(table string) []string {
		return map[string][]string{
			"h_trg": {
				"CREATE TRIGGER %[1]s_bi BEFORE INSERT ON %[1]s FOR EACH ROW SET NEW.k = NEW.k + NEW.n",
				"CREATE TRIGGER %[1]s_bu BEFORE UPDATE ON %[1]s FOR EACH ROW SET NEW.`K` = NEW . k + NEW.n",
			},
			"h_ok": {
				"CREATE TRIGGER %[1]s_bi BEFORE INSERT ON %[1]s FOR EACH ROW SET NEW.n = NEW.n + 1",
				"CREATE TRIGGER %[1]s_bu BEFORE UPDATE ON %[1]s FOR EACH ROW SET NEW.n = OLD.n + 10",
			},
			"h_child": {"ALTER TABLE %[1]s ADD CONSTRAINT %[1]s_fk FOREIGN KEY (k) REFERENCES h_par (pk) ON UPDATE CASCADE"},
			"h_null":  {"ALTER TABLE %[1]s ADD CONSTRAINT %[1]s_fk FOREIGN KEY (k) REFERENCES h_par2 (pk) ON DELETE SET NULL"},
		}[table]
	}
	for _, tb := range a12HazardTables {
		for _, q := range objects(tb.name) {
			_, err := e.oracle.Exec(fmt.Sprintf(q, tb.name))
			require.NoError(t, err, q)
		}
		st, _ := e.topo.Table(tb.name)
		for _, n := range st.Nodes {
			var ds int
			_, _ = fmt.Sscanf(n.DataSource, "ds%d", &ds)
			for _, q := range objects(tb.name) {
				_, err := e.direct[ds].Exec(fmt.Sprintf(q, n.Table))
				require.NoError(t, err, q)
			}
		}
	}
	// a trigger of an unsharded table (on the default data source) that
	// writes a node table by its physical name
	_, err := e.direct[0].Exec("CREATE TABLE h_log (a INT NOT NULL)")
	require.NoError(t, err)
	_, err = e.direct[0].Exec("CREATE TRIGGER h_log_ai AFTER INSERT ON h_log FOR EACH ROW INSERT INTO h_ok_1 (k, id) VALUES (NEW.a, NEW.a)")
	require.NoError(t, err)

	// stored procedures on the default data source (and the oracle): one
	// writes a broadcast table, one names no table of the topology
	for _, db := range []*sql.DB{e.oracle, e.direct[0]} {
		for _, q := range []string{"DROP PROCEDURE IF EXISTS h_bump", "DROP PROCEDURE IF EXISTS h_fine",
			"CREATE PROCEDURE h_bump() UPDATE h_par SET v = v + 1",
			"CREATE PROCEDURE h_fine(IN x INT) SET @h_fine = x"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}

	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, mustRun: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, refuse: why} }
	const trg, fk = "sets sharding column k through NEW.k", "rewrites a sharding value in place"
	sts := []dmlStmt{
		r("INSERT INTO h_trg (k, id, n) VALUES (2, 1, 5), (3, 2, 0)", trg),
		r("REPLACE INTO h_trg (k, id, n) VALUES (2, 1, 5)", trg),
		r("INSERT INTO h_trg (k, id) VALUES (4, 4) ON DUPLICATE KEY UPDATE n = 1", trg),
		r("UPDATE h_trg SET n = 5 WHERE k = 2", trg),
		m("DELETE FROM h_trg WHERE k = 2"),
		m("SELECT COUNT(*) FROM h_trg"),
		m("INSERT INTO h_ok (k, id, n) VALUES (1, 1, 0), (2, 2, 0), (3, 3, 5)"),
		m("UPDATE h_ok SET n = n + 1 WHERE k IN (1, 2)"),
		m("REPLACE INTO h_ok (k, id, n) VALUES (3, 3, 7)"),
		m("INSERT INTO h_ok (k, id, n) VALUES (1, 1, 0) ON DUPLICATE KEY UPDATE n = 100"),
		r("INSERT INTO h_log (a) VALUES (5)", "writes node table h_ok_1 directly"),
		// ON UPDATE CASCADE from a broadcast parent into the key
		m("INSERT INTO h_par (pk) VALUES (1), (2), (5), (6)"),
		m("INSERT INTO h_child (k, id) VALUES (1, 1), (2, 2), (5, 5), (5, 6)"),
		r("UPDATE h_par SET pk = 50 WHERE pk = 5", fk),
		r("UPDATE `H_PAR` p SET p.pk = p.pk + 100 WHERE p.pk = 6", fk),
		r("INSERT INTO h_par (pk) VALUES (2) ON DUPLICATE KEY UPDATE pk = 20", fk),
		m("UPDATE h_par SET v = v + 1 WHERE pk IN (1, 5)"),
		m("INSERT INTO h_par (pk) VALUES (2) ON DUPLICATE KEY UPDATE v = 9"),
		m("DELETE FROM h_par WHERE pk = 6"),
		{sql: "DELETE FROM h_par WHERE pk = 5"}, // RESTRICT: error 1451 on both sides
		// ON DELETE SET NULL from a broadcast parent into the key
		m("INSERT INTO h_par2 (pk) VALUES (7), (8), (9)"),
		m("INSERT INTO h_null (id, k) VALUES (1, 7), (2, 8), (3, 9)"),
		r("DELETE FROM h_par2 WHERE pk = 7", fk),
		r("REPLACE INTO h_par2 (pk, v) VALUES (8, 1)", fk),
		m("UPDATE h_par2 SET v = 3 WHERE pk = 8"),
		{sql: "UPDATE h_par2 SET pk = 10 WHERE pk = 9"}, // RESTRICT on update: error 1451 on both sides
		m("SELECT k, id FROM h_null WHERE k = 7"),
		// CALL runs on the default data source alone: h_bump would
		// update ds0's copy of the broadcast table only
		r("CALL h_bump()", "CALL of a stored procedure that names a table of the topology (procedure h_bump on ds0 names table h_par)"),
		m("CALL h_fine(3)"),
	}
	for i := range sts {
		if sts[i].sql[:6] == "SELECT" {
			sts[i].query = true
		}
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "hazards", sts))
}
