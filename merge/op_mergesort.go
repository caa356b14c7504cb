package merge

import (
	"context"
	"fmt"
)

// MergeSort merges the units of a route, each returning its rows ordered
// by Keys, into one ordered stream (a loser tree: O(units) memory, no
// allocation per row).
type MergeSort struct {
	Keys  []SortKey
	Input *Route
}

// Description implements Operator.
func (m *MergeSort) Description() string { return fmt.Sprintf("MergeSort by %s", keyList(m.Keys)) }

// Inputs implements Operator.
func (m *MergeSort) Inputs() []Operator { return []Operator{m.Input} }

// Open implements Operator.
func (m *MergeSort) Open(ctx context.Context, ex Executor) (*Stream, error) {
	if m.Input == nil {
		return nil, fmt.Errorf("shardsql: merge: MergeSort without input")
	}
	parts, cols, err := m.Input.openUnits(ctx, ex, true)
	if err != nil {
		return nil, err
	}
	keys, err := cols.keys(m.Keys)
	if err != nil {
		closeAll(parts)
		return nil, err
	}
	if len(parts) == 1 {
		return &Stream{Cursor: parts[0], cols: cols}, nil
	}
	return &Stream{Cursor: newSorted(parts, keys, len(cols.types)), cols: cols}, nil
}
