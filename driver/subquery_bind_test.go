package driver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// newSubqueryEnv is newDiffEnv keeping the topology, for a second pool
// with other options over the same data.
func newSubqueryEnv(t *testing.T, b backend) (*diffEnv, *shard.Topology) {
	servers := b.start(t, 2)
	oracle := oracleDB(t, servers[0], "oracle")
	_, err := oracle.Exec(diffDDL)
	require.NoError(t, err)
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	addExtraTables(t, topo)
	sharded := openDB(t, topo)
	_, err = sharded.Exec(diffDDL)
	require.NoError(t, err)
	n := 1500
	if raceBuild && b.name != "mariadb" {
		// go-mysql-server evaluates a correlated subquery row by row:
		// over 1,500 rows one such statement took its oracle more than a
		// minute under the race detector on a loaded machine.
		n = 500
	}
	rows := diffData(1, n)
	insertDiffRows(t, oracle, rows)
	insertDiffRows(t, sharded, rows)
	loadExtraTables(t, oracle, rows)
	loadExtraTables(t, sharded, rows)
	return &diffEnv{oracle: oracle, sharded: sharded, mariadb: b.name == "mariadb"}, topo
}

// boundSubqueryQueries are uncorrelated subqueries whose tables are not
// co-located with the outer query's: the subquery runs first, its values
// are bound into the outer statement, which is then routed.
func boundSubqueryQueries() []diffQuery {
	return []diffQuery{
		// IN on the sharding column (prunes the outer nodes), on other columns, NOT IN.
		ordered("SELECT order_id, user_id FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE sku = 'sku-03') ORDER BY order_id"),
		ordered("SELECT order_id FROM t_order WHERE order_id IN (SELECT order_id FROM t_order_item WHERE qty > 3) ORDER BY order_id LIMIT 40"),
		unordered("SELECT COUNT(*) FROM t_order WHERE user_id NOT IN (SELECT user_id FROM t_order_item WHERE qty = ?)", 2),
		unordered("SELECT COUNT(*), SUM(amount) FROM t_order WHERE qty IN (SELECT qty FROM t_order WHERE status = ?)", "paid"),
		// NOT IN with a NULL among the values: no row qualifies.
		unordered("SELECT COUNT(*) FROM t_order WHERE qty NOT IN (SELECT qty FROM t_order)"),
		unordered("SELECT COUNT(*) FROM t_order WHERE qty NOT IN (SELECT qty FROM t_order WHERE qty IS NOT NULL AND qty > 5)"),
		// empty subquery: IN false, NOT IN true even for NULL operands.
		unordered("SELECT COUNT(*) FROM t_order WHERE qty IN (SELECT qty FROM t_order WHERE qty > 100000)"),
		unordered("SELECT COUNT(*) FROM t_order WHERE qty NOT IN (SELECT qty FROM t_order WHERE qty > 100000)"),
		// text values compared with a column (its collation decides).
		ordered("SELECT order_id, status FROM t_order WHERE status IN (SELECT status FROM t_order WHERE user_id = ?) ORDER BY order_id LIMIT 50", 7),
		ordered("SELECT sku, merchant FROM t_merchant WHERE sku IN (SELECT sku FROM t_order_item WHERE qty > 8) ORDER BY sku"),
		// scalar subqueries: aggregates across nodes, decimals, NULL.
		ordered("SELECT order_id, amount FROM t_order WHERE amount > (SELECT AVG(amount) FROM t_order) ORDER BY amount DESC, order_id LIMIT 10"),
		ordered("SELECT order_id FROM t_order WHERE amount = (SELECT MAX(amount) FROM t_order) ORDER BY order_id"),
		unordered("SELECT COUNT(*) FROM t_order WHERE qty < (SELECT COUNT(*) FROM t_order_item WHERE user_id = ?) ", 5),
		unordered("SELECT COUNT(*) FROM t_order WHERE (SELECT MIN(qty) FROM t_order) = qty"),
		unordered("SELECT COUNT(*) FROM t_order WHERE qty = (SELECT MAX(qty) FROM t_order WHERE qty > 100000)"),
		ordered("SELECT order_id, user_id FROM t_order WHERE user_id = (SELECT MAX(user_id) FROM t_order_item) ORDER BY order_id"),
		// EXISTS / NOT EXISTS, uncorrelated.
		unordered("SELECT COUNT(*) FROM t_order WHERE EXISTS (SELECT 1 FROM t_order_item WHERE qty > 8)"),
		unordered("SELECT COUNT(*) FROM t_order WHERE NOT EXISTS (SELECT 1 FROM t_order_item WHERE qty > 1000)"),
		unordered("SELECT COUNT(*) FROM t_order WHERE qty > 3 AND NOT EXISTS (SELECT * FROM t_order_item WHERE qty > 8)"),
		// several subqueries, nested, with GROUP BY above.
		ordered("SELECT status, COUNT(*) AS n FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE qty > ?) AND amount > (SELECT AVG(amount) FROM t_order) GROUP BY status ORDER BY status", 7),
		unordered("SELECT COUNT(*) FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE order_id IN (SELECT order_id FROM t_order WHERE qty = 9))"),
		// an unsharded outer query over sharded subquery values.
		ordered("SELECT sku FROM t_merchant WHERE sku = (SELECT MIN(sku) FROM t_order_item) ORDER BY sku"),
		// column names as one server gives them.
		unordered("SELECT COUNT(*), MAX(qty) FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE sku = 'sku-05')"),
		// correlated, co-located: bound tables on the sharding column, broadcast tables; node by node
		unordered("SELECT COUNT(*) FROM t_order o WHERE NOT EXISTS (SELECT 1 FROM t_order_item i WHERE i.user_id = o.user_id AND i.order_id = o.order_id)"),
		ordered("SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_order_item i WHERE i.user_id = o.user_id AND i.qty > 8) ORDER BY o.order_id LIMIT 30"),
		unordered("SELECT COUNT(*) FROM t_order o WHERE o.qty > (SELECT MAX(i.qty) - 5 FROM t_order_item i WHERE i.user_id = o.user_id)"),
		ordered("SELECT status, COUNT(*) FROM t_order o WHERE o.order_id IN (SELECT i.order_id FROM t_order_item i WHERE i.user_id = o.user_id AND i.sku = ?) GROUP BY status ORDER BY status", "sku-02"),
		unordered("SELECT COUNT(*) FROM t_order_item i WHERE EXISTS (SELECT 1 FROM t_merchant m WHERE m.sku = i.sku AND m.merchant LIKE 'm%')"),
		unordered("SELECT COUNT(*) FROM t_order o WHERE o.user_id IN (3, 4, 5) AND NOT EXISTS (SELECT 1 FROM t_order o2 WHERE o2.user_id = o.user_id AND o2.order_id > o.order_id)"),
	}
}

