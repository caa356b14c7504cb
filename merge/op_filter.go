package merge

import (
	"context"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// Filter keeps the rows for which a HAVING condition is true, evaluated
// with MySQL's rules by Vitess's evalengine (see Spec.Having).
type Filter struct {
	Cond  sqlparser.Expr
	Input Operator
}

// Description implements Operator.
func (f *Filter) Description() string {
	return "Filter " + strings.ReplaceAll(sqlparser.String(f.Cond), evalenv.ColumnPrefix, "#")
}

// Inputs implements Operator.
func (f *Filter) Inputs() []Operator { return []Operator{f.Input} }

// Open implements Operator.
func (f *Filter) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, f.Input)
	if err != nil {
		return nil, err
	}
	cols := in.cols
	return &Stream{Cursor: newFilter(in.Cursor, f.Cond, cols.sql, cols.scales, cols.colls, cols.quotients, cols.avgs), cols: cols}, nil
}
