package driver_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// aboveQueries are SELECTs over derived tables and CTEs the nodes cannot
// compute alone: the derived table's SELECT is merged on its own and the
// outer SELECT evaluated above it, compared with the oracle.
func aboveQueries() []diffQuery {
	return []diffQuery{
		unordered("SELECT COUNT(*) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) x"),
		// what the one planner above a row stream adds for derived tables
		// and joins alike: DISTINCT aggregates (per-group sets),
		// aggregates of expressions, GROUP BY and ORDER BY expressions
		unordered("SELECT COUNT(DISTINCT n) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t"),
		unordered("SELECT COUNT(DISTINCT s), SUM(DISTINCT n), AVG(DISTINCT n), SUM(n * 2 + 1) FROM (SELECT status AS s, COUNT(*) AS n FROM t_order GROUP BY status) t"),
		ordered("SELECT n % 3 AS m, COUNT(*), SUM(n + ?) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n % 3 ORDER BY m", 2),
		ordered("SELECT status, n FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t ORDER BY n * -1, status"),
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
		// in a UNION: named by the first SELECT, typed as the aggregates make them
		unordered("SELECT COUNT(*) AS c FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) x UNION ALL SELECT COUNT(*) FROM t_order_item"),
		unordered("SELECT SUM(n), MAX(n) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) x UNION ALL SELECT SUM(qty), COUNT(*) FROM t_order"),
		// a UNION as the derived table
		unordered("SELECT COUNT(*), SUM(q), MAX(q) FROM (SELECT qty AS q FROM t_order WHERE user_id < 10 UNION ALL SELECT qty FROM t_order_item) u"),
		ordered("SELECT q, COUNT(*) FROM (SELECT qty AS q FROM t_order UNION SELECT qty FROM t_order_item) u GROUP BY q ORDER BY q"),
		// * in the derived table, from the catalog
		ordered("SELECT status, COUNT(*), MAX(amount), SUM(qty) FROM (SELECT * FROM t_order ORDER BY created DESC, order_id LIMIT 100) t GROUP BY status ORDER BY status"),
		ordered("WITH c AS (SELECT * FROM t_order WHERE qty > 15) SELECT note, COUNT(*) AS n FROM c GROUP BY note ORDER BY n DESC, note"),
		// select-list expressions over group keys, aggregates and raw rows
		ordered("SELECT n * 2 AS d, SUM(s) / COUNT(*) AS avg_s, CONCAT(k, '!') AS e, MAX(s) - MIN(s) FROM (SELECT status AS k, COUNT(*) AS n, SUM(amount) AS s FROM t_order GROUP BY status) t GROUP BY n, k ORDER BY d DESC, k"),
		ordered("SELECT order_id, amount * qty AS aq, qty + 1, amount - 0.5, COALESCE(note, 'none') AS nn, price * 2 FROM (SELECT order_id, amount, qty, note, price FROM t_order ORDER BY order_id LIMIT 60) d ORDER BY aq, order_id"),
		unordered("SELECT SUM(n) + 1, COUNT(*) * 10, AVG(n) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t"),
		unordered("SELECT t.status FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) AS t WHERE t.n BETWEEN 80 AND 100 AND t.status LIKE '%a%'"),
	}
}

