package merge

import (
	"context"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// Compute evaluates expressions over aggregates (SUM(a)/COUNT(*),
// CONCAT(k, ':', COUNT(*))) into their columns of each folded row, with
// Vitess's evalengine (see Projection).
type Compute struct {
	Projections []Projection
	Input       Operator
}

// Description implements Operator.
func (c *Compute) Description() string {
	var b strings.Builder
	b.WriteString("Compute")
	for i, p := range c.Projections {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + colName(p.Col) + " = " + strings.ReplaceAll(sqlparser.String(p.Expr), evalenv.ColumnPrefix, "#"))
	}
	return b.String()
}

// Inputs implements Operator.
func (c *Compute) Inputs() []Operator { return []Operator{c.Input} }

// Open implements Operator.
func (c *Compute) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, c.Input)
	if err != nil {
		return nil, err
	}
	cols := in.cols
	ps := make([]Projection, len(c.Projections))
	for i, p := range c.Projections {
		col, err := cols.abs(p.Col)
		if err == nil {
			p.ScaleCol, err = cols.abs(p.ScaleCol)
		}
		if err != nil {
			_ = in.Close()
			return nil, err
		}
		p.Col = col
		ps[i] = p
	}
	return &Stream{Cursor: newProjected(in.Cursor, ps, cols.sql, cols.kinds, cols.colls, cols.quotients), cols: cols}, nil
}
