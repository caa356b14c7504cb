package driver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// derivedQueries are derived tables and non-recursive CTEs whose rows each
// node computes exactly (filters and projections of one sharded table, or
// groups by its sharding column), with the outer query merged across
// nodes, compared with the oracle.
func derivedQueries() []diffQuery {
	return []diffQuery{
		ordered("SELECT s, COUNT(*) FROM (SELECT status AS s FROM t_order WHERE amount > 100) x GROUP BY s ORDER BY s"),
		unordered("SELECT s, COUNT(*) AS n, SUM(a) FROM (SELECT status AS s, amount AS a FROM t_order WHERE amount > ?) x GROUP BY s", 100),
		unordered("WITH big AS (SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id) SELECT COUNT(*) FROM big WHERE total > ?", 5000),
		// aggregates of aggregates (groups by the sharding column live on one node)
		unordered("SELECT MAX(n), MIN(n), SUM(n), COUNT(*) FROM (SELECT user_id, COUNT(*) AS n FROM t_order GROUP BY user_id) t"),
		ordered("SELECT n, COUNT(*) AS users FROM (SELECT user_id, COUNT(*) AS n FROM t_order GROUP BY user_id) t GROUP BY n ORDER BY n"),
		ordered("SELECT user_id, total FROM (SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id HAVING COUNT(*) > 2) t ORDER BY total DESC, user_id LIMIT 5"),
		ordered("SELECT * FROM (SELECT order_id, qty * 2 AS dq FROM t_order WHERE user_id IN (3, 4, 5)) d ORDER BY dq, order_id"),
		ordered("SELECT d.order_id FROM (SELECT order_id, status FROM t_order WHERE user_id = ?) AS d WHERE d.status = 'paid' ORDER BY d.order_id", 7),
		unordered("SELECT k, COUNT(*) FROM (SELECT DATE(created) AS k FROM t_order) x GROUP BY k"),
		// CTEs: one naming another, a column list, one used with an alias
		unordered("WITH a AS (SELECT user_id, amount FROM t_order WHERE qty > 3), b AS (SELECT user_id, SUM(amount) AS s FROM a GROUP BY user_id) SELECT COUNT(*), SUM(s) FROM b"),
		ordered("WITH c (u, q) AS (SELECT user_id, qty FROM t_order WHERE note IS NULL) SELECT u, MAX(q) FROM c GROUP BY u ORDER BY u LIMIT 20"),
		ordered("WITH c AS (SELECT order_id, amount FROM t_order) SELECT x.order_id FROM c AS x WHERE x.amount > 900 ORDER BY x.order_id"),
		// a CTE with a subquery bound first
		unordered("WITH c AS (SELECT user_id FROM t_order_item WHERE qty > 8) SELECT COUNT(*) FROM t_order WHERE user_id IN (SELECT user_id FROM c)"),
		// one node: pushed down whole
		ordered("SELECT s, COUNT(*) FROM (SELECT status AS s FROM t_order WHERE user_id = 5) x GROUP BY s ORDER BY s"),
	}
}

func TestDerivedDifferential(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env := newDiffEnv(t, b)
			for i, q := range derivedQueries() {
				env.check(t, q, fmt.Sprintf("derived %d", i))
			}
			t.Run("refused", func(t *testing.T) {
				for _, q := range []string{
					// (derived tables the nodes cannot compute alone are
					// evaluated above the merged rows: above_test.go)
					"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT COUNT(*) FROM t_order, r",
				} {
					_, err := runDiffQuery(env.sharded, q)
					require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
				}
			})
			t.Run("column names", func(t *testing.T) {
				got, err := runDiffQuery(env.sharded, "WITH big AS (SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id) SELECT COUNT(*), MAX(total) FROM big")
				require.NoError(t, err)
				require.Equal(t, []string{"COUNT(*)", "MAX(total)"}, got.cols)
				got, err = runDiffQuery(env.sharded, "SELECT COUNT(*) FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE qty > 8)")
				require.NoError(t, err)
				require.Equal(t, []string{"COUNT(*)"}, got.cols)
			})
			t.Run("explain", func(t *testing.T) {
				plan, err := driver.Explain(context.Background(), env.sharded, "WITH big AS (SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id) SELECT COUNT(*) FROM big WHERE total > ?", 10)
				require.NoError(t, err)
				s := plan.String()
				require.Contains(t, s, "OrderedAggregate")
				require.True(t, strings.Contains(s, "from (select user_id, sum(amount) as total from t_order_0 group by user_id) as big"), s)
			})
		})
	}
}
