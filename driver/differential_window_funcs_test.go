package driver_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// windowsExact: window functions computed above the nodes over one
// (PARTITION BY, ORDER BY) — aggregate windows with the default frame
// (peers included; the whole partition without ORDER BY), PERCENT_RANK,
// CUME_DIST, NTILE, LAG, LEAD, FIRST_VALUE, LAST_VALUE — over t_kinds,
// whose text keys make 'a', 'a ' and 'A' one partition and peers.
var windowsExact = []diffQuery{
	unordered("SELECT id, SUM(amount) OVER (ORDER BY id) FROM t_kinds"),
	unordered("SELECT id, SUM(amount) OVER (PARTITION BY grp ORDER BY amount) AS s, COUNT(*) OVER (PARTITION BY grp ORDER BY amount) AS n FROM t_kinds"),
	unordered("SELECT id, AVG(amount) OVER (PARTITION BY v), AVG(grp) OVER (PARTITION BY v), COUNT(amount) OVER (PARTITION BY v) FROM t_kinds"),
	unordered("SELECT id, SUM(grp) OVER (), COUNT(*) OVER (), MAX(d) OVER (), MIN(u) OVER () FROM t_kinds"),
	unordered("SELECT id, MIN(v) OVER (PARTITION BY grp ORDER BY d), MAX(u) OVER (PARTITION BY grp ORDER BY d), MAX(b+0) OVER (PARTITION BY grp ORDER BY d) FROM t_kinds"),
	unordered("SELECT id, SUM(id) OVER (PARTITION BY u ORDER BY v), COUNT(v) OVER (PARTITION BY u ORDER BY v) FROM t_kinds"),
	unordered("SELECT id, PERCENT_RANK() OVER (ORDER BY grp), CUME_DIST() OVER (ORDER BY grp), RANK() OVER (ORDER BY grp) FROM t_kinds"),
	unordered("SELECT id, PERCENT_RANK() OVER (PARTITION BY v ORDER BY amount DESC), CUME_DIST() OVER (PARTITION BY v ORDER BY amount DESC) FROM t_kinds"),
	unordered("SELECT id, NTILE(3) OVER (ORDER BY id), NTILE(7) OVER (ORDER BY id) FROM t_kinds"),
	unordered("SELECT id, NTILE(50) OVER (PARTITION BY grp ORDER BY amount, id) FROM t_kinds"),
	unordered("SELECT id, LAG(amount) OVER (ORDER BY id), LEAD(v, 2) OVER (ORDER BY id), LAG(d, 0) OVER (ORDER BY id) FROM t_kinds"),
	unordered("SELECT id, FIRST_VALUE(id) OVER (PARTITION BY grp ORDER BY amount, id), LAST_VALUE(id) OVER (PARTITION BY grp ORDER BY amount, id) FROM t_kinds"),
	unordered("SELECT id, LAST_VALUE(grp) OVER (PARTITION BY v ORDER BY grp) FROM t_kinds"),
	unordered("SELECT id, LEAD(e, 1) OVER (PARTITION BY u ORDER BY id) AS nx, FIRST_VALUE(s) OVER (PARTITION BY u ORDER BY id) AS fs FROM t_kinds"),
	ordered("SELECT id, SUM(amount) OVER (PARTITION BY grp ORDER BY id) AS run FROM t_kinds ORDER BY run DESC, id LIMIT 10"),
	ordered("SELECT id, CUME_DIST() OVER (ORDER BY d) AS c FROM t_kinds WHERE grp < 4 ORDER BY id LIMIT 20 OFFSET 5"),
	unordered("SELECT id, COUNT(*) OVER (PARTITION BY grp) FROM t_kinds WHERE id < 0"),
	// partitioned by the sharding column, merged by ORDER BY/LIMIT
	ordered("SELECT id, SUM(amount) OVER (PARTITION BY id ORDER BY grp) AS s, COUNT(*) OVER (PARTITION BY id ORDER BY grp) FROM t_kinds ORDER BY s DESC, id LIMIT 7"),
}

