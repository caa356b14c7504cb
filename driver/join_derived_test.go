package driver_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// derivedJoinQueries join derived tables and CTEs (grouped, limited,
// distinct, filtered, with arguments) with tables and with each other,
// across nodes: each must return what one unsharded database returns.
func derivedJoinQueries() []diffQuery {
	return []diffQuery{
		unordered("SELECT x.user_id, x.s, u.name FROM (SELECT user_id, SUM(amount) s FROM t_order GROUP BY user_id) x JOIN t_user u ON u.id = x.user_id"),
		unordered("SELECT x.user_id, x.s, u.name FROM (SELECT user_id, SUM(amount) s FROM t_order GROUP BY user_id) x JOIN t_user u ON u.id = x.user_id WHERE x.s > ? AND u.score > 10", 5000),
		unordered("WITH big AS (SELECT user_id, SUM(amount) AS total FROM t_order GROUP BY user_id) SELECT u.id, big.total FROM t_user u LEFT JOIN big ON big.user_id = u.id"),
		unordered("WITH big AS (SELECT user_id, COUNT(*) AS n FROM t_order WHERE amount > ? GROUP BY user_id) SELECT u.id FROM t_user u LEFT JOIN big ON big.user_id = u.ref WHERE big.user_id IS NULL", 300),
		unordered("SELECT x.order_id, x.amount, u.name FROM (SELECT order_id, user_id, amount FROM t_order ORDER BY amount DESC, order_id LIMIT 20) x JOIN t_user u ON u.id = x.user_id"),
		unordered("SELECT COUNT(*) FROM (SELECT status FROM t_order) a JOIN (SELECT status FROM t_order) b ON a.status = b.status"),
		unordered("SELECT a.n, b.w FROM (SELECT status, COUNT(*) n FROM t_order GROUP BY status) a JOIN (SELECT label, SUM(weight) w FROM t_tag GROUP BY label) b ON b.label = a.status"),
		ordered("SELECT u.name, SUM(x.s), COUNT(*) FROM t_user u JOIN (SELECT user_id, SUM(qty) s FROM t_order GROUP BY user_id) x ON x.user_id = u.id GROUP BY u.name ORDER BY u.name"),
		unordered("SELECT u.id, x.user_id FROM t_user u JOIN (SELECT user_id, MAX(qty) m FROM t_order GROUP BY user_id) x ON x.m > u.score WHERE u.id < 20"),
		unordered("SELECT x.user_id, i.item_id FROM (SELECT DISTINCT user_id FROM t_order WHERE order_id < 100) x JOIN t_item i ON i.user_id = x.user_id"),
		unordered("SELECT x.user_id, x.n, v.tier FROM (SELECT user_id, COUNT(*) n FROM t_order GROUP BY user_id) x JOIN t_vip v ON v.user_id = x.user_id"),
		unordered("SELECT c.name, x.n FROM t_city c LEFT JOIN (SELECT city, COUNT(*) n FROM t_user WHERE city IS NOT NULL GROUP BY city) x ON x.city = c.name"),
		unordered("SELECT o.order_id, x.s FROM t_order o JOIN (SELECT user_id, SUM(qty) s FROM t_item GROUP BY user_id) x ON x.user_id = o.user_id WHERE o.order_id < 200"),
	}
}

// TestCrossJoinDerived compares joins of derived tables and CTEs with the
// unsharded database, rows and column types; a derived inner side is
// read whole into a HashJoin, beyond the cap ErrTooLarge.
func TestCrossJoinDerived(t *testing.T) {
	env := newCrossEnv(t)
	for i, q := range derivedJoinQueries() {
		env.check(t, q, fmt.Sprintf("derived %d", i))
		env.checkTypes(t, q)
	}
	small := env.with(t, driver.WithMaxMemoryRows(20))
	_, err := runDiffQuery(small.sharded, "SELECT o.order_id, x.s FROM t_order o JOIN (SELECT user_id, SUM(qty) s FROM t_item GROUP BY user_id) x ON x.user_id = o.user_id WHERE o.order_id < 200")
	require.ErrorIs(t, err, driver.ErrTooLarge)
	require.ErrorContains(t, err, "HashJoin")
	for _, q := range []string{
		"SELECT x.a, u.name FROM (SELECT user_id FROM t_order) x (a) JOIN t_user u ON u.id = x.a",
		"SELECT x.user_id, u.name FROM (SELECT user_id FROM t_order UNION SELECT id FROM t_user) x JOIN t_user u ON u.id = x.user_id",
		"SELECT x.nope, u.name FROM (SELECT user_id FROM t_order) x JOIN t_user u ON u.id = x.user_id",
		// MAX of text: its collation is not in the merged rows.
		"SELECT x.user_id, g.id FROM (SELECT user_id, MAX(status) m FROM t_order GROUP BY user_id) x JOIN t_tag g ON g.label = x.m",
		"SELECT x.user_id, u.id FROM (SELECT user_id, MAX(status) m FROM t_order GROUP BY user_id) x JOIN t_user u ON u.name = x.m",
	} {
		_, err := runDiffQuery(env.sharded, q)
		require.Error(t, err, q)
		if _, oerr := runDiffQuery(env.oracle, q); oerr == nil {
			require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		}
	}
}