// outsideQueries are uncorrelated subqueries outside WHERE (select list,
// HAVING, ORDER BY, ON) and beside derived tables, bound first.
func outsideQueries() []diffQuery {
	return []diffQuery{
		ordered("SELECT order_id, (SELECT MAX(qty) FROM t_order) AS m FROM t_order WHERE user_id = 7 ORDER BY order_id"),
		ordered("SELECT order_id, (SELECT MAX(qty) FROM t_order) FROM t_order WHERE user_id = 7 ORDER BY order_id"),
		ordered("SELECT order_id, amount - (SELECT MIN(amount) FROM t_order) AS d FROM t_order WHERE user_id IN (3, 9) ORDER BY order_id"),
		ordered("SELECT order_id, user_id IN (SELECT user_id FROM t_order_item WHERE qty > 8) AS f FROM t_order WHERE order_id < 40 ORDER BY order_id"),
		ordered("SELECT order_id, user_id NOT IN (SELECT qty FROM t_order WHERE qty > 15) AS f FROM t_order WHERE order_id < 40 ORDER BY order_id"),
		ordered("SELECT order_id, EXISTS (SELECT 1 FROM t_order WHERE amount > 400) AS e, NOT EXISTS (SELECT 1 FROM t_order WHERE amount > 1000000) AS ne FROM t_order WHERE order_id < 10 ORDER BY order_id"),
		ordered("SELECT status, COUNT(*) FROM t_order GROUP BY status HAVING COUNT(*) > (SELECT MIN(qty) * 10 FROM t_order) ORDER BY status"),
		ordered("SELECT status, COUNT(*) AS n FROM t_order GROUP BY status HAVING n >= (SELECT MIN(qty) FROM t_order WHERE qty > 5) ORDER BY n DESC, status"),
		ordered("SELECT order_id FROM t_order WHERE order_id < 30 ORDER BY (SELECT MAX(qty) FROM t_order), order_id"),
		ordered("SELECT order_id, (SELECT status FROM t_order WHERE order_id = 5) AS s FROM t_order WHERE order_id < 5 ORDER BY order_id"),
		ordered("SELECT order_id, (SELECT qty FROM t_order WHERE order_id = -1) AS none FROM t_order WHERE order_id < 5 ORDER BY order_id"),
		ordered("SELECT o.order_id, i.sku FROM t_order o JOIN t_order_item i ON i.user_id = o.user_id AND i.order_id = o.order_id AND i.qty > (SELECT AVG(qty) FROM t_order_item) WHERE o.user_id < 10 ORDER BY o.order_id, i.sku"),
		// correlated and co-located (bound tables on their sharding column): node by node
		ordered("SELECT o.order_id, (SELECT COUNT(*) FROM t_order_item i WHERE i.user_id = o.user_id AND i.order_id = o.order_id) AS items FROM t_order o WHERE o.order_id < 50 ORDER BY o.order_id"),
		ordered("SELECT o.order_id, (SELECT SUM(i.qty) FROM t_order_item i WHERE i.user_id = o.user_id) AS q FROM t_order o ORDER BY q DESC, o.order_id LIMIT 10"),
		ordered("SELECT o.order_id, (SELECT MAX(i.sku) FROM t_order_item i WHERE i.user_id = o.user_id AND i.order_id = o.order_id) FROM t_order o WHERE o.user_id > 50 ORDER BY o.order_id"),
		// beside a derived table, and a CTE referenced twice
		unordered("WITH s AS (SELECT status, SUM(amount) AS total FROM t_order GROUP BY status) SELECT COUNT(*) FROM s WHERE total > (SELECT AVG(total) FROM s)"),
		ordered("SELECT status, n FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t WHERE n IN (SELECT qty * 10 FROM t_order WHERE qty > 7) ORDER BY status"),
		unordered("SELECT (SELECT COUNT(*) FROM t_order_item) AS items, COUNT(*) FROM t_order"),
	}
}

