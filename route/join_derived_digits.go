package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// mergedDigits refuses derived table inner (alias as) of a join above the
// nodes when MariaDB would merge it into the outer query and the outer
// query computes with one of its quotient columns.
//
// Hazard (review20c): `SELECT x.id, t.a * 6 FROM x19 x JOIN (SELECT g,
// k / 3 a FROM y19) t ON t.g = x.g`: MariaDB merges a derived table
// without grouping, DISTINCT, LIMIT or window functions into the outer
// query (derived_merge), so t.a * 6 is k / 3 * 6 computed from the
// quotient's internal digits (2.0000); the derived table's own statement
// sends k / 3 rounded to its decimals (0.3333), and the merge gave
// 1.9998. A quotient column read by itself (a bare select item, sent
// rounded) or compared directly (the comparator rounds it to those
// digits) is exact; read inside any other expression it is refused.
func (j *crossJoin) mergedDigits(inner *sqlparser.Select, as string) error {
	if inner.GroupBy != nil || inner.Having != nil || inner.Distinct || inner.Limit != nil || len(inner.Windows) > 0 ||
		sqlparser.ContainsAggregation(inner.SelectExprs) {
		return nil // materialized: its rows hold the values it sends
	}
	quotients := map[string]bool{}
	for _, se := range inner.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		div := false
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch x := n.(type) {
			case *sqlparser.Subquery:
				return false, nil
			case *sqlparser.FuncExpr:
				if x.Name.EqualString("round") || x.Name.EqualString("truncate") {
					return false, nil
				}
			case *sqlparser.CastExpr, *sqlparser.ConvertExpr:
				return false, nil
			case *sqlparser.BinaryExpr:
				if x.Operator == sqlparser.DivOp {
					div = true
				}
			}
			return !div, nil
		}, ae.Expr)
		if !div {
			continue
		}
		name := ae.As.String()
		if name == "" {
			if c, ok := ae.Expr.(*sqlparser.ColName); ok {
				name = c.Name.String()
			} else {
				name = sqlparser.String(ae.Expr)
			}
		}
		quotients[strings.ToLower(name)] = true
	}
	if len(quotients) == 0 {
		return nil
	}
	var bad *sqlparser.ColName
	sqlparser.Rewrite(sqlparser.Clone(j.sel), func(c *sqlparser.Cursor) bool {
		if bad != nil {
			return false
		}
		switch n := c.Node().(type) {
		case *sqlparser.DerivedTable:
			return false
		case *sqlparser.ColName:
			if !strings.EqualFold(n.Qualifier.Name.String(), as) || !quotients[strings.ToLower(n.Name.String())] {
				return true
			}
			switch p := c.Parent().(type) {
			case *sqlparser.AliasedExpr, *sqlparser.Order, *sqlparser.GroupBy:
				return true
			case *sqlparser.ComparisonExpr:
				switch p.Operator {
				case sqlparser.EqualOp, sqlparser.NotEqualOp, sqlparser.LessThanOp, sqlparser.LessEqualOp,
					sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp, sqlparser.NullSafeEqualOp:
					if !hasFloatLiteral(p) {
						return true
					}
				}
			}
			bad = n
		}
		return true
	}, nil)
	if bad == nil {
		return nil
	}
	return j.refuse("%s inside an expression, where derived table %s is merged into the statement by MariaDB and its quotient computed with the division's internal digits, which its own statement sends rounded (select the column by itself, compare it directly, or ROUND it in the derived table)", sqlparser.String(bad), as)
}
