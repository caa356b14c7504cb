package driver_test

import (
	"fmt"
	"strings"
)

// kindsRowPreds are row filters the round-13 attack added to the kinds
// generator: ENUM compared by index and by member, SET by bits, member
// lists out of order and FIND_IN_SET, BIT by number and b'…', DOUBLE and
// DECIMAL by numbers and strings, DATETIME by a number, and IN lists of
// text spellings that PAD SPACE, case and accents make equal (or not,
// under a COLLATE utf8mb4_bin).
var kindsRowPreds = []string{
	"e = 2", "e = 'alpha'", "e IN (1, 'Mid')", "e > 2", "e + 0 > 2", "e <> 'ZETA'", "e BETWEEN 2 AND 3",
	"s = 3", "s = 'a,b'", "s = 'b,a'", "s & 2", "s IN ('', 'c')", "FIND_IN_SET('a', s)", "FIND_IN_SET('c', s) > 1",
	"b = 5", "b IN (b'101', 7)", "b > 200", "b + 0 BETWEEN 10 AND 100",
	"f = 12.5", "f IN (0, '-12.5')", "f > 1e2", "amount IN (1.5, '2.50', -3)", "amount BETWEEN -10 AND '10.5'",
	"d > 20250601", "d < '2025-03-01 12'", "DATE(d) = '2025-02-03'",
	"v IN ('a ', 'B')", "v IN ('cafe', 'X')", "u IN ('CAFE', 'zoe ')", "u = 'cafe'", "v = 'café'",
	"v COLLATE utf8mb4_bin IN ('a', 'b ')", "u COLLATE utf8mb4_bin = 'Zoe'", "v IS NULL", "NOT (v <=> 'a')",
	"grp IN ('3', 4.0)", "grp % 3 = 1",
}

// rowFilter draws a filtered read of t_kinds: the matching ids, counts
// and sums, or rows ordered by ENUM, SET, a COLLATE clause or
// FIND_IN_SET with the id as tiebreak.
func (g *kindsGen) rowFilter() diffQuery {
	p := g.pick(kindsRowPreds...)
	if g.r.Intn(3) == 0 {
		p += g.pick(" AND ", " OR ") + g.pick(kindsRowPreds...)
	}
	switch g.r.Intn(4) {
	case 0:
		return unordered("SELECT id FROM t_kinds WHERE " + p)
	case 1:
		return unordered(fmt.Sprintf("SELECT COUNT(*), %s FROM t_kinds WHERE %s", g.pick("SUM(amount)", "SUM(f)", "MAX(e)", "MIN(grp)", "COUNT(DISTINCT grp)", "AVG(grp)"), p))
	case 2:
		c := g.pick("e", "s", "v COLLATE utf8mb4_bin", "u COLLATE utf8mb4_bin", "FIND_IN_SET('b', s)", "e + 0", "CAST(e AS CHAR)")
		lim := g.pick("", " LIMIT 9", " LIMIT 4, 6")
		return ordered(fmt.Sprintf("SELECT id, %s FROM t_kinds WHERE %s ORDER BY %s%s, id%s", strings.SplitN(c, " COLLATE", 2)[0], p, c, g.pick("", " DESC"), lim))
	}
	return unordered(fmt.Sprintf("SELECT grp, COUNT(*) FROM t_kinds WHERE %s GROUP BY grp", p))
}
