package driver_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

// Round 22 (union22): unions over sharded, broadcast and unsharded tables
// against one unsharded MariaDB; u22Env holds the tables.

// TestUnion22Charsets: a UNION across data sources of text columns whose
// character sets MariaDB cannot aggregate (latin1 and cp1251, neither
// Unicode) fails on one server with error 1267/1270, even UNION ALL; the
// Union operator concatenated the rows. It is refused, naming the
// character sets; a Unicode part (or a literal, or CONVERT … USING)
// keeps it answered.
func TestUnion22Charsets(t *testing.T) {
	e := newU22Env(t, "u22charsets")
	for _, q := range []string{
		"SELECT w FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT w FROM ua22 UNION SELECT l FROM ub22",
		"SELECT CONCAT(w) FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT UPPER(w) FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT MAX(w) FROM ua22 UNION ALL SELECT MAX(l) FROM ub22",
		"SELECT w FROM ua22 UNION ALL SELECT l FROM pu22", // an unsharded part
		"SELECT w FROM ua22 UNION ALL SELECT l FROM bc22", // a broadcast part
		"SELECT COUNT(*) FROM (SELECT w FROM ua22 UNION ALL SELECT l FROM ub22) x",
	} {
		e.oracleFails(t, "Illegal mix of collations", q)
		e.refused(t, "text column 1 in cp1251_general_ci and latin1_swedish_ci", q)
	}
	q := "SELECT l FROM ua22 UNION ALL SELECT l FROM ub22 UNION ALL SELECT w FROM bc22"
	e.oracleFails(t, "Illegal mix of collations", q)
	e.refused(t, "text column 1 in latin1_swedish_ci and cp1251_general_ci", q)
	// a part whose character set the router does not know, after a
	// non-Unicode one
	// one character set, two collations of which neither is binary
	// (error 1271), and a _bin collation that absorbs the others
	for _, db := range []*sql.DB{e.sharded, e.oracle} {
		for _, tb := range u22Tables {
			_, err := db.Exec("ALTER TABLE " + tb + " ADD COLUMN vu VARCHAR(10) COLLATE utf8mb4_unicode_ci")
			require.NoError(t, err)
		}
	}
	for _, q := range []string{
		"SELECT v FROM ua22 UNION ALL SELECT vu FROM ub22",
		"SELECT v FROM ua22 UNION ALL SELECT v FROM ub22 UNION ALL SELECT vu FROM bc22",
		"SELECT l FROM ua22 UNION ALL SELECT v FROM ub22 UNION ALL SELECT vu FROM pu22",
		"SELECT v FROM ua22 UNION ALL SELECT vu FROM ub22 UNION ALL SELECT vb FROM bc22",
	} {
		e.oracleFails(t, "Illegal mix of collations", q)
		e.refused(t, "text column 1 in utf8mb4_general_ci and utf8mb4_unicode_ci", q)
	}
	for _, q := range []string{
		"SELECT v FROM ua22 UNION ALL SELECT vb FROM ub22 UNION ALL SELECT vu FROM bc22",
		"SELECT v COLLATE utf8mb4_unicode_ci FROM ua22 UNION ALL SELECT v FROM ub22",
		"SELECT v FROM ua22 UNION ALL SELECT vu COLLATE utf8mb4_general_ci FROM ub22",
		"SELECT l FROM ua22 UNION ALL SELECT vu FROM ub22",
		"SELECT vu FROM ua22 UNION ALL SELECT vu FROM ub22 UNION ALL SELECT l FROM bc22",
	} {
		e.same(t, q, false)
	}
	// an explicit non-Unicode collation against implicit utf8mb4
	q = "SELECT v FROM ua22 UNION ALL SELECT l COLLATE latin1_bin FROM ub22"
	e.oracleFails(t, "Illegal mix of collations", q)
	e.refused(t, "text column 1 in utf8mb4_general_ci and latin1_bin", q)
	e.same(t, "SELECT l FROM ua22 UNION ALL SELECT v COLLATE utf8mb4_bin FROM ub22", false)
	e.same(t, "SELECT CONVERT(v USING utf8mb3) FROM ua22 UNION ALL SELECT v FROM ub22", false)
	q = "SELECT x.w FROM (SELECT w FROM ua22) x UNION ALL SELECT l FROM ub22"
	e.oracleFails(t, "Illegal mix of collations", q)
	e.refused(t, "text column 1 in a collation not known here", q)
	for _, q := range []string{
		"SELECT l FROM ua22 UNION ALL SELECT v FROM ub22 UNION ALL SELECT w FROM bc22", // utf8mb4 absorbs
		"SELECT l, w FROM ua22 UNION ALL SELECT l, w FROM ub22",
		"SELECT vb FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT w FROM ua22 UNION ALL SELECT 'x' FROM ub22",
		"SELECT w FROM ua22 UNION ALL SELECT _latin1'x' FROM ub22",
		"SELECT l COLLATE latin1_bin FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT CONVERT(w USING utf8mb4) FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT CONVERT(w USING latin1) FROM ua22 UNION ALL SELECT l FROM ub22",
		"SELECT i, v FROM ua22 UNION ALL SELECT i, v FROM ub22",
	} {
		e.same(t, q, false)
	}
}

