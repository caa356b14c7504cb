package route

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestPointShortcutMatchesFullRouting routes point statements with every
// kind of key argument through a Router whose cache proved the shortcut
// (point.go) and through one without a cache (full routing every time):
// the plans, or the errors, must be the same, and the shortcut must have
// been taken for the statements that allow it.
func TestPointShortcutMatchesFullRouting(t *testing.T) {
	r, cat := catalogRouter(t)
	full, err := NewWithConfig(r.topo, Config{CacheSize: -1})
	require.NoError(t, err)
	at := time.Date(2025, 8, 3, 10, 0, 0, 0, time.UTC)
	keys := []any{int64(1), int64(42), int64(-7), int64(1 << 40), uint64(1<<63 + 5), "1", "01", " 1", "1.0", "1e0", "abc", "ABC ",
		[]byte("7"), 1.0, 1.5, float32(2), true, nil, at, "2025-08-03 10:00:00", "2025-02-01", int64(150), int64(350), int64(-1), "x\x00"}
	type stmt struct {
		sql   string
		point bool // the shortcut applies (with a catalog)
		args  func(k any) []any
	}
	one := func(k any) []any { return []any{k} }
	keyFirst := func(k any) []any { return []any{k, int64(3)} }
	keySecond := func(k any) []any { return []any{int64(3), k} }
	two := func(k any) []any { return []any{k, k} }
	three := func(k any) []any { return []any{k, k, k} }
	stmts := []stmt{
		{"SELECT * FROM t_order WHERE user_id = ?", true, one},
		{"SELECT order_id, amount FROM t_order WHERE user_id = ? AND order_id = ?", true, keyFirst},
		{"SELECT * FROM t_order WHERE order_id = ? AND ? = user_id", true, keySecond},
		{"SELECT o.amount FROM t_order AS o WHERE o.user_id = ? AND o.amount > ?", true, keyFirst},
		{"SELECT * FROM t_order WHERE t_order.user_id = ? AND (amount > ? AND note LIKE 'a%')", true, keyFirst},
		{"SELECT COUNT(*), MAX(amount) FROM t_order WHERE user_id = ? GROUP BY order_id HAVING COUNT(*) > ?", true, keyFirst},
		{"SELECT * FROM t_order WHERE user_id = ? ORDER BY order_id DESC LIMIT 5", true, one},
		{"SELECT * FROM t_order WHERE user_id = ? FOR UPDATE", true, one},
		{"SELECT GET_LOCK('l', 0) FROM t_order WHERE user_id = ?", true, one},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id IN (?, 5)", true, keyFirst},
		{"SELECT * FROM t_order WHERE user_id = ? OR user_id = ?", false, two},
		{"SELECT * FROM t_order WHERE user_id = ? AND user_id = ?", false, two},
		{"SELECT * FROM t_order WHERE user_id = ? AND user_id IN (?, ?)", false, three},
		{"SELECT * FROM t_order WHERE user_id = ? AND user_id BETWEEN ? AND ?", false, three},
		{"SELECT * FROM t_order WHERE user_id = ? AND user_id > ?", false, two},
		{"SELECT * FROM t_order WHERE user_id = ? AND order_id = (SELECT 1)", false, one},
		{"SELECT * FROM t_order WHERE user_id = 5 AND order_id = ?", false, one},
		{"SELECT * FROM t_name WHERE name = ?", true, one},
		{"SELECT * FROM t_user WHERE id = ?", true, one},
		{"SELECT * FROM t_range WHERE k = ?", true, one},
		{"SELECT * FROM t_month WHERE at = ?", true, one},
		{"INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?)", true, three},
		{"INSERT INTO t_order (user_id, order_id) VALUES (?, ?)", true, keyFirst},
		{"INSERT INTO t_order (order_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE amount = 1", true, keySecond},
		{"INSERT INTO t_name (name) VALUES (?)", true, one},
		{"INSERT IGNORE INTO t_user (id) VALUES (?)", true, one},
		{"INSERT INTO t_range (k, v) VALUES (?, ?)", true, two},
		{"INSERT INTO t_month (at) VALUES (?)", true, one},
		{"INSERT INTO t_order (order_id, user_id) VALUES (?, ?), (?, ?)", false, func(k any) []any { return []any{1, k, 2, k} }},
		{"INSERT INTO t_order (order_id, user_id) VALUES (?, 5)", false, one},
		// UPDATE and DELETE by key (point_write.go)
		{"UPDATE t_order SET amount = ? WHERE user_id = ?", true, keySecond},
		{"UPDATE t_order SET amount = amount + 1 WHERE user_id = ? AND order_id = ?", true, keyFirst},
		{"UPDATE t_order SET amount = ? WHERE order_id = ? AND ? = user_id", true, func(k any) []any { return []any{int64(1), int64(2), k} }},
		{"UPDATE t_order AS o SET o.amount = ?, o.note = 'x' WHERE o.user_id = ? AND (o.amount > ? AND o.note IS NULL)", true, func(k any) []any { return []any{int64(1), k, int64(2)} }},
		{"UPDATE t_order AS o SET o.amount = ? WHERE o.user_id = ? AND (o.amount > ? OR o.note IS NULL)", false, func(k any) []any { return []any{int64(1), k, int64(2)} }},
		{"UPDATE IGNORE t_order SET amount = 0 WHERE t_order.user_id = ? ORDER BY order_id DESC LIMIT 1", true, one},
		{"UPDATE t_order SET note = @v WHERE user_id = ?", true, one},
		{"UPDATE t_user SET name = ? WHERE id = ?", true, keySecond},
		{"UPDATE t_name SET note = 'x' WHERE name = ?", true, one},
		{"UPDATE t_range SET v = ? WHERE k = ? LIMIT 1", true, keySecond},
		{"UPDATE t_month SET v = 1 WHERE at = ?", true, one},
		{"UPDATE t_order SET user_id = ? WHERE user_id = ?", false, two},
		{"UPDATE t_order SET USER_ID = user_id WHERE user_id = ?", false, one},
		{"UPDATE t_order AS o SET o.user_id = ? WHERE o.user_id = ? AND order_id = 1", false, two},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? OR user_id = ?", false, two},
		{"UPDATE t_order SET amount = 1 WHERE user_id IN (?, ?)", false, two},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND user_id = ?", false, two},
		{"UPDATE t_order SET amount = (SELECT 1) WHERE user_id = ?", false, one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = ? AND order_id IN (SELECT 1)", false, one},
		{"UPDATE t_order, t_user SET t_order.amount = 1 WHERE t_order.user_id = ? AND t_user.id = t_order.user_id", false, one},
		{"UPDATE t_order SET amount = 1 WHERE user_id > ? LIMIT 1", false, one},
		{"UPDATE t_order SET amount = 1 WHERE user_id = 5 AND order_id = ?", false, one},
		{"DELETE FROM t_order WHERE user_id = ?", true, one},
		{"DELETE FROM t_order WHERE user_id = ? AND order_id = ? ORDER BY order_id LIMIT 5", true, keyFirst},
		{"DELETE o FROM t_order AS o WHERE o.user_id = ?", true, one},
		{"DELETE IGNORE FROM t_order WHERE amount < ? AND user_id = ?", true, keySecond},
		{"DELETE FROM t_user WHERE id = ?", true, one},
		{"DELETE FROM t_name WHERE name = ?", true, one},
		{"DELETE FROM t_month WHERE at = ?", true, one},
		{"DELETE FROM t_order WHERE user_id = ? OR amount > ?", false, keyFirst},
		{"DELETE FROM t_order WHERE user_id = ? AND user_id = ?", false, two},
		{"DELETE FROM t_order WHERE user_id BETWEEN ? AND ?", false, two},
		{"DELETE FROM t_order WHERE user_id > ? LIMIT 1", false, one},
		{"DELETE FROM t_order WHERE user_id = ? AND order_id IN (SELECT 1)", false, one},
		{"DELETE t_order, t_user FROM t_order JOIN t_user ON t_user.id = t_order.user_id WHERE t_order.user_id = ?", false, one},
		{"DELETE FROM t_order", false, func(any) []any { return nil }},
	}
	for _, c := range []*schema.Catalog{cat, nil} {
		for _, st := range stmts {
			for round := 0; round < 2; round++ {
				for _, k := range keys {
					args := st.args(k)
					name := fmt.Sprintf("%s %#v catalog=%v", st.sql, args, c != nil)
					want, wantErr := full.RouteWith(st.sql, args, Options{Catalog: c})
					got, gotErr := r.RouteWith(st.sql, args, Options{Catalog: c})
					if wantErr != nil {
						require.Error(t, gotErr, name)
						require.Equal(t, wantErr.Error(), gotErr.Error(), name)
						continue
					}
					require.NoError(t, gotErr, name)
					samePlan(t, want, got, name)
				}
			}
			ps, ok := r.cache.get(statementKey(st.sql))
			require.True(t, ok)
			pr := ps.point.Load()
			learned := pr != nil && !pr.none
			if c != nil { // without one, a proof kept from the catalog pass may stay (it does not apply)
				require.Equal(t, st.point, learned, st.sql)
				if learned {
					// the second round's plans came from routePointDirect
					kept := 0
					for i := range pr.nodes {
						if pr.nodes[i].Load() != nil {
							kept++
						}
					}
					require.Positive(t, kept, st.sql)
				}
			}
		}
	}
}

// samePlan compares the parts of two plans routing decides.
func samePlan(t *testing.T, want, got *Plan, name string) {
	t.Helper()
	require.Equal(t, want.SQL, got.SQL, name)
	require.Equal(t, want.Kind, got.Kind, name)
	require.Equal(t, want.Table, got.Table, name)
	require.Equal(t, want.Session, got.Session, name)
	require.Equal(t, want.SchemaUnknown, got.SchemaUnknown, name)
	require.Equal(t, want.GeneratedIDs, got.GeneratedIDs, name)
	require.Equal(t, want.InsertRows, got.InsertRows, name)
	require.Equal(t, want.Root == nil, got.Root == nil, name)
	require.Len(t, got.Units, len(want.Units), name)
	for i := range want.Units {
		w, g := want.Units[i], got.Units[i]
		require.Equal(t, w.DataSource, g.DataSource, name)
		require.Equal(t, w.Node, g.Node, name)
		require.Equal(t, w.SQL, g.SQL, name)
		require.True(t, reflect.DeepEqual(w.Args, g.Args), "%s: args %#v vs %#v", name, w.Args, g.Args)
	}
}

// TestPointShortcutFollowsTopologyAndHints: a shortcut proved for one
// topology version or catalog is not used for another, and hints route in
// full.
func TestPointShortcutFollowsTopologyAndHints(t *testing.T) {
	r, cat := catalogRouter(t)
	const q = "SELECT * FROM t_order WHERE user_id = ?"
	_, err := r.RouteWith(q, []any{int64(1)}, Options{Catalog: cat})
	require.NoError(t, err)
	ps, _ := r.cache.get(q)
	pr := ps.point.Load()
	require.NotNil(t, pr)
	require.False(t, pr.none)
	s := &statement{ps: ps, version: r.topo.Version(), catalog: cat}
	require.NotNil(t, s.pointFor(Options{}))
	require.Nil(t, s.pointFor(Options{DataSource: "ds1"}))
	require.Nil(t, s.pointFor(Options{ShardingValues: map[string][]any{"t_order": {int64(2)}}}))
	s.catalog = &schema.Catalog{}
	require.Nil(t, s.pointFor(Options{}))
	s.catalog = cat
	s.version++
	require.Nil(t, s.pointFor(Options{}))
	// a hint is checked against the statement, as full routing does
	_, err = r.RouteWith(q, []any{int64(1)}, Options{Catalog: cat, ShardingValues: map[string][]any{"t_order": {int64(2)}}})
	require.ErrorContains(t, err, "contradicts")
}

// TestPointPlanInCallersStore: with Options.Store the plan of a cached
// point statement is built in the caller's storage, equal to the plan
// built without it; the next call overwrites it (the caller's hazard).
func TestPointPlanInCallersStore(t *testing.T) {
	r, cat := catalogRouter(t)
	const q = "INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?)"
	var store PlanStore
	for i := 0; i < 3; i++ { // prove the shortcut, keep the node's rendering
		_, err := r.RouteWith(q, []any{int64(1), int64(42), "1.5"}, Options{Catalog: cat})
		require.NoError(t, err)
	}
	want, err := r.RouteWith(q, []any{int64(1), int64(42), "1.5"}, Options{Catalog: cat})
	require.NoError(t, err)
	got, err := r.RouteWith(q, []any{int64(1), int64(42), "1.5"}, Options{Catalog: cat, Store: &store})
	require.NoError(t, err)
	require.Same(t, &store.plan, got)
	samePlan(t, want, got, q)
	_, err = r.RouteWith(q, []any{int64(2), int64(7), "2.5"}, Options{Catalog: cat, Store: &store})
	require.NoError(t, err)
	require.Equal(t, []any{int64(2), int64(7), "2.5"}, got.Units[0].Args, "the store holds the latest plan")
}

// TestPointDirectTimeZone: a cached point statement keyed by a time.Time
// is placed by its wall clock in the data sources' zone on every routing,
// the shortcut's (routePointDirect, whose statement-free directNode must
// leave a time.Time to pointNode) as the first: converted in UTC, the
// instant below is June's node, in Tokyo July's.
func TestPointDirectTimeZone(t *testing.T) {
	r, cat := catalogRouter(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	cat.Locations = map[string]*time.Location{"ds0": tokyo, "ds1": tokyo}
	at := time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC) // July 1st, 05:00 in Tokyo
	for _, sql := range []string{
		"SELECT * FROM t_month WHERE at = ?",
		"UPDATE t_month SET v = 1 WHERE at = ?",
		"DELETE FROM t_month WHERE at = ?",
	} {
		var st PlanStore
		// June's node rendered too, so that a shortcut placing the
		// instant in June (its UTC wall clock) would find it.
		june := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
		for round := 0; round < 2; round++ {
			p, err := r.RouteWith(sql, []any{june}, Options{Catalog: cat, Store: &st})
			require.NoError(t, err, sql)
			require.Equal(t, "ds0.t_month_202506", p.Units[0].Node.String(), sql)
		}
		for round := 0; round < 3; round++ {
			p, err := r.RouteWith(sql, []any{at}, Options{Catalog: cat, Store: &st})
			require.NoError(t, err, sql)
			require.Len(t, p.Units, 1, sql)
			require.Equal(t, "ds1.t_month_202507", p.Units[0].Node.String(), "%s, round %d", sql, round)
		}
		ps, ok := r.cache.get(statementKey(sql))
		require.True(t, ok)
		pr := ps.point.Load()
		require.True(t, pr != nil && !pr.none && pr.col != nil, "%s: the shortcut was proved with the column known", sql)
	}
}

// TestPointDirectAllocs: a cached point select routed into the caller's
// store with its memo allocates nothing, whatever the key's size (an
// int64 of 256 or more re-boxed by directNode was an allocation).
func TestPointDirectAllocs(t *testing.T) {
	r, cat := catalogRouter(t)
	sql := "SELECT order_id, amount FROM t_order WHERE user_id = ? AND order_id = ?"
	var st PlanStore
	var memo ParseMemo
	for _, k := range []any{int64(7), int64(1 << 20)} {
		args := []any{k, int64(3)}
		for i := 0; i < 2; i++ { // learn the shortcut, render the node
			_, err := r.RouteWith(sql, args, Options{Catalog: cat, Store: &st, Memo: &memo})
			require.NoError(t, err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := r.RouteWith(sql, args, Options{Catalog: cat, Store: &st, Memo: &memo}); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, "key %v", k)
	}
}
