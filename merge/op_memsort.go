package merge

import (
	"context"
	"fmt"
)

// MemorySort reads every input row, sorts them by Keys and returns them in
// order; it is used only where a stream cannot be ordered (ORDER BY an
// aggregate) and fails with ErrTooLarge beyond MaxRows.
type MemorySort struct {
	Keys []SortKey
	// MaxRows bounds the rows held (0: DefaultMaxRows).
	MaxRows int
	Input   Operator
}

// Description implements Operator.
func (m *MemorySort) Description() string {
	return fmt.Sprintf("MemorySort by %s (at most %d rows)", keyList(m.Keys), m.maxRows())
}

func (m *MemorySort) maxRows() int {
	if m.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return m.MaxRows
}

// Inputs implements Operator.
func (m *MemorySort) Inputs() []Operator { return []Operator{m.Input} }

// Open implements Operator.
func (m *MemorySort) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, m.Input)
	if err != nil {
		return nil, err
	}
	keys, err := in.cols.keys(m.Keys)
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	return &Stream{Cursor: &memSorted{in: in.Cursor, keys: keys, width: len(in.cols.types), maxRows: m.maxRows(), bytes: byteCount{max: MaxBytes(ctx)}}, cols: in.cols}, nil
}