// TestUnion22OrderByNames: ORDER BY of a union resolves names and
// positions as one server: a name the first SELECT gives two columns is
// ambiguous (error 1052; the first match sorted the rows), a position
// past the last column is error 1054 (the merge failed with an internal
// "column out of range").
func TestUnion22OrderByNames(t *testing.T) {
	e := newU22Env(t, "u22orderby")
	q := "SELECT i, i FROM ua22 UNION ALL SELECT id, id FROM ub22 ORDER BY i"
	e.oracleFails(t, "ambiguous", q)
	e.refused(t, "ORDER BY i of a UNION whose first SELECT names two columns i", q)
	q = "SELECT i AS k, id AS k FROM ua22 UNION ALL SELECT i, id FROM ub22 ORDER BY k"
	e.oracleFails(t, "ambiguous", q)
	e.refused(t, "names two columns k", q)
	q = "SELECT i FROM ua22 UNION ALL SELECT id FROM ub22 ORDER BY 3"
	e.oracleFails(t, "Unknown column '3'", q)
	e.refused(t, "ORDER BY position 3 of a UNION", q)
	for _, q := range []string{
		"SELECT i, i FROM ua22 UNION ALL SELECT id, id FROM ub22 ORDER BY 2, 1",
		"SELECT i AS id, id AS i FROM ua22 UNION ALL SELECT i, id FROM ub22 ORDER BY i, id",
		"SELECT i, id FROM ua22 UNION ALL SELECT i, id FROM ub22 ORDER BY 2",
		"SELECT i FROM ua22 UNION ALL SELECT id FROM ub22 ORDER BY i",
		"SELECT i AS k FROM ua22 UNION ALL SELECT i FROM ub22 ORDER BY k LIMIT 5",
		"SELECT i FROM ua22 UNION SELECT i FROM ub22 ORDER BY i LIMIT 2",
		"SELECT i FROM ua22 UNION ALL SELECT i FROM ub22 ORDER BY i DESC LIMIT 3 OFFSET 2",
		"(SELECT i FROM ua22 ORDER BY i LIMIT 2) UNION ALL (SELECT i FROM ub22 ORDER BY i DESC LIMIT 2) ORDER BY 1",
		"(SELECT i FROM ua22 ORDER BY id LIMIT 3) UNION ALL (SELECT i FROM ub22 ORDER BY id DESC LIMIT 2) ORDER BY 1",
		"(SELECT i FROM ua22 GROUP BY i ORDER BY COUNT(*) DESC, i LIMIT 2) UNION ALL (SELECT i FROM ub22 ORDER BY id LIMIT 1) ORDER BY 1",
		"SELECT i FROM ua22 UNION (SELECT i FROM ub22 ORDER BY i LIMIT 1) ORDER BY 1",
		"SELECT * FROM (SELECT i FROM ua22 UNION SELECT i FROM ub22 ORDER BY 1 DESC LIMIT 3) x ORDER BY i",
	} {
		e.same(t, q, true)
	}
}

