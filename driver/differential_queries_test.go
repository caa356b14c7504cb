package driver_test

import (
	"fmt"
	"math/rand"
	"strings"
)

var (
	diffCols    = []string{"user_id", "status", "amount", "price", "qty", "created", "note"}
	diffNumeric = []string{"user_id", "amount", "price", "qty"}
	diffKeys    = []string{"user_id", "status", "qty", "note", "DATE(created)"}
	diffPreds   = []string{"amount > 0", "note IS NULL", "status = 'paid'", "user_id IN (5, 9, 13, 40)",
		"qty BETWEEN 3 AND 7", "created >= '2025-02-01'", "price IS NOT NULL AND qty > 10",
		"user_id = 7 OR qty = 0", "note LIKE 'a%'", "NOT (qty < 10)"}
)

func ordered(sql string, args ...any) diffQuery {
	return diffQuery{sql: sql, args: args, ordered: true}
}
func unordered(sql string, args ...any) diffQuery {
	return diffQuery{sql: sql, args: args}
}

// handQueries is the hand-written part of the differential suite.
func handQueries() []diffQuery {
	var qs []diffQuery
	// ORDER BY every column type, ASC/DESC, selected or not, aliases, *, LIMIT/OFFSET.
	for _, c := range diffCols {
		qs = append(qs,
			ordered(fmt.Sprintf("SELECT order_id, %s FROM t_order ORDER BY %s, order_id", c, c)),
			ordered(fmt.Sprintf("SELECT order_id, %s FROM t_order ORDER BY %s DESC, order_id DESC", c, c)),
			ordered(fmt.Sprintf("SELECT order_id FROM t_order ORDER BY %s, order_id", c)),
			ordered(fmt.Sprintf("SELECT * FROM t_order ORDER BY %s DESC, order_id LIMIT 10", c)),
			ordered(fmt.Sprintf("SELECT order_id, %s FROM t_order ORDER BY %s, order_id LIMIT 5, 7", c, c)),
			ordered(fmt.Sprintf("SELECT order_id, %s AS k FROM t_order ORDER BY k, order_id LIMIT 20 OFFSET 3", c)),
		)
	}
	qs = append(qs,
		ordered("SELECT order_id, amount FROM t_order ORDER BY 2 DESC, 1"),
		ordered("SELECT order_id, qty * 2 AS dbl FROM t_order ORDER BY dbl, order_id"),
		ordered("SELECT order_id FROM t_order ORDER BY amount * -1, order_id"),
		ordered("SELECT order_id, user_id FROM t_order WHERE user_id IN (1, 2, 3) ORDER BY user_id DESC, order_id LIMIT 10"),
		ordered("SELECT order_id FROM t_order ORDER BY created DESC, order_id LIMIT ?, ?", 10, 5),
		ordered("SELECT order_id FROM t_order ORDER BY order_id LIMIT 0"),
		ordered("SELECT order_id FROM t_order ORDER BY order_id LIMIT 10 OFFSET 10000"),
		ordered("SELECT order_id FROM t_order WHERE status = 'paid' ORDER BY note, order_id"),
		ordered("SELECT * FROM t_order ORDER BY order_id"),
		ordered("SELECT order_id, note FROM t_order ORDER BY note IS NULL, note, order_id"),
		ordered("SELECT order_id, UPPER(status) AS s FROM t_order ORDER BY s, order_id LIMIT 30"),
		ordered("SELECT order_id, price FROM t_order WHERE price > ? ORDER BY price, order_id LIMIT ?", 500.5, 12),
		unordered("SELECT order_id, status FROM t_order WHERE qty = 3"),
	)
	for _, p := range diffPreds {
		qs = append(qs,
			ordered(fmt.Sprintf("SELECT order_id, amount FROM t_order WHERE %s ORDER BY amount DESC, order_id LIMIT 7", p)),
			unordered(fmt.Sprintf("SELECT COUNT(*), SUM(amount), AVG(price), MAX(created) FROM t_order WHERE %s", p)),
		)
	}
	// Aggregates without GROUP BY.
	qs = append(qs,
		unordered("SELECT COUNT(*) FROM t_order"),
		unordered("SELECT COUNT(1), COUNT(note), COUNT(qty) FROM t_order"),
		unordered("SELECT SUM(amount), SUM(qty), SUM(price) FROM t_order"),
		unordered("SELECT MIN(amount), MAX(amount), MIN(price), MAX(price) FROM t_order"),
		unordered("SELECT MIN(status), MAX(status), MIN(note), MAX(note) FROM t_order"),
		unordered("SELECT MIN(created), MAX(created) FROM t_order"),
		unordered("SELECT AVG(amount), AVG(qty), AVG(price), AVG(user_id) FROM t_order"),
		unordered("SELECT AVG(amount) AS a, COUNT(*) AS n FROM t_order WHERE user_id > 30"),
		unordered("SELECT COUNT(*), SUM(amount), AVG(amount), MIN(qty), MAX(qty) FROM t_order WHERE amount > 100000"),
		unordered("SELECT SUM(qty * 2), AVG(amount * 2), MAX(qty + 1) FROM t_order"),
		unordered("SELECT COUNT(*) AS total FROM t_order WHERE status IN ('new', 'paid')"),
		unordered("SELECT SUM(amount) FROM t_order WHERE amount < 0"),
		unordered("SELECT COUNT(*) FROM t_order LIMIT 1"),
		unordered("SELECT MAX(order_id), MIN(order_id) FROM t_order WHERE note IS NULL"),
		unordered("SELECT AVG(qty) FROM t_order WHERE qty IS NULL"),
		unordered("SELECT COUNT(*) FROM t_order LIMIT 1 OFFSET 1"),
	)
	// GROUP BY each key kind.
	for _, k := range diffKeys {
		qs = append(qs,
			unordered(fmt.Sprintf("SELECT %s, COUNT(*) FROM t_order GROUP BY %s", k, k)),
			ordered(fmt.Sprintf("SELECT %s, COUNT(*), SUM(amount), AVG(amount), MIN(price), MAX(qty) FROM t_order GROUP BY %s ORDER BY %s", k, k, k)),
			ordered(fmt.Sprintf("SELECT %s, COUNT(*) AS n FROM t_order GROUP BY %s ORDER BY n DESC, %s", k, k, k)),
			unordered(fmt.Sprintf("SELECT %s, SUM(qty) FROM t_order GROUP BY %s HAVING COUNT(*) > 20", k, k)),
			ordered(fmt.Sprintf("SELECT %s, AVG(price) AS ap FROM t_order GROUP BY %s ORDER BY %s DESC LIMIT 3", k, k, k)),
			unordered(fmt.Sprintf("SELECT COUNT(*) FROM t_order GROUP BY %s", k)),
			ordered(fmt.Sprintf("SELECT %s, MAX(amount) FROM t_order WHERE amount > 0 GROUP BY %s HAVING MAX(amount) > 400 ORDER BY %s", k, k, k)),
		)
	}
	qs = append(qs,
		ordered("SELECT user_id, status, COUNT(*) FROM t_order GROUP BY user_id, status ORDER BY user_id, status"),
		ordered("SELECT status, user_id, SUM(qty) FROM t_order GROUP BY status, user_id ORDER BY user_id DESC, status"),
		ordered("SELECT status AS s, COUNT(*) FROM t_order GROUP BY s ORDER BY s"),
		ordered("SELECT status, COUNT(*) FROM t_order GROUP BY 1 ORDER BY 1 DESC"),
		ordered("SELECT qty, COUNT(*) FROM t_order GROUP BY qty ORDER BY SUM(amount), qty"),
		ordered("SELECT status, MIN(note), MAX(note) FROM t_order GROUP BY status ORDER BY status"),
		ordered("SELECT user_id, AVG(amount) AS a FROM t_order GROUP BY user_id HAVING a > 10 ORDER BY a DESC, user_id LIMIT 5"),
		ordered("SELECT user_id, SUM(amount) FROM t_order GROUP BY user_id HAVING SUM(amount) IS NOT NULL AND COUNT(note) >= 10 ORDER BY user_id"),
		ordered("SELECT user_id FROM t_order GROUP BY user_id HAVING MAX(qty) = 20 OR MIN(qty) = 0 ORDER BY user_id"),
		unordered("SELECT qty, COUNT(*) FROM t_order GROUP BY qty HAVING qty IS NULL OR qty > 18"),
		ordered("SELECT user_id, COUNT(*) FROM t_order WHERE user_id IN (1, 2, 3, 4, 5, 6, 7, 8) GROUP BY user_id ORDER BY user_id"),
		ordered("SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id ORDER BY user_id LIMIT 5 OFFSET 10"),
		ordered("SELECT note, COUNT(*) FROM t_order GROUP BY note ORDER BY note"),
		ordered("SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id HAVING NOT (COUNT(*) < 25) ORDER BY user_id"),
		ordered("SELECT user_id, MIN(price) AS lo, MAX(price) AS hi FROM t_order GROUP BY user_id ORDER BY hi DESC, user_id"),
	)
	// COUNT(DISTINCT x) and SUM(DISTINCT x).
	for _, c := range []string{"user_id", "status", "qty", "note"} {
		qs = append(qs,
			unordered(fmt.Sprintf("SELECT COUNT(DISTINCT %s) FROM t_order", c)),
			ordered(fmt.Sprintf("SELECT user_id, COUNT(DISTINCT %s) AS n FROM t_order GROUP BY user_id ORDER BY user_id", c)),
		)
	}
	qs = append(qs,
		unordered("SELECT SUM(DISTINCT qty), COUNT(DISTINCT qty) FROM t_order"),
		unordered("SELECT SUM(DISTINCT amount) FROM t_order WHERE amount > 0"),
		ordered("SELECT status, COUNT(DISTINCT user_id) FROM t_order GROUP BY status ORDER BY COUNT(DISTINCT user_id) DESC, status"),
		unordered("SELECT qty, COUNT(DISTINCT note) FROM t_order GROUP BY qty HAVING COUNT(DISTINCT note) > 5"),
		unordered("SELECT COUNT(DISTINCT user_id) FROM t_order WHERE amount > 100000"),
	)
	// DISTINCT.
	for _, c := range []string{"user_id", "status", "qty", "note", "amount"} {
		qs = append(qs,
			unordered(fmt.Sprintf("SELECT DISTINCT %s FROM t_order", c)),
			ordered(fmt.Sprintf("SELECT DISTINCT %s FROM t_order ORDER BY %s DESC", c, c)),
			ordered(fmt.Sprintf("SELECT DISTINCT %s FROM t_order ORDER BY %s LIMIT 5 OFFSET 2", c, c)),
		)
	}
	qs = append(qs,
		ordered("SELECT DISTINCT user_id, qty FROM t_order ORDER BY user_id, qty"),
		unordered("SELECT DISTINCT status, note FROM t_order"),
		ordered("SELECT DISTINCT qty FROM t_order WHERE qty < 5 ORDER BY qty DESC LIMIT 3"),
	)
	return qs
}

