package shard

// Bound is one end of a range of sharding values. Set false means unbounded.
type Bound struct {
	// Value is the sharding value at this end, of a type the table's
	// algorithm accepts.
	Value any
	// Inclusive reports whether Value itself is in the range (<=, >=,
	// BETWEEN) rather than excluded (<, >).
	Inclusive bool
	// Set reports whether this end is bounded; when false Value and
	// Inclusive are ignored.
	Set bool
}

// ValueRange is a range of sharding values between Low and High.
type ValueRange struct{ Low, High Bound }

// RangeAlgorithm is an Algorithm that can prune range conditions.
type RangeAlgorithm interface {
	Algorithm
	// ShardRange returns, ascending and without repeats, the indexes of
	// the nodes (of n) that can hold a value in r. An empty range (Low
	// above High) holds no value and gives no nodes.
	ShardRange(r ValueRange, n int) ([]int, error)
}