// TestUnion22ColumnTypes: a union above the nodes reports its columns as
// one server does, not as the first SELECT's node column: NULL-able when
// any part's is (ScanType sql.NullInt64, not int32), DECIMAL as wide as
// its widest part, VARCHAR for a union of ENUM columns.
func TestUnion22ColumnTypes(t *testing.T) {
	e := newU22Env(t, "u22coltypes")
	for _, q := range []string{
		"SELECT id FROM ua22 UNION ALL SELECT i FROM ub22",
		"SELECT id FROM ua22 UNION ALL SELECT id FROM ub22 UNION ALL SELECT i FROM bc22",
		"SELECT id FROM ua22 UNION SELECT id FROM ub22",
		"SELECT d52 FROM ua22 UNION ALL SELECT CAST(d52 AS DECIMAL(10,2)) FROM ub22",
		"SELECT d52 FROM ua22 UNION SELECT CAST(d52 AS DECIMAL(10,2)) FROM ub22",
		"SELECT CAST(d52 AS DECIMAL(10,2)) FROM ua22 UNION ALL SELECT d52 FROM ub22",
		"SELECT e FROM ua22 UNION ALL SELECT e FROM ub22",
		"SELECT e FROM ua22 UNION ALL SELECT e FROM bc22",
		"SELECT COUNT(*) FROM ua22 UNION ALL SELECT sb FROM ub22 WHERE 1 = 0",
		"SELECT COUNT(*) FROM ua22 UNION ALL SELECT COUNT(*) FROM ub22",
		"SELECT * FROM (SELECT id FROM ua22 UNION ALL SELECT i FROM ub22) x",
		"SELECT ub FROM ua22 UNION SELECT ub FROM ub22",
		"SELECT b FROM ua22 UNION SELECT b FROM ub22",
		"SELECT dt FROM ua22 UNION SELECT dt FROM ub22",
		"SELECT dtm FROM ua22 UNION ALL SELECT dtm FROM pu22",
		"SELECT AVG(d52) FROM ua22 UNION ALL SELECT AVG(d52) FROM ub22",
		// through a derived table
		"SELECT * FROM (SELECT d52 FROM ua22 UNION ALL SELECT CAST(d52 AS DECIMAL(10,2)) FROM ub22) x",
		"SELECT x.id FROM (SELECT id FROM ua22 UNION ALL SELECT i FROM ub22) x WHERE x.id > 2",
		"SELECT x.e FROM (SELECT e FROM ua22 UNION ALL SELECT e FROM ub22) x",
		"SELECT MAX(e) FROM (SELECT e FROM ua22 UNION ALL SELECT e FROM ub22) x",
	} {
		e.same(t, q, false)
	}
	e.same(t, "SELECT id FROM ua22 UNION ALL SELECT i FROM ub22 ORDER BY 1 LIMIT 3", true)
}

// TestUnion22FixedFloats: one server writes a union's rows into a column
// of the union's type; a DOUBLE with fixed decimals (ROUND, TRUNCATE)
// there clips larger values (1e20 reads 1e+17), so such a union across
// data sources is refused; floats in their shortest form are answered.
func TestUnion22FixedFloats(t *testing.T) {
	e := newU22Env(t, "u22floats")
	for _, q := range []string{
		"SELECT ROUND(dbl, 1) FROM ua22 UNION ALL SELECT ROUND(dbl, 1) FROM ub22",
		"SELECT TRUNCATE(dbl, 2) FROM ua22 UNION ALL SELECT TRUNCATE(dbl, 2) FROM ub22",
		"SELECT dbl FROM ua22 UNION ALL SELECT ROUND(dbl, 0) FROM ub22",
	} {
		e.refused(t, "fixed decimals", q)
	}
	for _, q := range []string{
		"SELECT dbl FROM ua22 UNION SELECT dbl FROM ub22",
		"SELECT dbl * 1 FROM ua22 UNION ALL SELECT dbl * 1 FROM ub22",
		"SELECT SUM(dbl) FROM ua22 UNION ALL SELECT SUM(dbl) FROM ub22",
		"SELECT AVG(dbl) FROM ua22 UNION ALL SELECT AVG(dbl) FROM ub22",
	} {
		e.same(t, q, false)
	}
}

