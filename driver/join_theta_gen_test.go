package driver_test

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// genThetaBound keeps each table of a join without an equality small
// (every pair is a candidate): a bound on its key.
var genThetaBound = map[string]string{
	"o": "o.order_id <= %d", "u": "u.id <= %d", "g": "g.id <= %d", "i": "i.item_id <= %d",
}

// thetaOn is a random condition joining new alias b to a, without an
// equality the join can look up, or with one beside a range (OR, a
// range AND-ed), or none at all (a cross join).
func (g *genQuery) thetaOn(a, b string) string {
	ta, tb := genTableOf(a), genTableOf(b)
	r := g.r
	intPair := func() (string, string, bool) {
		if len(ta.ints) == 0 || len(tb.ints) == 0 {
			return "", "", false
		}
		return a + "." + ta.ints[r.Intn(len(ta.ints))], b + "." + tb.ints[r.Intn(len(tb.ints))], true
	}
	switch r.Intn(6) {
	case 0:
		if x, y, ok := intPair(); ok {
			d := r.Intn(5)
			return fmt.Sprintf("%s BETWEEN %s - %d AND %s + %d", y, x, d, x, d)
		}
	case 1:
		if len(ta.texts) > 0 && len(tb.texts) > 0 {
			ops := []string{"<", ">=", "=", "<>"}
			return fmt.Sprintf("%s.%s %s %s.%s", b, tb.texts[r.Intn(len(tb.texts))], ops[r.Intn(len(ops))], a, ta.texts[r.Intn(len(ta.texts))])
		}
	case 2:
		if x, y, ok := intPair(); ok {
			return fmt.Sprintf("(%s = %s OR %s)", x, y, g.crossPred(a, b))
		}
	case 3:
		return ""
	case 4:
		if x, y, ok := intPair(); ok {
			return fmt.Sprintf("%s + %d > %s AND %s", x, r.Intn(20), y, g.pred(b))
		}
	}
	return g.crossPred(a, b)
}

