package route

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"
)

// renderCorpus is statements whose node SQL exercises what format
// rewrites and what it leaves to the fast printer: qualified names,
// aliases spelled like tables, backticked and keyword names, names inside
// subqueries, derived tables, joins and CTEs, comments, hints, typed and
// list arguments, IN lists trimmed per node, INSERT rows split per node.
var renderCorpus = []struct {
	sql  string
	args []any
}{
	{"SELECT order_id, amount, note FROM t_order WHERE user_id = ? AND order_id = ?", []any{int64(42), int64(7)}},
	{"SELECT * FROM t_order WHERE user_id = ?", []any{int64(1)}},
	{"SELECT t_order.*, t_order.amount FROM t_order WHERE t_order.user_id = ?", []any{int64(1)}},
	{"SELECT app.t_order.amount FROM app.t_order WHERE app.t_order.user_id = 1", nil},
	{"SELECT o.amount, `o`.`note` FROM t_order AS o WHERE o.user_id = ? AND o.amount > ?", []any{int64(1), int64(5)}},
	{"SELECT t_order.amount FROM t_order t_order WHERE t_order.user_id = 3", nil},
	{"SELECT `order`.`select` FROM t_order AS `order` WHERE `order`.user_id IN (?, ?, ?, 4) AND `order`.`from` = 'x'", []any{int64(1), int64(2), int64(3)}},
	{"SELECT /* a comment */ amount + 1, amount * (2 - ?), -amount, NOT (amount > 1), amount IS NULL FROM t_order WHERE user_id = 1", []any{int64(3)}},
	{"SELECT /*+ MAX_EXECUTION_TIME(100) */ SQL_CALC_FOUND_ROWS DISTINCT amount FROM t_order USE INDEX (idx) WHERE user_id BETWEEN ? AND ? ORDER BY amount DESC LIMIT ?, ?", []any{int64(1), int64(9), int64(0), int64(10)}},
	{"SELECT COUNT(*), MAX(amount), CASE WHEN amount > ? THEN 'a' ELSE 'b' END FROM t_order WHERE user_id = ? GROUP BY amount HAVING COUNT(*) > ? ORDER BY 1", []any{int64(5), int64(1), int64(0)}},
	{"SELECT amount FROM t_order WHERE user_id = ? AND note LIKE 'a\\%b' ESCAPE '\\\\' AND amount IN (SELECT 1)", []any{int64(1)}},
	{"SELECT amount FROM t_order WHERE user_id = ? AND EXISTS (SELECT 1 FROM t_order i WHERE i.user_id = t_order.user_id)", []any{int64(1)}},
	{"SELECT d.amount FROM (SELECT amount, user_id FROM t_order WHERE user_id = ?) AS d WHERE d.amount > ?", []any{int64(1), int64(2)}},
	{"WITH c AS (SELECT amount FROM t_order WHERE user_id = ?) SELECT amount FROM c", []any{int64(1)}},
	{"SELECT o.amount, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id = ? AND u.id = ?", []any{int64(1), int64(1)}},
	{"SELECT amount FROM t_order WHERE user_id = ? FOR UPDATE", []any{int64(1)}},
	{"SELECT amount FROM t_order WHERE user_id = ? LOCK IN SHARE MODE", []any{int64(1)}},
	{"SELECT CAST(? AS DECIMAL(10, 2)), CONVERT(amount, CHAR), DATE_ADD(created, INTERVAL ? DAY) FROM t_order WHERE user_id = 1", []any{"1.5", int64(2)}},
	{"SELECT amount FROM t_order WHERE user_id IN (?, ?, ?, ?, ?) ORDER BY amount LIMIT 3", []any{int64(1), int64(2), int64(3), int64(4), int64(5)}},
	{"SELECT amount FROM t_order WHERE amount > ? ORDER BY amount DESC LIMIT 10", []any{int64(5)}},
	{"SELECT amount, SUM(amount) OVER (PARTITION BY user_id) FROM t_order WHERE user_id = ?", []any{int64(1)}},
	{"SELECT amount FROM t_order WHERE user_id = ? UNION ALL SELECT amount FROM t_order WHERE user_id = ?", []any{int64(1), int64(1)}},
	{"INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?)", []any{int64(1), int64(2), "1.50"}},
	{"INSERT INTO t_order (order_id, user_id) VALUES (?, ?), (?, ?), (?, ?)", []any{int64(1), int64(1), int64(2), int64(2), int64(3), int64(3)}},
	{"INSERT INTO t_order (order_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE amount = amount + ?", []any{int64(1), int64(2), int64(3)}},
	{"INSERT INTO app.t_order SET order_id = 1, user_id = ?", []any{int64(2)}},
	{"UPDATE t_order SET amount = ?, note = CONCAT(note, ?) WHERE user_id = ? AND order_id = ?", []any{int64(1), "x", int64(3), int64(4)}},
	{"UPDATE t_order AS o SET o.amount = 0 WHERE o.user_id IN (?, ?)", []any{int64(1), int64(2)}},
	{"UPDATE t_order SET amount = 0 WHERE user_id = ? ORDER BY order_id LIMIT 1", []any{int64(1)}},
	{"DELETE FROM t_order WHERE user_id = ? AND amount < ?", []any{int64(1), int64(0)}},
	{"DELETE o FROM t_order AS o WHERE o.user_id = ?", []any{int64(1)}},
	{"DELETE FROM t_order WHERE amount IS NULL", nil},
	{"SELECT @@session.sql_mode, @v := 1 FROM t_order WHERE user_id = ?", []any{int64(1)}},
}

