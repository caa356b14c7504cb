package merge

import (
	"database/sql/driver"
	"fmt"

	"vitess.io/vitess/go/sqltypes"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/evalenv"
)

// Projection computes column Col of the folded row from its other
// columns: an expression over aggregates (SUM(a)/COUNT(*), COUNT(*)*2+1,
// CONCAT(status, ':', COUNT(*)), COALESCE(MAX(x), 0)) that no node can
// compute from its partial rows. Expr is written with evalenv.Column
// placeholders for the folded columns (aggregate results and group
// values), like Spec.Having, and evaluated by Vitess's evalengine with the
// columns' types and collations.
//
// The nodes compute IF(COUNT(*) < 0, expr, NULL) in column Col: NULL, so
// that a node cannot fail where the whole does not (BIGINT UNSIGNED out
// of range in a partial COUNT(*) - BIT_XOR(x)), with the name and type
// one server reports for expr; and IF(COUNT(*) < 0, expr, 0) in ScaleCol:
// 0 written with the scale the server gives expr when it is a DECIMAL
// ("0.00"), which the result takes.
type Projection struct {
	Col      Col
	Expr     sqlparser.Expr
	ScaleCol Col
}

// projected evaluates projections over each folded row, in order (a later
// projection does not read an earlier one's column).
type projected struct {
	in    Cursor
	cols  []int
	scale []int          // the columns showing the scales
	kinds []coltype.Kind // of the node columns: what the results convert to
	evals []evaluator
}

func newProjected(in Cursor, ps []Projection, types []sqltypes.Type, scales []int64, kinds []coltype.Kind, colls []*textColl, quotients map[int]bool) *projected {
	p := &projected{in: in}
	for _, pr := range ps {
		p.cols = append(p.cols, pr.Col.Index)
		p.scale = append(p.scale, pr.ScaleCol.Index)
		p.kinds = append(p.kinds, kinds[pr.Col.Index])
		p.evals = append(p.evals, evaluator{what: "select item", rootDiv: true, cond: pr.Expr, types: types, scales: scales, colls: colls, quotients: quotients})
	}
	return p
}

func (p *projected) Next(dest []driver.Value) error {
	if err := p.in.Next(dest); err != nil {
		return err
	}
	// no projection reads another's column: the router resolves their
	// operands to aggregates and group values only
	for i := range p.evals {
		res, err := p.evals[i].eval(dest)
		if err != nil {
			return err
		}
		col := p.cols[i]
		if dest[col], err = resultValue(res, p.kinds[i], dest[p.scale[i]]); err != nil {
			return err
		}
	}
	return nil
}

func (p *projected) Close() error { return p.in.Close() }

// quotientCols are the folded columns of AggAvgInternal aggregates.
func quotientCols(g *Group) map[int]bool {
	out := map[int]bool{}
	if g != nil {
		for _, a := range g.Aggs {
			if a.Kind == AggAvgInternal {
				out[a.Col.Index] = true
			}
		}
	}
	return out
}

// avgCols are the columns of g's rounded AVGs (columns.avgs).
func avgCols(g *Group) map[int]bool {
	out := map[int]bool{}
	if g != nil {
		for _, a := range g.Aggs {
			if a.Kind == AggAvg || a.Kind == AggAvgDistinct {
				out[a.Col.Index] = true
			}
		}
	}
	return out
}

// splitProjections parts the projections into those HAVING or the
// memory sort read (early) and the rest (late, after LIMIT).
func splitProjections(spec Spec) (early, late []Projection) {
	read := map[Col]bool{}
	if spec.Having != nil {
		for _, n := range evalenv.Offsets(spec.Having) {
			read[At(n)] = true
		}
	}
	for _, k := range spec.MemorySort {
		read[k.Col] = true
	}
	for _, p := range spec.Project {
		if read[p.Col] {
			early = append(early, p)
		} else {
			late = append(late, p)
		}
	}
	return early, late
}

// resultValue converts an evaluated value to the driver value the node
// would have sent for a column of kind kd, whose scale the node value
// zero shows: the evaluator types COALESCE(MAX(u), -1.5) as an
// unsigned integer where the server reports DECIMAL(…,1) and sends
// "254.0", and ROUND(SUM(x), 2) of an integer sum as the integer.
func resultValue(res evalengine.EvalResult, kd coltype.Kind, zero driver.Value) (driver.Value, error) {
	v := res.Value(evalenv.ConnectionCollation)
	if v.IsNull() {
		return nil, nil
	}
	switch kd {
	case coltype.Decimal:
		if !v.IsIntegral() && !v.IsDecimal() {
			break
		}
		d, err := parseDecimal(v.Raw())
		if err != nil {
			return nil, fmt.Errorf("shardsql: merge: select item result %q: %w", v.Raw(), err)
		}
		if b, ok := zero.([]byte); ok {
			if scale, ok := decimalScale(b); ok {
				d = d.round(scale)
			}
		}
		return d.bytes(), nil
	case coltype.Float:
		if v.IsIntegral() || v.IsDecimal() || v.IsFloat() {
			f, err := v.ToFloat64()
			if f == 0 {
				f = 0 // the server sends -0 as 0
			}
			return f, err
		}
	case coltype.Int:
		if v.IsSigned() {
			return v.ToInt64()
		}
	case coltype.Uint:
		if v.IsUnsigned() {
			return v.ToUint64()
		}
	}
	// text, or a number the node column holds as text: the value's text
	return append([]byte{}, v.Raw()...), nil // '' stays '', not nil (copyValue)
}

// decimalScale is the number of digits after the point of a decimal's text.
func decimalScale(b []byte) (int, bool) {
	for i, c := range b {
		if c == '.' {
			return len(b) - i - 1, true
		}
		if c == 'e' || c == 'E' {
			return 0, false
		}
	}
	return 0, true
}
