package driver_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOuterJoinBroadcast: an outer join that preserves a broadcast table
// against a sharded one runs only where every node's rows are exact (one
// node, or a WHERE that rejects the NULL-extended rows) and is refused
// otherwise. Before the check, t_merchant LEFT JOIN t_order_item returned
// each merchant's NULL-extended row once per node without its items.
func TestOuterJoinBroadcast(t *testing.T) {
	env := newDiffEnv(t, backends[1]) // MariaDB, the judge
	// A merchant without items, on both sides, so the anti-join has an answer.
	for _, q := range []string{
		"INSERT INTO t_merchant (sku, merchant) VALUES ('sku-99', 'Lonely')",
		"INSERT INTO t_order_item (item_id, order_id, user_id, sku, qty) VALUES (900001, 1, 7, 'sku-98', 1)",
		"INSERT INTO t_merchant (sku, merchant) VALUES ('sku-98', 'Single')",
	} {
		_, err := env.oracle.Exec(q)
		require.NoError(t, err)
		_, err = env.sharded.Exec(q)
		require.NoError(t, err)
	}

	t.Run("exact", func(t *testing.T) {
		for i, q := range []diffQuery{
			// Routed to one node: every item that could match is there.
			ordered("SELECT m.sku, m.merchant, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.user_id = 7 ORDER BY m.sku, i.item_id"),
			ordered("SELECT m.sku, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.user_id = ? ORDER BY m.sku, i.item_id", 11),
			ordered("SELECT m.sku FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.user_id = 7 AND i.qty > 100 ORDER BY m.sku"),
			// NULL-rejecting WHERE: an inner join in effect.
			ordered("SELECT m.sku, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.qty > 7 ORDER BY i.item_id"),
			ordered("SELECT m.merchant, COUNT(*), SUM(i.qty) FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.item_id IS NOT NULL GROUP BY m.merchant ORDER BY m.merchant"),
			ordered("SELECT m.sku, i.item_id FROM t_order_item i RIGHT JOIN t_merchant m ON i.sku = m.sku WHERE i.qty BETWEEN 2 AND 3 ORDER BY i.item_id LIMIT 40"),
			ordered("SELECT m.sku, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.sku = ? ORDER BY i.item_id", "sku-98"),
			unordered("SELECT COUNT(*) FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.user_id IN (3, 4, 5)"),
			// The preserved side is sharded: each preserved row lives on one node.
			ordered("SELECT i.item_id, m.merchant FROM t_order_item i LEFT JOIN t_merchant m ON m.sku = i.sku ORDER BY i.item_id LIMIT 60"),
			ordered("SELECT i.item_id, m.merchant FROM t_merchant m RIGHT JOIN t_order_item i ON m.sku = i.sku WHERE m.sku IS NULL ORDER BY i.item_id LIMIT 60"),
			unordered("SELECT COUNT(*), COUNT(m.sku) FROM t_order_item i LEFT JOIN t_merchant m ON m.sku = i.sku"),
		} {
			env.check(t, q, fmt.Sprintf("exact %d", i))
		}
	})

	t.Run("evaluated above the nodes or refused", func(t *testing.T) {
		// Refused node by node; the cross-node join (join_cross.go) reads
		// the broadcast table once, so most are exact now.
		for _, q := range []string{
			"SELECT m.sku, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku",
			"SELECT m.sku FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.item_id IS NULL",
			"SELECT m.merchant, COUNT(i.item_id) FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku GROUP BY m.merchant",
			"SELECT COUNT(*) FROM t_order_item i RIGHT JOIN t_merchant m ON i.sku = m.sku",
			"SELECT m.sku, i.item_id FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku AND i.user_id = 7",
			"SELECT m.sku FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE COALESCE(i.qty, 0) = 0",
			"SELECT m.sku FROM t_merchant m LEFT JOIN t_order_item i ON i.sku = m.sku WHERE i.qty > 3 OR m.sku = 'sku-99'",
			"SELECT m.sku FROM t_merchant m LEFT JOIN t_order o ON o.status = m.merchant",
			"SELECT m.sku FROM t_merchant m LEFT JOIN (t_order o JOIN t_order_item i ON o.user_id = i.user_id AND o.order_id = i.order_id) ON i.sku = m.sku",
		} {
			env.checkExactOrRefused(t, q, "JOIN preserving broadcast table t_merchant")
		}
	})

}
