package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// routeCorrelated plans a SELECT of one sharded table whose WHERE holds
// subqueries that run node by node: each reads broadcast tables and
// sharded tables bound to the outer table (Topology.Bind) whose sharding
// column the subquery's WHERE equates (AND-ed) with the outer table's.
// For any outer row, the inner rows it can see share its sharding value,
// so they live on its node (node i of bound tables is on the same data
// source), and broadcast tables are whole on every node: each node
// answers the statement exactly for its own outer rows, and the outer
// query merges as any scatter. `NOT EXISTS (… i.user_id = o.user_id AND
// i.order_id = o.order_id)` is the typical anti-join. It returns
// errNotBindable for every other shape.
func (s *statement) routeCorrelated(sel *sqlparser.Select) (*Plan, error) {
	refs := s.scopeRefs(sel)
	// Subqueries in the select list go node by node too, when the rows
	// are not folded (each node's rows are the result's; ORDER BY and
	// LIMIT merge).
	inSelect := sel.SelectExprs != nil && hasSubquery(sel.SelectExprs)
	folded := (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sel.Having != nil || sel.Distinct ||
		aggregatesOutsideSubqueries(sel.SelectExprs)
	if (sel.Where == nil && !inSelect) || (inSelect && folded) || len(refs) != 1 || refs[0].sharded == nil || len(sel.From) != 1 || sel.With != nil {
		return nil, errNotBindable
	}
	outer := refs[0]
	outside := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Where:
			// HAVING is a *Where too: a subquery there is outside (it
			// went to the node unchecked, naming another table's
			// logical name)
			if n == sel.Where {
				return false, nil
			}
		case *sqlparser.SelectExprs:
			return false, nil
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			outside = true
		}
		return !outside, nil
	}, sel)
	if outside {
		return nil, errNotBindable
	}
	tables := []*shard.ShardedTable{outer.sharded}
	ok := true
	check := func(n sqlparser.SQLNode) (bool, error) {
		sub, isSub := n.(*sqlparser.Subquery)
		if !isSub || !ok {
			return ok, nil
		}
		inner, isSel := sub.Select.(*sqlparser.Select)
		if !isSel || !s.colocated(inner, outer, &tables) {
			ok = false
		}
		return false, nil
	}
	for _, part := range []sqlparser.SQLNode{sel.Where, sel.SelectExprs} {
		_ = sqlparser.Walk(check, part)
	}
	if !ok {
		return nil, errNotBindable
	}
	// Route by the AND-ed terms without subqueries: dropping terms only
	// widens the node set.
	var terms []sqlparser.Expr
	if sel.Where != nil {
		for _, t := range sqlparser.SplitAndExpression(nil, sel.Where.Expr) {
			if !hasSubquery(t) {
				terms = append(terms, t)
			}
		}
	}
	var where *sqlparser.Where
	if len(terms) > 0 {
		where = &sqlparser.Where{Type: sqlparser.WhereClause, Expr: sqlparser.AndExpressions(terms...)}
	}
	rt, err := s.routeRefs([]tableRef{outer}, where)
	if err != nil {
		return nil, err
	}
	for _, t := range tables[1:] {
		if !containsTable(rt.tables, t) {
			rt.tables = append(rt.tables, t)
		}
	}
	return s.planRouted(sel, rt, sel)
}

// colocated reports whether inner, a subquery of a SELECT of outer, reads
// only broadcast tables and sharded tables bound to outer's whose sharding
// column an AND-ed term of inner's WHERE equates with outer's (adding
// those to tables), without subqueries of its own.
func (s *statement) colocated(inner *sqlparser.Select, outer tableRef, tables *[]*shard.ShardedTable) bool {
	if inner.With != nil || inner.Into != nil || hasSubquery(inner.SelectExprs) || (inner.Where != nil && hasSubquery(inner.Where)) ||
		hasSubquery(inner.Having) || hasSubquery(inner.OrderBy) {
		return false
	}
	for _, te := range inner.From {
		if hasSubquery(te) {
			return false
		}
	}
	var eqs []*sqlparser.ComparisonExpr
	if inner.Where != nil {
		for _, t := range sqlparser.SplitAndExpression(nil, inner.Where.Expr) {
			if c, ok := t.(*sqlparser.ComparisonExpr); ok && c.Operator == sqlparser.EqualOp {
				eqs = append(eqs, c)
			}
		}
	}
	for _, ref := range s.scopeRefs(inner) {
		if ref.sharded == nil {
			if s.resolve(ref.name).broadcast == "" {
				return false
			}
			continue
		}
		if !strings.EqualFold(ref.sharded.Name, outer.sharded.Name) && !s.topo.Bound(outer.sharded.Name, ref.sharded.Name) {
			return false
		}
		// The correlation must name the outer reference by a qualifier
		// the inner scope does not also define.
		if strings.EqualFold(outer.qualifier(), ref.qualifier()) {
			return false
		}
		pair := []tableRef{outer, ref}
		tied := false
		for _, eq := range eqs {
			a, b := s.keyRef(pair, eq.Left), s.keyRef(pair, eq.Right)
			if (a == 0 && b == 1) || (a == 1 && b == 0) {
				tied = true
			}
		}
		if !tied || !s.sameKeyPlacement(outer.sharded, ref.sharded) { // bound_keys.go
			return false
		}
		if !containsTable(*tables, ref.sharded) {
			*tables = append(*tables, ref.sharded)
		}
	}
	return true
}

// hasSubquery reports a subquery or derived table anywhere in node.
func hasSubquery(node sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			found = true
		}
		return !found, nil
	}, node)
	return found
}

// aggregatesOutsideSubqueries reports an aggregate of node's own query
// (not one inside a subquery).
func aggregatesOutsideSubqueries(node sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			return false, nil
		case sqlparser.AggrFunc:
			found = true
		}
		return !found, nil
	}, node)
	return found
}