// TestUnion22Exact: shapes attacked and found exact — parts of sharded,
// broadcast and unsharded tables, one node and many, the same table
// twice, empty parts, NULLs and duplicates across nodes, nested and
// mixed UNION / UNION ALL, unions in derived tables.
func TestUnion22Exact(t *testing.T) {
	e := newU22Env(t, "u22exact")
	for _, q := range []string{
		"SELECT d52 FROM ua22 UNION ALL SELECT d52 FROM ub22",
		"SELECT d52 FROM ua22 UNION SELECT d52 FROM ub22",
		"SELECT b+0 FROM ua22 UNION SELECT b+0 FROM ub22",
		"SELECT n FROM ua22 UNION SELECT i FROM ub22",
		"SELECT ub FROM ua22 UNION ALL SELECT ub FROM ub22",
		"SELECT sb FROM ua22 UNION SELECT sb FROM ub22",
		"SELECT l FROM ua22 UNION ALL SELECT v FROM ub22",
		"SELECT i FROM ua22 UNION SELECT i FROM bc22",
		"SELECT i FROM ua22 UNION SELECT i FROM pu22",
		"SELECT i FROM ua22 WHERE id = 1 UNION SELECT i FROM pu22",
		"SELECT i FROM ua22 WHERE id = 2 UNION SELECT i FROM ub22 WHERE id = 12",
		"SELECT i FROM ua22 WHERE id = 1 UNION ALL SELECT i FROM ub22",
		"SELECT i FROM ua22 UNION SELECT i FROM ua22",
		"SELECT i FROM ua22 UNION ALL SELECT i FROM ua22",
		"SELECT a.i FROM ua22 a JOIN ua22 b ON a.id = b.id UNION SELECT i FROM ub22",
		"SELECT i FROM ua22 WHERE 1 = 0 UNION SELECT i FROM ub22 WHERE 1 = 0",
		"SELECT i FROM ua22 WHERE 1 = 0 UNION ALL SELECT i FROM ub22",
		"SELECT COUNT(*) FROM (SELECT i FROM ua22 UNION SELECT i FROM ub22) x",
		"SELECT i FROM (SELECT i FROM ua22 UNION SELECT i FROM ub22) x WHERE i > 1",
		"SELECT i FROM ua22 UNION SELECT i FROM ub22 UNION ALL SELECT i FROM bc22",
		"SELECT i FROM ua22 UNION ALL SELECT i FROM ub22 UNION SELECT i FROM bc22",
		"SELECT i FROM ua22 UNION ALL (SELECT i FROM ub22 UNION SELECT i FROM bc22)",
		"SELECT i FROM ua22 UNION ALL SELECT i FROM ub22 UNION ALL SELECT i FROM pu22",
		"SELECT DISTINCT i FROM ua22 UNION ALL SELECT i FROM ub22",
		"SELECT MAX(i) FROM ua22 UNION ALL SELECT MIN(i) FROM ub22",
		"SELECT SUM(d52) FROM ua22 UNION ALL SELECT SUM(d52) FROM ub22",
		"SELECT i, COUNT(*) FROM ua22 GROUP BY i UNION ALL SELECT i, COUNT(*) FROM ub22 GROUP BY i",
		"SELECT -0e0 FROM ua22 UNION SELECT 0e0 FROM ub22",
	} {
		e.same(t, q, false)
	}
}

