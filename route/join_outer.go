package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// checkOuterJoins refuses an outer join whose preserved side reads no
// sharded table (only broadcast tables, or unsharded tables when every node
// is on their data source) while its other side reads a sharded one, when
// the statement runs on several nodes.
//
// The hazard: every node holds the whole broadcast table but only its own
// slice of the sharded one, so each node preserves every broadcast row that
// has no match on that node. `t_merchant m LEFT JOIN t_order o` on 8 nodes
// returns a merchant with orders on one node once with its orders and seven
// times NULL-extended; an anti-join (`WHERE o.id IS NULL`) finds merchants
// "without orders" that have some elsewhere. Concatenating or merging the
// node rows cannot undo that, so such a join runs only where it is exact:
//   - on one node (the WHERE routes the sharded tables to one node, so every
//     row that could match is there);
//   - when the WHERE rejects the NULL-extended rows (a comparison other than
//     <=> on a qualified column of the NULL-supplying side, BETWEEN, IS NOT
//     NULL, AND-ed at the top): the join is then an inner join, and the
//     nodes' rows partition its rows as they do for any inner join.
//
// A preserved side that reads a sharded table is safe: each preserved row
// lives on one node, and the bound-table check (checkJoin) keeps its
// matches on that node.
func (s *statement) checkOuterJoins(sel *sqlparser.Select, nodes int) error {
	if nodes <= 1 {
		return nil
	}
	var err error
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if err != nil {
				return false, nil
			}
			switch n := n.(type) {
			case *sqlparser.DerivedTable, *sqlparser.Subquery:
				return false, nil
			case *sqlparser.JoinTableExpr:
				err = s.checkOuterJoin(sel, n, nodes)
			}
			return err == nil, nil
		}, te)
	}
	return err
}

// checkOuterJoin checks one join of checkOuterJoins.
func (s *statement) checkOuterJoin(sel *sqlparser.Select, j *sqlparser.JoinTableExpr, nodes int) error {
	var preserved, nullable sqlparser.TableExpr
	switch j.Join {
	case sqlparser.LeftJoinType, sqlparser.NaturalLeftJoinType:
		preserved, nullable = j.LeftExpr, j.RightExpr
	case sqlparser.RightJoinType, sqlparser.NaturalRightJoinType:
		preserved, nullable = j.RightExpr, j.LeftExpr
	default:
		return nil
	}
	kept, other := s.sideRefs(preserved), s.sideRefs(nullable)
	if shardedRef(kept) >= 0 {
		return nil
	}
	i := shardedRef(other)
	if i < 0 || s.nullRejected(sel.Where, other) {
		return nil
	}
	kind := "LEFT"
	if preserved == j.RightExpr {
		kind = "RIGHT"
	}
	keep := "the preserved side"
	if len(kept) > 0 {
		keep = "table " + fullName(kept[0].name) // on the home data source
		if s.resolve(kept[0].name).broadcast != "" {
			keep = "broadcast " + keep
		}
	}
	return unsupported(s.sql, "%s JOIN preserving %s against sharded table %s on %d nodes: every node would return the rows of %s without a match on that node, so they would repeat (evaluate the preserved side once: route %s to one node with a condition on %s.%s, make the join an inner one with a WHERE condition on a column of %s such as %s.%s IS NOT NULL, or run the join in the application)",
		kind, keep, other[i].sharded.Name, nodes, keep, other[i].sharded.Name, other[i].qualifier(), other[i].sharded.Column,
		other[i].qualifier(), other[i].qualifier(), other[i].sharded.Column)
}

// sideRefs lists the tables of one side of a join (not of its derived
// tables), with their sharded table when they have one.
func (s *statement) sideRefs(te sqlparser.TableExpr) []tableRef {
	var refs []tableRef
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.DerivedTable, *sqlparser.Subquery:
			return false, nil
		case *sqlparser.AliasedTableExpr:
			if tn, ok := n.Expr.(sqlparser.TableName); ok {
				refs = append(refs, tableRef{expr: n, name: tn, sharded: s.resolve(tn).sharded})
			}
		}
		return true, nil
	}, te)
	return refs
}

// shardedRef returns the index of the first sharded table in refs, or -1.
func shardedRef(refs []tableRef) int {
	for i, r := range refs {
		if r.sharded != nil {
			return i
		}
	}
	return -1
}

// nullRejected reports whether an AND-ed term at the top of where is false
// or NULL on every row whose columns of the tables refs are all NULL (the
// NULL-extended rows of an outer join), so the outer join keeps none of
// them. Only shapes that are NULL whenever their column operand is NULL
// count; anything else (IFNULL, COALESCE, OR, <=>, IS NULL) does not.
func (s *statement) nullRejected(where *sqlparser.Where, refs []tableRef) bool {
	if where == nil || where.Expr == nil {
		return false
	}
	of := func(e sqlparser.Expr) bool {
		col, ok := e.(*sqlparser.ColName)
		if !ok || col.Qualifier.IsEmpty() {
			return false
		}
		for _, r := range refs {
			if s.qualifies(col.Qualifier, r) {
				return true
			}
		}
		return false
	}
	for _, term := range sqlparser.SplitAndExpression(nil, where.Expr) {
		switch t := term.(type) {
		case *sqlparser.ComparisonExpr:
			if t.Operator != sqlparser.NullSafeEqualOp && (of(t.Left) || of(t.Right)) {
				return true
			}
		case *sqlparser.BetweenExpr:
			if of(t.Left) {
				return true
			}
		case *sqlparser.IsExpr:
			if t.Right == sqlparser.IsNotNullOp && of(t.Left) {
				return true
			}
		}
	}
	return false
}
