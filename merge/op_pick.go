package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"vitess.io/vitess/go/sqltypes"

	"github.com/shardsql/shardsql/internal/coltype"
)

// PickCol is one result column of Pick: column Col of the input, named
// Name. Agg says which aggregate computed it (0: none) and Arg the column
// the aggregate read, whose type decides the result's (MySQL types
// SUM and AVG of integers and decimals DECIMAL, of floats DOUBLE; MIN and
// MAX as their argument; COUNT BIGINT; the DISTINCT forms alike).
type PickCol struct {
	Col  Col
	Name string
	Agg  AggKind
	Arg  Col
	// Collation returns COLLATION(column Col) instead: the name in the
	// column the merge learns Col's collation from, "binary" for a
	// column that is not text.
	Collation bool
}

// Pick is the top of a SELECT evaluated above a merged stream or a join:
// it returns the selected columns of each row, in order, under the names
// one server gives them, with their types (see Result; above a join,
// whose columns come from several statements, Stream.Columns).
type Pick struct {
	Cols  []PickCol
	Input Operator
}

// Description implements Operator.
func (p *Pick) Description() string {
	parts := make([]string, len(p.Cols))
	for i, c := range p.Cols {
		parts[i] = colName(c.Col) + " as " + c.Name
	}
	return "Pick " + strings.Join(parts, ", ")
}

// Inputs implements Operator.
func (p *Pick) Inputs() []Operator { return []Operator{p.Input} }

// Open implements Operator.
func (p *Pick) Open(ctx context.Context, ex Executor) (*Stream, error) {
	return openPicked(ctx, ex, p.Input, p.pick)
}

// openPicked opens input and streams the columns pick chooses from its
// rows (Pick and SideColumns): idx[i] is the input column of output
// column i, len(input columns) a constant "binary" (see picked).
func openPicked(ctx context.Context, ex Executor, input Operator, pick func(*columns) (*columns, []int, error)) (*Stream, error) {
	in, err := openInput(ctx, ex, input)
	if err != nil {
		return nil, err
	}
	cols, idx, err := pick(in.cols)
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	return &Stream{Cursor: &picked{in: in.Cursor, idx: idx, buf: make([]driver.Value, len(in.cols.types)+1)}, cols: cols}, nil
}

func (p *Pick) pick(in *columns) (*columns, []int, error) {
	n := len(p.Cols)
	out := &columns{types: make([]string, n), scales: make([]int64, n), kinds: make([]coltype.Kind, n),
		sql: make([]sqltypes.Type, n), colls: make([]*textColl, n), first: n,
		origins: make([]origin, n), names: make([]string, n)}
	idx := make([]int, n)
	for i, c := range p.Cols {
		col, err := in.at(c.Col)
		if err != nil {
			return nil, nil, err
		}
		idx[i] = col
		if in.avgs[col] && c.Agg == 0 {
			if out.avgs == nil {
				out.avgs = map[int]bool{}
			}
			out.avgs[i] = true
		}
		out.types[i], out.scales[i], out.kinds[i], out.sql[i] = in.types[col], in.scales[col], in.kinds[col], in.sql[col]
		out.names[i] = c.Name
		if c.Collation {
			// the collation name: a column the rows carry, or "binary"
			// (in the extra slot at the end of the input row)
			out.types[i], out.scales[i], out.kinds[i], out.sql[i] = "VARCHAR", 0, coltype.Text, sqltypes.VarChar
			out.origins[i] = origin{from: col, typ: ColumnType{Name: "VARCHAR"}}
			switch t := in.colls[col]; {
			case in.kinds[col] != coltype.Text:
				idx[i] = len(in.types)
			case t != nil && t.from >= 0:
				idx[i] = t.from
			default:
				return nil, nil, fmt.Errorf("%w: COLLATION of text column %d of merged rows, whose collation is unknown (an aggregate of text: select COLLATION of the column itself, or route the statement to one node with a condition on the sharding column)", ErrUnsupported, col+1)
			}
			continue
		}
		o := in.origin(col)
		switch c.Agg {
		case 0:
		case AggCount, AggCountDistinct:
			o = origin{typ: ColumnType{Name: "BIGINT", NotNull: true}}
		case AggSum, AggAvg, AggSumDistinct, AggAvgDistinct:
			arg, err := in.at(c.Arg)
			if err != nil {
				return nil, nil, err
			}
			o = in.origin(arg)
			if in.kinds[arg] == coltype.Float {
				o.typ = ColumnType{Name: "DOUBLE"}
			} else {
				o.typ = ColumnType{Name: "DECIMAL"}
			}
		case AggMin, AggMax:
			arg, err := in.at(c.Arg)
			if err != nil {
				return nil, nil, err
			}
			o = in.origin(arg)
		default:
			return nil, nil, fmt.Errorf("shardsql: merge: Pick of aggregate %s", c.Agg)
		}
		out.origins[i] = o
		if o.typ.Name != "" {
			// what an operator above (a UNION) compares: the
			// aggregate's type, not its argument's
			out.types[i] = o.typ.Name
			if (c.Agg == AggAvg || c.Agg == AggAvgDistinct) && out.kinds[i] == coltype.Decimal {
				out.scales[i] += 4
			}
		}
	}
	if in.assembled {
		assemble(out, in)
	}
	return out, idx, nil
}

// assemble names and types the picked columns of a join's rows, whose
// columns come from several statements: each takes the executor's
// metadata of the column it carries (its origin), and the merge's type
// where the value is computed (an aggregate, an expression).
func assemble(out, in *columns) {
	names, meta := outerNames(in), outerMeta(in)
	out.assembled, out.colNames, out.meta = true, out.names, make([]any, len(out.names))
	out.merged = make(map[int]ColumnType)
	for i, o := range out.origins {
		if o.from >= 0 && o.from < len(meta) {
			out.meta[i] = meta[o.from]
			if out.colNames[i] == "" {
				out.colNames[i] = names[o.from]
			}
		}
		if o.typ != (ColumnType{}) {
			out.merged[i] = o.typ
		}
	}
	if len(out.merged) == 0 {
		out.merged = nil
	}
	out.names, out.origins = nil, nil
}

// picked copies the selected columns of each input row.
type picked struct {
	in  Cursor
	idx []int
	buf []driver.Value
}

// binaryName is what COLLATION(x) returns for a number.
var binaryName = []byte("binary")

func (p *picked) Next(dest []driver.Value) error {
	if err := p.in.Next(p.buf[:len(p.buf)-1]); err != nil {
		return err
	}
	p.buf[len(p.buf)-1] = binaryName
	for i, c := range p.idx {
		dest[i] = p.buf[c]
	}
	return nil
}

func (p *picked) Close() error { return p.in.Close() }