// queryGen generates random queries over the supported grammar.
type queryGen struct {
	r    *rand.Rand
	dcol string // the one column DISTINCT aggregates of the current query use
}

func newQueryGen(seed int64) *queryGen { return &queryGen{r: rand.New(rand.NewSource(seed))} }

func (g *queryGen) pick(xs []string) string { return xs[g.r.Intn(len(xs))] }

func (g *queryGen) where() string {
	if g.r.Intn(3) == 0 {
		return ""
	}
	return " WHERE " + g.pick(diffPreds)
}

func (g *queryGen) dir() string {
	if g.r.Intn(2) == 0 {
		return " DESC"
	}
	return ""
}

func (g *queryGen) agg() string {
	switch g.r.Intn(7) {
	case 6:
		return "COUNT(DISTINCT " + g.dcol + ")"
	case 0:
		return "COUNT(*)"
	case 1:
		return "COUNT(" + g.pick(diffCols) + ")"
	case 2:
		return "SUM(" + g.pick(diffNumeric) + ")"
	case 3:
		return "AVG(" + g.pick(diffNumeric) + ")"
	case 4:
		return "MIN(" + g.pick(diffCols) + ")"
	}
	return "MAX(" + g.pick(diffCols) + ")"
}

func (g *queryGen) limit() (string, []any) {
	switch g.r.Intn(4) {
	case 0:
		return fmt.Sprintf(" LIMIT %d", g.r.Intn(20)), nil
	case 1:
		return fmt.Sprintf(" LIMIT %d, %d", g.r.Intn(30), g.r.Intn(20)), nil
	case 2:
		return " LIMIT ? OFFSET ?", []any{g.r.Intn(20), g.r.Intn(30)}
	}
	return "", nil
}