// TestUnion22NullParts: a NULL in a later SELECT (SELECT i … UNION ALL
// SELECT NULL …) was refused as a type mismatch; one server reports the
// other parts' type, so it is answered for the types checked against
// MariaDB. BIGINT UNSIGNED UNION NULL is a DECIMAL(20,0) column there
// (a NULL is signed) and stays refused, as does a NULL in the first
// SELECT (it would name the result's column type).
func TestUnion22NullParts(t *testing.T) {
	e := newU22Env(t, "u22nulls")
	for _, q := range []string{
		"SELECT d52 FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT d104 FROM ua22 UNION SELECT NULL FROM ub22",
		"SELECT i FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT id FROM ua22 UNION SELECT NULL FROM ub22",
		"SELECT e FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT dt FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT dtm FROM ua22 UNION SELECT NULL FROM ub22",
		"SELECT v FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT l FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT c FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT b FROM ua22 UNION SELECT NULL FROM ub22",
		"SELECT sb FROM ua22 UNION SELECT NULL FROM ub22",
		"SELECT dbl FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT i, v FROM ua22 UNION ALL SELECT i, NULL FROM ub22 UNION ALL SELECT NULL, v FROM bc22",
		"SELECT COUNT(*) FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT SUM(d52) FROM ua22 UNION ALL SELECT NULL FROM ub22",
		"SELECT COUNT(*) FROM (SELECT i FROM ua22 UNION ALL SELECT NULL FROM ub22) x WHERE i IS NULL",
	} {
		e.same(t, q, false)
	}
	e.same(t, "SELECT i FROM ua22 UNION SELECT NULL FROM ub22 ORDER BY 1 DESC", true)
	e.refused(t, "UNION of column 1 typed UNSIGNED BIGINT in the first SELECT and NULL in SELECT 2", "SELECT ub FROM ua22 UNION ALL SELECT NULL FROM ub22")
	e.refused(t, "UNION of column 2 typed NULL in the first SELECT", "SELECT i, NULL FROM ua22 UNION ALL SELECT i, v FROM ub22")
}

// TestUnion22FixedWidths: MariaDB pads a union's BIT and BINARY values to
// the widest part's width (BIT(8) b'1' reads 0x0001 beside a BIT(16),
// and UNION dedupes the two; BINARY(4) 'ab' gains four more zero bytes
// beside a BINARY(8)); the nodes' rows carry no width. Such a union
// across data sources is answered only where every part selects a
// column of one catalog COLUMN_TYPE (or NULL).
func TestUnion22FixedWidths(t *testing.T) {
	e := newU22Env(t, "u22widths")
	for _, q := range []string{
		"SELECT b FROM ua22 UNION ALL SELECT b FROM ub22",
		"SELECT b FROM ua22 UNION SELECT b FROM ub22",
		"SELECT b FROM ua22 UNION ALL SELECT NULL FROM ub22",
	} {
		e.same(t, q, false)
	}
	for _, db := range []*sql.DB{e.sharded, e.oracle} {
		for _, q := range []string{
			"ALTER TABLE ub22 MODIFY b BIT(16)",
			"ALTER TABLE ua22 ADD COLUMN bn BINARY(4)",
			"ALTER TABLE ub22 ADD COLUMN bn BINARY(8)",
			"UPDATE ua22 SET bn = 'ab' WHERE id > 0",
			"UPDATE ub22 SET bn = 'ab' WHERE id > 0",
		} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	for _, q := range []string{
		"SELECT b FROM ua22 UNION ALL SELECT b FROM ub22",
		"SELECT b FROM ua22 UNION SELECT b FROM ub22",
	} {
		e.refused(t, "UNION of BIT column 1 across data sources whose SELECTs' widths are not known to be one", q)
	}
	for _, q := range []string{
		"SELECT bn FROM ua22 UNION ALL SELECT bn FROM ub22",
		"SELECT bn FROM ua22 UNION SELECT bn FROM ub22",
	} {
		e.refused(t, "UNION of BINARY column 1", q)
	}
	e.same(t, "SELECT bn FROM ua22 UNION SELECT bn FROM ua22", false)
	e.same(t, "SELECT b+0 FROM ua22 UNION ALL SELECT b+0 FROM ua22", false)
}