// windowsRefused: what cannot be computed exactly above the nodes.
var windowsRefused = []string{
	"SELECT id, SUM(f) OVER (ORDER BY id) FROM t_kinds",
	"SELECT id, AVG(v) OVER (ORDER BY id) FROM t_kinds",
	"SELECT id, MAX(e) OVER (PARTITION BY grp) FROM t_kinds",
	"SELECT id, SUM(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t_kinds",
	"SELECT id, SUM(amount) OVER (ORDER BY id), COUNT(*) OVER (ORDER BY grp) FROM t_kinds",
	"SELECT id, LAG(amount, 1, 0) OVER (ORDER BY id) FROM t_kinds",
	"SELECT id, NTH_VALUE(id, 2) OVER (ORDER BY id) FROM t_kinds",
	"SELECT id, SUM(amount) OVER (ORDER BY id) + 1 FROM t_kinds",
}

// windowsGen draws random windows over t_kinds: functions whose value
// depends on the order among peers (ROW_NUMBER, NTILE, LAG, LEAD,
// FIRST_VALUE, LAST_VALUE of another column) only over a total order.
type windowsGen struct{ r *rand.Rand }

func (g *windowsGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g *windowsGen) query() diffQuery {
	part := g.pick("", "grp", "v", "u", "DATE(d)", "b+0", "CAST(e AS CHAR)", "grp, v")
	total := g.r.Intn(2) == 0
	var order string
	if total {
		order = g.pick("id", "amount, id", "d DESC, id", "v, id", "u DESC, id", "f, id")
	} else {
		order = g.pick("", "grp", "amount", "d DESC", "v", "u DESC", "f", "b+0", "DATE(d), v")
	}
	spec := ""
	if part != "" {
		spec = "PARTITION BY " + part
	}
	if order != "" {
		spec = strings.TrimSpace(spec + " ORDER BY " + order)
	}
	over := " OVER (" + spec + ")"
	funcs := []string{"SUM(amount)", "SUM(grp)", "AVG(amount)", "AVG(id)", "COUNT(*)", "COUNT(v)", "COUNT(d)",
		"MIN(v)", "MAX(u)", "MIN(d)", "MAX(amount)", "MIN(f)", "MAX(b+0)", "SUM(b+0)"}
	if order != "" {
		funcs = append(funcs, "RANK()", "DENSE_RANK()", "PERCENT_RANK()", "CUME_DIST()")
	}
	if total {
		funcs = append(funcs, "ROW_NUMBER()", "NTILE("+g.pick("1", "2", "3", "10", "500")+")",
			"LAG("+g.pick("amount", "v", "d", "id")+")", "LEAD("+g.pick("u", "f", "grp")+", "+g.pick("0", "1", "3")+")",
			"FIRST_VALUE("+g.pick("id", "v", "amount")+")", "LAST_VALUE("+g.pick("id", "d", "u")+")")
	}
	sel := []string{"id"}
	for i := g.r.Intn(3) + 1; i > 0; i-- {
		sel = append(sel, g.pick(funcs...)+over+" AS w"+strconv.Itoa(i))
	}
	where := g.pick("", " WHERE grp < 6", " WHERE v IS NOT NULL", " WHERE id < 0", " WHERE amount > 0")
	q := "SELECT " + strings.Join(sel, ", ") + " FROM t_kinds" + where
	if g.r.Intn(3) == 0 {
		return ordered(q + " ORDER BY id" + g.pick(" DESC", "") + g.pick("", " LIMIT 15", " LIMIT 10, 20"))
	}
	return unordered(q)
}

func TestDifferentialWindows(t *testing.T) {
	env := newKindsEnv(t)
	for i, q := range windowsExact {
		diff, err := env.check(q)
		if err != nil || diff != "" {
			t.Errorf("query %d: %s %v\n  %v%s", i, q.sql, q.args, err, diff)
		}
	}
	for _, q := range windowsRefused {
		_, err := runDiffQuery(env.sharded, q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
	}
	t.Run("memory cap", func(t *testing.T) {
		small := openDB(t, env.topo, driver.WithMaxMemoryRows(50))
		_, err := runDiffQuery(small, "SELECT id, SUM(amount) OVER (ORDER BY id) FROM t_kinds")
		require.ErrorIs(t, err, driver.ErrTooLarge)
		require.ErrorContains(t, err, "WithMaxMemoryRows")
	})
	t.Run("generated", func(t *testing.T) {
		// SHARDSQL_DIFF_SEED replays a failing run; SHARDSQL_DIFF_N runs more queries.
		runGenerated(t, env, 200, 60, func(n int) int { return n / 4 }, func(r *rand.Rand) func() diffQuery {
			return (&windowsGen{r: r}).query
		})
	})
}