func (g *queryGen) query() diffQuery {
	g.dcol = g.pick(diffCols)
	switch g.r.Intn(4) {
	case 0: // ordered rows, total thanks to the order_id tiebreak
		sel := []string{"order_id"}
		if g.r.Intn(5) == 0 {
			sel = []string{"*"}
		} else {
			for i := g.r.Intn(3); i > 0; i-- {
				sel = append(sel, g.pick(diffCols))
			}
		}
		var order []string
		for i := g.r.Intn(3); i > 0; i-- {
			order = append(order, g.pick(diffCols)+g.dir())
		}
		order = append(order, "order_id"+g.dir())
		lim, args := g.limit()
		return ordered("SELECT "+strings.Join(sel, ", ")+" FROM t_order"+g.where()+" ORDER BY "+strings.Join(order, ", ")+lim, args...)
	case 1: // aggregates without GROUP BY
		var sel []string
		for i := g.r.Intn(4) + 1; i > 0; i-- {
			sel = append(sel, g.agg())
		}
		return unordered("SELECT " + strings.Join(sel, ", ") + " FROM t_order" + g.where())
	case 2: // GROUP BY
		k := g.pick(diffKeys)
		sel := []string{k}
		for i := g.r.Intn(3) + 1; i > 0; i-- {
			sel = append(sel, g.agg())
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM t_order" + g.where() + " GROUP BY " + k
		if g.r.Intn(3) == 0 {
			q += fmt.Sprintf(" HAVING COUNT(*) > %d", g.r.Intn(40))
		}
		switch g.r.Intn(3) {
		case 0:
			return unordered(q)
		case 1:
			lim, args := g.limit()
			return ordered(q+" ORDER BY "+k+g.dir()+lim, args...)
		}
		lim, args := g.limit()
		return ordered(q+" ORDER BY "+sel[1]+g.dir()+", "+k+g.dir()+lim, args...)
	}
	// DISTINCT
	cols := []string{g.pick(diffCols)}
	if g.r.Intn(2) == 0 {
		if c := g.pick(diffCols); c != cols[0] {
			cols = append(cols, c)
		}
	}
	q := "SELECT DISTINCT " + strings.Join(cols, ", ") + " FROM t_order" + g.where()
	if g.r.Intn(2) == 0 {
		return unordered(q)
	}
	var order []string
	for _, c := range cols {
		order = append(order, c+g.dir())
	}
	lim, args := g.limit()
	return ordered(q+" ORDER BY "+strings.Join(order, ", ")+lim, args...)
}
