package driver_test

import "testing"

// TestAttackDMLGeneratedKeys: a table whose sharding column is its key,
// filled by shardsql's key generator (the oracle's AUTO_INCREMENT counts
// alike): rows without the column, with NULL or DEFAULT, INSERT … SET,
// REPLACE and ON DUPLICATE KEY UPDATE, multi-row across nodes and
// prepared. The ids, LastInsertId (the first of a multi-row INSERT),
// SELECT LAST_INSERT_ID() on the same connection and every row's
// placement must match.
func TestAttackDMLGeneratedKeys(t *testing.T) {
	e := newDMLEnv(t, "adml_genid")
	sts := []dmlStmt{
		{sql: "INSERT INTO d_gen (v) VALUES ('a')", lastID: true, session: true, mustRun: true},
		{sql: "SELECT LAST_INSERT_ID()", query: true, session: true},
		{sql: "INSERT INTO d_gen (v) VALUES ('b'), ('c'), ('d'), ('e')", lastID: true, session: true, mustRun: true},
		{sql: "SELECT LAST_INSERT_ID()", query: true, session: true},
		{sql: "INSERT INTO d_gen (id, v) VALUES (NULL, 'f'), (DEFAULT, 'g')", lastID: true, session: true, mustRun: true},
		{sql: "INSERT INTO d_gen SET v = 'h'", lastID: true, session: true, mustRun: true},
		{sql: "INSERT INTO d_gen (v, n) VALUES (?, ?), (?, ?)", args: []any{"i", 1, "j", 2}, lastID: true, session: true, prepared: true, mustRun: true},
		{sql: "REPLACE INTO d_gen (v) VALUES ('k')", lastID: true, session: true, mustRun: true},
		{sql: "INSERT INTO d_gen (v) VALUES ('l') ON DUPLICATE KEY UPDATE n = n + 1", lastID: true, session: true, mustRun: true},
		{sql: "INSERT IGNORE INTO d_gen (v) VALUES ('m'), ('n')", lastID: true, session: true, mustRun: true},
		{sql: "INSERT INTO d_gen (v) VALUES ('o') RETURNING id, v", query: true, session: true},
		{sql: "SELECT LAST_INSERT_ID()", query: true, session: true},
		{sql: "INSERT INTO d_gen (id, v) VALUES (0, 'z')", session: true},
		{sql: "UPDATE d_gen SET n = n + 1 WHERE id IN (1, 3, 5, 7)", mustRun: true},
		{sql: "DELETE FROM d_gen WHERE id = '2'", mustRun: true},
		{sql: "SELECT id, v FROM d_gen WHERE id = LAST_INSERT_ID()", query: true, session: true},
	}
	e.run(t, "generated keys", sts)
}
