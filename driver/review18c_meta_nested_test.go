package driver_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// review18cNestedCases are information_schema lookups of the sharded
// table r16 nested in a subquery, derived table, CTE or UNION: before
// review18c each went to the home data source as written and answered
// about no table (0, no rows) or counted node tables, silently; now each
// is refused. Beside them, the lookups that must still answer: the same
// questions as statements of their own, and nested lookups about tables
// the servers hold under their own names.
var review18cNestedCases = []attack16Case{
	// Laravel's hasTable, hand-written existence checks
	{sql: "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'r16') AS `exists`", refuse: "information_schema lookup of sharded table r16 inside a subquery"},
	{sql: "SELECT IF(EXISTS(SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'r16' AND index_name = 'PRIMARY'), 'yes', 'no')", refuse: "of sharded table r16 inside"},
	{sql: "SELECT 1 FROM dual WHERE EXISTS (SELECT * FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16' AND column_name = 'g')", refuse: "of sharded table r16 inside"},
	{sql: "SELECT (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16')", refuse: "of sharded table r16 inside"},
	{sql: "SELECT COUNT(*) FROM (SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16') t", refuse: "of sharded table r16 inside"},
	{sql: "WITH c AS (SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16') SELECT COUNT(*) FROM c", refuse: "of sharded table r16 inside"},
	{sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16' AND column_name = 'g' UNION ALL SELECT 'x'", refuse: "of sharded table r16 inside"},
	{sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16' AND column_name = 'g' UNION ALL SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16b' AND column_name = 'e'", refuse: "of sharded table r16 inside"},
	{sql: "SELECT COUNT(*) FROM (SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()) t", refuse: "names a sharded table or lists the database's tables inside"},
	{sql: "SELECT id FROM r16 WHERE id = 1 AND EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16' AND column_name = 'g')", refuse: "of sharded table r16 inside"},
	// a table_name condition under OR: no name conjunct, taken for a
	// lookup about no logical table, sent as written (no rows)
	{sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16' OR table_name = 'nosuch'", refuse: "of sharded table r16 whose table_name condition is not a condition of its own"},
	{sql: "SELECT column_name FROM information_schema.columns WHERE table_name = 'r16' OR table_name = 'r16b'", refuse: "whose table_name condition is not a condition of its own"},
	{sql: "SELECT table_name FROM information_schema.tables WHERE table_name = 'nosuch' OR table_name = 'r16'", refuse: "of sharded table r16 whose table_name condition"},
	{sql: "SELECT table_name FROM information_schema.tables WHERE table_name = 'nosuch' OR table_name = 'r18c_plain'"},
	// the lookup as its own statement: rewritten, exact
	{sql: "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'r16'"},
	{sql: "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r16'"},
	{sql: "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'r16' AND index_name = 'PRIMARY' LIMIT 1"},
	// nested lookups about tables the home server holds by their names
	{sql: "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'nosuch')"},
	{sql: "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'r18c_plain') AS `exists`"},
	{sql: "SELECT (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r18c_plain')"},
	{sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r18c_plain' UNION ALL SELECT 'x'"},
}

// TestReview18cMetadataNested runs review18cNestedCases over r16 (and an
// unsharded table r18c_plain) against the unsharded oracle.
func TestReview18cMetadataNested(t *testing.T) {
	e := newR16Env(t, "review18c_nested")
	for _, q := range []string{"DROP TABLE IF EXISTS r18c_plain", "CREATE TABLE r18c_plain (id INT PRIMARY KEY, v INT)"} {
		_, err := e.oracle.Exec(q)
		require.NoError(t, err)
		_, err = e.sharded.Exec(q)
		require.NoError(t, err)
	}
	e.checkCases(t, review18cNestedCases)
}

// TestReview18cMetadataNestedArgs asks a nested lookup by a ? argument:
// answered for a name the home server holds, several times (the plan
// cache may learn it), then refused for the sharded table.
func TestReview18cMetadataNestedArgs(t *testing.T) {
	e := newR16Env(t, "review18c_nested_args")
	q := "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?)"
	for i := 0; i < 3; i++ {
		var n int
		require.NoError(t, e.sharded.QueryRow(q, "nosuch").Scan(&n))
		require.Equal(t, 0, n)
	}
	var n int
	err := e.sharded.QueryRow(q, "r16").Scan(&n)
	require.ErrorContains(t, err, "shardsql: unsupported: information_schema lookup of sharded table r16 inside a subquery")
	require.NoError(t, e.oracle.QueryRow(q, "r16").Scan(&n))
	require.Equal(t, 1, n)
}
