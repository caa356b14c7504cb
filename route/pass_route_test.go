package route

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// passSummary is what a routing answered, in a form two routers' answers
// compare by: the plan's routing fields and units, or the error.
func passSummary(p *Plan, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("kind=%s table=%q bound=%d session=%d commit=%v evalAbove=%d metadata=%v schemaUnknown=%v root=%v units=%v",
		p.Kind, p.Table, p.RowBound, p.Session, p.ImplicitCommit, p.EvalAbove, p.Metadata != nil, p.SchemaUnknown, p.Root != nil, actualUnits(p))
}

// passPair is a cached Router and an uncached one over one topology: the
// cached one's answers (through its shortcuts) must be the uncached one's.
type passPair struct {
	topo            *shard.Topology
	cached, uncache *Router
}

func newPassPair(t *testing.T) passPair {
	t.Helper()
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_merchant"))
	c, err := New(topo)
	require.NoError(t, err)
	u, err := NewWithConfig(topo, Config{CacheSize: -1})
	require.NoError(t, err)
	return passPair{topo: topo, cached: c, uncache: u}
}

// same routes sql with args through both routers (the cached one three
// times: learning, then its shortcut) and requires the same answers; it
// returns the answer.
func (pp passPair) same(t *testing.T, sql string, args []any, opts Options) string {
	t.Helper()
	want := passSummary(pp.uncache.RouteWith(sql, args, opts))
	for i := 0; i < 3; i++ {
		var st PlanStore
		o := opts
		o.Store = &st
		got := passSummary(pp.cached.RouteWith(sql, args, o))
		require.Equal(t, want, got, "call %d of %q %v", i+1, sql, args)
	}
	return want
}

