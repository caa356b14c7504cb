package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// BenchmarkCrossJoin is a join of tables that are not co-located, t_order
// joined with t_user (sharded by id on other nodes) by user, in two
// shapes:
//
//   - selective: the orders of a few users (a filter on t_order's
//     sharding column), fewer than one batch: the adaptive join looks the
//     users up with one id IN (…) statement routed to their nodes;
//   - wide: every order with an amount (about 1500 rows, 6 batches): the
//     adaptive join reads t_user once into a hash join.
//
// Each runs on one unsharded database (the oracle), on shardsql as
// planned (adaptive), and on shardsql with a memory cap below t_user's
// 70 rows (lookups: the build side passes the cap after at most 70 rows
// and the batched nested loop runs), which is how the join ran before
// the planner picked by size.
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench CrossJoin ./driver
func BenchmarkCrossJoin(b *testing.B) {
	env := newCrossEnvB(b)
	// two pools opened alike, differing only in the cap
	adaptive, lookups := env.with(b), env.with(b, driver.WithMaxMemoryRows(60))
	for _, shape := range []struct {
		name, q string
		args    []any
	}{
		{"selective", "SELECT o.order_id, o.amount, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id IN (?, ?, ?) AND o.amount > ?", []any{3, 17, 42, 0}},
		{"wide", "SELECT o.order_id, o.amount, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.amount > ?", []any{0}},
	} {
		for _, c := range []struct {
			name string
			run  func() (*diffResult, error)
		}{
			{"unsharded", func() (*diffResult, error) { return runDiffQuery(env.oracle, shape.q, shape.args...) }},
			{"adaptive", func() (*diffResult, error) { return runDiffQuery(adaptive.sharded, shape.q, shape.args...) }},
			{"lookups", func() (*diffResult, error) { return runDiffQuery(lookups.sharded, shape.q, shape.args...) }},
		} {
			b.Run(shape.name+"/"+c.name, func(b *testing.B) {
				res, err := c.run()
				if err != nil || len(res.rows) == 0 {
					b.Fatalf("%v, %d rows", err, len(res.rows))
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := c.run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(res.rows)), "rows/op")
			})
		}
		p, err := driver.Explain(context.Background(), env.sharded, shape.q, shape.args...)
		if err != nil {
			b.Fatal(err)
		}
		b.Log(fmt.Sprint(p))
	}
}
