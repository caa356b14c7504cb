package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRefusalAdviceIsAccepted checks, for the refusals whose advice
// (round 21) names a form of the statement, that the refusal gives that
// advice and that the advised form plans: advice shardsql would refuse
// too is no advice.
func TestRefusalAdviceIsAccepted(t *testing.T) {
	r, err := New(planTopology(t))
	require.NoError(t, err)
	opts := Options{WeightStrings: true, MaxMemoryRows: 10000, Catalog: planCatalog()}
	for _, c := range []struct {
		refused, advice string
		advised         []string
	}{
		{"SELECT DISTINCT status FROM t_order ORDER BY amount", "(select it too, or order by a selected column)",
			[]string{"SELECT DISTINCT status, amount FROM t_order ORDER BY amount", "SELECT DISTINCT status FROM t_order ORDER BY status"}},
		{"SELECT SQL_CALC_FOUND_ROWS order_id FROM t_order WHERE amount > 1 LIMIT 1", "(count the rows with a second SELECT COUNT(*) with the same WHERE)",
			[]string{"SELECT order_id FROM t_order WHERE amount > 1 LIMIT 1", "SELECT COUNT(*) FROM t_order WHERE amount > 1"}},
		{"SELECT * FROM t_order ORDER BY 1", "(name the columns, or order by a column name)",
			[]string{"SELECT order_id, user_id FROM t_order ORDER BY 1", "SELECT * FROM t_order ORDER BY order_id"}},
		{"SELECT DISTINCT COUNT(*) FROM t_order GROUP BY status", "(select DISTINCT from a derived table",
			[]string{"SELECT DISTINCT c FROM (SELECT status, COUNT(*) AS c FROM t_order GROUP BY status) AS g"}},
		{"SELECT COUNT(DISTINCT status, kind) FROM t_order", "(count the rows of a derived table",
			[]string{"SELECT COUNT(*) FROM (SELECT DISTINCT status, kind FROM t_order WHERE status IS NOT NULL AND kind IS NOT NULL) AS d"}},
		{"SELECT status, COUNT(*) FROM t_order GROUP BY status WITH ROLLUP ORDER BY status DESC", "(drop the ORDER BY and take GROUP BY's order, or route the statement to one node",
			[]string{"SELECT status, COUNT(*) FROM t_order GROUP BY status WITH ROLLUP", "SELECT status, COUNT(*) FROM t_order WHERE user_id = 5 GROUP BY status WITH ROLLUP ORDER BY status DESC"}},
		{"SELECT status, COUNT(*) FROM t_order GROUP BY status WITH ROLLUP HAVING status > 'a'", "route the statement to one node with a condition on the sharding column",
			[]string{"SELECT status, COUNT(*) FROM t_order WHERE user_id = 5 GROUP BY status WITH ROLLUP HAVING status > 'a'"}},
		{"DELETE FROM t_order ORDER BY order_id LIMIT 1 RETURNING order_id", "(select the rows' keys first, then DELETE … WHERE key IN (?, …) RETURNING …)",
			[]string{"SELECT order_id, user_id FROM t_order ORDER BY order_id LIMIT 1", "DELETE FROM t_order WHERE order_id IN (1, 2) RETURNING order_id"}},
		{"SELECT status FROM t_order GROUP BY status HAVING AVG(amount) % 2 = 1", "(compare AVG(x) itself, or combine it with +, -, * or /)",
			[]string{"SELECT status FROM t_order GROUP BY status HAVING AVG(amount) > 2", "SELECT status FROM t_order GROUP BY status HAVING AVG(amount) * 2 > 2"}},
		{"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT COUNT(*) FROM t_order, r", "run the UNION or the CTE as its own statement",
			[]string{"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r", "SELECT COUNT(*) FROM t_order"}},
		{"SELECT x.user_id, u.name FROM (SELECT user_id FROM t_order UNION SELECT id FROM t_user) x JOIN t_user u ON u.id = x.user_id", "run the UNION or the CTE as its own statement",
			[]string{"SELECT user_id FROM t_order UNION SELECT id FROM t_user", "SELECT id, name FROM t_user WHERE id IN (1, 2)"}},
		{"SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT u.name FROM t_user u WHERE u.id = o.order_id GROUP BY u.name)", "(compute the groups in a derived table and join it)",
			[]string{"SELECT o.order_id FROM t_order o JOIN (SELECT u.id, u.name FROM t_user u GROUP BY u.id, u.name) g ON g.id = o.order_id"}},
		{"SELECT o.order_id FROM t_order o WHERE o.order_id IN (SELECT * FROM t_user u WHERE u.id = o.order_id)", "(select the one column by name)",
			[]string{"SELECT o.order_id FROM t_order o WHERE o.order_id IN (SELECT u.id FROM t_user u WHERE u.id = o.order_id)"}},
		{"SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_user u WHERE u.id = o.order_id LIMIT 1)", "(drop the LIMIT",
			[]string{"SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_user u WHERE u.id = o.order_id)"}},
		{"SELECT o.order_id FROM t_order o JOIN t_user o ON o.id = 1", "(MySQL's error 1066: give each an alias of its own)",
			[]string{"SELECT o.order_id FROM t_order o JOIN t_user u ON u.id = 1"}},
		{"SELECT c FROM (SELECT status, COUNT(*) AS c FROM t_order GROUP BY status) d FOR UPDATE", "lock the rows with a SELECT … FOR UPDATE of the table itself",
			[]string{"SELECT order_id FROM t_order WHERE status = 'x' FOR UPDATE", "SELECT c FROM (SELECT status, COUNT(*) AS c FROM t_order GROUP BY status) d"}},
		{"INSERT INTO t_order (order_id, user_id, status) VALUES (1, 2, 'a') ON DUPLICATE KEY UPDATE user_id = 3", "leave the sharding column out of ON DUPLICATE KEY UPDATE, and change it with an UPDATE",
			[]string{"INSERT INTO t_order (order_id, user_id, status) VALUES (1, 2, 'a') ON DUPLICATE KEY UPDATE status = 'b'", "UPDATE t_order SET user_id = 3 WHERE order_id = 1 AND user_id = 2"}},
		{"UPDATE t_order SET user_id = 1, user_id = 2 WHERE order_id = 3", "(set it once, to its final value)",
			[]string{"UPDATE t_order SET user_id = 2 WHERE order_id = 3"}},
	} {
		_, err := r.RouteWith(c.refused, nil, opts)
		if err == nil || !strings.Contains(err.Error(), c.advice) {
			t.Errorf("%s: got %v, want a refusal with %q", c.refused, err, c.advice)
		}
		for _, sql := range c.advised {
			if _, err := r.RouteWith(sql, nil, opts); err != nil {
				t.Errorf("%s: the advised %s is refused: %v", c.refused, sql, err)
			}
		}
	}
}
