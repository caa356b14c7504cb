package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// derivedQuotientIn reports a column of arg that names a select item of a
// derived table of from (at any depth) computed with a division.
//
// Hazard (review20c): checkInexact refused SUM(id / 7) across nodes
// (MariaDB sums the unrounded quotients, the nodes send rounded sums) but
// not SUM(t.a) FROM (SELECT id / 7 a FROM x19) t, the same sum under an
// alias: 117.1428 for 117.1429, and AVG(t.a) 2.92857000 for 2.92857143.
// A name matching such an item of any derived table is taken for it (a
// refusal where another table's column has the name, not a wrong sum).
func derivedQuotientIn(from []sqlparser.TableExpr, arg sqlparser.Expr) bool {
	quotients := map[string]bool{}
	for _, te := range from {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			sel, ok := n.(*sqlparser.Select)
			if !ok || sel.SelectExprs == nil {
				return true, nil
			}
			for _, se := range sel.SelectExprs.Exprs {
				ae, ok := se.(*sqlparser.AliasedExpr)
				if !ok || !hasDivision(ae.Expr) {
					continue
				}
				name := ae.As.Lowered()
				if name == "" {
					if c, ok := ae.Expr.(*sqlparser.ColName); ok {
						name = c.Name.Lowered()
					} else {
						name = sqlparser.String(ae.Expr)
					}
				}
				quotients[name] = true
			}
			return true, nil
		}, te)
	}
	if len(quotients) == 0 {
		return false
	}
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ColName); ok && quotients[c.Name.Lowered()] {
			found = true
		}
		return !found, nil
	}, arg)
	return found
}

// hasDivision reports a / in e (a nested derived table's item is read by
// the caller's walk over every SELECT of the FROM clause).
func hasDivision(e sqlparser.Expr) bool {
	div := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if b, ok := n.(*sqlparser.BinaryExpr); ok && b.Operator == sqlparser.DivOp {
			div = true
		}
		return !div, nil
	}, e)
	return div
}
