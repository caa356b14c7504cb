package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/internal/coltype"
)

// JoinPick returns chosen columns of its input's rows, in the order given: the
// select list of a join, whose rows hold both sides' columns (and the
// columns only conditions, sort keys or collations need).
type JoinPick struct {
	Cols []int
	// Names, when not "", rename the joinPicked columns (an aggregate's
	// column is named as the caller wrote it).
	Names []string
	// Types are the joinPicked columns whose type differs from their input
	// column's (COUNT is a BIGINT, never NULL).
	Types map[int]ColumnType
	// Sums are the joinPicked columns holding a SUM: MySQL's SUM of integers
	// or decimals is a DECIMAL.
	Sums []int
	// Avgs are the joinPicked columns holding an AVG: DECIMAL for integers
	// and decimals (4 more digits of scale, which the values carry; the
	// size is not reported, as the input column's is not the AVG's),
	// DOUBLE for DOUBLE. Any other argument is refused when the operator
	// opens: MySQL's AVG of text or dates is a DOUBLE of converted values,
	// and of a FLOAT a sum of the float's double digits, neither of which
	// the values sent as text reproduce.
	Avgs  []int
	Input Operator
}

// Description implements Operator.
func (p *JoinPick) Description() string {
	names := make([]string, len(p.Cols))
	for i, c := range p.Cols {
		names[i] = colName(At(c))
	}
	return "Pick " + strings.Join(names, ", ")
}

// Inputs implements Operator.
func (p *JoinPick) Inputs() []Operator { return []Operator{p.Input} }

// Open implements Operator.
func (p *JoinPick) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, p.Input)
	if err != nil {
		return nil, err
	}
	c := in.cols
	idx := make([]int, len(p.Cols))
	out := &columns{first: len(p.Cols), assembled: true, merged: map[int]ColumnType{}}
	for i, pc := range p.Cols {
		col, err := c.at(At(pc))
		if err != nil {
			_ = in.Close()
			return nil, err
		}
		idx[i] = col
		out.types = append(out.types, c.types[col])
		out.scales = append(out.scales, c.scales[col])
		out.kinds = append(out.kinds, c.kinds[col])
		out.sql = append(out.sql, c.sql[col])
		out.colNames = append(out.colNames, outerNames(c)[col])
		out.meta = append(out.meta, outerMeta(c)[col])
		// The joinPicked rows no longer carry the collation columns: a column
		// compared above a Pick would need them; the router picks last.
		out.colls = append(out.colls, nil)
		if m, ok := c.merged[col]; ok {
			out.merged[i] = m
		}
		if i < len(p.Names) && p.Names[i] != "" {
			out.colNames[i] = p.Names[i]
		}
		if t, ok := p.Types[i]; ok {
			out.merged[i] = t
		}
	}
	for _, i := range p.Sums {
		if k := coltype.Of(typeAt(out.types, i)); k == coltype.Int || k == coltype.Uint {
			out.merged[i] = ColumnType{Name: "DECIMAL"}
		}
	}
	for _, i := range p.Avgs {
		switch t := typeAt(out.types, i); coltype.Of(t) {
		case coltype.Int, coltype.Uint, coltype.Decimal:
			out.merged[i] = ColumnType{Name: "DECIMAL"}
		default:
			if t != "DOUBLE" {
				_ = in.Close()
				return nil, fmt.Errorf("%w: AVG of a %s column above a join (average an integer, DECIMAL or DOUBLE column)", ErrUnsupported, t)
			}
			out.merged[i] = ColumnType{Name: "DOUBLE"}
		}
	}
	if len(out.merged) == 0 {
		out.merged = nil
	}
	return &Stream{Cursor: &joinPicked{in: in.Cursor, cols: idx, buf: make([]driver.Value, len(c.types))}, cols: out}, nil
}

// joinPicked copies the chosen columns of each input row.
type joinPicked struct {
	in   Cursor
	cols []int
	buf  []driver.Value
}

func (p *joinPicked) Next(dest []driver.Value) error {
	if err := p.in.Next(p.buf); err != nil {
		return err
	}
	for i, c := range p.cols {
		dest[i] = p.buf[c]
	}
	return nil
}

func (p *joinPicked) Close() error { return p.in.Close() }

// typeAt is types[i], or "" out of range.
func typeAt(types []string, i int) string {
	if i < 0 || i >= len(types) {
		return ""
	}
	return types[i]
}
