package driver_test

import (
	"strings"
	"testing"
)

// attack16Case is one statement over r16: it must answer exactly as the
// oracle (names, type names, values' text), or be refused naming refuse.
type attack16Case struct {
	sql     string
	ordered bool
	refuse  string
}

// attack16Cases are the round-16 read classes fixed (each failed before
// its fix) and, beside them, the spellings that must still answer.
var attack16Cases = []attack16Case{
	// latin1 values evaluated above the nodes: the evaluator read their
	// UTF-8 bytes under the latin1 collation ('Ö' as C3 96).
	{sql: "SELECT HEX(MIN(vl1)), HEX(MAX(vl1)) FROM r16"},
	{sql: "SELECT LENGTH(MAX(vl1)), OCTET_LENGTH(MAX(vl1)), CHAR_LENGTH(MAX(vl1)), BIT_LENGTH(MAX(vl1)) FROM r16"},
	{sql: "SELECT MD5(MAX(vl1)), CRC32(MAX(vl1)), TO_BASE64(MAX(vl1)), ASCII(MAX(vl1)), ORD(MAX(vl1)) FROM r16"},
	{sql: "SELECT CONVERT(MAX(vl1) USING utf8mb4), HEX(CAST(MAX(vl1) AS BINARY)) FROM r16"},
	{sql: "SELECT g, HEX(GROUP_CONCAT(vl1 ORDER BY id)) FROM r16 GROUP BY g"},
	{sql: "SELECT LENGTH(GROUP_CONCAT(vl1 ORDER BY id)) FROM r16"},
	{sql: "SELECT g, UPPER(MAX(vl1)), CONCAT(MAX(vl1), 'ü'), LEFT(MAX(vl1), 1), REVERSE(MAX(vl1)) FROM r16 WHERE g IN (2, 4, 5) GROUP BY g"},
	{sql: "SELECT g, MAX(vl1) m FROM r16 GROUP BY g HAVING HEX(m) = 'E4'"},
	{sql: "SELECT x.id, HEX(x.vl1) FROM (SELECT id, vl1 FROM r16 ORDER BY id LIMIT 20) x WHERE LENGTH(x.vl1) = 1"},
	{sql: "SELECT x.id, CONCAT(x.vl1, 'ß') FROM (SELECT id, vl1 FROM r16 ORDER BY id LIMIT 20) x"},
	{sql: "SELECT x.id FROM (SELECT id, vl1 FROM r16 ORDER BY id LIMIT 20) x WHERE x.vl1 LIKE '_'"},
	{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.vl1 < b.vl1 WHERE a.id < 6 AND b.id < 6"},
	{sql: "SELECT id, vl1, MAX(vl1) OVER (PARTITION BY g) FROM r16 WHERE g IN (2, 3, 5)"},
	// comparisons with latin1 literals, refused before (COLLATE of a
	// utf8mb4 literal), now answered
	{sql: "SELECT g, MAX(vl1) FROM r16 GROUP BY g HAVING MAX(vl1) = 'ä'"},
	{sql: "SELECT g, MAX(vl1) FROM r16 GROUP BY g HAVING MAX(vl1) > 'z'"},
	{sql: "SELECT g, MAX(vl1) FROM r16 GROUP BY g HAVING MAX(vl1) IN ('Ö', 'å')"},
	{sql: "SELECT x.id FROM (SELECT id, vl1 FROM r16 ORDER BY id LIMIT 20) x WHERE x.vl1 BETWEEN 'a' AND 'ä'"},
	{sql: "SELECT x.id FROM (SELECT id, vl1 FROM r16 ORDER BY id LIMIT 20) x WHERE x.vl1 IN ('ä', 'Ö', 'A')"},
	// BIT under DISTINCT: bytes on one server, numbers from sorted nodes
	{sql: "SELECT DISTINCT bt FROM r16", refuse: "SELECT DISTINCT of BIT column bt"},
	{sql: "SELECT DISTINCT g, bt FROM r16 WHERE g < 5", refuse: "SELECT DISTINCT of BIT column bt"},
	{sql: "SELECT DISTINCT bt, g FROM r16 ORDER BY g", refuse: "SELECT DISTINCT of BIT column bt"},
	{sql: "SELECT COUNT(*) FROM (SELECT DISTINCT bt FROM r16) x", refuse: "SELECT DISTINCT of BIT column bt"},
	{sql: "SELECT DISTINCT bt FROM r16 ORDER BY bt", ordered: true},
	{sql: "SELECT DISTINCT bt, g FROM r16 ORDER BY g, bt", ordered: true},
	{sql: "SELECT DISTINCT bt+0 FROM r16"},
	{sql: "SELECT bt, COUNT(*) FROM r16 GROUP BY bt"},
	{sql: "SELECT DISTINCT bt FROM r16 WHERE id = 2"},
	// FLOAT values arrive as text of six digits (1.0000001 and 1.0000002
	// are both "1"): keys on catalog FLOAT columns compare col+0, other
	// comparisons and computations above the nodes are refused
	{sql: "SELECT f, COUNT(*) FROM r16 WHERE id > 12 GROUP BY f"},
	{sql: "SELECT DISTINCT f FROM r16 WHERE id > 12"},
	{sql: "SELECT COUNT(DISTINCT f) FROM r16 WHERE id > 12"},
	{sql: "SELECT g, COUNT(DISTINCT f), COUNT(DISTINCT db) FROM r16 GROUP BY g"},
	{sql: "SELECT id, f FROM r16 WHERE id > 12 ORDER BY f DESC, id", ordered: true},
	{sql: "SELECT id FROM r16 ORDER BY f, id LIMIT 3, 4", ordered: true},
	{sql: "SELECT id, RANK() OVER (ORDER BY f) FROM r16 WHERE id > 12"},
	{sql: "SELECT MAX(f) + 0 FROM r16 WHERE id > 12", refuse: "reads a FLOAT value"},
	{sql: "SELECT g, MAX(f) m FROM r16 GROUP BY g HAVING m > 16777210", refuse: "reads a FLOAT value"},
	{sql: "SELECT x.id FROM (SELECT id, f FROM r16 ORDER BY id LIMIT 20) x WHERE x.f = 16777216", refuse: "reads a FLOAT value"},
	{sql: "SELECT f FROM r16 WHERE id > 12 UNION SELECT f FROM r16b WHERE id > 12", refuse: "over FLOAT column 1"},
	{sql: "SELECT COUNT(DISTINCT x.f) FROM (SELECT f FROM r16 ORDER BY id LIMIT 30) x", refuse: "COUNT(DISTINCT) of FLOAT"},
	{sql: "SELECT COUNT(DISTINCT a.f) FROM r16 a JOIN r16b b ON a.id = b.id", refuse: "COUNT(DISTINCT) of FLOAT"},
	{sql: "SELECT MAX(f), MIN(f), SUM(f + 0) FROM r16"},
	// temporal results computed above the nodes: text in a DATETIME
	// column (one server sends a time.Time under parseTime)
	{sql: "SELECT g, MAX(dt6) + INTERVAL 1 DAY FROM r16 GROUP BY g", refuse: "of type DATETIME computed above merged rows"},
	{sql: "SELECT g, DATE(MAX(dt6)) FROM r16 GROUP BY g", refuse: "of type DATE computed above merged rows"},
	{sql: "SELECT CONVERT_TZ(MAX(ts), '+00:00', '+05:00') FROM r16", refuse: "of type DATETIME computed above merged rows"},
	{sql: "SELECT g, MAX(dt6), MIN(ts), MAX(t6) FROM r16 GROUP BY g"},
	{sql: "SELECT g, HOUR(MAX(dt6)), MAX(dt6) > '2025-01-01' FROM r16 GROUP BY g"},
	{sql: "SELECT g, MAX(f + 0) m FROM r16 GROUP BY g HAVING m > 16777210"},
	// review16b: under parseTime a DATETIME(n) value arrives as a
	// time.Time, written as text in its shortest form ('…00:00:00.1')
	// where the server writes the declared digits ('…00:00:00.100000')
	{sql: "SELECT g, CAST(MAX(dt6) AS CHAR) FROM r16 GROUP BY g"},
	{sql: "SELECT g, COALESCE(MAX(dt6), '') FROM r16 GROUP BY g"},
	{sql: "SELECT g, CONCAT(MAX(dt3), '|', MIN(ts)) FROM r16 GROUP BY g"},
	{sql: "SELECT g, LENGTH(MAX(dt6)) FROM r16 GROUP BY g"},
	// TIME_TO_SEC keeps the fraction on MariaDB (0.500000), the
	// evaluator drops it
	{sql: "SELECT g, TIME_TO_SEC(MAX(t6)) FROM r16 GROUP BY g", refuse: "TIME_TO_SEC of a TIME column with fractional seconds"},
	{sql: "SELECT TIME_TO_SEC(MAX(dt6)) FROM r16", refuse: "TIME_TO_SEC of a DATETIME column with fractional seconds"},
	{sql: "SELECT g, TIME_TO_SEC(MAX(tm)) FROM r16 GROUP BY g"},
	// NULLIF over aggregates: MariaDB's answer depends on its plan (the
	// first argument where the two are equal: 2 for g = 1, whose COUNT(*)
	// and SUM(g) are both 2)
	{sql: "SELECT g, NULLIF(COUNT(*), SUM(g)) FROM r16 GROUP BY g HAVING MAX(id) > 0", refuse: "NULLIF over aggregates"},
	{sql: "SELECT g, NULLIF(COUNT(*), SUM(g)) FROM r16 GROUP BY g", refuse: "NULLIF over aggregates"},
	{sql: "SELECT g, NULLIF(COUNT(*), 2) FROM r16 GROUP BY g", refuse: "NULLIF over aggregates"},
	{sql: "SELECT g, COUNT(*), SUM(g) FROM r16 GROUP BY g HAVING COUNT(*) <> SUM(g)"},
	// a DISTINCT aggregate only in HAVING: the nodes grouped by the keys
	// alone and sent one value of the argument per group
	{sql: "SELECT g FROM r16 GROUP BY g HAVING COUNT(DISTINCT vbin) > 1"},
	{sql: "SELECT g FROM r16 GROUP BY g HAVING COUNT(DISTINCT id) > 1"},
	{sql: "SELECT g, COUNT(*) FROM r16 GROUP BY g HAVING COUNT(DISTINCT d2) > 1"},
	{sql: "SELECT g, COUNT(DISTINCT cp) FROM r16 GROUP BY g HAVING COUNT(DISTINCT vbin) > 1"},
	{sql: "SELECT g FROM r16 GROUP BY g HAVING SUM(DISTINCT d2) > 1"},
	{sql: "SELECT g FROM r16 GROUP BY g HAVING COUNT(DISTINCT id) > 1 AND COUNT(DISTINCT d2) > 1"},
	{sql: "SELECT g, MAX(id) FROM r16 GROUP BY g HAVING COUNT(DISTINCT id) > 1 ORDER BY MAX(id)", ordered: true},
}

// TestAttack16Classes runs attack16Cases over r16.
func TestAttack16Classes(t *testing.T) {
	e := newR16Env(t, "attack16_classes")
	e.checkCases(t, attack16Cases)
}

// checkCases runs each case on e: exact against the oracle, or refused
// with a message holding the case's text.
func (e *r16Env) checkCases(t *testing.T, cases []attack16Case) {
	t.Helper()
	for _, c := range cases {
		out := e.outcome(c.sql, c.ordered)
		switch {
		case c.refuse != "":
			if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, c.refuse) {
				t.Errorf("%s\n    want a refusal naming %q, got %s", c.sql, c.refuse, out)
			}
		case out != "exact":
			t.Errorf("%s\n    => %s", c.sql, out)
		}
	}
}