func TestAboveDifferential(t *testing.T) {
	env := newDiffEnv(t, backends[1])
	for i, q := range aboveQueries() {
		env.check(t, q, fmt.Sprintf("above %d", i))
	}
	for i, q := range outsideQueries() {
		env.check(t, q, fmt.Sprintf("outside %d", i))
	}
	t.Run("column names", func(t *testing.T) {
		got, err := runDiffQuery(env.sharded, "WITH s AS (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) SELECT COUNT(*), MAX(n) AS top, SUM(s.n) FROM s")
		require.NoError(t, err)
		require.Equal(t, []string{"COUNT(*)", "top", "SUM(s.n)"}, got.cols)
		require.Equal(t, []string{"BIGINT", "BIGINT", "DECIMAL"}, got.types)
		got, err = runDiffQuery(env.sharded, "SELECT order_id, (SELECT MAX(qty) FROM t_order) FROM t_order WHERE user_id = 7")
		require.NoError(t, err)
		require.Equal(t, []string{"order_id", "(SELECT MAX(qty) FROM t_order)"}, got.cols)
	})
	t.Run("column types as the oracle's", func(t *testing.T) {
		for _, q := range []string{
			"SELECT n, COUNT(*), SUM(n), AVG(n), MIN(k), MAX(s), SUM(s), AVG(s), AVG(p), SUM(p), n * 2, SUM(s) / COUNT(*), CONCAT(k, 'x') FROM (SELECT status AS k, COUNT(*) AS n, SUM(amount) AS s, AVG(price) AS p FROM t_order GROUP BY status) t GROUP BY n, k",
			"SELECT order_id, amount, created, note, qty + 1 FROM (SELECT order_id, amount, created, note, qty FROM t_order ORDER BY order_id LIMIT 3) d",
		} {
			want, err := runDiffQuery(env.oracle, q)
			require.NoError(t, err, q)
			got, err := runDiffQuery(env.sharded, q)
			require.NoError(t, err, q)
			require.Equal(t, want.types, got.types, q)
			require.Equal(t, want.cols, got.cols, q)
		}
	})
	t.Run("in a transaction", func(t *testing.T) {
		tx, err := env.sharded.Begin()
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		for _, q := range []diffQuery{
			ordered("SELECT n, COUNT(*) FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n ORDER BY n"),
			ordered("WITH s AS (SELECT status, SUM(amount) AS total FROM t_order GROUP BY status) SELECT status FROM s WHERE total > (SELECT AVG(total) FROM s) ORDER BY status"),
			ordered("SELECT order_id, (SELECT MAX(qty) FROM t_order) AS m FROM t_order WHERE user_id = 7 ORDER BY order_id"),
		} {
			want, err := runDiffQuery(env.oracle, q.sql, q.args...)
			require.NoError(t, err)
			rows, err := tx.Query(q.sql, q.args...)
			require.NoError(t, err, q.sql)
			got, err := scanDiffRows(rows)
			require.NoError(t, err, q.sql)
			require.Empty(t, env.compareResults(q, want, got), q.sql)
		}
	})
	t.Run("errors where MySQL errors", func(t *testing.T) {
		for _, q := range []string{
			// HAVING without GROUP BY reads selected columns only
			"SELECT n FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t HAVING status > 'a'",
		} {
			_, oerr := runDiffQuery(env.oracle, q)
			require.Error(t, oerr, q)
			_, err := runDiffQuery(env.sharded, q)
			require.Error(t, err, q)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, q := range []string{
			"SELECT CONCAT(status, 'x') AS c FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t ORDER BY c",
			"SELECT n + 1 AS m FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n HAVING m > 2",
			"SELECT * FROM (SELECT status, COUNT(*) FROM t_order GROUP BY status) t",
			"SELECT s, COUNT(*) FROM (SELECT status AS s FROM t_order UNION ALL SELECT sku FROM t_order_item) u GROUP BY s",
			"SELECT status FROM (SELECT status, COUNT(*) AS n FROM t_order GROUP BY status) t GROUP BY n",
			"SELECT order_id, (SELECT price FROM t_order WHERE order_id = 1) FROM t_order",
			"SELECT o.order_id, (SELECT COUNT(*) FROM t_order_item i WHERE i.sku = o.status) FROM t_order o",
			"SELECT CONCAT(status, (SELECT status FROM t_order WHERE order_id = 1)) FROM t_order",
			"SELECT o.status, COUNT(*), (SELECT COUNT(*) FROM t_order_item i WHERE i.user_id = o.user_id) FROM t_order o GROUP BY o.status",
		} {
			_, err := runDiffQuery(env.sharded, q)
			require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		}
	})
}
