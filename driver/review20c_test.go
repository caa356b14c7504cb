package driver_test

import "testing"

// review20cAvgCases are review20c's AVG class over x19/y19/z19 (k INT
// with ties, d DECIMAL(10,2); g = 0 averages k at 11/6, g = 2 averages d
// at 11.80/7): MariaDB computes with an AVG's internal digits (9-digit
// words: 1.833333333) and its comparator rounds each DECIMAL operand to
// the operand's declared decimals first (=, <>, <, <=, >, >=, <=>, an
// IN of one value; not IN of several, not BETWEEN); a select item is
// sent rounded to its decimals. The merge compared, and above merged
// rows multiplied, other digits.
var review20cAvgCases = []attack16Case{
	// the single-table scatter: HAVING and select items over the
	// internal quotient (merge.AggAvgInternal), compared unrounded
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = 1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) > 1.83333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) <> 1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) <=> 1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) >= 1.83334 OR AVG(k) < 1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) * 6 = 11"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) - 1.8333 = 0"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING -AVG(k) = -1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) + 0.00004 = 1.8333"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(d) = 1.685714"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) * AVG(d) > 3.0904"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = '1.8333'"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING CASE WHEN AVG(k) = 1.8333 THEN 1 ELSE 0 END = 1"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING (AVG(k) = 1.8333) = 1"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a = 1.8333"},
	{sql: "SELECT g, AVG(d) = 1.685714, AVG(d) > 1.6857142, AVG(k) * 6 = 11 FROM x19 GROUP BY g"},
	{sql: "SELECT AVG(k) = 1.8333, AVG(k) * 6 FROM x19 WHERE g = 0"},
	// one value in IN / NOT IN: MariaDB's = / <>, rounded
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) IN (1.8333)"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) NOT IN (1.8333)"},
	// ... several values and BETWEEN compare the internal digits
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) IN (1.8333, 2)"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) BETWEEN 1.8333 AND 1.8571"},
	// above merged rows (a derived table with LIMIT, a cross-node join,
	// a CTE): arithmetic over AVG reads the internal digits and is sent
	// rounded (AVG(t.k) * 6 was 10.9998 for 11.0000)
	{sql: "SELECT t.g, AVG(t.k) * 6 FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g"},
	{sql: "SELECT t.g, AVG(t.k) * 6 FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g ORDER BY t.g", ordered: true},
	{sql: "SELECT AVG(t.k) * 6 FROM (SELECT g, k FROM x19 WHERE g = 0 ORDER BY id LIMIT 40) t"},
	{sql: "SELECT x.g, AVG(y.k) + AVG(y.d), AVG(y.d) * 7, -AVG(y.k), AVG(y.k) * 6 - 11 FROM x19 x JOIN y19 y ON y.id = x.id GROUP BY x.g"},
	{sql: "SELECT x.g, AVG(z.k) * 6 FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY x.g"},
	{sql: "WITH t AS (SELECT g, d FROM x19) SELECT g, AVG(d) * 7 FROM t GROUP BY g"},
	{sql: "SELECT t.g FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g HAVING AVG(t.k) * 6 = 11"},
	{sql: "SELECT t.g FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g HAVING AVG(t.k) = 1.8333"},
	{sql: "SELECT x.g FROM x19 x JOIN y19 y ON y.id = x.id GROUP BY x.g HAVING AVG(y.k) <=> 1.8333"},
	{sql: "SELECT t.g, AVG(t.k) a FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g ORDER BY a, t.g", ordered: true},
	// ... refused where MariaDB's digits depend on its plan or the
	// function's argument type
	{sql: "SELECT t.g, AVG(t.k) * 6 FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g ORDER BY COUNT(*), t.g", refuse: "AVG inside a select item or ORDER BY expression with ORDER BY an aggregate above merged rows"},
	{sql: "SELECT t.g, AVG(t.k) a FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g ORDER BY AVG(t.k) * 6, t.g", refuse: "AVG inside a select item or ORDER BY expression"},
	{sql: "SELECT t.g, ROUND(AVG(t.k), 2) FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g", refuse: "AVG inside a function above merged rows"},
	{sql: "SELECT t.g, AVG(DISTINCT t.k) * 2 FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g", refuse: "AVG(DISTINCT …) inside an expression above merged rows"},
}

