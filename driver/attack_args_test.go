package driver_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttackArgsOrder: `?` arguments in several places of one statement
// (a derived table, a CTE referenced twice, subqueries bound first, the
// outer WHERE, HAVING, LIMIT) must each bind to its own place however the
// router rewrites and splits the statement.
func TestAttackArgsOrder(t *testing.T) {
	env := newAttackEnv(t, "attack_args")
	for i, q := range []diffQuery{
		ordered("SELECT n, c FROM (SELECT n, COUNT(*) AS c FROM t_kind WHERE user_id > ? GROUP BY n) x WHERE n IN (SELECT k FROM t_side WHERE k > ?) AND c > ? ORDER BY n", 5, 2, 10),
		ordered("SELECT n, c FROM (SELECT n, COUNT(*) AS c FROM t_kind WHERE user_id > ? GROUP BY n) x WHERE c > (SELECT MIN(k) FROM t_side WHERE k > ?) ORDER BY n LIMIT ?", 5, 2, 4),
		ordered("SELECT id FROM t_kind WHERE n = (SELECT k FROM t_side WHERE id = ?) AND user_id < ? AND gci IN (SELECT gci FROM t_side WHERE k = ?) ORDER BY id LIMIT ?, ?", 1, 30, 4, 1, 5),
		ordered("WITH s AS (SELECT n, COUNT(*) AS c FROM t_kind WHERE dc > ? GROUP BY n) SELECT n, c FROM s WHERE c + ? > (SELECT AVG(c) FROM s) ORDER BY n", -50, 5),
		ordered("WITH s AS (SELECT n, COUNT(*) AS c FROM t_kind WHERE dc > ? GROUP BY n) SELECT a.n FROM s a WHERE a.c >= ? AND a.n IN (SELECT k FROM t_side WHERE k < ?) ORDER BY a.n", -50, 10, 8),
		ordered("SELECT n, COUNT(*) FROM (SELECT n, id FROM t_kind WHERE user_id <> ? ORDER BY id LIMIT ?) x WHERE n > ? GROUP BY n HAVING COUNT(*) > ? ORDER BY n LIMIT ?", 3, 300, 1, 5, 6),
		ordered("SELECT id, (SELECT MAX(k) FROM t_side WHERE id < ?) AS m, n + ? AS p FROM t_kind WHERE user_id = ? AND n > (SELECT MIN(k) FROM t_side WHERE id > ?) ORDER BY id", 30, 100, 7, 5),
		ordered("SELECT n FROM t_kind WHERE user_id = ? GROUP BY n HAVING COUNT(*) > (SELECT MIN(k) FROM t_side WHERE id > ?) - ? ORDER BY n", 7, 5, 2),
		ordered("SELECT id, n FROM t_kind WHERE n IN (SELECT k FROM t_side WHERE gci = ?) AND gci <> ? ORDER BY n, id LIMIT ?, ?", "a", "b", 300, 10),
		ordered("SELECT x.n, x.c FROM (SELECT n, COUNT(*) AS c FROM (SELECT n, id FROM t_kind WHERE user_id > ? ORDER BY id LIMIT ?) y WHERE n < ? GROUP BY n) x WHERE x.c > ? ORDER BY x.n", 2, 400, 8, 3),
	} {
		env.exact(t, q, fmt.Sprintf("args %d", i))
	}
	t.Run("bound values cap", func(t *testing.T) {
		small := openDB(t, env.topo, driver.WithMaxMemoryRows(5))
		_, err := runDiffQuery(small, "SELECT COUNT(*) FROM t_kind WHERE n IN (SELECT k FROM t_side)")
		require.ErrorContains(t, err, "result too large")
		_, err = runDiffQuery(small, "SELECT COUNT(*) FROM t_kind WHERE n NOT IN (SELECT k FROM t_side)")
		require.ErrorContains(t, err, "result too large")
		_, err = runDiffQuery(small, "SELECT COUNT(*) FROM t_kind WHERE n = ANY (SELECT k FROM t_side)")
		require.ErrorContains(t, err, "result too large")
		// at the cap: answered
		q := unordered("SELECT COUNT(*) FROM t_kind WHERE n IN (SELECT k FROM t_side WHERE id <= 5)")
		(&attackEnv{diffEnv: &diffEnv{oracle: env.oracle, sharded: small, mariadb: true}}).exact(t, q, "at the cap")
	})
}
