package route

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// review18cCases are refusals of what ORMs send every day whose messages
// did not say what to send instead (review18c).
var review18cCases = []errorCase{
	// gorm: Where("created_at < ?", t).Limit(1000).Delete(&Log{})
	// (the batched purge without ORDER BY runs since writes18: writes18_test.go)
	{name: "ordered purge across nodes", sql: "DELETE FROM t_user WHERE name < 'm' ORDER BY id LIMIT 1000",
		contains: []string{"DELETE … ORDER BY … LIMIT on sharded table t_user across 4 nodes without the servers' catalog", "select the rows' keys first", "DELETE them by key"}}, // writes19 runs it with the catalog
	{name: "ordered update across nodes", sql: "UPDATE t_user SET name = 'x' WHERE name = 'a' ORDER BY id LIMIT 5",
		contains: []string{"UPDATE … ORDER BY … LIMIT", "UPDATE them by key"}},
	// gorm's Migrator().CreateView, migrations' DDL naming a sharded table
	{name: "create view", sql: "CREATE VIEW v_user AS SELECT id, name FROM t_user",
		contains: []string{"CREATE VIEW on sharded table t_user", "send the view's SELECT through shardsql"}},
	{name: "create or replace view", sql: "CREATE OR REPLACE VIEW v_user AS SELECT id FROM t_user WHERE name = 'a'",
		contains: []string{"on sharded table t_user", "send the view's SELECT through shardsql"}},
	{name: "rename table", sql: "RENAME TABLE t_user TO t_person",
		contains: []string{"RENAME TABLE on sharded table t_user", "register the new name"}},
	{name: "create table like", sql: "CREATE TABLE t_user_copy LIKE t_user",
		contains: []string{"CREATE TABLE … LIKE with sharded table t_user", "SHOW CREATE TABLE t_user"}},
	{name: "create table as select", sql: "CREATE TABLE t_user_copy AS SELECT * FROM t_user",
		contains: []string{"CREATE TABLE … AS SELECT with sharded table t_user", "column list"}},
	{name: "analyze", sql: "ANALYZE TABLE t_user",
		contains: []string{"on sharded table t_user", "once per node table"}},
}

func TestReview18cMessages(t *testing.T) {
	r := testRouter(t)
	for _, tc := range review18cCases {
		tc.unsupported = true
		t.Run(tc.name, func(t *testing.T) { checkRouteError(t, r, tc) })
	}
}

// TestReview18cNestedMetadata: information_schema lookups nested in a
// subquery, derived table, CTE or UNION are refused when they name a
// sharded table (its node tables are what the servers hold), and run as
// written about a broadcast table (every data source holds a copy under
// its own name) or an unsharded one.
func TestReview18cNestedMetadata(t *testing.T) {
	topo := testTopology(t)
	require.NoError(t, topo.AddBroadcastTable("t_city"))
	r, err := New(topo)
	require.NoError(t, err)
	for _, tc := range []struct {
		sql    string
		refuse string
	}{
		{"SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 't_user')", "of sharded table t_user inside a subquery"},
		{"SELECT (SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 't_order')", "of sharded table t_order inside"},
		{"SELECT 1 FROM t_user WHERE id = 1 AND EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_name = 't_user')", "of sharded table t_user inside"},
		{"SELECT table_name FROM information_schema.tables WHERE table_name = 't_user' UNION ALL SELECT 'x'", "of sharded table t_user inside"},
		{"SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 't_city')", ""},
		{"SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'plain')", ""},
		{"SELECT table_name FROM information_schema.tables WHERE table_name = 'plain' OR table_name = 't_city'", ""},
		{"SELECT table_name FROM information_schema.tables WHERE table_name = 'plain' OR table_name = 't_user'", "of sharded table t_user whose table_name condition is not a condition of its own"},
	} {
		p, err := r.Route(tc.sql, nil)
		if tc.refuse == "" {
			require.NoError(t, err, tc.sql)
			require.NotNil(t, p, tc.sql)
			continue
		}
		require.ErrorIs(t, err, ErrUnsupported, tc.sql)
		require.Contains(t, err.Error(), tc.refuse, tc.sql)
	}
}