func TestBoundSubqueryDifferential(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env, topo := newSubqueryEnv(t, b)
			for i, q := range boundSubqueryQueries() {
				if !env.mariadb && strings.Contains(q.sql, "AVG(") {
					continue // the embedded shards' AVG is a DOUBLE: refused
				}
				env.check(t, q, fmt.Sprintf("subquery %d", i))
			}
			t.Run("errors", func(t *testing.T) {
				// scalar subquery returning more than one row (MySQL error 1242)
				_, err := runDiffQuery(env.sharded, "SELECT COUNT(*) FROM t_order WHERE qty = (SELECT qty FROM t_order WHERE qty = 3)")
				require.ErrorContains(t, err, "subquery returns more than 1 row")
				if env.mariadb {
					_, err = runDiffQuery(env.oracle, "SELECT COUNT(*) FROM t_order WHERE qty = (SELECT qty FROM t_order WHERE qty = 3)")
					require.ErrorContains(t, err, "1242")
				}
				// text values compared with a non-column
				_, err = runDiffQuery(env.sharded, "SELECT COUNT(*) FROM t_order WHERE 'paid' IN (SELECT status FROM t_order_item i JOIN t_order o ON o.user_id = i.user_id)")
				require.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
				// float values are refused
				_, err = runDiffQuery(env.sharded, "SELECT COUNT(*) FROM t_order WHERE price > (SELECT AVG(price) FROM t_order)")
				require.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
				// Correlated, not co-located: a semi-join above the nodes
				// since round 15 resolved the outer query's unqualified
				// qty in its own scope (it was refused as ambiguous with
				// the subquery's i.qty); judged by the oracle.
				env.check(t, unordered("SELECT COUNT(*) FROM t_order o WHERE qty IN (SELECT i.qty FROM t_order_item i WHERE i.order_id = o.order_id)"), "correlated, not co-located")
			})
			t.Run("cap", func(t *testing.T) {
				db := openDB(t, topo, driver.WithMaxMemoryRows(10))
				_, err := runDiffQuery(db, "SELECT COUNT(*) FROM t_order WHERE order_id IN (SELECT order_id FROM t_order_item)")
				require.ErrorContains(t, err, "result too large")
				require.ErrorContains(t, err, "WithMaxMemoryRows")
			})
			t.Run("explain", func(t *testing.T) {
				plan, err := driver.Explain(context.Background(), env.sharded, "SELECT order_id FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE sku = ?)", "sku-03")
				require.NoError(t, err)
				s := plan.String()
				require.Contains(t, s, "BindSubqueries in")
				require.True(t, strings.Contains(s, "t_order_item_0"), s)
			})
		})
	}
}

// TestBoundSubqueryInTx runs bound subqueries inside a transaction: the
// subquery and the outer statement see the transaction's own writes, on
// its connections.
func TestBoundSubqueryInTx(t *testing.T) {
	env, _ := newSubqueryEnv(t, backends[1])
	ctx := context.Background()
	tx, err := env.sharded.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "INSERT INTO t_order_item (item_id, order_id, user_id, sku, qty) VALUES (900001, 900001, 777001, 'sku-tx', 1), (900002, 900002, 777002, 'sku-tx', 1)")
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "INSERT INTO t_order (order_id, user_id, status, created) VALUES (900001, 777001, 'tx', '2025-03-01'), (900002, 777002, 'tx', '2025-03-01')")
	require.NoError(t, err)
	rows, err := tx.QueryContext(ctx, "SELECT order_id FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE sku = ?) ORDER BY order_id", "sku-tx")
	require.NoError(t, err)
	var got []int64
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		got = append(got, id)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Equal(t, []int64{900001, 900002}, got)
	// the connections are usable afterwards
	var n int
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE status = 'tx' AND EXISTS (SELECT 1 FROM t_order_item WHERE sku = 'sku-tx')").Scan(&n))
	require.Equal(t, 2, n)
	require.NoError(t, tx.Rollback())
	require.NoError(t, env.sharded.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE sku = 'sku-tx')").Scan(&n))
	require.Equal(t, 0, n)
}
