package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// BenchmarkCrossJoin is a join of tables that are not co-located: the
// orders of a few users (a selective filter on t_order's sharding column)
// joined with t_user, sharded by id on other nodes, by user. shardsql
// reads the orders, then looks the users up with one id IN (…) statement
// per batch, routed to the users' nodes (NestedLoopJoin); the oracle runs
// the same join in one unsharded database.
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench CrossJoin ./driver
func BenchmarkCrossJoin(b *testing.B) {
	env := newCrossEnvB(b)
	const q = "SELECT o.order_id, o.amount, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id IN (?, ?, ?) AND o.amount > ?"
	args := []any{3, 17, 42, 0}
	for _, c := range []struct {
		name string
		run  func() (*diffResult, error)
	}{
		{"unsharded", func() (*diffResult, error) { return runDiffQuery(env.oracle, q, args...) }},
		{"shardsql", func() (*diffResult, error) { return runDiffQuery(env.sharded, q, args...) }},
	} {
		b.Run(c.name, func(b *testing.B) {
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
	p, err := driver.Explain(context.Background(), env.sharded, q, args...)
	if err != nil {
		b.Fatal(err)
	}
	b.Log(fmt.Sprint(p))
}
