package route

import (
	"math"
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// planLimit moves LIMIT to the merge. When rows are not folded each node
// gets LIMIT offset+count and the merge skips offset; folded rows (groups,
// DISTINCT) need every node row, so the nodes get no LIMIT.
func (m *scatter) planLimit() error {
	l := m.sel.Limit
	if l == nil {
		return nil
	}
	count, err := m.limitValue(l.Rowcount)
	if err != nil {
		return err
	}
	var offset int64
	if l.Offset != nil {
		if offset, err = m.limitValue(l.Offset); err != nil {
			return err
		}
	}
	m.spec.Offset, m.spec.Limit, m.spec.Limited = offset, count, true
	if m.spec.Group != nil {
		m.node.Limit = nil
		return nil
	}
	m.node.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(saturatingAdd(offset, count), 10))}
	return nil
}

// saturatingAdd is a+b for non-negative a and b, or math.MaxInt64 when the
// sum overflows. Hazard: LIMIT 9223372036854775807 OFFSET 1 wrapped to a
// negative node LIMIT, which the server rejects; no node holds 2⁶³ rows, so
// the saturated LIMIT returns the same rows.
func saturatingAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func (m *scatter) limitValue(e sqlparser.Expr) (int64, error) {
	v, ok := m.s.value(e)
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64:
		n = clampUint(x)
	case string:
		n, ok = parseLimit(x)
	case []byte:
		n, ok = parseLimit(string(x))
	default:
		ok = false
	}
	if !ok || n < 0 {
		return 0, unsupported(m.s.sql, "LIMIT value %s (use a non-negative integer literal or ? argument)", sqlparser.String(e))
	}
	return n, nil
}

// clampUint converts a LIMIT or OFFSET above math.MaxInt64 (MySQL takes
// up to 2⁶⁴-1, as in the "LIMIT 5, 18446744073709551615" idiom for "all
// the rest") to math.MaxInt64: no node holds more rows than that.
func clampUint(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// parseLimit reads a LIMIT or OFFSET argument given as text.
func parseLimit(s string) (int64, bool) {
	if n, ok := parseInt(s); ok {
		return n, true
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return clampUint(u), err == nil
}

func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// having translates a HAVING condition into a merge condition over the
// merged row, adding hidden columns for aggregates it uses that the select
// list lacks.
func (m *scatter) having(e sqlparser.Expr) (merge.Expr, error) {
	switch x := e.(type) {
	case *sqlparser.AndExpr:
		l, r, err := m.havingPair(x.Left, x.Right)
		return merge.And{Left: l, Right: r}, err
	case *sqlparser.OrExpr:
		l, r, err := m.havingPair(x.Left, x.Right)
		return merge.Or{Left: l, Right: r}, err
	case *sqlparser.NotExpr:
		inner, err := m.having(x.Expr)
		if err != nil {
			return nil, err
		}
		return merge.Not{Expr: inner}, nil
	case *sqlparser.IsExpr:
		op, err := m.operand(x.Left)
		if err != nil {
			return nil, err
		}
		switch x.Right {
		case sqlparser.IsNullOp:
			return merge.IsNull{Operand: op}, nil
		case sqlparser.IsNotNullOp:
			return merge.IsNull{Operand: op, Negate: true}, nil
		}
	case *sqlparser.ComparisonExpr:
		ops := map[sqlparser.ComparisonExprOperator]merge.CmpOp{
			sqlparser.EqualOp: merge.OpEQ, sqlparser.NotEqualOp: merge.OpNE,
			sqlparser.LessThanOp: merge.OpLT, sqlparser.LessEqualOp: merge.OpLE,
			sqlparser.GreaterThanOp: merge.OpGT, sqlparser.GreaterEqualOp: merge.OpGE,
		}
		op, ok := ops[x.Operator]
		if !ok || x.Modifier != sqlparser.Missing {
			break
		}
		l, err := m.operand(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := m.operand(x.Right)
		if err != nil {
			return nil, err
		}
		if isText(l, r) {
			return nil, unsupported(m.s.sql, "HAVING comparison with a string %s across nodes (collation-aware HAVING is not built)", sqlparser.String(x))
		}
		return merge.Cmp{Op: op, Left: l, Right: r}, nil
	}
	return nil, unsupported(m.s.sql, "HAVING condition %s across nodes", sqlparser.String(e))
}

// havingPair translates both sides of AND/OR.
func (m *scatter) havingPair(a, b sqlparser.Expr) (merge.Expr, merge.Expr, error) {
	l, err := m.having(a)
	if err != nil {
		return nil, nil, err
	}
	r, err := m.having(b)
	return l, r, err
}

func isText(ops ...merge.Operand) bool {
	for _, o := range ops {
		if _, ok := o.Value.([]byte); ok && o.Literal && o.Value != nil {
			if _, err := strconv.ParseFloat(string(o.Value.([]byte)), 64); err != nil {
				return true
			}
		}
	}
	return false
}

// operand translates a HAVING operand: a literal, a ? argument, a selected
// column or alias, an aggregate, or a group key.
func (m *scatter) operand(e sqlparser.Expr) (merge.Operand, error) {
	if lit, ok := e.(*sqlparser.Literal); ok {
		switch lit.Type {
		case sqlparser.IntVal:
			if n, ok := parseInt(lit.Val); ok {
				return merge.Operand{Literal: true, Value: n}, nil
			}
			return merge.Operand{Literal: true, Value: []byte(lit.Val)}, nil
		case sqlparser.DecimalVal, sqlparser.StrVal:
			return merge.Operand{Literal: true, Value: []byte(lit.Val)}, nil
		case sqlparser.FloatVal:
			f, err := strconv.ParseFloat(lit.Val, 64)
			if err == nil {
				return merge.Operand{Literal: true, Value: f}, nil
			}
		}
		return merge.Operand{}, unsupported(m.s.sql, "HAVING literal %s across nodes", lit.Val)
	}
	if v, ok := m.s.value(e); ok {
		switch x := v.(type) {
		case string:
			v = []byte(x)
		case int:
			v = int64(x)
		}
		return merge.Operand{Literal: true, Value: v}, nil
	}
	col, err := m.resolve(e)
	if err != nil {
		return merge.Operand{}, err
	}
	if col < 0 {
		if col, err = m.hiddenAggregate(e); err != nil {
			return merge.Operand{}, err
		}
	}
	if col < 0 {
		col = m.hiddenCol(e)
	}
	return merge.Operand{Col: col}, nil
}
