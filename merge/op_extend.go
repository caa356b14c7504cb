package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/sqltypes"

	"github.com/shardsql/shardsql/internal/coltype"
)

// ExtKind is how Extend computes an added column.
type ExtKind uint8

const (
	// ExtOne is the integer 1 on every row: what COUNT(*) counts.
	ExtOne ExtKind = iota + 1
	// ExtNotNull is 1 where column Col is not NULL, else 0: what COUNT(x)
	// counts, and AVG(x) divides by.
	ExtNotNull
	// ExtCopy is a copy of column Col, with its type: the argument of an
	// aggregate, which writes its result in place of its argument.
	ExtCopy
	// ExtNumber is a copy of column Col, which must be a number (SUM and
	// AVG add integers and decimals exactly, floats as floats; MySQL
	// would convert text or dates to DOUBLE, which is refused).
	ExtNumber
)

// Extension is one column Extend appends, computed from column Col of
// the input (unused for ExtOne).
type Extension struct {
	Kind ExtKind
	Col  Col
}

// Extend appends computed columns to each row of a merged stream, so that
// an outer SELECT evaluated above it can fold raw rows with the
// aggregates that merge partial results (OrderedAggregate): COUNT(*) sums
// ExtOne, COUNT(x) sums ExtNotNull, SUM(x) adds ExtNumber copies, AVG(x)
// divides one by the other. It also installs the collations of text
// columns, read from columns of the input (Collations), which the stream
// below it dropped or never had: the inner query of a derived table
// selects COLLATION(x) beside each text column x.
type Extend struct {
	Collations []Collated
	Columns    []Extension
	// Compared are the input columns the operators above compare (keys,
	// conditions, MIN/MAX); with Collated (the servers report collations)
	// comparing a text one without a known collation is refused rather
	// than done by bytes.
	Compared []Col
	Collated bool
	Input    Operator
}

// Description implements Operator.
func (e *Extend) Description() string {
	var b strings.Builder
	b.WriteString("Extend")
	for i, c := range e.Collations {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " collation of %s in %s", colName(c.Col), colName(c.From))
	}
	if len(e.Collations) > 0 && len(e.Columns) > 0 {
		b.WriteString(";")
	}
	for i, c := range e.Columns {
		if i > 0 {
			b.WriteString(",")
		}
		switch c.Kind {
		case ExtOne:
			b.WriteString(" 1")
		case ExtNotNull:
			fmt.Fprintf(&b, " %s is not null", colName(c.Col))
		case ExtNumber:
			fmt.Fprintf(&b, " number %s", colName(c.Col))
		default:
			fmt.Fprintf(&b, " %s", colName(c.Col))
		}
	}
	return b.String()
}

// Inputs implements Operator.
func (e *Extend) Inputs() []Operator { return []Operator{e.Input} }

// Open implements Operator.
func (e *Extend) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, e.Input)
	if err != nil {
		return nil, err
	}
	cols, exts, err := e.extend(in.cols)
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	width := len(in.cols.types)
	if len(exts) == 0 {
		// collations and checks only: the rows pass unchanged
		return &Stream{Cursor: in.Cursor, cols: cols}, nil
	}
	return &Stream{Cursor: &extended{in: in.Cursor, exts: exts, width: width, buf: make([]driver.Value, width)}, cols: cols}, nil
}

// extend returns the extended columns and the extensions resolved.
func (e *Extend) extend(in *columns) (*columns, []extension, error) {
	width := len(in.types)
	out := in.clone()
	out.merged = nil
	out.origins = make([]origin, width, width+len(e.Columns))
	for i := range width {
		out.origins[i] = in.origin(i)
	}
	out.names = nil
	out.colls = append([]*textColl(nil), in.colls...)
	out.scales = append([]int64(nil), in.scales...)
	out.types = append([]string(nil), in.types...)
	out.first = width + len(e.Columns)
	for _, c := range e.Collations {
		col, err := in.at(c.Col)
		if err != nil {
			return nil, nil, err
		}
		from, err := in.at(c.From)
		if err != nil {
			return nil, nil, err
		}
		if in.kinds[col] == coltype.Text {
			out.colls[col] = &textColl{from: from}
		}
	}
	if e.Collated {
		for _, c := range e.Compared {
			col, err := in.at(c)
			if err != nil {
				return nil, nil, err
			}
			if out.kinds[col] == coltype.Text && out.colls[col] == nil {
				return nil, nil, fmt.Errorf("%w: comparing text column %d of merged rows whose collation is unknown (an aggregate or a * of the derived table; compare in the derived table, or CAST the column to BINARY)", ErrUnsupported, col+1)
			}
		}
	}
	out.quotients = nil
	exts := make([]extension, len(e.Columns))
	for i, c := range e.Columns {
		x := extension{kind: c.Kind}
		if x.kind != ExtOne {
			col, err := in.at(c.Col)
			if err != nil {
				return nil, nil, err
			}
			x.col = col
		}
		exts[i] = x
		switch x.kind {
		case ExtOne, ExtNotNull:
			out.types = append(out.types, "BIGINT")
			out.scales = append(out.scales, 0)
			out.kinds = append(out.kinds, coltype.Int)
			out.sql = append(out.sql, sqltypes.Int64)
			out.colls = append(out.colls, nil)
			out.origins = append(out.origins, origin{typ: ColumnType{Name: "BIGINT", NotNull: true}})
		case ExtCopy, ExtNumber:
			if x.kind == ExtNumber {
				switch in.kinds[x.col] {
				case coltype.Int, coltype.Uint, coltype.Decimal, coltype.Float:
				default:
					return nil, nil, fmt.Errorf("%w: SUM or AVG of column %d of type %s above merged rows (MySQL converts it to DOUBLE; CAST it to a number in the derived table)", ErrUnsupported, x.col+1, in.types[x.col])
				}
			}
			out.types = append(out.types, in.types[x.col])
			out.scales = append(out.scales, in.scales[x.col])
			out.kinds = append(out.kinds, in.kinds[x.col])
			out.sql = append(out.sql, in.sql[x.col])
			out.colls = append(out.colls, out.colls[x.col])
			out.origins = append(out.origins, out.origins[x.col])
		default:
			return nil, nil, fmt.Errorf("shardsql: merge: unknown extension %d", x.kind)
		}
	}
	return out, exts, nil
}

// extension is an Extension with its column resolved to an offset.
type extension struct {
	kind ExtKind
	col  int
}

// extended appends the extension columns to each input row.
type extended struct {
	in    Cursor
	exts  []extension
	width int
	buf   []driver.Value
}

func (x *extended) Next(dest []driver.Value) error {
	if err := x.in.Next(x.buf); err != nil {
		return err
	}
	copy(dest, x.buf)
	for i, e := range x.exts {
		var v driver.Value
		switch e.kind {
		case ExtOne:
			v = int64(1)
		case ExtNotNull:
			v = int64(0)
			if x.buf[e.col] != nil {
				v = int64(1)
			}
		default:
			v = x.buf[e.col]
			if u, ok := v.(uint64); ok && e.kind == ExtNumber {
				// SUM and AVG add decimals: an unsigned value as its text
				v = strconv.AppendUint(nil, u, 10)
			}
		}
		dest[x.width+i] = v
	}
	return nil
}

func (x *extended) Close() error { return x.in.Close() }
