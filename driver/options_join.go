package driver

import "fmt"

// WithJoinBatch sets how many outer rows a join of tables that are not on
// the same nodes collects before it looks their keys up on the inner
// table with one `key IN (…)` statement per inner node (default
// merge.DefaultJoinBatch, 256). Larger batches send fewer statements and
// hold more inner rows in memory at once (capped by WithMaxMemoryRows).
func WithJoinBatch(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("shardsql: WithJoinBatch(%d): the batch must be at least 1", n)
		}
		o.joinBatch = n
		return nil
	}
}
