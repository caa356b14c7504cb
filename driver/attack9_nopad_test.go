package driver_test

import (
	"fmt"
	"testing"
)

// a9NoPadTables are sharded by CHAR keys under NO PAD collations. MariaDB
// strips a CHAR value's trailing spaces when it stores it, and a NO PAD
// collation then compares 'a' and 'a ' as different: a row inserted as
// 'a ' is read by k = 'a', never by k = 'a '.
var a9NoPadTables = []dmlTable{
	{name: "np_bin", key: "k", cols: "k CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "np_uca", key: "k", cols: "k CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_nopad_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "np_gci", key: "k", cols: "k CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_nopad_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
}

// TestAttack9NoPadCharKeys: CHAR sharding keys under NO PAD collations,
// written with and without trailing spaces (literals, arguments, prepared,
// key moves), read by point, IN, ranges and in scatter merges (ORDER BY,
// GROUP BY, DISTINCT, HAVING, MIN/MAX). Before attack9 a row inserted as
// 'a ' was placed by 'a ' (NO PAD keeps the space in the weight) and
// stored as 'a': a point read k = 'a' looked on another node.
func TestAttack9NoPadCharKeys(t *testing.T) {
	e := newDMLEnvOf(t, "a9_nopad", nil, a9NoPadTables)
	var sts []dmlStmt
	for _, tb := range []string{"np_bin", "np_uca", "np_gci"} {
		id := 0
		for _, k := range []string{"'a'", "'a '", "'a  '", "'A '", "' a'", "'b'", "'b     '", "'é '", "'E'", "''", "' '", "'zz '"} {
			id++
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (%s, %d)", tb, k, id)})
		}
		for _, a := range []any{"c ", []byte("c  "), "C", "d "} {
			id++
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (?, %d)", tb, id), args: []any{a}},
				dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (?, %d)", tb, id+100), args: []any{a}, prepared: true})
		}
		sts = append(sts,
			dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES ('x ', 200), ('x', 201), ('y  ', 202)", tb)},
			dmlStmt{sql: fmt.Sprintf("REPLACE INTO %s (k, id) VALUES ('x  ', 200)", tb)},
			dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES ('y', 202) ON DUPLICATE KEY UPDATE n = n + 5", tb)},
			dmlStmt{sql: fmt.Sprintf("INSERT IGNORE INTO %s (k, id) VALUES ('x ', 201)", tb)},
		)
		for _, w := range []string{"k = 'a'", "k = 'a '", "k = 'A'", "k IN ('a ', 'b')", "k IN ('b', 'c', 'x')", "k = ' a'", "k = ''", "k = ' '",
			"k < 'a '", "k <= 'a'", "k > 'a'", "k BETWEEN 'a' AND 'b '", "k LIKE 'a%'", "k LIKE 'a '", "k <=> 'c'", "k = 'e'", "k = 'é'"} {
			sts = append(sts,
				dmlStmt{sql: fmt.Sprintf("SELECT k, id, n FROM %s WHERE %s", tb, w), query: true},
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w)},
			)
		}
		for _, a := range []any{"a", "a ", []byte("c "), "x"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE k = ?", tb), args: []any{a}, query: true},
				dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE k = ?", tb), args: []any{a}, query: true, prepared: true})
		}
		for _, q := range []string{
			"SELECT k, id FROM %s ORDER BY k, id",
			"SELECT k, COUNT(*), SUM(n) FROM %s GROUP BY k",
			"SELECT DISTINCT k FROM %s",
			"SELECT COUNT(DISTINCT k) FROM %s",
			"SELECT MIN(k), MAX(k) FROM %s",
			"SELECT k, COUNT(*) FROM %s GROUP BY k HAVING k > 'a'",
			"SELECT k, COUNT(*) FROM %s GROUP BY k HAVING k = 'a '",
			"SELECT k, COUNT(*) FROM %s GROUP BY k HAVING k < 'b '",
			"SELECT k, id FROM %s ORDER BY k DESC, id LIMIT 5",
			"SELECT CONCAT('[', k, ']'), LENGTH(k), id FROM %s ORDER BY id",
		} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf(q, tb), query: true})
		}
		sts = append(sts,
			dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = 'q  ' WHERE k = 'a' AND id = 1", tb)},
			dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = CONCAT(k, '  ') WHERE k = 'b'", tb)},
			dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE k = 'q'", tb), query: true},
			dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE k = 'x '", tb)},
			dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE k = 'x'", tb)},
		)
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "nopad", sts))
}

// TestAttack9BinaryKeys: a BINARY(n) sharding key is stored padded with
// zero bytes to n, and compared without padding: a row inserted as 'a' is
// read by k = 'a\0\0\0' (or k = X'61000000'), not by k = 'a'.
func TestAttack9BinaryKeys(t *testing.T) {
	e := newDMLEnvOf(t, "a9_binary", nil, []dmlTable{
		{name: "bk4", key: "k", cols: "k BINARY(4) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k"},
	})
	var sts []dmlStmt
	for i, k := range []string{"'a'", "'ab'", "'abcd'", "'a '", "''", "CONCAT('a', CHAR(0))", "0x61", "X'6100'"} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO bk4 (k, id) VALUES (%s, %d)", k, i+1)})
	}
	for i, a := range []any{"b", []byte("b"), []byte("b\x00\x00\x00"), "b\x00"} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO bk4 (k, id) VALUES (?, %d)", 20+i), args: []any{a}},
			dmlStmt{sql: fmt.Sprintf("INSERT INTO bk4 (k, id) VALUES (?, %d)", 40+i), args: []any{a}, prepared: true})
	}
	for _, w := range []string{"k = 'a'", "k = 'ab'", "k = 'abcd'", "k = 0x61000000", "k = CONCAT('a', REPEAT(CHAR(0), 3))", "k IN ('a', 'ab')"} {
		sts = append(sts, dmlStmt{sql: "SELECT k, id FROM bk4 WHERE " + w, query: true},
			dmlStmt{sql: "UPDATE bk4 SET n = n + 1 WHERE " + w})
	}
	for _, a := range []any{"b", []byte("b\x00\x00\x00"), "b\x00\x00\x00"} {
		sts = append(sts, dmlStmt{sql: "SELECT k, id FROM bk4 WHERE k = ?", args: []any{a}, query: true})
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "binary", sts))
}
