package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// walk calls visit on n and the nodes below it exactly as sqlparser.Walk
// does — the same nodes, in the same order, descending where visit says
// so, stopping at its first error — reading the nodes a statement's
// skeleton is made of (a SELECT, its clauses, column comparisons joined by
// AND and OR) directly and handing any other to sqlparser.Walk.
//
// Walk's generated visitor was most of what the shape walk cost an
// uncached point select. The hazard is a node walk skips or visits out
// of order (the first sharded table of a shape is the first one visited):
// each case below lists its node's fields in the order of vitess's
// generated Visit function, nil ones skipped as it skips them, and
// TestWalkMatchesVitess compares the visits of the two over the routing
// corpus.
func walk(visit sqlparser.Visit, n sqlparser.SQLNode) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *sqlparser.Select:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		if n.With != nil {
			if err := walk(visit, n.With); err != nil {
				return err
			}
		}
		for _, te := range n.From {
			if err := walk(visit, te); err != nil {
				return err
			}
		}
		return walkAll(visit, n.Comments, n.SelectExprs, n.Where, n.GroupBy, n.Having, n.Windows, n.OrderBy, n.Limit, n.Into)
	case *sqlparser.ParsedComments:
		if n == nil {
			return nil
		}
		_, err := visit(n)
		return err
	case *sqlparser.SelectExprs:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		for _, e := range n.Exprs {
			if err := walk(visit, e); err != nil {
				return err
			}
		}
		return nil
	case *sqlparser.Where:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walk(visit, n.Expr)
	case *sqlparser.GroupBy:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		for _, e := range n.Exprs {
			if err := walk(visit, e); err != nil {
				return err
			}
		}
		return nil
	case sqlparser.OrderBy:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		for _, o := range n {
			if err := walk(visit, o); err != nil {
				return err
			}
		}
		return nil
	case *sqlparser.Order:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walk(visit, n.Expr)
	case *sqlparser.Limit:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walkAll(visit, n.Offset, n.Rowcount)
	case *sqlparser.AndExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walkAll(visit, n.Left, n.Right)
	case *sqlparser.OrExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walkAll(visit, n.Left, n.Right)
	case *sqlparser.NotExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walk(visit, n.Expr)
	case *sqlparser.ComparisonExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walkAll(visit, n.Left, n.Right, n.Escape)
	case *sqlparser.BetweenExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walkAll(visit, n.Left, n.From, n.To)
	case *sqlparser.IsExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return walk(visit, n.Left)
	case sqlparser.ValTuple:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		for _, e := range n {
			if err := walk(visit, e); err != nil {
				return err
			}
		}
		return nil
	case *sqlparser.Literal:
		if n == nil {
			return nil
		}
		_, err := visit(n)
		return err
	case *sqlparser.Argument:
		if n == nil {
			return nil
		}
		_, err := visit(n)
		return err
	case *sqlparser.ColName:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		return sqlparser.Walk(visit, n.Name, n.Qualifier)
	case *sqlparser.AliasedExpr:
		if n == nil {
			return nil
		}
		if kont, err := visit(n); err != nil || !kont {
			return err
		}
		if err := walk(visit, n.Expr); err != nil {
			return err
		}
		return sqlparser.Walk(visit, n.As)
	}
	return sqlparser.Walk(visit, n)
}

// walkAll walks each of nodes in turn (a nil one is skipped, as
// sqlparser.Walk skips it).
func walkAll(visit sqlparser.Visit, nodes ...sqlparser.SQLNode) error {
	for _, n := range nodes {
		if err := walk(visit, n); err != nil {
			return err
		}
	}
	return nil
}
