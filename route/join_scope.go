package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// checkJoinScopes checks each join of a SELECT whose two sides both read
// sharded tables: the sides must be joined on their sharding columns by
// equalities that hold for every pair of rows that join matches.
//
// The hazard: checkJoin connects the sharded tables by every equality of
// the statement, but an equality in the ON of an outer join holds only for
// that join's matches. In
//
//	t_order o JOIN t_order_item i ON o.order_id = i.order_id
//	LEFT JOIN t_order_item i2 ON i2.user_id = o.user_id AND i2.user_id = i.user_id
//
// i2 connects o and i, yet the first join matches on order_id alone: an
// item whose order lives on another node is found by the unsharded
// database and by no node. So each join may use only the equalities of its
// own ON, of the joins inside it, and those that hold for every result row
// (scopeEqualities): WHERE terms and ONs of inner joins outside any outer
// join's NULL-supplying side, which reject NULLs and so also every row a
// node NULL-extends for lack of a local match.
func (s *statement) checkJoinScopes(sh *shape, sel *sqlparser.Select) error {
	global := s.equalityEdges(sh.sharded, scopeEqualities(sel))
	var err error
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if err != nil {
				return false, nil
			}
			switch j := n.(type) {
			case *sqlparser.DerivedTable, *sqlparser.Subquery:
				return false, nil
			case *sqlparser.JoinTableExpr:
				err = s.checkJoinScope(sh, j, global)
			}
			return err == nil, nil
		}, te)
	}
	return err
}

// checkJoinScope checks one join of checkJoinScopes.
func (s *statement) checkJoinScope(sh *shape, j *sqlparser.JoinTableExpr, global [][2]int) error {
	left, right := s.shardedIn(sh, j.LeftExpr), s.shardedIn(sh, j.RightExpr)
	if len(left) == 0 || len(right) == 0 {
		return nil
	}
	var ons []*sqlparser.ComparisonExpr
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.DerivedTable, *sqlparser.Subquery:
			return false, nil
		case *sqlparser.JoinTableExpr:
			if x.Condition != nil && x.Condition.On != nil {
				ons = append(ons, andEqualities(x.Condition.On)...)
			}
		}
		return true, nil
	}, j)
	parent := make([]int, len(sh.sharded))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for _, e := range append(global, s.equalityEdges(sh.sharded, ons)...) {
		parent[find(e[0])] = find(e[1])
	}
	for _, l := range left {
		for _, r := range right {
			if find(l) == find(r) {
				return nil
			}
		}
	}
	a, b := sh.sharded[left[0]], sh.sharded[right[0]]
	return unsupported(s.sql, "join of %s and %s whose ON (or the WHERE) does not equate their sharding columns: an equality in another outer join's ON holds only for that join's matches (join them with %s.%s = %s.%s in this ON or in the WHERE)",
		a.sharded.Name, b.sharded.Name, a.qualifier(), a.sharded.Column, b.qualifier(), b.sharded.Column)
}

// shardedIn returns the indexes into sh.sharded of the tables in te.
func (s *statement) shardedIn(sh *shape, te sqlparser.TableExpr) []int {
	var out []int
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.DerivedTable, *sqlparser.Subquery:
			return false, nil
		case *sqlparser.AliasedTableExpr:
			for i, ref := range sh.sharded {
				if ref.expr == x {
					out = append(out, i)
				}
			}
		}
		return true, nil
	}, te)
	return out
}

// equalityEdges returns the pairs of sharded references whose sharding
// columns the equalities equate.
func (s *statement) equalityEdges(refs []tableRef, eqs []*sqlparser.ComparisonExpr) [][2]int {
	var out [][2]int
	for _, eq := range eqs {
		a, b := s.keyRef(refs, eq.Left), s.keyRef(refs, eq.Right)
		if a >= 0 && b >= 0 && a != b {
			out = append(out, [2]int{a, b})
		}
	}
	return out
}

// scopeEqualities lists the a = b terms that hold for every result row:
// AND-ed at the top of WHERE, or of the ON of an inner join that is not
// inside the NULL-supplying side of an outer join.
func scopeEqualities(sel *sqlparser.Select) []*sqlparser.ComparisonExpr {
	var out []*sqlparser.ComparisonExpr
	if sel.Where != nil {
		out = andEqualities(sel.Where.Expr)
	}
	var visit func(te sqlparser.TableExpr)
	visit = func(te sqlparser.TableExpr) {
		switch x := te.(type) {
		case *sqlparser.ParenTableExpr:
			for _, e := range x.Exprs {
				visit(e)
			}
		case *sqlparser.JoinTableExpr:
			switch x.Join {
			case sqlparser.LeftJoinType, sqlparser.NaturalLeftJoinType:
				visit(x.LeftExpr)
			case sqlparser.RightJoinType, sqlparser.NaturalRightJoinType:
				visit(x.RightExpr)
			default:
				if x.Condition != nil && x.Condition.On != nil {
					out = append(out, andEqualities(x.Condition.On)...)
				}
				visit(x.LeftExpr)
				visit(x.RightExpr)
			}
		}
	}
	for _, te := range sel.From {
		visit(te)
	}
	return out
}

// andEqualities lists the a = b terms AND-ed at the top of e.
func andEqualities(e sqlparser.Expr) []*sqlparser.ComparisonExpr {
	var out []*sqlparser.ComparisonExpr
	for _, term := range sqlparser.SplitAndExpression(nil, e) {
		if c, ok := term.(*sqlparser.ComparisonExpr); ok && c.Operator == sqlparser.EqualOp {
			out = append(out, c)
		}
	}
	return out
}
