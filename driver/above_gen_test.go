package driver_test

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// aboveGen draws random derived tables and CTEs the nodes cannot compute
// alone (grouped by random columns, with their own ORDER BY … LIMIT,
// DISTINCT, a join of bound tables), with a random outer WHERE, GROUP BY,
// aggregates, HAVING, DISTINCT, ORDER BY and LIMIT evaluated above them;
// and random uncorrelated IN / NOT IN (with NULLs) / EXISTS / scalar
// subqueries in WHERE, the select list and HAVING.
type aboveGen struct{ r *rand.Rand }

// innerCol is a column of a generated derived table.
type innerCol struct {
	name    string
	numeric bool
}

func (g *aboveGen) pick(xs []string) string { return xs[g.r.Intn(len(xs))] }

// inner returns a derived table's SELECT and its columns.
func (g *aboveGen) inner() (string, []innerCol) {
	where := ""
	if g.r.Intn(2) == 0 {
		where = " WHERE " + g.pick(diffPreds)
	}
	switch g.r.Intn(4) {
	case 0: // grouped by a column other than the sharding column
		key := g.pick([]string{"status", "qty", "note", "DATE(created)"})
		return fmt.Sprintf("SELECT %s AS k, COUNT(*) AS n, SUM(amount) AS s, MAX(qty) AS mx, AVG(price) AS ap FROM t_order%s GROUP BY %s", key, where, key),
			[]innerCol{{"k", key == "qty"}, {"n", true}, {"s", true}, {"mx", true}, {"ap", true}}
	case 1: // its own ORDER BY … LIMIT
		dir := g.pick([]string{"", " DESC"})
		return fmt.Sprintf("SELECT order_id, status, qty, amount, note FROM t_order%s ORDER BY amount%s, order_id LIMIT %d", where, dir, 20+g.r.Intn(200)),
			[]innerCol{{"order_id", true}, {"status", false}, {"qty", true}, {"amount", true}, {"note", false}}
	case 2: // DISTINCT
		return fmt.Sprintf("SELECT DISTINCT status, qty, user_id %% 7 AS u FROM t_order%s", where),
			[]innerCol{{"status", false}, {"qty", true}, {"u", true}}
	default: // a join of bound tables, each node computing its own rows, grouped by a non-sharding column
		return "SELECT i.sku AS sku, o.status AS status, SUM(i.qty) AS q, COUNT(*) AS n FROM t_order o JOIN t_order_item i ON i.user_id = o.user_id AND i.order_id = o.order_id GROUP BY i.sku, o.status",
			[]innerCol{{"sku", false}, {"status", false}, {"q", true}, {"n", true}}
	}
}

// numericCol picks a numeric column of the derived table.
func (g *aboveGen) numericCol(cols []innerCol) string {
	var nums []string
	for _, c := range cols {
		if c.numeric {
			nums = append(nums, c.name)
		}
	}
	return g.pick(nums)
}

// outerPred is a condition over the derived table's columns.
func (g *aboveGen) outerPred(cols []innerCol, args *[]any) string {
	c := cols[g.r.Intn(len(cols))]
	switch {
	case g.r.Intn(5) == 0:
		return c.name + " IS NOT NULL"
	case c.numeric:
		*args = append(*args, g.r.Intn(40))
		return c.name + g.pick([]string{" > ?", " <= ?", " <> ?"})
	default:
		return c.name + g.pick([]string{" >= 'n'", " < 'M'", " = 'paid'", " LIKE '%e%'", " IN ('new', 'Urgent', 'x')"})
	}
}

