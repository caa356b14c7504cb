package driver_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/stretchr/testify/assert"
)

// r18bCase is one read of review18b over x18 (sharded by id), y18
// (sharded by g) and z18 (broadcast): compared exactly with the
// unsharded oracle, or refused with the text.
type r18bCase struct {
	sql     string
	ordered bool
	refuse  string // "" when the answer must be exact
}

const (
	r18bYear = "a YEAR column or one whose type is not known above the nodes"
	r18bMix  = "MariaDB fails with error 1267"
	r18bEnum = "an ENUM or SET column compared with a number compares by its index"
	r18bRows = "subquery returns more than 1 row; MariaDB fails with error 1242 only when"
)

// TestAttack18bReads pins the classes review18b found (docs/attack.md,
// "Round 18 cross-node and deep pages (review18b)") and the statements
// next to them that must still answer exactly.
func TestAttack18bReads(t *testing.T) {
	e := newR18Env(t, "attack18b")
	for _, c := range []r18bCase{
		// a subquery's values bound as literals against a YEAR column:
		// MariaDB reads a constant 1–99 as a year (1 is 2001), a
		// subquery's value as the number
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr NOT IN (SELECT i FROM y18 WHERE i IS NOT NULL)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr = (SELECT i FROM y18 WHERE id = 1)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE (SELECT i FROM y18 WHERE id = 1) = yr", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr > (SELECT n FROM y18 WHERE id = 7)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr = ANY (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT s FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT d FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT 1 FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT MAX(i) FROM y18 GROUP BY g)", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE id = 1 AND yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT id, yr IN (SELECT i FROM y18) FROM x18", refuse: r18bYear},
		{sql: "SELECT id, (SELECT i FROM y18 WHERE id = 1) = yr FROM x18", refuse: r18bYear},
		// … a broadcast table's, a derived table's, a CTE's, a join's YEAR column
		{sql: "SELECT id FROM z18 WHERE yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM z18 WHERE yr = (SELECT i FROM y18 WHERE id = 1)", refuse: r18bYear},
		{sql: "SELECT id FROM (SELECT id, yr FROM x18) t WHERE yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT id FROM (SELECT id, yr AS y FROM x18) t WHERE y = (SELECT i FROM y18 WHERE id = 1)", refuse: r18bYear},
		{sql: "WITH t AS (SELECT id, yr FROM x18) SELECT id FROM t WHERE yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT x.id FROM x18 x JOIN z18 z ON x.id = z.id WHERE z.yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT x.id FROM x18 x JOIN y18 z ON x.id = z.g WHERE x.yr IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT y FROM (SELECT g, MAX(yr) AS y FROM x18 GROUP BY g) t WHERE y IN (SELECT i FROM y18)", refuse: r18bYear},
		{sql: "SELECT y FROM (SELECT g, COALESCE(yr, 2000) AS y FROM x18) t WHERE y IN (SELECT i FROM y18)", refuse: r18bYear},
		// a derived table's or CTE's column that cannot be YEAR (an
		// aggregate other than MIN/MAX, arithmetic, a built-in of its own
		// type) compares as one database does (CI: the check refused
		// COUNT(*) AS c compared with a subquery's AVG)
		{sql: "SELECT g, c FROM (SELECT g, COUNT(*) AS c FROM x18 GROUP BY g) t WHERE c > (SELECT MIN(i) FROM y18 WHERE i > 0)"},
		{sql: "WITH s AS (SELECT g, COUNT(*) AS c FROM x18 GROUP BY g) SELECT g, c FROM s WHERE c >= (SELECT AVG(c) FROM s)"},
		{sql: "SELECT id, k FROM (SELECT id, n + 1 AS k FROM x18) t WHERE k IN (SELECT i FROM y18)"},
		{sql: "SELECT id, k FROM (SELECT id, YEAR(dt) AS k FROM x18) t WHERE k < (SELECT MAX(i) FROM y18)"},
		// … and a scalar subquery inside an expression compared with one
		{sql: "SELECT id FROM x18 WHERE yr BETWEEN (SELECT MIN(n) FROM y18) AND 2100", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr NOT BETWEEN (SELECT MIN(n) FROM y18) AND 2100", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE (SELECT MIN(n) FROM y18) + 0 = yr", refuse: r18bYear},
		{sql: "SELECT id FROM x18 WHERE yr = COALESCE((SELECT MIN(n) FROM y18), 0)", refuse: r18bYear},
		{sql: "SELECT id, yr > (SELECT MIN(n) FROM y18) + 0 FROM x18", refuse: r18bYear},
		{sql: "SELECT id FROM z18 WHERE yr BETWEEN (SELECT MIN(n) FROM y18) AND 2100", refuse: r18bYear},
		// a scalar subquery's non-ASCII text literal against a latin1 column:
		// MariaDB fails with 1267, a bound literal is converted
		{sql: "SELECT id FROM x18 WHERE l1 = (SELECT 'å' FROM y18 WHERE id = 1)", refuse: r18bMix},
		{sql: "SELECT id FROM x18 WHERE (SELECT 'å' FROM y18 WHERE id = 1) = l1", refuse: r18bMix},
		{sql: "SELECT id FROM x18 WHERE l1 > (SELECT 'å' FROM y18 WHERE id = 1)", refuse: r18bMix},
		{sql: "SELECT id FROM x18 WHERE l1 = (SELECT MAX('ä') FROM y18)", refuse: r18bMix},
		{sql: "SELECT id, l1 = (SELECT 'å' FROM y18 WHERE id = 1) FROM x18", refuse: r18bMix},
		{sql: "SELECT id FROM z18 WHERE l1 = (SELECT 'å' FROM y18 WHERE id = 1)", refuse: r18bMix},
		{sql: "SELECT id FROM (SELECT id, l1 FROM x18) t WHERE l1 = (SELECT 'å' FROM y18 WHERE id = 1)", refuse: r18bMix},
		// a scalar subquery of two rows where MariaDB never evaluates it
		// answers there; shardsql, which runs it first, refuses (and
		// carries error 1242)
		{sql: "SELECT id, (SELECT n FROM y18 WHERE g = 1) FROM x18 WHERE id > 100", refuse: r18bRows},
		{sql: "SELECT id FROM x18 WHERE 1 = 0 AND n = (SELECT n FROM y18 WHERE g = 1)", refuse: r18bRows},
		{sql: "SELECT id, IF(id > 100, (SELECT n FROM y18 WHERE g = 1), 0) FROM x18", refuse: r18bRows},
		{sql: "SELECT COUNT(*) FROM x18 WHERE id > 100 AND n = (SELECT n FROM y18 WHERE g = 1)", refuse: r18bRows},
		{sql: "SELECT id FROM (SELECT id, (SELECT n FROM y18 WHERE g = 1) v FROM x18) t", refuse: r18bRows},
		// … and where it does (MariaDB's 1242)
		{sql: "SELECT id, (SELECT n FROM y18 WHERE g = 1) FROM x18", refuse: r18bRows},
		{sql: "SELECT g FROM x18 GROUP BY g HAVING COUNT(*) > (SELECT n FROM y18 WHERE g = 4)", refuse: r18bRows},
		// MIN/MAX of an ENUM or SET column with GROUP BY stays ENUM/SET in
		// MariaDB and compares with numbers by the member's index
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING m = 3", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING m IN ('a', 3)", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING m NOT IN ('a', 3)", refuse: r18bEnum},
		{sql: "SELECT g, MIN(e) m FROM x18 GROUP BY g HAVING m = 2", refuse: r18bEnum},
		{sql: "SELECT g, MAX(st) m FROM x18 GROUP BY g HAVING m = 6", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING 3 IN (m, 'a')", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING CASE m WHEN 3 THEN 1 END", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING FIELD(m, 'a', 3)", refuse: r18bEnum},
		{sql: "SELECT g, MAX(e) + 0 FROM x18 GROUP BY g", refuse: "arithmetic with an ENUM or SET column"},
		{sql: "SELECT t.id FROM (SELECT id, e FROM x18 LIMIT 20) t WHERE CASE t.e WHEN 3 THEN 1 END", refuse: r18bEnum},
		// what still answers: an expression of the YEAR column, values a
		// year stores as themselves, other columns of the same tables, a
		// derived table's column typed by the catalog
		{sql: "SELECT id FROM x18 WHERE yr + 0 IN (SELECT i FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT yr FROM y18 WHERE g > 2)"},
		{sql: "SELECT id FROM x18 WHERE yr IN (SELECT i FROM y18 WHERE i < 1 OR i > 99)"},
		{sql: "SELECT id FROM x18 WHERE yr = (SELECT i FROM y18 WHERE id = 11)"},
		{sql: "SELECT id FROM x18 WHERE n IN (SELECT i FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE i = (SELECT n FROM y18 WHERE id = 7)"},
		{sql: "SELECT id FROM z18 WHERE n IN (SELECT i FROM y18 WHERE i > 99)"},
		{sql: "SELECT id FROM (SELECT id, n FROM x18) t WHERE n IN (SELECT i FROM y18)"},
		{sql: "SELECT id FROM (SELECT id, n AS m, yr FROM x18) t WHERE m IN (SELECT i FROM y18)"},
		{sql: "SELECT y.id, x.id FROM y18 y STRAIGHT_JOIN x18 x ON x.yr = y.n"},
		{sql: "SELECT id FROM x18 WHERE n BETWEEN (SELECT MIN(n) FROM y18) AND (SELECT MAX(n) - 3 FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE n = (SELECT MIN(n) FROM y18) + 1"},
		{sql: "SELECT id FROM x18 WHERE l1 = (SELECT 'A' FROM y18 WHERE id = 1)"},
		{sql: "SELECT MAX(e) m FROM x18 HAVING m = 3"},
		{sql: "SELECT MAX(e) m FROM x18 HAVING m IN ('a', 3)"},
		{sql: "SELECT g, MAX(e) FROM x18 GROUP BY g HAVING MAX(e) = 'C'"},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING m IN ('a', 'c')"},
		{sql: "SELECT g, MAX(e) m FROM x18 GROUP BY g HAVING CASE m WHEN 'c' THEN 1 END"},
		{sql: "SELECT g, MAX(e) > 'a' FROM x18 GROUP BY g"},
		{sql: "SELECT g, CONCAT(MAX(e), '') FROM x18 GROUP BY g"},
		{sql: "SELECT t.id, CASE t.yr WHEN 1 THEN 'y' ELSE 'n' END FROM (SELECT id, yr FROM x18 LIMIT 20) t"},
		{sql: "SELECT id FROM x18 WHERE l1 IN (SELECT 'å' FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE l1 NOT IN (SELECT 'å' FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE l1 = ANY (SELECT 'å' FROM y18)"},
		{sql: "SELECT id FROM x18 WHERE s = (SELECT 'å' FROM y18 WHERE id = 1)"},
		{sql: "SELECT id FROM x18 WHERE sb IN (SELECT 'ß' FROM y18)"},
		{sql: "SELECT id FROM z18 WHERE s = (SELECT 'a' FROM y18 WHERE id = 1)"},
		{sql: "SELECT id FROM x18 WHERE yr + 0 BETWEEN (SELECT MIN(n) FROM y18) AND 2100"},
		{sql: "SELECT y.id, x.id FROM y18 y JOIN x18 x ON x.yr = y.i"},
	} {
		got := e.outcome(c.sql, c.ordered)
		if c.refuse == "" {
			assert.Equal(t, "exact", got, c.sql)
			continue
		}
		if !strings.HasPrefix(got, "refused: ") || !strings.Contains(got, c.refuse) {
			t.Errorf("%s\n  want refused (%s), got %s", c.sql, c.refuse, got)
		}
		if c.refuse == r18bRows { // the refusal carries MySQL's 1242
			_, err := runDiffQuery(e.sharded, c.sql)
			var me *mysql.MySQLError
			if !errors.As(err, &me) || me.Number != 1242 {
				t.Errorf("%s: want a *mysql.MySQLError 1242 inside, got %v", c.sql, err)
			}
		}
	}
}
