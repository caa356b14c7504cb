package merge

import (
	"context"
	"fmt"
)

// Distinct keeps the first of consecutive rows equal on Keys (every
// selected column); the input arrives sorted by them, so equal rows are
// adjacent and it holds two rows at a time.
type Distinct struct {
	Keys  []SortKey
	Input Operator
}

// Description implements Operator.
func (d *Distinct) Description() string { return fmt.Sprintf("Distinct on %s", keyList(d.Keys)) }

// Inputs implements Operator.
func (d *Distinct) Inputs() []Operator { return []Operator{d.Input} }

// Open implements Operator.
func (d *Distinct) Open(ctx context.Context, ex Executor) (*Stream, error) {
	if len(d.Keys) == 0 {
		return nil, fmt.Errorf("shardsql: merge: Distinct without keys")
	}
	in, err := openInput(ctx, ex, d.Input)
	if err != nil {
		return nil, err
	}
	cur, cols, err := openGroup(in, &Group{Keys: d.Keys}, MaxBytes(ctx))
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	return &Stream{Cursor: cur, cols: cols}, nil
}