// TestPassShortcutMatchesFullRouting routes pass-through statements (and
// their neighbours that are not) through a cached Router, whose repeated
// calls take the pass-through shortcut, and an uncached one: the answers
// must be the same for every call, including the row bound of LIMIT's
// edges and LIMIT ? with different arguments.
func TestPassShortcutMatchesFullRouting(t *testing.T) {
	cases := []struct {
		sql  string
		args [][]any
	}{
		{"SELECT amount FROM t_plain WHERE user_id = ? AND order_id = ?", [][]any{{int64(1), int64(2)}, {"x", nil}}},
		{"SELECT * FROM t_plain", nil},
		{"SELECT * FROM t_plain LIMIT 16", nil},
		{"SELECT * FROM t_plain LIMIT 17", nil},
		{"SELECT * FROM t_plain LIMIT 3, 16", nil},
		{"SELECT * FROM t_plain LIMIT 16 OFFSET 2", nil},
		{"SELECT * FROM t_plain LIMIT ?", [][]any{{int64(5)}, {int64(16)}, {int64(17)}, {int64(0)}, {"5"}, {uint64(3)}, {int64(5)}}},
		{"SELECT * FROM t_plain LIMIT ?, ?", [][]any{{int64(1), int64(5)}, {int64(1), int64(500)}}},
		{"SELECT * FROM t_plain WHERE a = ? LIMIT ?", [][]any{{int64(1), int64(2)}, {int64(1), int64(200)}}},
		{"SELECT 1", nil},
		{"SELECT NOW(), CONCAT('a', ?), RAND()", [][]any{{"b"}}},
		{"SELECT 1 FROM dual", nil},
		{"SELECT COUNT(*) FROM `dual`", nil},
		{"SELECT * FROM `DUAL`", nil},
		{"SELECT 1 FROM dual GROUP BY 1 WITH ROLLUP", nil},
		{"SELECT @v, amount FROM t_plain", nil},
		{"SELECT GET_LOCK('x', 1)", nil},
		{"SELECT * FROM t_plain FOR UPDATE", nil},
		{"SELECT a FROM t_plain UNION SELECT b FROM t_other", nil},
		{"SELECT * FROM t_plain p JOIN t_other o ON p.id = o.id WHERE p.id = ?", [][]any{{int64(4)}}},
		{"SELECT * FROM t_merchant WHERE id = ?", [][]any{{int64(4)}}},
		{"SELECT * FROM archive.t_order WHERE user_id = ?", [][]any{{int64(4)}}},
		{"INSERT INTO t_plain (a, b) VALUES (?, ?)", [][]any{{int64(1), "x"}, {int64(2), "y"}}},
		{"UPDATE t_plain SET a = ? WHERE b = ?", [][]any{{int64(1), "x"}}},
		{"DELETE FROM t_plain WHERE b = ?", [][]any{{"x"}}},
		{"UPDATE t_merchant SET name = ? WHERE id = 3", [][]any{{"x"}}},
		{"SELECT * FROM t_order_1 WHERE user_id = ?", [][]any{{int64(1)}}},
		{"SELECT * FROM t_order WHERE user_id = ?", [][]any{{int64(1)}}},
		{"SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [][]any{{"app", "t_plain"}, {"app", "t_order"}, {"app", "t_plain"}}},
		{"CREATE TABLE t_new (id INT)", nil},
		{"SHOW TABLES", nil},
	}
	for _, cat := range []*schema.Catalog{nil, catalogWith(0, "app"), catalogWith(1, "app")} {
		pp := newPassPair(t)
		for _, tc := range cases {
			argsList := tc.args
			if argsList == nil {
				argsList = [][]any{nil}
			}
			for _, args := range argsList {
				pp.same(t, tc.sql, args, Options{Catalog: cat})
				pp.same(t, tc.sql, args, Options{Catalog: cat, DataSource: "ds1"})
				pp.same(t, tc.sql, args, Options{Catalog: cat})
			}
		}
	}
}

// TestPassShortcutTopologyAndSpellings: statements cached as pass-through
// (the table outside the topology, or another table to the catalog's
// name rules) must route as the full routing does once the topology or
// the catalog changes — never unchanged to a table that became sharded
// or to a node table of one — whatever the spelling of the name (case,
// quoting, schema qualifier, comments).
func TestPassShortcutTopologyAndSpellings(t *testing.T) {
	texts := []string{
		"SELECT * FROM t_late WHERE k = ?",
		"SELECT * FROM T_LATE WHERE k = ?",
		"SELECT * FROM `t_late` WHERE k = ?",
		"SELECT * FROM `T_Late` WHERE k = ?",
		"SELECT * FROM app.t_late WHERE k = ?",
		"SELECT * FROM `app`.`t_late` WHERE k = ?",
		"SELECT * FROM APP.t_late WHERE k = ?",
		"/* a comment */ SELECT * FROM t_late WHERE k = ?",
		"SELECT * FROM t_late WHERE k = ? /* trailing */",
		"SELECT * FROM t_late WHERE k = ? -- trailing\n",
		"SELECT * FROM /* inside */ t_late WHERE k = ?",
		"SELECT * FROM t_late WHERE k = ? LIMIT 1",
		"SELECT COUNT(*) FROM t_late WHERE k = ?",
		"SELECT * FROM t_late_1 WHERE k = ?",
		"SELECT * FROM T_LATE_1 WHERE k = ?",
		"SELECT * FROM app.t_late_0 WHERE k = ?",
		"INSERT INTO t_late (k, v) VALUES (?, 1)",
		"UPDATE t_late SET v = 2 WHERE k = ?",
		"DELETE FROM `t_late` WHERE k = ?",
		"SELECT * FROM t_plain WHERE k = ?",
	}
	args := []any{int64(3)}
	case0, case1 := catalogWith(0, "app"), catalogWith(1, "app")
	pp := newPassPair(t)
	before := map[string]string{}
	for _, cat := range []*schema.Catalog{case0, case1} {
		for _, q := range texts {
			before[q] = pp.same(t, q, args, Options{Catalog: cat})
		}
	}
	assert.Contains(t, before["SELECT * FROM t_late WHERE k = ?"], "units=[{ds0 SELECT * FROM t_late WHERE k = ? [3]}]", "a table outside the topology passes through")

	require.NoError(t, pp.topo.AddTable(shard.Table{Name: "t_late", Column: "k", Nodes: "ds1.t_late_${0..1}", Algorithm: shard.Mod()}))
	for _, cat := range []*schema.Catalog{case0, case1} {
		for _, q := range texts {
			got := pp.same(t, q, args, Options{Catalog: cat})
			if q == "SELECT * FROM t_plain WHERE k = ?" || cat == case0 {
				continue // t_plain is outside the topology; under lower_case_table_names = 0 T_LATE is another table
			}
			assert.NotContains(t, got, "{ds0 "+q, "%q still passes through to ds0 unchanged after t_late became sharded", q)
		}
	}
	// The table is sharded now: the plain spelling reaches its node table.
	assert.Contains(t, pp.same(t, texts[0], args, Options{Catalog: case0}), "ds1.t_late_1 select * from t_late_1 where k = ?")
	// Another spelling of the name, another table to a case-sensitive
	// server, becomes the logical table once the catalog says names
	// ignore case.
	assert.Contains(t, pp.same(t, "SELECT * FROM T_LATE WHERE k = ?", args, Options{Catalog: case0}), "{ds0 SELECT * FROM T_LATE WHERE k = ? [3]}")
	assert.Contains(t, pp.same(t, "SELECT * FROM T_LATE WHERE k = ?", args, Options{Catalog: case1}), "ds1.t_late_1")
	// A node table's physical name is refused once it is one.
	assert.Contains(t, pp.same(t, "SELECT * FROM t_late_1 WHERE k = ?", args, Options{Catalog: case0}), "error: shardsql: unsupported")
}

// TestPassShortcutArgumentsDecide: an information_schema lookup passes
// through when its table_name argument names no logical table, and is
// rewritten for the first node when it names one: the route depends on
// the argument, so no shortcut may be proved from the first call.
func TestPassShortcutArgumentsDecide(t *testing.T) {
	pp := newPassPair(t)
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
	cat := catalogWith(0, "app")
	for i := 0; i < 3; i++ {
		got := pp.same(t, q, []any{"app", "t_plain"}, Options{Catalog: cat})
		require.Contains(t, got, "metadata=false")
	}
	p, err := pp.cached.RouteWith(q, []any{"app", "t_order"}, Options{Catalog: cat})
	require.NoError(t, err)
	require.NotNil(t, p.Metadata, "a lookup of the logical table t_order is rewritten for its first node, not passed through: %s", p)
	assert.Equal(t, "ds0.t_order_0", p.Units[0].Node.String())
}

// TestPassPlanInCallersStore: a cached pass-through statement is routed
// by its shortcut into the caller's store, with no allocation, and its
// plan takes each call's arguments and row bound.
func TestPassPlanInCallersStore(t *testing.T) {
	r := testRouter(t)
	cat := catalogWith(0, "app")
	q := "SELECT * FROM t_plain WHERE a = ? LIMIT ?"
	var st PlanStore
	for i := 0; i < 2; i++ {
		_, err := r.RouteWith(q, []any{int64(1), int64(2)}, Options{Catalog: cat, Store: &st})
		require.NoError(t, err)
	}
	args := []any{int64(7), int64(9)}
	allocs := testing.AllocsPerRun(100, func() {
		p, err := r.RouteWith(q, args, Options{Catalog: cat, Store: &st})
		if err != nil || p != &st.plan {
			t.Fatalf("plan %p (store %p), %v", p, &st.plan, err)
		}
	})
	assert.Zero(t, allocs, "a cached pass-through statement routes without allocating")
	p, err := r.RouteWith(q, []any{int64(8), int64(300)}, Options{Catalog: cat, Store: &st})
	require.NoError(t, err)
	assert.Equal(t, []goldenUnit{gu("ds0", q, int64(8), int64(300))}, actualUnits(p))
	assert.Zero(t, p.RowBound, "LIMIT 300 proves no bound")
	p, err = r.RouteWith(q, []any{int64(8), int64(4)}, Options{Catalog: cat, Store: &st})
	require.NoError(t, err)
	assert.Equal(t, 4, p.RowBound)
}

// TestPassShortcutCommentedTexts: texts that share a cached parse (their
// leading and trailing plain comments are left out of the cache key) but
// whose comments the full routing reads — a quoted `dual`, an executable
// comment naming a sharded table — route as the full routing does, after
// the bare text proved its shortcut.
func TestPassShortcutCommentedTexts(t *testing.T) {
	pp := newPassPair(t)
	cat := catalogWith(0, "app")
	for _, pair := range [][2]string{
		{"SELECT 1", "SELECT 1 -- `dual`\n"},
		{"SELECT 1", "/* `dual` */ SELECT 1"},
		{"SELECT * FROM t_plain", "SELECT * FROM t_plain -- /*M!100000 t_order */\n"},
		{"SELECT * FROM t_plain", "/* t_order_1 */ SELECT * FROM t_plain"},
	} {
		bare := pp.same(t, pair[0], nil, Options{Catalog: cat})
		commented := pp.same(t, pair[1], nil, Options{Catalog: cat})
		pp.same(t, pair[0], nil, Options{Catalog: cat})
		if pair[0] == "SELECT 1" {
			assert.Contains(t, bare, "bound=1")
			assert.Contains(t, commented, "bound=0", "a text holding a quoted dual proves no one-row bound")
		}
	}
}
