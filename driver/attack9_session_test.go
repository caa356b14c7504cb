package driver_test

import (
	"testing"
)

// TestAttack9SessionAndWrites: user variables assigned in SELECT and
// UPDATE across nodes, session variables in their @@ spellings, and the
// write forms earlier rounds attacked least (INSERT … SELECT, REPLACE …
// SELECT, multi-table UPDATE/DELETE, UPDATE/DELETE … ORDER BY … LIMIT
// over nodes), each on one held connection per side: the rows, rows
// affected, contents and every row's placement must match the oracle, or
// the statement be refused.
func TestAttack9SessionAndWrites(t *testing.T) {
	e := newDMLEnv(t, "a9_session")
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	sts := []dmlStmt{
		s("INSERT INTO d_int (k, id, v, n) VALUES (1, 1, 'a', 10), (2, 2, 'b', 20), (3, 3, 'c', 30), (4, 4, 'd', 40), (5, 5, 'e', 50), (6, 6, 'f', 60), (7, 7, 'g', 70), (8, 8, 'h', 80)"),
		s("INSERT INTO d_ci (k, id, n) VALUES ('a', 1, 1), ('B', 2, 2), ('c', 3, 3), ('é', 4, 4)"),
		// user variables assigned per row across nodes
		s("SET @r = 0"),
		q("SELECT @r := @r + 1 AS rn, k FROM d_int ORDER BY k"),
		q("SELECT @r"),
		q("SELECT k, @r := k FROM d_int WHERE k = 3"),
		q("SELECT @r"),
		q("SELECT @m := MAX(n) FROM d_int"),
		q("SELECT @m"),
		s("SET @x = 100"),
		s("UPDATE d_int SET n = (@x := @x + 1) WHERE k > 0"),
		q("SELECT @x"),
		s("UPDATE d_int SET n = @x WHERE k = 2"),
		q("SELECT k, n FROM d_int WHERE n = @x"),
		q("SELECT k FROM d_int WHERE k IN (SELECT @x := 3)"),
		q("SELECT @x"),
		s("SELECT k INTO @y FROM d_int WHERE k = 5"),
		q("SELECT @y"),
		s("SELECT MAX(k) INTO @y FROM d_int"),
		q("SELECT @y"),
		// session variables in other spellings
		s("SET @@session.sql_mode = 'STRICT_ALL_TABLES'"),
		s("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')"),
		q("SELECT @@session.sql_mode, @@sql_mode"),
		s("SET @@local.sql_mode = DEFAULT"),
		s("SET @@SESSION.collation_connection = 'utf8mb4_bin'"),
		q("SELECT k, id FROM d_ci WHERE k = 'b'"),
		q("SELECT k, id FROM d_ci WHERE k = 'b' COLLATE utf8mb4_bin"),
		q("SELECT k, id FROM d_ci WHERE k > 'b' ORDER BY k, id"),
		s("SET collation_connection = DEFAULT"),
		s("SET max_sort_length = 4"),
		q("SELECT k, id FROM d_ci ORDER BY k, id"),
		s("SET SESSION group_concat_max_len = 5"),
		q("SELECT GROUP_CONCAT(v ORDER BY k) FROM d_int"),
		s("SET SESSION div_precision_increment = 1"),
		q("SELECT AVG(n), SUM(n) / 3 FROM d_int"),
		s("SET SESSION div_precision_increment = DEFAULT"),
		s("SET SESSION group_concat_max_len = DEFAULT"),
		s("SET SESSION max_sort_length = DEFAULT"),
		// INSERT … SELECT and REPLACE … SELECT
		s("INSERT INTO d_int (k, id, v) SELECT k, id + 100, v FROM d_int WHERE k = 3"),
		s("INSERT INTO d_int (k, id, v) SELECT k + 10, id, v FROM d_int WHERE k < 3"),
		s("INSERT INTO d_int (k, id) SELECT 9, 9"),
		s("REPLACE INTO d_int (k, id, v) SELECT k, id, 'r' FROM d_int WHERE k = 4"),
		s("INSERT INTO d_ci (k, id) SELECT v, k FROM d_int WHERE k = 6"),
		s("INSERT INTO d_int (k, id, n) SELECT 11, 11, COUNT(*) FROM d_int"),
		// multi-table UPDATE/DELETE and ORDER BY … LIMIT
		s("UPDATE d_int a JOIN d_int b ON a.k = b.k SET a.n = b.n + 1 WHERE a.k = 5"),
		s("UPDATE d_int a JOIN d_ci b ON a.id = b.id SET a.n = a.n + b.n"),
		s("UPDATE d_int a, d_ci b SET a.n = 0, b.n = 0 WHERE a.k = 1 AND b.k = 'a'"),
		s("DELETE a FROM d_int a JOIN d_ci b ON a.id = b.id WHERE b.k = 'c'"),
		s("DELETE a, b FROM d_int a JOIN d_ci b ON a.id = b.id WHERE a.k = 2"),
		s("UPDATE d_int SET n = n + 1 ORDER BY n DESC, k LIMIT 2"),
		s("UPDATE d_int SET n = n + 1 WHERE k > 2 ORDER BY k LIMIT 1"),
		s("UPDATE d_int SET n = n + 1 WHERE n > 75 AND n < 95 LIMIT 1"), // writes19 runs it: a predicate that pins one row (LIMIT leaves the choice open)
		s("DELETE FROM d_int WHERE k > 5 ORDER BY k DESC LIMIT 1"),
		s("DELETE FROM d_int ORDER BY k LIMIT 1"),
		s("DELETE FROM d_int WHERE k = 7 ORDER BY id LIMIT 1"),
		s("UPDATE d_int SET k = k + 20 ORDER BY k LIMIT 1"),
		q("SELECT ROW_COUNT()"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "session", sts))
}
