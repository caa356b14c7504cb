package driver_test

import (
	"testing"
)

// TestAttack10DDLNames: DDL and maintenance statements naming logical and
// physical tables — DROP, TRUNCATE, ALTER, RENAME, CREATE … LIKE, CREATE
// INDEX, ANALYZE/OPTIMIZE/CHECK, SHOW CREATE/COLUMNS/INDEX, DESCRIBE —
// with IF EXISTS, qualifiers, backquotes, case and comments, and several
// tables in one statement. The contents and every row's placement are
// compared with the oracle after each. Before attack10 the statements
// naming a node table (d_int_0, `D_CI_1`) went to the default data source
// and dropped, emptied, renamed or altered the live node table, and
// EXCHANGE PARTITION ran once per node table.
func TestAttack10DDLNames(t *testing.T) {
	e := newDMLEnv(t, "a10_ddl")
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, query: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, refuse: why} }
	sts := []dmlStmt{
		s("INSERT INTO d_int (k, id, v, n) VALUES (1, 1, 'a', 10), (2, 2, 'b', 20), (3, 3, 'c', 30), (4, 4, 'd', 40), (5, 5, 'e', 50), (6, 6, 'f', 60)"),
		s("INSERT INTO d_ci (k, id, n) VALUES ('a', 1, 1), ('B', 2, 2), ('c', 3, 3), ('é', 4, 4), ('x', 5, 5), ('y', 6, 6)"),
		s("DROP TABLE IF EXISTS t_a10_plain"),
		s("CREATE TABLE t_a10_plain (id INT PRIMARY KEY, v INT)"),
		s("INSERT INTO t_a10_plain VALUES (1, 1), (2, 2)"),
		// node tables by their physical names
		r("DROP TABLE d_int_0", "node table"),
		r("DROP TABLE IF EXISTS d_int_1", "node table"),
		r("DROP TABLE IF EXISTS `D_INT_0`", "node table"),
		r("DROP TABLE t_a10_plain, d_ci_0", "node table"),
		r("TRUNCATE TABLE d_int_0", "node table"),
		r("TRUNCATE d_ci_1", "node table"),
		r("DELETE FROM d_int_0", "node table"),
		r("INSERT INTO d_int_1 (k, id) VALUES (99, 99)", "node table"),
		r("UPDATE d_ci_0 SET n = 0", "node table"),
		r("RENAME TABLE d_int_0 TO d_int_moved", "node table"),
		r("RENAME TABLE t_a10_plain TO d_int_1", "node table"),
		r("ALTER TABLE d_int_0 ADD COLUMN z INT", "node table"),
		r("ALTER TABLE /* c */ d_int_1 RENAME TO d_x", "node table"),
		r("CREATE TABLE d_int_9 LIKE d_int_0", "node table"),
		r("CREATE INDEX ix ON d_ci_0 (n)", "node table"),
		r("OPTIMIZE TABLE d_int_0", "d_int_0"),
		r("ANALYZE TABLE d_int_0", "node table"),
		r("REPAIR TABLE d_ci_1", "d_ci_1"),
		r("CHECK TABLE d_int_0", "d_int_0"),
		r("SELECT COUNT(*) FROM d_int_0", "node table"),
		r("SHOW CREATE TABLE d_int_0", "node table"),
		r("DESCRIBE d_int_1", "node table"),
		r("SHOW INDEX FROM d_int_0", "node table"),
		// the logical tables
		q("SHOW CREATE TABLE d_int"),
		q("SHOW COLUMNS FROM d_int"),
		q("DESCRIBE d_ci"),
		q("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'd_int'"),
		q("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'D_INT'"),
		q("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('d_int', 'd_ci') ORDER BY table_name"),
		q("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'd\\_int%' ORDER BY table_name"),
		q("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'd_int_0'"),
		q("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'd_ci' ORDER BY ordinal_position"),
		q("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'd_int'"),
		q("SHOW TABLES LIKE 'd\\_int%'"),
		q("SHOW FULL TABLES WHERE Tables_in_a10_ddl LIKE 'd_ci%'"),
		s("ALTER TABLE t_a10_plain ADD COLUMN w INT"),
		r("ALTER TABLE d_int EXCHANGE PARTITION p0 WITH TABLE t_a10_plain", "another table"),
		r("ALTER TABLE d_int ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES t_a10_plain (id)", "FOREIGN KEY"),
		r("DROP TABLE t_a10_plain, d_int", "several tables"),
		r("RENAME TABLE d_int TO d_int2", "RENAME"),
		r("RENAME TABLE t_a10_plain TO d_int", "RENAME"),
		r("CREATE TABLE t_a10_copy LIKE d_int", "LIKE"),
		s("ALTER TABLE d_int ADD COLUMN z INT NULL"),
		s("CREATE INDEX ix_n ON d_int (n)"),
		s("DROP INDEX ix_n ON d_int"),
		s("UPDATE d_int SET z = k * 2"),
		q("SELECT k, z FROM d_int ORDER BY k"),
		s("ALTER TABLE d_int DROP COLUMN z"),
		s("TRUNCATE TABLE d_ci"),
		q("SELECT COUNT(*) FROM d_ci"),
		s("DROP TABLE IF EXISTS t_a10_plain"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "ddl", sts))
}
