package merge

import "database/sql/driver"

// aggKeep keeps the first non-NULL node value of a column that a
// Projection computes: the merge evaluates the column's expression over
// the folded aggregates, and formats the result as the node column says
// (a DECIMAL's scale is the scale of the nodes' text, which a NULL does
// not show). The router never asks for it; New adds it.
const aggKeep AggKind = 255

// keepAgg is the aggregator of aggKeep.
type keepAgg struct {
	col int
	v   driver.Value
}

func (k *keepAgg) reset() { k.v = nil }

func (k *keepAgg) add(row []driver.Value) error {
	if k.v != nil || row[k.col] == nil {
		return nil
	}
	if b, ok := row[k.col].([]byte); ok {
		k.v = append([]byte(nil), b...) // the row buffer is reused
		return nil
	}
	k.v = row[k.col]
	return nil
}

func (k *keepAgg) result() driver.Value { return k.v }
