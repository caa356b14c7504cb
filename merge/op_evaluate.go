package merge

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/evalenv"
)

// Evaluate appends to each row the values of select-list expressions over
// its columns (group keys and aggregate results, or the columns of raw
// rows), written with evalenv.Column placeholders and evaluated by Vitess's
// evalengine with the columns' types and collations, as Filter evaluates
// conditions. Each result column is typed as evalengine types the
// expression: integers, DECIMAL (with the scale MySQL's arithmetic
// gives), DOUBLE or text; other result types are refused.
type Evaluate struct {
	Exprs []sqlparser.Expr
	// Compared are the indexes of Exprs whose values the operators above
	// compare (ORDER BY, DISTINCT): with Collated, a text result, whose
	// collation is not known above the nodes, is refused.
	Compared []int
	Collated bool
	Input    Operator
}

// Description implements Operator.
func (e *Evaluate) Description() string {
	parts := make([]string, len(e.Exprs))
	for i, x := range e.Exprs {
		parts[i] = strings.ReplaceAll(sqlparser.String(x), evalenv.ColumnPrefix, "#")
	}
	return "Evaluate " + strings.Join(parts, ", ")
}

// Inputs implements Operator.
func (e *Evaluate) Inputs() []Operator { return []Operator{e.Input} }

// Open implements Operator.
func (e *Evaluate) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, e.Input)
	if err != nil {
		return nil, err
	}
	cols, evals, err := e.columns(in.cols)
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	width := len(in.cols.types)
	return &Stream{Cursor: &evaluated{in: in.Cursor, evals: evals, kinds: cols.kinds[width:], scales: cols.scales[width:], width: width, buf: make([]driver.Value, width)}, cols: cols}, nil
}

func (e *Evaluate) columns(in *columns) (*columns, []evaluator, error) {
	out := in.clone()
	width := len(in.types)
	out.types = append([]string(nil), in.types...)
	out.scales = append([]int64(nil), in.scales...)
	out.colls = append([]*textColl(nil), in.colls...)
	out.origins = make([]origin, width, width+len(e.Exprs))
	for i := range width {
		out.origins[i] = in.origin(i)
	}
	out.first = width + len(e.Exprs)
	compared := make(map[int]bool)
	for _, c := range e.Compared {
		compared[c] = true
	}
	evals := make([]evaluator, len(e.Exprs))
	for i, x := range e.Exprs {
		t, err := typeOf(x, in)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: select item %s above merged rows: %v (route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, sqlparser.String(x), err)
		}
		var name string
		var kind coltype.Kind
		st := t.Type()
		switch {
		case sqltypes.IsSigned(st):
			name, kind = "BIGINT", coltype.Int
		case sqltypes.IsUnsigned(st):
			name, kind = "UNSIGNED BIGINT", coltype.Uint
		case st == sqltypes.Decimal:
			name, kind = "DECIMAL", coltype.Decimal
		case sqltypes.IsFloat(st):
			name, kind = "DOUBLE", coltype.Float
		case sqltypes.IsText(st):
			if e.Collated && compared[i] {
				return nil, nil, fmt.Errorf("%w: comparing the text of select item %s above merged rows (its collation is unknown; compute it in the derived table)", ErrUnsupported, strings.ReplaceAll(sqlparser.String(x), evalenv.ColumnPrefix, "#"))
			}
			name, kind, st = "VARCHAR", coltype.Text, sqltypes.VarChar
		default:
			return nil, nil, fmt.Errorf("%w: select item %s of type %s above merged rows (compute it in the derived table)", ErrUnsupported, strings.ReplaceAll(sqlparser.String(x), evalenv.ColumnPrefix, "#"), st)
		}
		scale := int64(0)
		if kind == coltype.Decimal {
			scale = max(int64(t.Scale()), staticScale(x, in))
		}
		d, avg, err := quotientDecimals(x, in)
		if err != nil {
			return nil, nil, err
		}
		if avg && kind == coltype.Decimal {
			scale = d // the value is rounded to it (roundRoot)
		}
		out.types = append(out.types, name)
		out.scales = append(out.scales, scale)
		out.kinds = append(out.kinds, kind)
		out.sql = append(out.sql, st)
		out.colls = append(out.colls, nil)
		out.origins = append(out.origins, origin{typ: ColumnType{Name: name}})
		evals[i] = evaluator{what: "select item", rootDiv: true, roundRoot: true, cond: x, types: in.sql, scales: in.scales, colls: in.colls, quotients: in.quotients}
	}
	return out, evals, nil
}

