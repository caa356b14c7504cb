package driver_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// unionGen draws UNION and UNION ALL of selects over t_kinds (sharded by
// id), t_kinds_g (the same rows sharded by grp) and t_kinds_b (broadcast),
// with ORDER BY/LIMIT on parts (total: id breaks ties) and on the union
// (every column: duplicates are equal rows). The parts select the same
// expressions, so the union's column types agree, except where a later
// part selects a sibling (unionSiblings).
type unionGen struct{ r *rand.Rand }

func (g *unionGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

// unionSiblings are columns a later part may select instead of the
// first part's (round 22): a NULL, a wider DECIMAL, text of another
// collation or character set, a DOUBLE with fixed decimals. The union
// either answers as one server (NULL keeps the type, the values of a
// wider DECIMAL are the same) or is refused (fixed decimals, text
// compared across collations).
var unionSiblings = map[string][]string{
	"grp":    {"NULL", "grp % 4"},
	"id":     {"NULL"},
	"amount": {"NULL", "CAST(amount AS DECIMAL(12,2))"},
	"d":      {"NULL"},
	"f":      {"NULL", "ROUND(f, 2)"},
	"v":      {"NULL", "u", "l1", "CONCAT(l1)"},
	"u":      {"v", "l1"},
}

func (g *unionGen) part(cols []string, later bool) string {
	table := g.pick("t_kinds", "t_kinds_g", "t_kinds_b")
	if later && g.r.Intn(4) == 0 {
		cols = append([]string(nil), cols...)
		for i, c := range cols {
			if sib := unionSiblings[c]; len(sib) > 0 && g.r.Intn(2) == 0 {
				cols[i] = g.pick(sib...)
			}
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + table
	if w := g.pick("", "grp < 4", "grp > 8", "id % 3 = 0", "v > 'b '", "u = 'cafe'", "d < '2025-04-01'", "amount > 10",
		"grp = 3 AND id < 200", "f IS NULL", "grp IN (2, 5, 7)"); w != "" {
		q += " WHERE " + w
	}
	if g.r.Intn(4) == 0 {
		order := make([]string, 0, len(cols)+1)
		for _, c := range cols {
			order = append(order, c+g.pick("", " DESC"))
		}
		q = "(" + q + " ORDER BY " + strings.Join(append(order, "id"), ", ") + " LIMIT " + g.pick("1", "5", "17", "60") + ")"
	}
	return q
}

func (g *unionGen) query() diffQuery {
	families := [][]string{
		{"grp", "grp % 4", "grp + 1"},
		{"id", "id % 10"},
		{"b+0"},
		{"amount", "ROUND(amount)"},
		{"d", "DATE(d)"},
		{"f"},
		{"v", "u", "CAST(e AS CHAR)", "LEFT(v, 1)"},
		{"CAST(s AS CHAR)"},
	}
	var cols []string
	for i := g.r.Intn(2) + 1; i > 0; i-- {
		cols = append(cols, g.pick(families[g.r.Intn(len(families))]...))
	}
	q := g.part(cols, false)
	for i := g.r.Intn(3) + 1; i > 0; i-- {
		q += g.pick(" UNION ", " UNION ALL ", " UNION DISTINCT ") + g.part(cols, true)
	}
	if g.r.Intn(2) == 0 {
		var order []string
		for i := range cols {
			order = append(order, strconv.Itoa(i+1)+g.pick("", " DESC"))
		}
		return ordered(q + " ORDER BY " + strings.Join(order, ", ") + g.pick("", " LIMIT 9", " LIMIT 4, 30"))
	}
	return unordered(q)
}

func TestDifferentialUnionGenerated(t *testing.T) {
	env := newKindsEnv(t)
	// SHARDSQL_DIFF_SEED replays a failing run; SHARDSQL_DIFF_N runs more queries.
	runGenerated(t, env, 200, 60, func(n int) int { return n / 2 }, func(r *rand.Rand) func() diffQuery {
		return (&unionGen{r: r}).query
	})
}