// TestReview20cAvgDigits runs review20cAvgCases.
func TestReview20cAvgDigits(t *testing.T) {
	e := newR19gEnv(t, "review20c_avg")
	e.checkCases(t, review20cAvgCases)
}

// review20cSubqueryDigitsCases: a scalar subquery run first and bound as
// a literal sends an AVG or a quotient rounded to its decimals, where
// MariaDB computes with the cached value's internal digits: `(SELECT
// AVG(k) …) * 6` was 10.9998 for 11.0000. Refused inside expressions
// and against floating-point operands; exact where it is the whole item
// or compared directly (the comparator rounds it to the sent digits), or
// rounded in the subquery.
var review20cSubqueryDigitsCases = []attack16Case{
	{sql: "SELECT id, (SELECT AVG(k) FROM y19 WHERE g = 0) * 6 FROM x19 WHERE id < 4", refuse: "scalar subquery (select avg(k) from y19 where g = 0) selecting AVG inside an expression"},
	{sql: "SELECT id, (SELECT AVG(k) FROM u19 WHERE g = 0) * 6 FROM x19 WHERE id < 4", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT id FROM x19 WHERE (SELECT AVG(k) FROM y19 WHERE g = 0) * 6 = 11", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT id, d - (SELECT AVG(d) FROM y19 WHERE g = 2) FROM x19 WHERE id < 6", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT id, (SELECT SUM(d) / 7 FROM y19 WHERE g = 2) * 7 FROM x19 WHERE id < 3", refuse: "selecting a division inside an expression"},
	{sql: "SELECT id FROM x19 WHERE k BETWEEN (SELECT AVG(k) FROM y19 WHERE g = 0) AND 3", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT id, ROUND((SELECT AVG(k) FROM y19 WHERE g = 0), 6) FROM x19 WHERE id < 3", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT x.id, (SELECT AVG(k) FROM y19 WHERE g = 0) * 6 FROM x19 x JOIN y19 y ON y.n = x.k WHERE x.id < 4", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT t.id, (SELECT AVG(k) FROM y19 WHERE g = 0) * 6 FROM (SELECT id FROM x19 ORDER BY id LIMIT 3) t", refuse: "selecting AVG inside an expression"},
	{sql: "SELECT id, (SELECT AVG(k) FROM y19 WHERE g = 0) FROM x19 WHERE id < 4"},
	{sql: "SELECT id FROM x19 WHERE k < (SELECT AVG(k) FROM y19 WHERE g = 0)"},
	{sql: "SELECT id FROM x19 WHERE 1.8333 = (SELECT AVG(k) FROM y19 WHERE g = 0)"},
	{sql: "SELECT id FROM x19 WHERE k + 0.1667 >= (SELECT AVG(k) FROM y19 WHERE g = 0)"},
	{sql: "SELECT id FROM x19 WHERE k * 1.0 <= (SELECT SUM(d) / 7 FROM y19 WHERE g = 2)"},
	{sql: "SELECT id, (SELECT ROUND(AVG(k), 4) FROM y19 WHERE g = 0) * 6 FROM x19 WHERE id < 4"},
	{sql: "SELECT id, (SELECT CAST(AVG(k) AS DECIMAL(10,4)) FROM y19 WHERE g = 0) * 6 FROM x19 WHERE id < 4"},
	{sql: "SELECT id, (SELECT t.a * 6 FROM (SELECT AVG(k) a FROM y19 WHERE g = 0) t) FROM x19 WHERE id < 4"},
	{sql: "SELECT id FROM x19 WHERE k IN (SELECT AVG(k) * 6 - 9 FROM y19 GROUP BY g)"},
}

// TestReview20cSubqueryDigits runs review20cSubqueryDigitsCases.
func TestReview20cSubqueryDigits(t *testing.T) {
	e := newR19gEnv(t, "review20c_subquery_digits")
	e.checkCases(t, review20cSubqueryDigitsCases)
}

// review20cDerivedCases: derived tables as join sides and under
// aggregates, where the merge read other digits or types than MariaDB.
var review20cDerivedCases = []attack16Case{
	// a value the merge computes over a derived table's rows (t.a * 6, an
	// aggregate's column) took another node column's metadata as a side
	// of a join: INT for DECIMAL values (exact types now)
	{sql: "SELECT x.id, t.a * 6, t.a + 1, t.s * 2 FROM x19 x JOIN (SELECT g, AVG(k) a, SUM(d) s FROM y19 GROUP BY g) t ON t.g = x.g WHERE x.id < 8"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, d a FROM y19) t ON t.g = x.g WHERE x.id < 3"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, MAX(d) a FROM y19 GROUP BY g) t ON t.g = x.g WHERE x.id < 8"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, AVG(k) a FROM z19 GROUP BY g) t ON t.g = x.g WHERE x.id < 8"},
	{sql: "SELECT x.id, CONCAT(t.m, '!'), t.c + 1 FROM x19 x JOIN (SELECT g, COUNT(*) c, MAX(s) m FROM y19 GROUP BY g) t ON t.g = x.k WHERE x.id < 12"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, k / 3 a FROM y19 ORDER BY id LIMIT 20) t ON t.g = x.g WHERE x.id < 3"},
	// a derived table MariaDB merges (no grouping, DISTINCT or LIMIT)
	// whose quotient column is computed with above the join: MariaDB
	// uses the division's internal digits (k / 3 * 6 = 2.0000), its own
	// statement sends 0.3333 (1.9998)
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, k / 3 a FROM y19) t ON t.g = x.g WHERE x.id < 3", refuse: "t.a inside an expression, where derived table t is merged"},
	{sql: "SELECT x.id FROM x19 x JOIN (SELECT g, k / 3 a FROM y19) t ON t.g = x.g WHERE x.id < 3 AND t.a * 3 = 1", refuse: "t.a inside an expression"},
	{sql: "WITH t AS (SELECT g, k / 3 a FROM y19) SELECT x.id, t.a * 6 FROM x19 x JOIN t ON t.g = x.g WHERE x.id < 3", refuse: "t.a inside an expression"},
	{sql: "SELECT x.id, t.a FROM x19 x JOIN (SELECT g, k / 3 a FROM y19) t ON t.g = x.g WHERE x.id < 3"},
	{sql: "SELECT x.id FROM x19 x JOIN (SELECT g, k / 3 a FROM y19) t ON t.g = x.g WHERE x.id < 3 AND t.a > 0.3333"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, ROUND(k / 3, 4) a FROM y19) t ON t.g = x.g WHERE x.id < 3"},
	{sql: "SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g, k * 2 a FROM y19) t ON t.g = x.g WHERE x.id < 3"},
	// SUM / AVG across nodes of a derived table's quotient column, as
	// SUM(id / 7) is refused: the nodes' rounded partial sums are off
	// (117.1428 for 117.1429)
	{sql: "SELECT SUM(t.a) FROM (SELECT k / 3 a FROM x19) t", refuse: "sum(t.a) across nodes: MySQL sums the unrounded quotients"},
	{sql: "SELECT t.g, AVG(t.a) FROM (SELECT g, id / 7 a FROM x19) t GROUP BY t.g", refuse: "avg(t.a) across nodes"},
	{sql: "WITH t AS (SELECT g, id / 7 a FROM x19) SELECT g, SUM(a) FROM t GROUP BY g", refuse: "sum(a) across nodes"},
	{sql: "SELECT t.g, MAX(t.a), MIN(t.a), COUNT(t.a) FROM (SELECT g, id / 7 a FROM x19) t GROUP BY t.g"},
	{sql: "SELECT t.g, SUM(t.a) FROM (SELECT g, id * 7 a FROM x19) t GROUP BY t.g"},
}

// TestReview20cDerived runs review20cDerivedCases.
func TestReview20cDerived(t *testing.T) {
	e := newR19gEnv(t, "review20c_derived")
	e.checkCases(t, review20cDerivedCases)
}
