package driver_test

import (
	"fmt"
	"math/rand"
)

// Round 16 grew t_kinds by two columns and the kinds generator by the
// classes it fixed: fl FLOAT, whose values the servers send as text of
// six digits (1.0000001 and 1.0000002 are both "1"), and l1, latin1 text
// whose values reach the merge converted to UTF-8 while functions above
// the nodes read the column's own bytes. Each l1 value is the only one
// of its weight under latin1_swedish_ci (å, ä and ö are letters of their
// own there), so MIN/MAX show no spelling of the server's choice.

// kinds16Floats tie in pairs under six digits.
var kinds16Floats = []float64{1, 1.0000001, 1.0000002, 16777216, 16777217, 0.1, 0.30000001, 123456.7, 123456.8, -2.5, 0}

var kinds16Latin1Values = []string{"a", "ä", "å", "ö", "o", "z", "b", ""}

func kinds16Float(r *rand.Rand) any {
	if r.Intn(8) == 0 {
		return nil
	}
	return kinds16Floats[r.Intn(len(kinds16Floats))]
}

func kinds16Latin1(r *rand.Rand) any {
	if r.Intn(8) == 0 {
		return nil
	}
	return kinds16Latin1Values[r.Intn(len(kinds16Latin1Values))]
}

// round16 draws a read over fl, l1 or the BIT column b.
func (g *kindsGen) round16() diffQuery {
	lim := g.pick("", " LIMIT 3", " LIMIT 2, 4")
	dir := g.pick("", " DESC")
	switch g.r.Intn(16) {
	case 13, 14:
		// a DISTINCT aggregate only in HAVING (the nodes must group by its
		// argument too)
		key := g.pick("grp", "e + 0", "DATE(d)")
		q := "SELECT " + key + g.pick("", ", COUNT(*)", ", COUNT(DISTINCT amount)") + " FROM t_kinds GROUP BY " + key +
			" HAVING " + g.pick("COUNT(DISTINCT id) > 30", "COUNT(DISTINCT v) > 6", "COUNT(DISTINCT b) > 20", "SUM(DISTINCT amount) > 100", "COUNT(DISTINCT grp) > 1", "COUNT(DISTINCT fl) > 6")
		if g.r.Intn(2) == 0 {
			return ordered(q + " ORDER BY " + key + dir)
		}
		return unordered(q)
	case 0:
		return unordered("SELECT fl, COUNT(*), MIN(id) FROM t_kinds GROUP BY fl")
	case 1:
		return ordered("SELECT fl, COUNT(*) FROM t_kinds GROUP BY fl ORDER BY fl" + dir + lim)
	case 2:
		if g.r.Intn(2) == 0 {
			return unordered("SELECT DISTINCT fl FROM t_kinds")
		}
		return ordered("SELECT DISTINCT fl FROM t_kinds ORDER BY fl" + dir + lim)
	case 3:
		return unordered("SELECT grp, COUNT(DISTINCT fl), MAX(fl), MIN(fl) FROM t_kinds GROUP BY grp")
	case 4:
		return ordered("SELECT id, fl FROM t_kinds ORDER BY fl" + dir + ", id" + lim)
	case 5:
		// computed or compared above the nodes: refused (six digits)
		return unordered("SELECT grp, MAX(fl) FROM t_kinds GROUP BY grp HAVING MAX(fl) " + g.pick("> 1.00000015", "= 16777216", "< 0.2"))
	case 6:
		return unordered("SELECT grp, MAX(fl + 0) m FROM t_kinds GROUP BY grp HAVING m " + g.pick("> 1.00000015", "= 16777216", "< 0.2"))
	case 7:
		return unordered("SELECT grp, HEX(MAX(l1)), REVERSE(MIN(l1)), CONCAT(MAX(l1), '" + g.pick("ü", "-", "é") + "') FROM t_kinds GROUP BY grp")
	case 8:
		return unordered("SELECT grp, MAX(l1) FROM t_kinds GROUP BY grp HAVING MAX(l1) " + g.pick("> 'z'", "= 'ä'", "IN ('ö', 'a')", "< 'å'", "LIKE '_'", "BETWEEN 'o' AND 'ä'"))
	case 9:
		return ordered("SELECT l1, COUNT(*) FROM t_kinds GROUP BY l1 ORDER BY l1" + dir + lim)
	case 10:
		return ordered("SELECT id, l1 FROM t_kinds ORDER BY l1" + dir + ", id" + lim)
	case 11:
		return unordered(fmt.Sprintf("SELECT HEX(GROUP_CONCAT(l1 ORDER BY id)) FROM t_kinds WHERE grp = %d", g.r.Intn(12)+1))
	case 12:
		return unordered("SELECT x.id, HEX(x.l1), CONCAT(x.l1, '!') FROM (SELECT id, l1 FROM t_kinds ORDER BY id LIMIT 40) x WHERE x.l1 " + g.pick("> 'o'", "= 'å'", "IN ('ä', 'b')", "LIKE '%ö%'"))
	}
	// BIT under DISTINCT: refused unless the DISTINCT sorts by it
	return ordered(g.pick("SELECT DISTINCT b FROM t_kinds ORDER BY b"+dir+lim, "SELECT DISTINCT grp, b FROM t_kinds WHERE grp < 4 ORDER BY grp, b"+dir,
		"SELECT DISTINCT b, grp FROM t_kinds WHERE grp < 3 ORDER BY grp"))
}
