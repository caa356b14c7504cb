package main

// joinWorkload is a join of tables that are not on the same nodes: the
// orders of one user (one t_order node) joined to t_log by id, while t_log
// is sharded by month. shardsql reads the user's orders, then looks their
// ids up in t_log with one `id IN (…)` statement per log table
// (NestedLoopJoin, route/join_cross.go); the plain layouts run the join
// as one statement. Rows are compared across layouts as a multiset.
var joinWorkload = workload{
	name:  "cross-join",
	sql:   "SELECT o.order_id, o.amount, l.level, l.latency_ms FROM t_order o JOIN t_log l ON l.id = o.order_id WHERE o.user_id = ?",
	about: "orders of one user joined to t_log by id (t_log sharded by month): one IN (…) lookup per log table",
	args: func(w *worker) []any {
		return append(w.args[:0], userOf(w.orderID(), w.rows))
	},
}