// TestFastRenderMatchesFormatter routes every statement of the plan
// golden files, the golden cases, the point shortcut's and renderCorpus
// through a Router that prints node statements the fast way
// (render_fast.go) and one that prints them through the formatter alone:
// the plans, their node SQL and arguments, or the errors, must be
// identical.
func TestFastRenderMatchesFormatter(t *testing.T) {
	stmts, planStmts := routeCorpus(t)
	planTopo, testTopo := planTopology(t), testTopology(t)
	router := func(slow, cached bool, plan bool) *Router {
		cfg := Config{}
		if !cached {
			cfg.CacheSize = -1
		}
		topo := testTopo
		if plan {
			topo = planTopo // the plan golden files' topology
		}
		r, err := NewWithConfig(topo, cfg)
		require.NoError(t, err)
		r.slowRender = slow
		return r
	}
	for _, cached := range []bool{false, true} {
		fastPlan, slowPlan := router(false, cached, true), router(true, cached, true)
		fastTest, slowTest := router(false, cached, false), router(true, cached, false)
		for i, s := range stmts {
			fast, slow := fastTest, slowTest
			if i < planStmts {
				fast, slow = fastPlan, slowPlan
			}
			for round := 0; round < 2; round++ { // the second from the memo when cached
				want, wantErr := slow.RouteWith(s.sql, s.args, s.opts)
				got, gotErr := fast.RouteWith(s.sql, s.args, s.opts)
				requireSamePlan(t, s.sql, want, wantErr, got, gotErr)
			}
		}
	}
}

// corpusStmt is one statement of routeCorpus with its routing options.
type corpusStmt struct {
	sql  string
	args []any
	opts Options
}

// routeCorpus is every statement of the plan golden files (the first
// planStmts, for planTopology), the golden cases and renderCorpus (for
// testTopology).
func routeCorpus(t *testing.T) (stmts []corpusStmt, planStmts int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "plans", "*.txt"))
	require.NoError(t, err)
	for _, file := range files {
		cases := readPlanCases(t, file)
		opts := Options{WeightStrings: true, MaxMemoryRows: 10000}
		if len(cases) > 0 && len(cases[0].comments) > 0 {
			switch cases[0].comments[0] {
			case "# servers without collations":
				opts.WeightStrings = false
			case "# with the catalog":
				opts.Catalog = planCatalog()
			}
		}
		for _, c := range cases {
			var args []any
			if c.args != "" {
				require.NoError(t, json.Unmarshal([]byte(c.args), &args), c.sql)
				for j, a := range args {
					if f, ok := a.(float64); ok && f == float64(int64(f)) {
						args[j] = int64(f)
					}
				}
			}
			stmts = append(stmts, corpusStmt{c.sql, args, opts})
		}
	}
	planStmts = len(stmts)
	for _, tc := range goldenCases {
		stmts = append(stmts, corpusStmt{tc.sql, tc.args, tc.options()})
	}
	for _, c := range renderCorpus {
		stmts = append(stmts, corpusStmt{c.sql, c.args, Options{WeightStrings: true}})
		stmts = append(stmts, corpusStmt{c.sql, c.args, Options{Catalog: testCatalog()}})
	}
	require.Greater(t, planStmts, 200)
	return stmts, planStmts
}

// FuzzFastRender routes statements through a Router that prints node
// statements the fast way and one that prints them through the formatter
// alone: the plans, node SQL and arguments, or the errors, must be the
// same (go test ./route -run XXX -fuzz FuzzFastRender -fuzztime 60s).
func FuzzFastRender(f *testing.F) {
	for _, c := range renderCorpus {
		f.Add(c.sql)
	}
	for _, tc := range goldenCases {
		f.Add(tc.sql)
	}
	topo := testTopology(f)
	fast, err := NewWithConfig(topo, Config{CacheSize: -1})
	require.NoError(f, err)
	slow, err := NewWithConfig(topo, Config{CacheSize: -1})
	require.NoError(f, err)
	slow.slowRender = true
	parser, err := sqlparser.New(sqlparser.Options{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, sql string) {
		args := fuzzArgs(parser, sql)
		want, wantErr := slow.Route(sql, args)
		got, gotErr := fast.Route(sql, args)
		requireSamePlan(t, sql, want, wantErr, got, gotErr)
	})
}

// requireSamePlan requires two routings of name to give the same error, or
// the same plan with byte-identical node SQL and equal arguments.
func requireSamePlan(t *testing.T, name string, want *Plan, wantErr error, got *Plan, gotErr error) {
	t.Helper()
	if wantErr != nil {
		require.Error(t, gotErr, name)
		require.Equal(t, wantErr.Error(), gotErr.Error(), name)
		return
	}
	require.NoError(t, gotErr, name)
	require.Equal(t, want.String(), got.String(), name)
	require.Len(t, got.Units, len(want.Units), name)
	for j := range want.Units {
		require.Equal(t, want.Units[j].SQL, got.Units[j].SQL, name)
		require.True(t, reflect.DeepEqual(want.Units[j].Args, got.Units[j].Args), "%s: args %#v vs %#v", name, want.Units[j].Args, got.Units[j].Args)
	}
}
