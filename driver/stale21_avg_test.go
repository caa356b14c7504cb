package driver_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// stale21AvgEnv is review19g's tables with a DOUBLE column f on x19 (f =
// 1.8333 in group 0, k's AVG 11/6 there) and a FLOAT column ff.
func stale21AvgEnv(t *testing.T, name string) *r19gEnv {
	e := newR19gEnv(t, name)
	for _, q := range []string{
		"ALTER TABLE x19 ADD COLUMN f DOUBLE NULL, ADD COLUMN ff FLOAT NULL",
		"UPDATE x19 SET f = IF(g = 0, 1.8333, id / 10), ff = IF(g = 0, 1.8333, id / 10)",
		"ALTER TABLE y19 ADD COLUMN f DOUBLE NULL",
		"UPDATE y19 SET f = IF(g = 0, 1.8333, id / 10)",
	} {
		_, err := e.oracle.Exec(q)
		require.NoError(t, err, q)
		_, err = e.sharded.Exec(q)
		require.NoError(t, err, q)
	}
	return e
}

// stale21AvgDoubleCases: an AVG compared with a DOUBLE (a FLOAT or
// DOUBLE column, a float literal, a string): MariaDB compares as doubles
// with the AVG's internal digits (1.833333333), not rounded to its
// declared decimals as against a DECIMAL.
var stale21AvgDoubleCases = []attack16Case{
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = 1.8333e0", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) <> 1.8333e0", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) > 1.8333e0", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) * 6 = 11e0", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = MAX(f)", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) > MIN(f)", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = 1.8333 + 0e0", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = '1.8333'"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a = 1.8333"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a > 1.83333"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a = MAX(d) + 0.0001"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a = CAST(1.8333 AS DOUBLE)", refuse: "compares an AVG with cast(1.8333 as DOUBLE)"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a < MAX(f)", refuse: "compares an AVG with"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) IN (1.8333e0)", refuse: "with floating-point values"},
	{sql: "SELECT g, AVG(k) = 1.8333e0, AVG(k) > 1.8333e0, AVG(k) = 1.8333 FROM x19 GROUP BY g", refuse: "with floating-point values"},
	{sql: "SELECT g, AVG(k) a FROM x19 GROUP BY g HAVING a = 1.8333e0", refuse: "whose type the merge cannot tell as DECIMAL"},
	{sql: "SELECT t.g FROM (SELECT g, k FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g HAVING AVG(t.k) = 1.8333e0", refuse: "with floating-point values"},
	{sql: "SELECT t.g FROM (SELECT g, k, f FROM x19 ORDER BY id LIMIT 40) t GROUP BY t.g HAVING AVG(t.k) = MAX(t.f)", refuse: "with floating-point values"},
	{sql: "SELECT x.g FROM x19 x JOIN y19 y ON y.id = x.id GROUP BY x.g HAVING AVG(y.k) = 1.8333e0", refuse: "with floating-point values"},
	{sql: "SELECT x.g FROM x19 x JOIN y19 y ON y.id = x.id GROUP BY x.g HAVING AVG(y.k) = MAX(x.f)", refuse: "with floating-point values"},
	{sql: "SELECT x.g, AVG(y.k) = 1.8333e0 FROM x19 x JOIN y19 y ON y.id = x.id GROUP BY x.g", refuse: "with floating-point values"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = CAST(1.8333 AS DOUBLE)", refuse: "compares an AVG with cast(1.8333 as DOUBLE)"},
	{sql: "SELECT g FROM x19 GROUP BY g HAVING AVG(k) = MAX(ff)", refuse: "with floating-point values"},
}

// TestStale21AvgDouble runs stale21AvgDoubleCases.
func TestStale21AvgDouble(t *testing.T) {
	e := stale21AvgEnv(t, "stale21_avg_double")
	e.checkCases(t, stale21AvgDoubleCases)
}

// stale21DerivedAvgCases: an outer WHERE on a grouped derived table's AVG
// (or quotient) column. MariaDB pushes it into the derived table's HAVING
// (condition_pushdown_for_derived), where the AVG is the AVG itself:
// against a DECIMAL rounded to its decimals, as the materialized value is
// (the same answer), against a DOUBLE by its internal digits (1.833333333
// <> 1.8333e0, where the materialized 1.8333 is equal): the merge, which
// reads the rounded value, refuses those. A condition that also names
// another table's column (t.a < x.f) is not pushed: the rounded value.
var stale21DerivedAvgCases = []attack16Case{
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a = 1.8333"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a > 1.8333"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a <> 1.8333"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a = 1.8333e0", refuse: "whose type the merge cannot tell as DECIMAL"},
	{sql: "SELECT t.g FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a * 6 = 11"},
	{sql: "SELECT * FROM (SELECT g, SUM(k) / 3 a FROM x19 GROUP BY g) t WHERE t.a = 7.3333", refuse: "a DECIMAL division inside an expression or a condition, or by a literal"},
	{sql: "WITH t AS (SELECT g, AVG(k) a FROM x19 GROUP BY g) SELECT * FROM t WHERE a = 1.8333"},
	{sql: "SELECT x.id, t.a FROM x19 x JOIN (SELECT g, AVG(k) a FROM y19 GROUP BY g) t ON t.g = x.g WHERE t.a = 1.8333 AND x.id < 10"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g LIMIT 10) t WHERE t.a = 1.8333"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 WHERE g = 0 GROUP BY g) t WHERE t.a = 1.8333"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a = '1.8333'"},
	{sql: "SELECT * FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a = CAST(1.8333 AS DOUBLE)", refuse: "compares an AVG with cast(1.8333 as DOUBLE)"},
	{sql: "WITH t AS (SELECT g, AVG(k) a FROM x19 GROUP BY g) SELECT * FROM t WHERE a = 1.8333e0", refuse: "whose type the merge cannot tell as DECIMAL"},
	{sql: "SELECT x.id, t.a FROM x19 x JOIN (SELECT g, AVG(k) a FROM y19 GROUP BY g) t ON t.g = x.g WHERE t.a = 1.8333e0 AND x.id < 10", refuse: "whose type the merge cannot tell as DECIMAL"},
	{sql: "SELECT x.id, t.a FROM x19 x JOIN (SELECT g, AVG(k) a FROM y19 GROUP BY g) t ON t.g = x.g WHERE t.a < x.f AND x.id < 10"},
	{sql: "SELECT t.g FROM (SELECT g, AVG(k) a FROM x19 GROUP BY g) t WHERE t.a * 6 = 11e0", refuse: "whose type the merge cannot tell as DECIMAL"},
}

// TestStale21DerivedAvg runs stale21DerivedAvgCases.
func TestStale21DerivedAvg(t *testing.T) {
	e := stale21AvgEnv(t, "stale21_derived_avg")
	e.checkCases(t, stale21DerivedAvgCases)
}