func (g *aboveGen) derived() diffQuery {
	innerSQL, cols := g.inner()
	var args []any
	var b strings.Builder
	cte := g.r.Intn(2) == 0
	if cte {
		fmt.Fprintf(&b, "WITH d AS (%s) ", innerSQL)
	}
	var items, order []string
	grouped := g.r.Intn(2) == 0
	distinct := false
	var keys []string
	if grouped {
		for _, c := range cols {
			if g.r.Intn(3) == 0 && len(keys) < 2 {
				keys = append(keys, c.name)
			}
		}
		items = append(items, keys...)
		for i := 0; i < 1+g.r.Intn(3); i++ {
			c := cols[g.r.Intn(len(cols))]
			var agg string
			switch g.r.Intn(6) {
			case 0:
				agg = "COUNT(*)"
			case 1:
				agg = "COUNT(" + c.name + ")"
			case 2, 3:
				if c.numeric {
					agg = g.pick([]string{"SUM(", "AVG("}) + c.name + ")"
				} else {
					agg = "COUNT(" + c.name + ")"
				}
			default:
				agg = g.pick([]string{"MIN(", "MAX("}) + c.name + ")"
			}
			items = append(items, fmt.Sprintf("%s AS a%d", agg, i))
		}
		if g.r.Intn(3) == 0 { // an expression over aggregates
			c := g.numericCol(cols)
			items = append(items, fmt.Sprintf("COUNT(*) * 2 + MAX(%s) AS a%d", c, len(items)-len(keys)))
		}
		order = append(order, keys...)
		for i := range len(items) - len(keys) {
			order = append(order, fmt.Sprintf("a%d", i))
		}
	} else {
		for _, c := range cols {
			if g.r.Intn(2) == 0 {
				items = append(items, c.name)
			}
		}
		if len(items) == 0 {
			items = append(items, cols[0].name)
		}
		order = append(order, items...)
		if g.r.Intn(3) == 0 { // an expression over the derived table's columns
			c := g.numericCol(cols)
			items = append(items, fmt.Sprintf("%s %s AS e", c, g.pick([]string{"* 2", "+ 1", "- 0.5", "* 3"})))
			order = append(order, "e")
		}
		distinct = g.r.Intn(3) == 0
	}
	b.WriteString("SELECT ")
	if distinct {
		b.WriteString("DISTINCT ")
	}
	b.WriteString(strings.Join(items, ", "))
	if cte {
		b.WriteString(" FROM d")
	} else {
		fmt.Fprintf(&b, " FROM (%s) d", innerSQL)
	}
	if g.r.Intn(2) == 0 {
		b.WriteString(" WHERE " + g.outerPred(cols, &args))
	}
	if len(keys) > 0 {
		b.WriteString(" GROUP BY " + strings.Join(keys, ", "))
	}
	if grouped && g.r.Intn(3) == 0 {
		args = append(args, g.r.Intn(5))
		b.WriteString(" HAVING COUNT(*) > ?")
	}
	// a total order over the result's columns, so LIMIT is deterministic
	for i := range order {
		if g.r.Intn(3) == 0 {
			order[i] += " DESC"
		}
	}
	b.WriteString(" ORDER BY " + strings.Join(order, ", "))
	if g.r.Intn(2) == 0 {
		fmt.Fprintf(&b, " LIMIT %d", 1+g.r.Intn(15))
		if g.r.Intn(2) == 0 {
			fmt.Fprintf(&b, " OFFSET %d", g.r.Intn(5))
		}
	}
	return ordered(b.String(), args...)
}

// subquery returns a random uncorrelated subquery test.
func (g *aboveGen) subquery() diffQuery {
	in := g.pick([]string{
		"SELECT qty FROM t_order WHERE order_id < %d",                // NULLs among the values
		"SELECT user_id FROM t_order_item WHERE qty > %d",            // a bound table
		"SELECT qty FROM t_order WHERE qty IS NOT NULL AND qty < %d", // no NULLs
		"SELECT user_id FROM t_order WHERE amount > %d * 100",
	})
	in = fmt.Sprintf(in, g.r.Intn(20))
	scalar := g.pick([]string{
		"SELECT MAX(qty) FROM t_order WHERE user_id < %d",
		"SELECT COUNT(*) FROM t_order_item WHERE qty = %d",
		"SELECT MIN(amount) FROM t_order WHERE qty = %d",
		"SELECT qty FROM t_order WHERE order_id = %d",
	})
	scalar = fmt.Sprintf(scalar, 1+g.r.Intn(20))
	exists := fmt.Sprintf("SELECT 1 FROM t_order WHERE qty = %d AND status = 'paid'", g.r.Intn(25))
	pred := func(left string) string {
		switch g.r.Intn(6) {
		case 0:
			return fmt.Sprintf("%s IN (%s)", left, in)
		case 1:
			return fmt.Sprintf("%s NOT IN (%s)", left, in)
		case 2:
			return fmt.Sprintf("EXISTS (%s)", exists)
		case 3:
			return fmt.Sprintf("NOT EXISTS (%s)", exists)
		case 4:
			return fmt.Sprintf("%s %s (%s)", left, g.pick([]string{"=", "<", ">=", "<>"}), scalar)
		default:
			return fmt.Sprintf("(%s) IS NULL", scalar)
		}
	}
	row := g.pick([]string{"qty", "user_id", "order_id % 20"})
	switch g.r.Intn(3) {
	case 0: // WHERE
		return ordered(fmt.Sprintf("SELECT order_id, qty FROM t_order WHERE %s ORDER BY order_id LIMIT 40", pred(row)))
	case 1: // select list
		return ordered(fmt.Sprintf("SELECT order_id, %s AS p, (%s) AS s FROM t_order WHERE user_id < 12 ORDER BY order_id", pred(row), scalar))
	default: // HAVING
		return ordered(fmt.Sprintf("SELECT status, COUNT(*) AS n, MAX(qty) AS m FROM t_order GROUP BY status HAVING m %s (%s) OR %s ORDER BY status",
			g.pick([]string{">", "<=", "="}), scalar, pred(g.pick([]string{"m", "n"}))))
	}
}

func TestAboveGenerated(t *testing.T) {
	env := newDiffEnv(t, backends[1])
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_ABOVE_SEED"), 10, 64); err == nil {
		seed = v
	}
	n := 150
	if v, err := strconv.Atoi(os.Getenv("SHARDSQL_ABOVE_N")); err == nil {
		n = v
	}
	t.Logf("seed %d, %d queries (SHARDSQL_ABOVE_SEED, SHARDSQL_ABOVE_N)", seed, n)
	g := &aboveGen{r: rand.New(rand.NewSource(seed))}
	failed := 0
	for i := 0; i < n && failed < 10; i++ {
		q := g.derived()
		if i%2 == 1 {
			q = g.subquery()
		}
		if !env.check(t, q, fmt.Sprintf("seed %d query %d", seed, i)) {
			failed++
		}
	}
}
