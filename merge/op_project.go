package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// Project drops the trailing hidden columns the router added, handing on
// the caller's columns only.
type Project struct {
	// Hidden is the number of trailing columns dropped.
	Hidden int
	Input  Operator
}

// Description implements Operator.
func (p *Project) Description() string {
	return fmt.Sprintf("Project without %d hidden column(s)", p.Hidden)
}

// Inputs implements Operator.
func (p *Project) Inputs() []Operator { return []Operator{p.Input} }

// Open implements Operator.
func (p *Project) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, p.Input)
	if err != nil {
		return nil, err
	}
	width := len(in.cols.types)
	if p.Hidden < 0 || p.Hidden > width {
		_ = in.Close()
		return nil, fmt.Errorf("shardsql: merge: %d hidden columns in a %d-column result", p.Hidden, width)
	}
	visible := width - p.Hidden
	cols := in.cols.clone()
	cols.types, cols.scales, cols.kinds = cols.types[:visible], cols.scales[:visible], cols.kinds[:visible]
	cols.sql, cols.colls = cols.sql[:visible], cols.colls[:visible]
	if cols.colNames != nil {
		cols.colNames, cols.meta = cols.colNames[:visible], cols.meta[:visible]
	}
	cols.first = visible
	return &Stream{Cursor: &project{in: in.Cursor, buf: make([]driver.Value, width)}, cols: cols}, nil
}