// typeOf is the type evalengine gives x over columns of in (text of an
// unknown collation).
func typeOf(x sqlparser.Expr, in *columns) (evalengine.Type, error) {
	cfg := &evalengine.Config{
		Environment: evalenv.Env(),
		Collation:   evalenv.ConnectionCollation,
		ResolveColumn: func(c *sqlparser.ColName) (int, error) {
			if n, ok := evalenv.Offset(c); ok && n < len(in.sql) {
				return n, nil
			}
			return 0, fmt.Errorf("unknown column %s", sqlparser.String(c))
		},
		ResolveType: func(e sqlparser.Expr) (evalengine.Type, bool) {
			c, ok := e.(*sqlparser.ColName)
			if !ok {
				return evalengine.Type{}, false
			}
			n, ok := evalenv.Offset(c)
			if !ok || n >= len(in.sql) {
				return evalengine.Type{}, false
			}
			var coll collations.ID = collations.CollationBinaryID
			if sqltypes.IsText(in.sql[n]) {
				coll = noCollation
			}
			return evalengine.NewTypeEx(in.sql[n], coll, true, 0, int32(in.scales[n]), nil), true
		},
	}
	expr, err := evalengine.Translate(x, cfg)
	if err != nil {
		return evalengine.Type{}, err
	}
	env := evalengine.NewExpressionEnv(context.Background(), nil, evalengine.NewEmptyVCursor(evalenv.Env(), nil))
	return env.TypeOf(expr)
}

// evaluated appends the expressions' values to each row.
type evaluated struct {
	in    Cursor
	evals []evaluator
	kinds []coltype.Kind
	// scales are the DECIMAL results' scales: a value of fewer digits
	// (COALESCE(amount, 0) of a NULL amount) is sent as MySQL sends it,
	// with the type's scale (0.00).
	scales []int64
	width  int
	buf    []driver.Value
}

func (e *evaluated) Next(dest []driver.Value) error {
	if err := e.in.Next(e.buf); err != nil {
		return err
	}
	copy(dest, e.buf)
	for i := range e.evals {
		res, err := e.evals[i].eval(e.buf)
		if err != nil {
			return err
		}
		v, err := resultValue(res, e.kinds[i], nil)
		if err != nil {
			return err
		}
		if b, ok := v.([]byte); ok && e.kinds[i] == coltype.Decimal && e.scales[i] > 0 {
			v = padScale(b, int(e.scales[i]))
		}
		dest[e.width+i] = v
	}
	return nil
}

func (e *evaluated) Close() error { return e.in.Close() }

// padScale writes decimal text b with at least scale digits after the
// point (never fewer: rounding is the evaluator's).
func padScale(b []byte, scale int) []byte {
	have, ok := decimalScale(b)
	if !ok || have >= scale {
		return b
	}
	if have == 0 && bytes.IndexByte(b, '.') < 0 {
		b = append(b, '.')
	}
	for ; have < scale; have++ {
		b = append(b, '0')
	}
	return b
}

// staticScale is the scale MySQL gives a DECIMAL expression whose value
// may carry fewer digits: a branch of COALESCE, IFNULL, IF or CASE
// (COALESCE(amount, 0) is 0.00 where amount is NULL), which evalengine's
// type does not carry. Arithmetic keeps its operands' digits in the
// value; 0 where the value's own digits are the scale.
func staticScale(x sqlparser.Expr, in *columns) int64 {
	switch x := x.(type) {
	case *sqlparser.ColName:
		if n, ok := evalenv.Offset(x); ok && n < len(in.sql) && in.sql[n] == sqltypes.Decimal {
			return in.scales[n]
		}
	case *sqlparser.Literal:
		if x.Type == sqlparser.DecimalVal {
			if i := strings.IndexByte(x.Val, '.'); i >= 0 {
				return int64(len(x.Val) - i - 1)
			}
		}
	case *sqlparser.FuncExpr:
		switch x.Name.Lowered() {
		case "coalesce", "ifnull", "if", "greatest", "least", "nullif":
			var m int64
			for k, a := range x.Exprs {
				if x.Name.Lowered() == "if" && k == 0 {
					continue // the condition
				}
				m = max(m, staticScale(a, in))
			}
			return m
		}
	case *sqlparser.CaseExpr:
		var m int64
		for _, w := range x.Whens {
			m = max(m, staticScale(w.Val, in))
		}
		if x.Else != nil {
			m = max(m, staticScale(x.Else, in))
		}
		return m
	case *sqlparser.BinaryExpr:
		l, r := staticScale(x.Left, in), staticScale(x.Right, in)
		switch x.Operator {
		case sqlparser.PlusOp, sqlparser.MinusOp:
			return max(l, r)
		case sqlparser.MultOp:
			return l + r
		}
	}
	return 0
}
