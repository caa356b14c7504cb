package driver_test

import "testing"

// TestReview22UnionLiteralCharset: MariaDB converts a string literal of a
// UNION into the character set of the column it defers to and fails
// (error 1267) where a character has no place there: SELECT l FROM
// <latin1> UNION ALL SELECT 'Ж' failed on one server and returned both
// rows through shardsql. Refused, naming the column's collation; ASCII
// literals, and literals beside a Unicode column, agree with one server.
func TestReview22UnionLiteralCharset(t *testing.T) {
	e := newU22Env(t, "r22union_lit")
	for _, c := range []struct{ q, coll string }{
		{"SELECT l FROM ua22 UNION ALL SELECT 'Ж'", "latin1_swedish_ci"},
		{"SELECT l FROM ua22 UNION ALL SELECT _utf8mb4'Ж'", "latin1_swedish_ci"},
		{"SELECT l FROM ua22 UNION ALL SELECT CONCAT('Ж', '')", "latin1_swedish_ci"},
		{"SELECT 'Ж' UNION ALL SELECT l FROM ua22", "latin1_swedish_ci"},
		{"SELECT w FROM ua22 UNION ALL SELECT 'é'", "cp1251_general_ci"},
		{"SELECT id, w FROM ua22 UNION ALL SELECT id, 'é' FROM ub22", "cp1251_general_ci"},
	} {
		e.oracleFails(t, "Illegal mix of collations", c.q)
		e.refused(t, "beside a string literal outside ASCII", c.q)
		e.refused(t, c.coll, c.q)
	}
	for _, q := range []string{
		"SELECT l FROM ua22 UNION ALL SELECT 'abc'",
		"SELECT w FROM ua22 UNION ALL SELECT 'none'",
		"SELECT v FROM ua22 UNION ALL SELECT 'Ж'",
		"SELECT id, v, 'ä' AS kind FROM ua22 UNION ALL SELECT id, v, 'ö' FROM ub22",
	} {
		e.same(t, q, false)
	}
}
