package driver_test

import "testing"

// attack19gCases are review19g's fixes over x19/y19/z19/u19: each
// exact against the oracle or refused naming the construct.
var attack19gCases = []attack16Case{
	// HAVING n where GROUP BY k names both a column k and a select alias
	// k over n: MariaDB groups by the column, so n is not grouped and
	// HAVING n is the alias (the count). t.n = 2·t.k is the group's.
	{sql: "SELECT t.n AS k, COUNT(*) AS n FROM (SELECT id, k, k * 2 AS n FROM x19) t GROUP BY k HAVING n > 3"},
	{sql: "SELECT t.n AS k, COUNT(*) AS n FROM (SELECT id, k, k * 2 AS n FROM x19) t GROUP BY k HAVING n > 3 AND n < 8"},
	{sql: "SELECT COUNT(*) AS n, t.n AS k FROM (SELECT id, k, k * 2 AS n FROM x19) t GROUP BY k HAVING n <= 7"},
	{sql: "SELECT k * 2 AS kk, COUNT(*) AS k FROM x19 GROUP BY kk HAVING k > 7"},
	// ... where no table has k, the alias groups and HAVING n is n
	{sql: "SELECT t.n AS kk, COUNT(*) AS n FROM (SELECT id, k, k * 2 AS n FROM x19) t GROUP BY kk HAVING n > 3"},
	{sql: "SELECT n AS kk, COUNT(*) AS n FROM x19 GROUP BY kk HAVING n > 3"},
	// ... where a table's columns are not known (a derived table of *):
	// refused
	{sql: "SELECT t.n AS k, COUNT(*) AS n FROM (SELECT * FROM x19) t GROUP BY k HAVING n > 3", refuse: "grouped through GROUP BY k"},
	// ... where k is ambiguous between x19 and the broadcast z19, the
	// alias groups (MariaDB) and HAVING n is the grouped x.n; the nodes
	// failed with 1052 on a hidden bare k or n
	{sql: "SELECT x.n AS k, COUNT(*) AS n FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY k HAVING n > 3"},
	{sql: "SELECT COUNT(*) AS c, 7 AS n FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY n"},
	{sql: "SELECT x.n AS k, COUNT(*) AS c FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY k"},
	{sql: "SELECT x.n AS k, COUNT(*) AS c FROM x19 x JOIN u19 z ON z.id = x.id GROUP BY k"},
	// HAVING k over GROUP BY x.k beside the broadcast z19's k: MariaDB
	// takes the GROUP BY column by name; the nodes failed with 1052 on a
	// hidden bare k
	{sql: "SELECT x.k, COUNT(*) AS c FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY x.k HAVING k > 2"},
	{sql: "SELECT x.k, COUNT(*) AS k FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY x.k HAVING k > 2"},
	{sql: "SELECT COUNT(*) AS c FROM x19 x JOIN z19 z ON z.id = x.id GROUP BY x.k HAVING k > 2 AND c > 1"},
	// HAVING n over a cross-node join whose tables both have n: MariaDB
	// takes the GROUP BY column named n (x.n), not the alias n
	{sql: "SELECT x.n AS kk, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY x.n HAVING n > 3"},
	{sql: "SELECT x.n AS kk, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY kk HAVING n > 3"},
	{sql: "SELECT x.n AS k, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY k HAVING n > 3"},
	{sql: "SELECT x.n AS kk, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY x.n, y.k HAVING n > 3 AND kk < 5"},
	{sql: "SELECT x.n AS kk, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY x.n, y.n HAVING n > 3", refuse: "two GROUP BY columns"},
	// ... not grouped: the alias still
	{sql: "SELECT x.k AS kk, COUNT(*) AS n FROM x19 x JOIN y19 y ON y.g = x.n GROUP BY x.k HAVING n > 3"},
	{sql: "SELECT t.n AS c, COUNT(*) AS n FROM (SELECT id, n FROM x19 ORDER BY id LIMIT 50) t GROUP BY c HAVING n > 3"},
	// GROUP BY a name that is a select alias and no column of the derived
	// table (but a column of the sharded table under it): the alias, as
	// MariaDB groups; the nodes failed with 1054 on a hidden column n
	{sql: "SELECT k % 2 AS n, COUNT(*) FROM (SELECT k FROM x19) t GROUP BY n"},
	{sql: "SELECT t.n AS k, COUNT(*) AS n FROM (SELECT id, k AS kx, k * 2 AS n FROM x19) t GROUP BY k HAVING n > 3"},
	{sql: "SELECT kx % 2 AS k, COUNT(*) FROM (SELECT k AS kx FROM x19) t GROUP BY k"},
	{sql: "SELECT kx AS k, COUNT(*) c FROM (SELECT k AS kx FROM x19) t GROUP BY k HAVING k > 1"},
	// a select alias inside an ORDER BY/GROUP BY expression (no column of
	// that name): MariaDB computes the aliased expression; the nodes failed
	// with 1054 on the hidden column `kk + 0`
	{sql: "SELECT k % 2 AS kk, id FROM x19 ORDER BY kk + 0, id", ordered: true},
	{sql: "SELECT k % 2 AS kk, id FROM x19 ORDER BY -kk, id", ordered: true},
	{sql: "SELECT k % 2 AS kk, id FROM x19 ORDER BY kk + 0 DESC, id LIMIT 5, 10", ordered: true},
	{sql: "SELECT k % 2 AS kk, n * 2 AS nn, id FROM x19 ORDER BY kk + nn, id", ordered: true},
	{sql: "SELECT s AS ss, id FROM x19 ORDER BY CONCAT(ss, 'x'), id", ordered: true},
	{sql: "SELECT k % 2 AS kk, COUNT(*) FROM x19 GROUP BY kk + 0"},
	// ... in a window's PARTITION BY / ORDER BY
	{sql: "SELECT id, k % 2 AS kk, ROW_NUMBER() OVER (PARTITION BY kk + 0 ORDER BY id) FROM x19"},
	{sql: "SELECT id, k % 2 AS kk, ROW_NUMBER() OVER (ORDER BY kk + 0, id) FROM x19"},
	// ... a name that is also a column is the column
	{sql: "SELECT k % 2 AS k, id FROM x19 ORDER BY k + 0, id", ordered: true},
}

// TestAttack19gReads runs attack19gCases.
func TestAttack19gReads(t *testing.T) {
	e := newR19gEnv(t, "attack19g_reads")
	e.checkCases(t, attack19gCases)
}
