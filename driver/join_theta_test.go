package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// thetaQueries are joins without an equality of the two sides: ranges,
// BETWEEN, OR, comparisons of text under its collation, cross joins, and
// correlated subqueries without an equality. The inner table is read
// whole and the condition evaluated for each pair.
func thetaQueries() []diffQuery {
	return []diffQuery{
		unordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.qty > u.score WHERE o.order_id < 60"),
		unordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.amount > u.score * 4 AND u.id < 20 WHERE o.order_id < 80"),
		unordered("SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.qty BETWEEN u.score - 1 AND u.score + 1 AND o.order_id < 150"),
		unordered("SELECT u.id, o.order_id, o.amount FROM t_user u LEFT JOIN t_order o ON o.amount < u.score AND o.order_id < 300 WHERE u.id < 40"),
		unordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.user_id = u.id OR o.user_id = u.ref WHERE o.order_id < 200"),
		unordered("SELECT o.order_id, u.id FROM t_order o, t_user u WHERE o.user_id = u.id + 1 AND o.order_id < 100"),
		unordered("SELECT o.order_id, u.id FROM t_order o, t_user u WHERE (o.user_id < u.ref OR u.ref IS NULL) AND o.order_id < 30 AND u.id <= 10"),
		// Text compared with its collation (case, accents, trailing spaces).
		unordered("SELECT u.id, g.id FROM t_user u JOIN t_tag g ON g.label = u.city OR g.weight > 8"),
		unordered("SELECT u.id, g.id FROM t_user u JOIN t_tag g ON g.label < u.city WHERE u.id < 30"),
		unordered("SELECT g.id, o.order_id FROM t_tag g LEFT JOIN t_order o ON o.status > g.label AND o.order_id < 40"),
		// Dates, a self-join across nodes.
		unordered("SELECT a.order_id, b.order_id FROM t_order a JOIN t_order b ON b.created BETWEEN a.created AND a.created + INTERVAL 2 HOUR WHERE a.order_id < 20 AND b.order_id < 400"),
		// Cross joins.
		unordered("SELECT o.order_id, c.name FROM t_order o, t_city c WHERE o.order_id < 6"),
		unordered("SELECT u.id, g.id FROM t_user u CROSS JOIN t_tag g WHERE u.id < 5"),
		unordered("SELECT u.id, g.id, v.tier FROM t_user u JOIN t_tag g JOIN t_vip v ON v.user_id = u.id WHERE g.id < 4"),
		unordered("SELECT COUNT(*), SUM(o.qty) FROM t_order o JOIN t_user u ON o.qty > u.score"),
		// A table the join reads no column of (c) between two others: its
		// rows are the constant 1, one column (the generator found the
		// next table's columns read one to the left: 8 times the rows).
		ordered("SELECT v.user_id, COUNT(*) FROM t_vip v JOIN t_city c ON c.region <> 'NEW ' JOIN t_tag g ON g.id BETWEEN v.user_id - 4 AND v.user_id + 4 GROUP BY v.user_id ORDER BY v.user_id"),
		unordered("SELECT g.id, COUNT(*) FROM t_tag g CROSS JOIN t_item i JOIN t_vip v ON g.weight > v.user_id WHERE g.id <= 49 AND i.item_id <= 28 GROUP BY g.id"),
		ordered("SELECT u.id, COUNT(o.order_id) FROM t_user u LEFT JOIN t_order o ON o.qty > u.score AND o.order_id < 500 GROUP BY u.id ORDER BY u.id"),
		// Three tables: a range join after a keyed one.
		unordered("SELECT o.order_id, u.id, g.id FROM t_order o JOIN t_user u ON u.id = o.user_id JOIN t_tag g ON g.weight * 10 > u.score WHERE o.order_id < 40"),
		// Correlated subqueries without an equality.
		unordered("SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_user u WHERE u.score > o.qty * 10) AND o.order_id < 300"),
		unordered("SELECT u.id FROM t_user u WHERE NOT EXISTS (SELECT 1 FROM t_order o WHERE o.qty > u.score)"),
		// Arguments in the pair condition.
		unordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.qty + ? > u.score WHERE o.order_id < ?", 3, 50),
	}
}

// TestCrossJoinTheta compares each join without an equality with the
// unsharded database, rows and column types, with the inner table
// whole in a HashJoin.
func TestCrossJoinTheta(t *testing.T) {
	env := newCrossEnv(t)
	for i, q := range thetaQueries() {
		env.check(t, q, fmt.Sprintf("theta %d", i))
		env.checkTypes(t, q)
	}
	p, err := driver.Explain(context.Background(), env.sharded, "SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.qty > u.score")
	require.NoError(t, err)
	require.Contains(t, p.String(), "HashJoin build u (at most 1000000 rows), inner, every pair, on", p.String())
	p, err = driver.Explain(context.Background(), env.sharded, "SELECT u.id, g.id FROM t_user u, t_tag g")
	require.NoError(t, err)
	require.Contains(t, p.String(), "every pair (no condition)", p.String())
}

// TestCrossJoinThetaLimits: an inner table past the memory cap fails the
// statement naming the operator and the option (there are no lookups to
// fall back to), before any row; conditions the evaluator cannot compute
// exactly are refused.
func TestCrossJoinThetaLimits(t *testing.T) {
	env := newCrossEnv(t, driver.WithMaxMemoryRows(30))
	_, err := runDiffQuery(env.sharded, "SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON o.qty > u.score WHERE o.order_id < 10")
	require.ErrorIs(t, err, driver.ErrTooLarge)
	require.ErrorContains(t, err, "shardsql: result too large")
	require.ErrorContains(t, err, "HashJoin")
	require.ErrorContains(t, err, "WithMaxMemoryRows")
	// Under the cap it answers.
	env.check(t, unordered("SELECT o.order_id, g.id FROM t_order o JOIN t_tag g ON g.weight > o.qty WHERE o.order_id < 10 AND g.id < 20"), "under the cap")

	full := newCrossEnv(t)
	_, err = runDiffQuery(full.sharded, "SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.qty > u.score / 7")
	require.ErrorIs(t, err, driver.ErrUnsupported)
}
