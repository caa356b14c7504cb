package driver_test

import (
	"fmt"
	"math/rand"
	"strings"
)

// genCross15 draws one statement of the classes round 15 attacked by hand
// over the cross-join suite's tables (sharded, bound, broadcast t_city and
// unsharded t_vip): quantified comparisons (= <> < <= > >= with ANY, SOME,
// ALL) against sets holding NULLs or empty, correlated or not, as
// conditions and as select items; [NOT] EXISTS with LIMIT 0, 1 and k, 1;
// [NOT] IN over a subquery with GROUP BY … HAVING or over a derived table
// with ORDER BY … LIMIT; a derived table with ORDER BY … LIMIT joined
// (inner, LEFT, STRAIGHT_JOIN); a CTE referenced twice; scalar subqueries
// correlated on an edge in the select list, ORDER BY and HAVING. Each is
// ordered by unique keys, so one answer is right.
func genCross15(r *rand.Rand) diffQuery {
	g := &genQuery{r: r}
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	var withInts []genTable
	for _, t := range genTables {
		if len(t.ints) > 0 {
			withInts = append(withInts, t)
		}
	}
	outer := withInts[r.Intn(len(withInts))]
	g.aliases = []string{outer.alias}
	k := outer.alias + "." + outer.key
	x := outer.alias + "." + outer.ints[r.Intn(len(outer.ints))]
	// the inner table: joined to the outer on an edge (correlated), or
	// any other table with integers (uncorrelated)
	corrOuter, corrInner, edge := g.edgeFrom()
	var inner genTable
	if edge {
		inner = genTableOf(strings.Split(corrInner, ".")[0])
	}
	if !edge || len(inner.ints) == 0 {
		edge = false
		for {
			inner = withInts[r.Intn(len(withInts))]
			if inner.alias != outer.alias {
				break
			}
		}
	}
	ia := inner.alias
	y := ia + "." + inner.ints[r.Intn(len(inner.ints))]
	ik := ia + "." + inner.key
	innerWhere := func(correlate bool) string {
		var terms []string
		if correlate && edge {
			terms = append(terms, corrInner+" = "+corrOuter)
		}
		switch r.Intn(4) {
		case 0:
			terms = append(terms, y+" < -5") // the empty set
		case 1, 2:
			terms = append(terms, g.pred(ia))
		}
		if len(terms) == 0 {
			return ""
		}
		return " WHERE " + strings.Join(terms, " AND ")
	}
	outerWhere := func() string {
		if r.Intn(2) == 0 {
			return " WHERE " + g.pred(outer.alias)
		}
		return ""
	}
	from := " FROM " + outer.name + " " + outer.alias
	switch r.Intn(8) {
	case 0: // quantified comparison as a condition
		sub := "(SELECT " + y + " FROM " + inner.name + " " + ia + innerWhere(r.Intn(2) == 0) + ")"
		cond := x + " " + pick("=", "<>", "<", "<=", ">", ">=") + " " + pick("ANY", "SOME", "ALL") + " " + sub
		if r.Intn(4) == 0 {
			cond = "NOT (" + cond + ")"
		}
		return ordered("SELECT "+k+", "+x+from+" WHERE "+cond+" ORDER BY "+k, g.args...)
	case 1: // quantified comparison as a select item
		sub := "(SELECT " + y + " FROM " + inner.name + " " + ia + innerWhere(r.Intn(2) == 0) + ")"
		item := x + " " + pick("=", "<>", "<", "<=", ">", ">=") + " " + pick("ANY", "SOME", "ALL") + " " + sub
		q := "SELECT " + k + ", " + item + " AS q" + from + outerWhere() + " ORDER BY " + k
		return ordered(q, g.args...)
	case 2: // [NOT] EXISTS with a LIMIT
		limit := pick(" LIMIT 0", " LIMIT 1", fmt.Sprintf(" LIMIT %d, 1", r.Intn(6)), fmt.Sprintf(" LIMIT %d, 1", 1195+r.Intn(10)))
		sub := "(SELECT 1 FROM " + inner.name + " " + ia + innerWhere(r.Intn(2) == 0) + limit + ")"
		cond := pick("EXISTS ", "NOT EXISTS ") + sub
		if r.Intn(2) == 0 {
			cond += " AND " + g.pred(outer.alias)
		}
		return ordered("SELECT "+k+from+" WHERE "+cond+" ORDER BY "+k, g.args...)
	case 3: // [NOT] IN over GROUP BY … HAVING, or over a derived table with a LIMIT
		var sub string
		if r.Intn(2) == 0 {
			sub = fmt.Sprintf("(SELECT %s FROM %s %s%s GROUP BY %s HAVING COUNT(*) > %d)", y, inner.name, ia, innerWhere(false), y, r.Intn(4))
		} else {
			sub = fmt.Sprintf("(SELECT t.v FROM (SELECT %s AS v FROM %s %s ORDER BY %s%s LIMIT %d) t)", y, inner.name, ia, ik, pick("", " DESC"), 1+r.Intn(40))
		}
		q := "SELECT " + k + ", " + x + from + " WHERE " + x + pick(" IN ", " NOT IN ") + sub + " ORDER BY " + k
		return ordered(q, g.args...)
	case 4: // a derived table with ORDER BY … LIMIT, joined
		if !edge {
			return genJoin(r)
		}
		d := fmt.Sprintf("(SELECT %s AS dk, %s AS dc FROM %s %s%s ORDER BY %s%s LIMIT %s)", ik, corrInner, inner.name, ia, innerWhere(false), ik, pick("", " DESC"),
			pick(fmt.Sprint(1+r.Intn(50)), fmt.Sprintf("%d, %d", r.Intn(100), 1+r.Intn(30)), "0"))
		join := pick(" JOIN ", " LEFT JOIN ", " STRAIGHT_JOIN ")
		q := "SELECT " + k + ", d.dk" + from + join + d + " d ON d.dc = " + corrOuter + outerWhere() + " ORDER BY " + k + ", d.dk"
		return ordered(q, g.args...)
	case 5: // a CTE referenced twice
		c := ia + "." + pick(inner.ints...)
		cte := fmt.Sprintf("WITH c AS (SELECT %s AS ck, %s AS cv FROM %s %s%s) ", ik, c, inner.name, ia, innerWhere(false))
		switch r.Intn(3) {
		case 0:
			return ordered(cte+"SELECT p.ck, q.ck FROM c p JOIN c q ON p.cv = q.cv AND p.ck < q.ck ORDER BY p.ck, q.ck LIMIT 2000", g.args...)
		case 1:
			return ordered(cte+fmt.Sprintf("SELECT ck FROM c WHERE cv %s (SELECT cv FROM c WHERE ck %% 3 = %d) ORDER BY ck", pick("IN", "NOT IN"), r.Intn(3)), g.args...)
		}
		return ordered(cte+"SELECT (SELECT COUNT(*) FROM c), (SELECT MAX(cv) FROM c), (SELECT COUNT(DISTINCT cv) FROM c)", g.args...)
	case 6: // a correlated scalar subquery in the select list or ORDER BY
		if !edge {
			return genJoin(r)
		}
		sub := "(SELECT " + pick("COUNT(*)", "MAX("+y+")", "SUM("+y+")", "MIN("+ik+")") + " FROM " + inner.name + " " + ia + " WHERE " + corrInner + " = " + corrOuter + ")"
		if r.Intn(2) == 0 {
			return ordered("SELECT " + k + ", " + sub + " AS s" + from + " ORDER BY " + k)
		}
		return ordered(fmt.Sprintf("SELECT %s%s ORDER BY %s%s, %s LIMIT %d", k, from, sub, pick("", " DESC"), k, 1+r.Intn(30)))
	}
	// HAVING against a correlated or uncorrelated scalar subquery
	if edge && strings.HasPrefix(corrOuter, outer.alias+".") && r.Intn(2) == 0 {
		sub := "(SELECT COUNT(*) FROM " + inner.name + " " + ia + " WHERE " + corrInner + " = " + corrOuter + ")"
		return ordered(fmt.Sprintf("SELECT %s, COUNT(*) AS n%s GROUP BY %s HAVING COUNT(*) * %d %s %s ORDER BY %s", corrOuter, from, corrOuter, 1+r.Intn(3), pick("<", ">", ">="), sub, corrOuter), g.args...)
	}
	sub := "(SELECT COUNT(*) FROM " + inner.name + " " + ia + innerWhere(false) + ")"
	return ordered(fmt.Sprintf("SELECT %s, COUNT(*) AS n%s GROUP BY %s HAVING COUNT(*) * %d %s %s ORDER BY %s", x, from, x, 20+r.Intn(200), pick("<", ">", ">="), sub, x), g.args...)
}
