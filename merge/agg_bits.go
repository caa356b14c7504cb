package merge

import (
	"database/sql/driver"
	"fmt"
	"strconv"
)

// The bitwise aggregates: each node sends its partial BIT_AND/BIT_OR/
// BIT_XOR (BIGINT UNSIGNED; a node without rows sends the identity, all
// ones for AND and 0 for the others), and the merge combines them with
// the same operation, which is associative and commutative: exact.
const (
	// AggBitAnd ANDs the node BIT_ANDs.
	AggBitAnd AggKind = 32 + iota
	// AggBitOr ORs the node BIT_ORs.
	AggBitOr
	// AggBitXor XORs the node BIT_XORs.
	AggBitXor
)

// bitsAgg folds node BIT_AND/BIT_OR/BIT_XOR values.
type bitsAgg struct {
	col  int
	kind AggKind
	v    uint64
}

func (b *bitsAgg) reset() {
	b.v = 0
	if b.kind == AggBitAnd {
		b.v = ^uint64(0)
	}
}

func (b *bitsAgg) add(row []driver.Value) error {
	var x uint64
	switch v := row[b.col].(type) {
	case nil:
		return nil // (the servers never send NULL for these)
	case uint64:
		x = v
	case int64:
		x = uint64(v)
	case []byte:
		var err error
		if x, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return fmt.Errorf("shardsql: merge: bad BIT_* value %q: %w", v, err)
		}
	default:
		return fmt.Errorf("shardsql: merge: unexpected %T in BIT_*", v)
	}
	switch b.kind {
	case AggBitAnd:
		b.v &= x
	case AggBitOr:
		b.v |= x
	default:
		b.v ^= x
	}
	return nil
}

func (b *bitsAgg) result() driver.Value { return b.v }
