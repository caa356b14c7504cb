package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// subqueryDigits refuses a scalar subquery run first whose value MariaDB
// holds with more digits than the subquery sends, where the outer
// statement reads those digits.
//
// Hazard (review20c): a subquery selecting AVG(x) or a DECIMAL quotient
// sends its value rounded to the item's decimals (AVG(k) of 11/6:
// 1.8333), but MariaDB caches the subquery's value with the division's
// internal digits (1.833333333) and computes with them: `(SELECT AVG(k)
// FROM y WHERE …) * 6` is 11.0000 on one server, and the bound literal
// gave 1.8333 * 6 = 10.9998 (also `WHERE (SELECT …) * 6 = 11`, ROUND(
// (SELECT …), 6), BETWEEN (SELECT …) AND …, which compare unrounded).
// The value is exact where it is the whole select item (sent as the
// server sends it) or an operand of a comparison with a non-float
// operand (the comparator rounds it to the decimals it is sent with);
// anywhere else, and against a FLOAT or DOUBLE column (compared as a
// double, unrounded), the subquery is refused.
func (s *statement) subqueryDigits(bs boundSubquery) error {
	if bs.kind != merge.SubqueryScalar || bs.item || bs.order || bs.sub == nil {
		return nil
	}
	switch {
	case bs.other == nil:
	case strings.Contains(bs.otherType, "float"), strings.Contains(bs.otherType, "double"), strings.Contains(bs.otherType, "real"), hasFloatLiteral(bs.other):
	default:
		return nil
	}
	what := ""
	for _, part := range unionParts(bs.sub.Select) {
		if len(part.SelectExprs.Exprs) == 0 {
			continue
		}
		ae, ok := part.SelectExprs.Exprs[0].(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch x := n.(type) {
			case *sqlparser.FuncExpr:
				if x.Name.EqualString("round") || x.Name.EqualString("truncate") {
					return false, nil // its value has the digits it is sent with
				}
			case *sqlparser.CastExpr, *sqlparser.ConvertExpr:
				return false, nil
			case *sqlparser.Avg:
				what = "AVG"
			case *sqlparser.BinaryExpr:
				if x.Operator == sqlparser.DivOp {
					what = "a division"
				}
			}
			return what == "", nil
		}, ae.Expr)
		if what != "" {
			break
		}
	}
	if what == "" {
		return nil
	}
	where := "inside an expression"
	if bs.other != nil {
		where = "compared with " + sqlparser.String(bs.other) + ", a floating-point operand"
	}
	return unsupported(s.sql, "scalar subquery %s selecting %s %s: MariaDB computes with the value's internal digits (AVG(x) of 11/6 is 1.833333333 there) and the subquery sends it rounded to its decimals (1.8333), so a bound value would compute otherwise (select the subquery by itself, compare a column with it directly: c > (SELECT AVG(x) …), or, where the subquery reads one node, round it there: ROUND(AVG(x), 4))", sqlparser.String(bs.sub), what, where)
}

// unionParts lists the SELECTs of st: itself, or a UNION's parts.
func unionParts(st sqlparser.TableStatement) []*sqlparser.Select {
	switch x := st.(type) {
	case *sqlparser.Select:
		return []*sqlparser.Select{x}
	case *sqlparser.Union:
		return append(unionParts(x.Left), unionParts(x.Right)...)
	}
	return nil
}

// hasFloatLiteral reports a floating-point literal (1e0) in e.
func hasFloatLiteral(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if l, ok := n.(*sqlparser.Literal); ok && l.Type == sqlparser.FloatVal {
			found = true
		}
		return !found, nil
	}, e)
	return found
}
