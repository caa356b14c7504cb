package merge

import (
	"context"
	"fmt"
)

// Page is a LIMIT: Offset rows are skipped, then at most Count returned.
type Page struct {
	Offset, Count int64
}

// Limit returns the rows of its input that Page selects, and reports the
// end without reading more once it has them, so the node queries can stop.
type Limit struct {
	Page  Page
	Input Operator
}

// Description implements Operator.
func (l *Limit) Description() string {
	if l.Page.Offset > 0 {
		return fmt.Sprintf("Limit %d offset %d", l.Page.Count, l.Page.Offset)
	}
	return fmt.Sprintf("Limit %d", l.Page.Count)
}

// Inputs implements Operator.
func (l *Limit) Inputs() []Operator { return []Operator{l.Input} }

// Open implements Operator.
func (l *Limit) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, l.Input)
	if err != nil {
		return nil, err
	}
	if l.Page.Count == 0 {
		return &Stream{Cursor: empty{in: in.Cursor}, cols: in.cols}, nil
	}
	return &Stream{Cursor: &limited{in: in.Cursor, offset: l.Page.Offset, limit: l.Page.Count}, cols: in.cols}, nil
}
