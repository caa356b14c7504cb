package route

import (
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"
)

// avgInItem decides how an AVG inside a select item's expression over
// merged rows (a derived table's, a join's) is folded: with MySQL's
// internal digits (true), or refused.
//
// Hazard (review20c): MariaDB computes AVG(t.k) * 6 from the quotient's
// internal digits (11/6 as 1.833333333: 11.0000) and sends only the
// result rounded; the merge multiplied the rounded AVG (1.8333 · 6 =
// 10.9998), and `AVG(t.k) * 6 = 11` was false. route/scatter_having.go
// folds the internal quotient for the single-table scatter already; this
// is the same rule for planAbove: arithmetic (+ - * /, unary minus) and
// comparisons read the internal digits (merge.AggAvgInternal, compared
// rounded to their declared decimals: merge/evaluate_avg_round.go), a
// function over the AVG sees either depending on its argument type and
// is refused, and so is an AVG in an expression when ORDER BY sorts by an
// aggregate (MariaDB sorts such groups through a temporary table holding
// the rounded AVG and may compute the items from it) or when the
// expression is an ORDER BY key.
func (a *above) avgInItem(clause string, c *sqlparser.Cursor, f sqlparser.AggrFunc) (bool, error) {
	if !isAvg(f) {
		return false, nil
	}
	if d, ok := f.(sqlparser.DistinctableAggr); ok && d.IsDistinct() {
		return false, unsupported(a.s.sql, "AVG(DISTINCT …) inside an expression above merged rows (select it by itself, or compute SUM(DISTINCT x)/COUNT(DISTINCT x))")
	}
	switch p := c.Parent().(type) {
	case nil:
		return false, nil // the item is the AVG itself: sent rounded
	case *sqlparser.ComparisonExpr, *sqlparser.BetweenExpr, *sqlparser.AndExpr, *sqlparser.OrExpr, *sqlparser.NotExpr:
	case *sqlparser.BinaryExpr:
		switch p.Operator {
		case sqlparser.PlusOp, sqlparser.MinusOp, sqlparser.MultOp, sqlparser.DivOp:
		default:
			return false, unsupported(a.s.sql, "AVG under the operator %s above merged rows (select AVG(x) by itself)", p.Operator.ToString())
		}
	case *sqlparser.UnaryExpr:
		if p.Operator != sqlparser.UMinusOp {
			return false, unsupported(a.s.sql, "AVG under a unary operator above merged rows (select AVG(x) by itself)")
		}
	default:
		return false, unsupported(a.s.sql, "AVG inside a function above merged rows (the function sees MySQL's internal or rounded average depending on its argument type; select AVG(x) by itself)")
	}
	if clause == "ORDER BY" || a.orderByAggregate() {
		return false, unsupported(a.s.sql, "AVG inside a select item or ORDER BY expression with ORDER BY an aggregate above merged rows (the server rounds the average first or not depending on its plan; select AVG(x) by itself)")
	}
	return true, nil
}

// orderByAggregate reports an ORDER BY key of a.sel that is an aggregate
// or an expression over one, named by its expression, a select alias or
// a position.
func (a *above) orderByAggregate() bool {
	items := a.sel.GetColumns()
	itemExpr := func(e sqlparser.Expr) sqlparser.Expr {
		switch x := e.(type) {
		case *sqlparser.ColName:
			if !x.Qualifier.IsEmpty() {
				return e
			}
			for _, se := range items {
				if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.Equal(x.Name) {
					return ae.Expr
				}
			}
		case *sqlparser.Literal:
			if x.Type == sqlparser.IntVal {
				if n, err := strconv.Atoi(x.Val); err == nil && n >= 1 && n <= len(items) {
					if ae, ok := items[n-1].(*sqlparser.AliasedExpr); ok {
						return ae.Expr
					}
				}
			}
		}
		return e
	}
	for _, o := range a.sel.OrderBy {
		if sqlparser.ContainsAggregation(itemExpr(o.Expr)) {
			return true
		}
	}
	return false
}
