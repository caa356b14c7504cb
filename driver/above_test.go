package driver_test

import (
	"fmt"
	"testing"
)

// aboveQueries are SELECTs over derived tables and CTEs the nodes cannot
// compute alone: the derived table's SELECT is merged on its own and the
// outer SELECT evaluated above it, compared with the oracle.
func aboveQueries() []diffQuery {
	return []diffQuery{
		unordered("SELECT COUNT(*) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) x"),
		unordered("SELECT SUM(amount) FROM (SELECT amount FROM t_order ORDER BY amount DESC, order_id LIMIT 10) x"),
		unordered("SELECT COUNT(*) FROM (SELECT DISTINCT status FROM t_order) x"),
		ordered("SELECT s, COUNT(*) AS c FROM (SELECT DISTINCT status AS s, user_id FROM t_order WHERE user_id < 20) x GROUP BY s ORDER BY c DESC, s"),
		unordered("SELECT MAX(n), MIN(n), SUM(n), AVG(n), COUNT(n) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t"),
		ordered("SELECT n, COUNT(*) AS statuses FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n ORDER BY n"),
		ordered("SELECT * FROM (SELECT status, SUM(amount) AS total, AVG(qty) AS q FROM t_order GROUP BY status) t WHERE total > ? ORDER BY total DESC", 1000),
		unordered("WITH big AS (SELECT qty, SUM(amount) AS total FROM t_order GROUP BY qty) SELECT COUNT(*) FROM big WHERE total > ?", 5000),
		ordered("WITH s AS (SELECT status, MAX(amount) AS top FROM t_order GROUP BY status) SELECT status, top FROM s WHERE status <> 'paid' ORDER BY top DESC, status LIMIT 3"),
		ordered("SELECT q, SUM(a) AS s, AVG(a), MIN(a), MAX(a), COUNT(a) FROM (SELECT qty AS q, amount AS a FROM t_order ORDER BY amount DESC, order_id LIMIT 300) d GROUP BY q HAVING COUNT(*) > 3 ORDER BY q"),
		ordered("SELECT DISTINCT q FROM (SELECT qty AS q FROM t_order ORDER BY order_id LIMIT 50) d ORDER BY q"),
		ordered("SELECT order_id, amount FROM (SELECT order_id, amount FROM t_order ORDER BY amount DESC, order_id LIMIT 40) d WHERE amount < 450 ORDER BY order_id LIMIT 5 OFFSET 2"),
		unordered("SELECT status, SUM(price), AVG(price) FROM (SELECT status, price FROM t_order WHERE qty > 10) d GROUP BY status"),
		ordered("SELECT note, COUNT(*) FROM (SELECT note, status FROM t_order GROUP BY note, status) d GROUP BY note ORDER BY note"),
		// a derived table of a derived table, both above the nodes
		unordered("SELECT COUNT(*), SUM(c) FROM (SELECT n, COUNT(*) AS c FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) a GROUP BY n) b"),
		// empty input
		unordered("SELECT COUNT(*), SUM(n), MAX(n) FROM (SELECT status, COUNT(*) AS n FROM t_order WHERE amount > 100000 GROUP BY status) t"),
		ordered("SELECT status, n FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t HAVING n > 90 ORDER BY 2, 1"),
		unordered("SELECT t.status FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) AS t WHERE t.n BETWEEN 80 AND 100 AND t.status LIKE '%a%'"),
	}
}

func TestAboveDifferential(t *testing.T) {
	env := newDiffEnv(t, backends[1])
	for i, q := range aboveQueries() {
		env.check(t, q, fmt.Sprintf("above %d", i))
	}
}