// genTheta builds a random join of 2 or 3 tables where at least one join
// has no equality (ranges, BETWEEN, text comparisons, OR, a cross join).
func genTheta(r *rand.Rand) diffQuery {
	g := &genQuery{r: r}
	n := 2 + r.Intn(2)
	perm := r.Perm(len(genTables))[:n]
	first := genTables[perm[0]]
	g.aliases = []string{first.alias}
	from := first.name + " " + first.alias
	var where []string
	part := 0 // the first alias of the FROM list's current comma-separated part: an ON names only its part's tables
	for _, k := range perm[1:] {
		nt := genTables[k]
		a := g.aliases[part+r.Intn(len(g.aliases)-part)]
		on := g.thetaOn(a, nt.alias)
		kind := []string{"JOIN", "LEFT JOIN", "JOIN"}[r.Intn(3)]
		switch {
		case on == "" && r.Intn(2) == 0:
			part = len(g.aliases)
			from += ", " + nt.name + " " + nt.alias
		case on == "":
			from += " CROSS JOIN " + nt.name + " " + nt.alias
		default:
			from += " " + kind + " " + nt.name + " " + nt.alias + " ON " + on
		}
		g.aliases = append(g.aliases, nt.alias)
	}
	for _, a := range g.aliases {
		if b, ok := genThetaBound[a]; ok {
			where = append(where, fmt.Sprintf(b, 10+r.Intn(40)))
		}
	}
	if r.Intn(2) == 0 {
		where = append(where, g.pred(g.aliases[r.Intn(len(g.aliases))]))
	}
	if r.Intn(3) == 0 {
		where = append(where, g.crossPred(g.aliases[0], g.aliases[len(g.aliases)-1]))
	}
	var sel, order []string
	for _, a := range g.aliases {
		t := genTableOf(a)
		cols := append(append([]string(nil), t.ints...), t.texts...)
		c := a + "." + cols[r.Intn(len(cols))]
		k := a + "." + t.key
		sel = append(sel, c, k)
		order = append(order, k)
	}
	if r.Intn(4) == 0 {
		k := first.alias + "." + first.key
		last := g.aliases[len(g.aliases)-1]
		q := "SELECT " + k + ", COUNT(*), COUNT(" + last + "." + genTableOf(last).key + ") FROM " + from
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		return ordered(q+" GROUP BY "+k+" ORDER BY "+k, g.args...)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + from
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return ordered(q+" ORDER BY "+strings.Join(order, ", "), g.args...)
}

// genDerived builds a random join of a derived table (grouped, DISTINCT or
// limited, with its own WHERE) with a table, on an equality or a range,
// inner or left, with the derived table on either side, or as a CTE.
func genDerived(r *rand.Rand) diffQuery {
	g := &genQuery{r: r}
	src := []struct{ table, alias, key, num string }{
		{"t_order", "o", "user_id", "qty"}, {"t_item", "i", "user_id", "qty"}, {"t_item", "i", "order_id", "qty"},
	}[r.Intn(3)]
	var body string
	where := ""
	if r.Intn(2) == 0 {
		where = " WHERE " + g.pred(src.alias)
	}
	switch r.Intn(3) {
	case 0:
		body = fmt.Sprintf("SELECT %s.%s AS k, COUNT(*) AS n, SUM(%s.%s) AS s FROM %s %s%s GROUP BY %s.%s", src.alias, src.key, src.alias, src.num, src.table, src.alias, where, src.alias, src.key)
	case 1:
		body = fmt.Sprintf("SELECT DISTINCT %s.%s AS k, %s.%s AS n, %s.%s AS s FROM %s %s%s", src.alias, src.key, src.alias, src.num, src.alias, src.num, src.table, src.alias, where)
	default:
		body = fmt.Sprintf("SELECT %s.%s AS k, %s.%s AS n, %s.%s AS s FROM %s %s%s ORDER BY %s.%s DESC, %s.%s LIMIT %d",
			src.alias, src.key, src.alias, src.num, src.alias, src.num, src.table, src.alias, where, src.alias, src.num, src.alias, "item_id", 5+r.Intn(40))
		if src.table == "t_order" {
			body = strings.Replace(body, "o.item_id", "o.order_id", 1)
		}
	}
	other := []struct{ table, alias, key, num string }{
		{"t_user", "u", "id", "score"}, {"t_user", "u", "ref", "score"}, {"t_vip", "v", "user_id", "user_id"}, {"t_tag", "g", "id", "weight"},
	}[r.Intn(4)]
	on := fmt.Sprintf("%s.%s = x.k", other.alias, other.key)
	if r.Intn(3) == 0 {
		on = fmt.Sprintf("x.n > %s.%s", other.alias, other.num)
		if r.Intn(2) == 0 {
			on += fmt.Sprintf(" AND x.k < %s.%s + %d", other.alias, other.key, r.Intn(20))
		}
	}
	kind := []string{"JOIN", "LEFT JOIN"}[r.Intn(2)]
	tbl := other.table + " " + other.alias
	var from string
	if r.Intn(2) == 0 {
		from = "(" + body + ") x " + kind + " " + tbl + " ON " + on
	} else {
		from = tbl + " " + kind + " (" + body + ") x ON " + on
	}
	filters := []string{}
	if other.alias == "u" || other.alias == "g" {
		filters = append(filters, fmt.Sprintf("%s.id <= %d", other.alias, 10+r.Intn(40)))
	}
	if r.Intn(3) == 0 {
		filters = append(filters, fmt.Sprintf("x.s > %d", r.Intn(20)))
	}
	q := fmt.Sprintf("SELECT x.k, x.n, x.s, %s.%s FROM %s", other.alias, other.key, from)
	if len(filters) > 0 {
		q += " WHERE " + strings.Join(filters, " AND ")
	}
	if r.Intn(4) == 0 {
		q = "WITH x AS (" + body + ") " + strings.Replace(q, "("+body+") x", "x", 1)
	}
	return unordered(q, g.args...)
}

// TestCrossJoinThetaGenerated: random joins without an equality (and, a
// quarter each, the equality joins of TestCrossJoinGenerated and joins of
// a derived table or CTE with a table),
// each exact or refused, never different; half of them with a memory
// cap of 50 rows and batches of 7, where the adaptive join hands over to
// the lookups and a join without a key fails with ErrTooLarge.
// SHARDSQL_DIFF_SEED replays a run, SHARDSQL_DIFF_N sets the count.
func TestCrossJoinThetaGenerated(t *testing.T) {
	seed, n := crossGenRun(21, 80)
	env := newCrossEnv(t)
	small := env.with(t, driver.WithMaxMemoryRows(50), driver.WithJoinBatch(7))
	r := rand.New(rand.NewSource(seed))
	exact, refused, tooLarge := 0, 0, 0
	reasons := map[string]int{}
	for i := 0; i < n; i++ {
		q := genTheta(r)
		switch i % 4 {
		case 2:
			q = genJoin(r)
		case 3:
			q = genDerived(r)
		}
		e := env
		if i%2 == 1 {
			e = small
		}
		want, err := runDiffQuery(env.oracle, q.sql, q.args...)
		require.NoError(t, err, "oracle: %s", q.sql)
		got, err := runDiffQuery(e.sharded, q.sql, q.args...)
		if err != nil {
			if e == small && errors.Is(err, driver.ErrTooLarge) {
				tooLarge++
				continue
			}
			require.True(t, errors.Is(err, driver.ErrUnsupported), "seed %d query %d: %s %v: %v", seed, i, q.sql, q.args, err)
			refused++
			reasons[crossRefusal(err)]++
			continue
		}
		if diff := env.compareResults(q, want, got); diff != "" {
			t.Fatalf("seed %d query %d: %s %v\n  %s", seed, i, q.sql, q.args, diff)
		}
		exact++
	}
	t.Logf("seed %d: %d exact, %d refused, %d past the cap", seed, exact, refused, tooLarge)
	for m, c := range reasons {
		t.Logf("  %d× %s", c, m)
	}
	require.Greater(t, exact, n/2, "most generated queries must run")
}
