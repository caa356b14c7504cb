package driver_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttackPreparedReuse: one prepared statement (and the plan cache)
// run with arguments that change its plan — a deep page's offset below
// and above the threshold, a subquery's values, a derived table's filter
// — must answer each execution as the oracle does.
func TestAttackPreparedReuse(t *testing.T) {
	env := newAttackEnv(t, "attack_prepared")
	for _, c := range []struct {
		sql  string
		args [][]any
	}{
		{"SELECT id, n FROM t_kind ORDER BY n, id LIMIT ?, ?", [][]any{{0, 10}, {600, 20}, {5, 5}, {1190, 20}, {1300, 5}, {300, 0}, {256, 40}}},
		{"SELECT id, gci FROM t_kind WHERE gci >= ? ORDER BY gci DESC, id LIMIT ?, ?", [][]any{{"a", 400, 20}, {"b", 0, 10}, {"", 900, 30}, {"zz", 1, 1}}},
		{"SELECT id FROM t_kind WHERE n IN (SELECT k FROM t_side WHERE k > ?) ORDER BY id LIMIT ?", [][]any{{3, 10}, {100, 10}, {-1, 50}, {nil, 5}}},
		{"SELECT id FROM t_kind WHERE n = (SELECT k FROM t_side WHERE id = ?) ORDER BY id", [][]any{{1}, {-1}, {7}}},
		{"SELECT n, c FROM (SELECT n, COUNT(*) AS c FROM t_kind WHERE user_id > ? GROUP BY n) x WHERE c > ? ORDER BY n", [][]any{{5, 10}, {35, 0}, {0, 100}}},
		{"SELECT id, n FROM (SELECT id, n FROM t_kind ORDER BY id LIMIT ?) x ORDER BY n, id LIMIT ?, ?", [][]any{{100, 0, 10}, {1000, 400, 10}, {5, 0, 10}}},
	} {
		stmt, err := env.sharded.Prepare(c.sql)
		require.NoError(t, err, c.sql)
		for i, args := range c.args {
			want, err := runDiffQuery(env.oracle, c.sql, args...)
			require.NoError(t, err)
			rows, err := stmt.Query(args...)
			require.NoError(t, err, "%s %v", c.sql, args)
			got, err := scanDiffRows(rows)
			require.NoError(t, err)
			require.Empty(t, env.compare(ordered(c.sql, args...), want, got), fmt.Sprintf("%s %v (%d)", c.sql, args, i))
			// the same through the plan cache, unprepared
			env.exact(t, ordered(c.sql, args...), fmt.Sprintf("cached %d", i))
		}
		require.NoError(t, stmt.Close())
	}
}
