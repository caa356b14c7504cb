package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWrites18DeleteLimitPlan: DELETE … LIMIT n without ORDER BY that
// reaches several nodes is planned as a DeleteLimit, its units the node
// statements without LIMIT (the driver appends what is left), with n read
// from a literal or a ? argument (writes18). Before, it was refused.
func TestWrites18DeleteLimitPlan(t *testing.T) {
	r := testRouter(t)
	cases := []struct {
		sql   string
		args  []any
		n     uint64
		units int
		args0 []any // the first unit's args
	}{
		{sql: "DELETE FROM t_user WHERE name < 'm' LIMIT 1000", n: 1000, units: 4},
		{sql: "DELETE FROM t_user WHERE name < ? LIMIT ?", args: []any{"m", int64(3)}, n: 3, units: 4, args0: []any{"m"}},
		{sql: "DELETE FROM t_user LIMIT ?", args: []any{uint64(7)}, n: 7, units: 4},
		{sql: "DELETE FROM t_user WHERE id IN (1, 2) LIMIT 1", n: 1, units: 2},
		{sql: "DELETE FROM t_user LIMIT 0", n: 0, units: 4},
		{sql: "DELETE FROM t_user LIMIT ?", args: []any{int64(0)}, n: 0, units: 4},
		{sql: "DELETE FROM t_user LIMIT 18446744073709551615", n: 18446744073709551615, units: 4},
		{sql: "DELETE FROM t_order WHERE created < ? LIMIT ?", args: []any{"2020-01-01", 100}, n: 100, units: 8, args0: []any{"2020-01-01"}},
		{sql: "DELETE FROM t_user WHERE name < 'm' LIMIT 5 -- purge", n: 5, units: 4},
		{sql: "DELETE FROM t_user WHERE name < 'm' LIMIT 5 /* purge */", n: 5, units: 4},
	}
	for _, tc := range cases {
		p, err := r.Route(tc.sql, tc.args)
		require.NoError(t, err, tc.sql)
		require.NotNil(t, p.DeleteLimit, tc.sql)
		require.Equal(t, tc.n, p.DeleteLimit.N, tc.sql)
		require.Len(t, p.Units, tc.units, tc.sql)
		for _, u := range p.Units {
			require.NotContains(t, strings.ToLower(u.SQL), "limit", tc.sql)
			require.Equal(t, tc.args0, u.Args, tc.sql)
		}
		// The LIMIT is appended: nothing may follow the WHERE clause
		// (a trailing comment would swallow it).
		require.True(t, strings.HasSuffix(p.DeleteLimit.UnitSQL(p.Units[0], 5), " limit 5"), p.DeleteLimit.UnitSQL(p.Units[0], 5))
		require.NotContains(t, p.Units[0].SQL, "--", tc.sql)
		require.NotContains(t, p.Units[0].SQL, "*/", tc.sql)
		require.Contains(t, p.String(), "node by node in one transaction")
	}
	// One node: the statement goes there whole, LIMIT as written.
	p, err := r.Route("DELETE FROM t_user WHERE id = 1 LIMIT 5", nil)
	require.NoError(t, err)
	require.Nil(t, p.DeleteLimit)
	require.Len(t, p.Units, 1)
	require.Contains(t, p.Units[0].SQL, "limit 5")
}

// TestWrites18DeleteLimitRefused: what node by node cannot make exact
// stays refused, and a LIMIT MySQL would reject is refused before anything
// runs.
func TestWrites18DeleteLimitRefused(t *testing.T) {
	r := testRouter(t)
	cases := []errorCase{
		{name: "order by", sql: "DELETE FROM t_user WHERE name < 'm' ORDER BY id LIMIT 10",
			contains: []string{"DELETE … ORDER BY … LIMIT on sharded table t_user across 4 nodes without the servers' catalog"}}, // writes19: runs with the catalog
		{name: "update limit", sql: "UPDATE t_user SET name = 'x' WHERE name < 'm' ORDER BY id LIMIT 10", // writes19 runs it without ORDER BY
			contains: []string{"UPDATE … ORDER BY … LIMIT on sharded table t_user across 4 nodes without the servers' catalog"}},
		{name: "ignore", sql: "DELETE IGNORE FROM t_user WHERE name < 'm' LIMIT 10",
			contains: []string{"DELETE IGNORE … LIMIT on sharded table t_user across 4 nodes"}},
		{name: "returning", sql: "DELETE FROM t_user WHERE name < 'm' LIMIT 10 RETURNING id",
			contains: []string{"DELETE … ORDER BY/LIMIT with RETURNING across nodes"}},
		{name: "offset", sql: "DELETE FROM t_user LIMIT 1, 2",
			contains: []string{"DELETE … LIMIT with an offset on sharded table t_user"}},
		{name: "negative literal", sql: "DELETE FROM t_user LIMIT -1",
			contains: []string{"DELETE … LIMIT -1 on sharded table t_user", "non-negative integer"}},
		{name: "decimal", sql: "DELETE FROM t_user LIMIT 1.5",
			contains: []string{"DELETE … LIMIT 1.5 on sharded table t_user"}},
		{name: "string literal", sql: "DELETE FROM t_user LIMIT '3'",
			contains: []string{"on sharded table t_user", "non-negative integer"}},
		{name: "variable", sql: "DELETE FROM t_user LIMIT @n",
			contains: []string{"DELETE … LIMIT @n on sharded table t_user"}},
		{name: "negative argument", sql: "DELETE FROM t_user LIMIT ?", args: []any{int64(-1)},
			contains: []string{"DELETE … LIMIT ? given -1 on sharded table t_user"}},
		{name: "string argument", sql: "DELETE FROM t_user LIMIT ?", args: []any{"3x"},
			contains: []string{"DELETE … LIMIT ? given a string"}},
		{name: "float argument", sql: "DELETE FROM t_user LIMIT ?", args: []any{2.5},
			contains: []string{"DELETE … LIMIT ? given 2.5"}},
		{name: "null argument", sql: "DELETE FROM t_user LIMIT ?", args: []any{nil},
			contains: []string{"DELETE … LIMIT ? given NULL"}},
		{name: "multi-table", sql: "DELETE t_user FROM t_user JOIN t_order ON t_user.id = t_order.user_id WHERE t_order.user_id > 5",
			contains: []string{"t_user"}},
	}
	for _, tc := range cases {
		tc.unsupported = true
		t.Run(tc.name, func(t *testing.T) { checkRouteError(t, r, tc) })
	}
}
