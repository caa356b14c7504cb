package driver_test

import (
	"fmt"
	"testing"
)

// windowQueries are window functions across nodes, compared with the
// oracle: ranking functions computed above the nodes (total orders, so
// ROW_NUMBER is deterministic), and windows partitioned by the sharding
// column, computed by the nodes.
func windowQueries() []diffQuery {
	return []diffQuery{
		unordered("SELECT order_id, ROW_NUMBER() OVER (ORDER BY order_id) AS rn FROM t_order"),
		ordered("SELECT order_id, ROW_NUMBER() OVER (ORDER BY amount DESC, order_id) AS rn FROM t_order ORDER BY rn LIMIT 20"),
		unordered("SELECT order_id, RANK() OVER (ORDER BY qty) AS r, DENSE_RANK() OVER (ORDER BY qty) AS d FROM t_order"),
		unordered("SELECT order_id, RANK() OVER (PARTITION BY status ORDER BY amount DESC) FROM t_order"),
		unordered("SELECT order_id, DENSE_RANK() OVER (PARTITION BY qty ORDER BY DATE(created)) AS d FROM t_order WHERE qty IS NOT NULL"),
		ordered("SELECT order_id, ROW_NUMBER() OVER (PARTITION BY note ORDER BY order_id DESC) AS rn FROM t_order ORDER BY order_id LIMIT 30 OFFSET 10"),
		unordered("SELECT order_id, RANK() OVER (ORDER BY status) AS r FROM t_order"),
		// partitioned by the sharding column: pushed down
		unordered("SELECT order_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY order_id) AS rn FROM t_order"),
		ordered("SELECT order_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY order_id) AS rn FROM t_order ORDER BY rn, order_id LIMIT 25"),
		unordered("SELECT order_id, SUM(qty) OVER (PARTITION BY user_id ORDER BY order_id) AS running FROM t_order"),
	}
}

func TestWindowDifferential(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env := newDiffEnv(t, b)
			for i, q := range windowQueries() {
				env.check(t, q, fmt.Sprintf("window %d", i))
			}
		})
	}
}
