package driver_test

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// dmlFormStatements are INSERT, REPLACE, UPDATE and DELETE in their other
// forms: INSERT … SET, column lists in other orders, multi-row across
// nodes, INSERT IGNORE and REPLACE with duplicates, ON DUPLICATE KEY
// UPDATE (VALUES(), the sharding column, the AS alias), DEFAULT, INSERT …
// SELECT, RETURNING, UPDATE/DELETE with ORDER BY … LIMIT, multi-table
// forms, no-op updates, and sharding-key updates that move rows.
func dmlFormStatements() []dmlStmt {
	return []dmlStmt{
		{sql: "INSERT INTO d_int SET k = '7', id = 1, v = 'set'", mustRun: true},
		{sql: "INSERT INTO d_int SET id = 2, v = 'set', k = ' 8'", mustRun: true},
		{sql: "INSERT INTO d_int (id, v, k) VALUES (3, 'o', ' 9'), (4, 'o', 10), (5, 'o', '11'), (6, 'o', 7)", mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 1, 'dup'), (8, 2, 'x') ON DUPLICATE KEY UPDATE v = VALUES(v), n = n + 1", mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 1, 'dup') ON DUPLICATE KEY UPDATE v = VALUES(v)", mustRun: true}, // no change: 0 rows (1 with found rows)
		{sql: "INSERT INTO d_int (k, id, v) VALUES ('7', 1, 'dup2') ON DUPLICATE KEY UPDATE k = VALUES(k)", mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES ('7', 1, 'dup2') ON DUPLICATE KEY UPDATE k = k", mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES ('7', 1, 'dup3') ON DUPLICATE KEY UPDATE k = 8"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES ('7', 1, 'dup3') ON DUPLICATE KEY UPDATE `K` = VALUES(k) + 1"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES ('7', 1, 'dup3') ON DUPLICATE KEY UPDATE d_int.k = 7"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 1, 'as') AS new ON DUPLICATE KEY UPDATE v = new.v"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 1, 'n'), (12, 12, 'n'), (13, 13, 'n') ON DUPLICATE KEY UPDATE n = n + 1, v = CONCAT(v, '+')", mustRun: true},
		{sql: "INSERT IGNORE INTO d_int (k, id, v) VALUES (7, 1, 'ig'), (8, 2, 'ig'), (14, 14, 'ig'), (14, 14, 'ig2')", mustRun: true},
		{sql: "INSERT IGNORE INTO d_int (k, id, v) VALUES ('abc', 15, 'ig')"},
		{sql: "REPLACE INTO d_int (k, id, v) VALUES (7, 1, 'rep'), (9, 3, 'rep'), (15, 15, 'rep')", mustRun: true},
		{sql: "REPLACE INTO d_int SET k = 7, id = 1, v = 'rep2'", mustRun: true},
		{sql: "REPLACE INTO d_int (k, id, v) VALUES (16, 16, 'a'), (16, 16, 'b')", mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (DEFAULT, 20, 'd')"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (17, 21, DEFAULT), (18, 22, 'x')", mustRun: true},
		{sql: "INSERT INTO d_int (k, id) SELECT k + 100, id FROM d_int WHERE k = 7"},
		{sql: "INSERT INTO d_int (k, id) VALUES (19, 23), (20)"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 1, 'pk')"},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (21, 24, 'r'), (22, 25, 'r'), (23, 26, 'r') RETURNING k, id, v", query: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (24, 27, 'r') RETURNING *", query: true},
		{sql: "REPLACE INTO d_int (k, id, v) VALUES (24, 27, 'r2'), (25, 28, 'r2') RETURNING k, id, v", query: true},
		{sql: "DELETE FROM d_int WHERE k IN (21, 22, 23) RETURNING k, id", query: true},
		{sql: "DELETE FROM d_int WHERE k = 24 RETURNING k, id, v", query: true},
		{sql: "DELETE FROM d_int WHERE k = 7 ORDER BY id DESC LIMIT 1 RETURNING id", query: true},
		// Nodes whose part finds no row through the primary key ("Impossible
		// WHERE") answer without a result set.
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 40, 'ret'), (1, 40, 'ret')", mustRun: true},
		{sql: "DELETE FROM d_int WHERE k IN (101, 102, 103, 104, 105, 106, 7, 1) AND id = 40 RETURNING k, id, v", query: true, mustRun: true},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES ('2025-07-02', 1), ('2025-06-30 00:00:00.5', 2)", mustRun: true},
		{sql: "DELETE FROM d_dt6 WHERE at IN (?, '2025-07-02') RETURNING id", args: []any{time.Date(2025, 6, 30, 9, 0, 0, 999999600, time.FixedZone("JST", 9*3600))}, query: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (7, 30, 'a'), (7, 31, 'b'), (7, 32, 'c'), (8, 33, 'a')", mustRun: true},
		{sql: "UPDATE d_int SET n = n + 10 WHERE k = 7 ORDER BY id DESC LIMIT 2", mustRun: true},
		{sql: "UPDATE d_int SET n = n + 10 WHERE k = '7' ORDER BY v, id LIMIT 1", mustRun: true},
		{sql: "DELETE FROM d_int WHERE k = '07' ORDER BY id LIMIT 1", mustRun: true},
		{sql: "UPDATE d_int SET n = 0 WHERE k IN (7, 8) ORDER BY id LIMIT 1"},
		// An unordered LIMIT deletes unspecified rows, which this table
		// comparison cannot check; runs since writes18 (node by node): the
		// predicate pins the one row (7, 30) on one of the two nodes, as
		// the oracle deleted when this was refused. How many go, with
		// any rows: driver/writes18_delete_limit_test.go.
		{sql: "DELETE FROM d_int WHERE k IN (7, 8) AND id = 30 LIMIT 1"},
		{sql: "UPDATE d_int SET n = 0 WHERE k = 7", mustRun: true},
		{sql: "UPDATE d_int SET n = 0 WHERE k = 7", mustRun: true}, // no change: 0 rows (found rows: every match)
		{sql: "UPDATE d_int SET n = n WHERE k IN (7, 8, 9)", mustRun: true},
		{sql: "UPDATE d_int SET v = v WHERE 1 = 1", mustRun: true},
		{sql: "UPDATE d_int a JOIN d_int b ON a.k = b.k AND a.id = b.id SET a.n = 3 WHERE a.k = 8"},
		{sql: "UPDATE d_int, d_tiny SET d_int.n = 1 WHERE d_int.k = d_tiny.k AND d_int.k = 8"},
		{sql: "DELETE a FROM d_int a WHERE a.k = 8"},
		{sql: "DELETE d_int FROM d_int JOIN d_tiny ON d_int.k = d_tiny.k WHERE d_int.k = 9"},
		{sql: "DELETE FROM d_int USING d_int JOIN d_tiny ON d_int.k = d_tiny.k WHERE d_int.k = 9"},
		// Sharding-key updates: rows move, in one transaction.
		{sql: "UPDATE d_int SET k = '8' WHERE k = 9", mustRun: true},
		{sql: "UPDATE d_int SET k = 8, n = n + 1 WHERE k IN (7, 8, 11)", mustRun: true},
		{sql: "UPDATE d_int SET k = 8 WHERE k = 8", mustRun: true},
		{sql: "UPDATE d_int SET k = 7 WHERE k = 8 AND id = 999", mustRun: true},
		{sql: "UPDATE d_int SET k = '7.0', v = CONCAT(v, k) WHERE k = 8", mustRun: true},
		{sql: "UPDATE d_int SET v = 'was', k = ? WHERE k = ?", args: []any{"9", 7.0}, mustRun: true},
		{sql: "UPDATE d_int SET k = ? WHERE k = ?", args: []any{uint8(10), "9"}, mustRun: true},
		{sql: "UPDATE d_int SET k = 10 WHERE k IN (10, 12, 13, 14)", mustRun: true},
		{sql: "UPDATE d_int SET k = 11 WHERE k = 10 ORDER BY id LIMIT 1"},
		{sql: "UPDATE IGNORE d_int SET k = 11 WHERE k = 10"},
		{sql: "UPDATE d_int SET k = k + 1 WHERE k = 10"},
		{sql: "UPDATE d_int SET k = 7.5 WHERE k = 10"},
		{sql: "UPDATE d_int SET k = NULL WHERE k = 10"},
		{sql: "UPDATE d_int SET k = 12, k = 13 WHERE k = 10"},
		{sql: "UPDATE d_int SET k = 15 WHERE k = 10 AND id = (SELECT 1)"},
		{sql: "UPDATE d_int SET k = 15 WHERE k = 7.2"},
		{sql: "UPDATE d_tiny SET k = 300 WHERE k = 1"},
		{sql: "INSERT INTO d_ci (k, id) VALUES ('a', 1), ('b', 2), ('c', 3), ('ß', 4)", mustRun: true},
		{sql: "UPDATE d_ci SET k = 'B' WHERE k = 'a'", mustRun: true},
		{sql: "UPDATE d_ci SET k = 'C ' WHERE k = 'b'", mustRun: true},
		{sql: "UPDATE d_ci SET k = 'zz' WHERE k = 'C'", mustRun: true},
		{sql: "UPDATE d_ci SET k = 'SS' WHERE k = 's'", mustRun: true},
		{sql: "UPDATE d_uca SET k = 'ss' WHERE k = 'ß'", mustRun: true},
		{sql: "UPDATE d_ci SET k = 'abcdefghijklm' WHERE k = 'zz'"},
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-06-15', 1), ('2025-06-16 10:00:00', 2)", mustRun: true},
		{sql: "UPDATE d_dt SET at = '2025-07-15' WHERE at = '2025-06-15'", mustRun: true},
		{sql: "UPDATE d_dt SET at = ? WHERE at >= '2025-06-01' AND at < '2025-07-01'", args: []any{time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)}, mustRun: true},
		{sql: "UPDATE d_dt SET at = '2025-08-01' WHERE id = 1", mustRun: true},
		{sql: "UPDATE d_dt SET at = '2025-12-31 23:59:59.9' WHERE id = 2"},
		// A unique key holding the sharding column by a prefix: 'abc'
		// and 'abd' conflict on one table, on two nodes they need not.
		{sql: "INSERT INTO d_pfx (k, id) VALUES ('abc', 1)", mustRun: true},
		{sql: "INSERT IGNORE INTO d_pfx (k, id) VALUES ('abd', 1), ('abe', 1), ('xyz', 1)"},
		{sql: "REPLACE INTO d_pfx (k, id) VALUES ('abf', 1)"},
		{sql: "INSERT INTO d_pfx (k, id) VALUES ('abg', 1) ON DUPLICATE KEY UPDATE n = n + 1"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (5, 1), (6, 2)"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (7, 1)", lastID: true, mustRun: true},
		{sql: "INSERT INTO d_auto (k) VALUES (3)"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (NULL, 4)"},
	}
}

// TestAttackDMLForms runs dmlFormStatements with go-sql-driver's defaults
// and with clientFoundRows (UPDATE and ON DUPLICATE KEY UPDATE then count
// the rows they match, not those they change), on the data sources and
// the oracle alike.
func TestAttackDMLForms(t *testing.T) {
	t.Run("changed rows", func(t *testing.T) {
		e := newDMLEnv(t, "adml_forms")
		e.run(t, "forms", dmlFormStatements())
	})
	t.Run("found rows", func(t *testing.T) {
		e := newDMLEnvWith(t, "adml_forms_found", func(c *mysql.Config) { c.ClientFoundRows = true })
		e.run(t, "forms (clientFoundRows)", dmlFormStatements())
	})
}
