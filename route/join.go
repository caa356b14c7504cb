package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// checkJoin accepts the tables of a SELECT when they can run node by node:
// the sharded tables bound to each other (Topology.Bind) and joined on
// their sharding columns, so matching rows share a node. The other tables
// (broadcast tables, and tables the topology does not know, which live on
// the home data source) are checked once the nodes are known
// (checkJoinNodes).
func (s *statement) checkJoin(sh *shape, sel *sqlparser.Select) error {
	first := sh.sharded[0]
	if len(sh.sharded) == 1 {
		return nil
	}
	for _, ref := range sh.sharded[1:] {
		if !s.topo.Bound(first.sharded.Name, ref.sharded.Name) {
			return unsupported(s.sql, "join of sharded tables %s and %s, which are not bound (Topology.Bind) and may be on different nodes (bind them if they are sharded alike: the same nodes and algorithm)", first.sharded.Name, ref.sharded.Name)
		}
	}
	// Union the references that an equality of sharding columns joins.
	parent := make([]int, len(sh.sharded))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for _, eq := range joinEqualities(sel) {
		a, b := s.keyRef(sh.sharded, eq.Left), s.keyRef(sh.sharded, eq.Right)
		if a >= 0 && b >= 0 && a != b && s.sameKeyPlacement(sh.sharded[a].sharded, sh.sharded[b].sharded) { // bound_keys.go
			parent[find(a)] = find(b)
		}
	}
	for i := range sh.sharded[1:] {
		if find(i+1) != find(0) {
			return unsupported(s.sql, "join of %s and %s not on their sharding columns, or on sharding columns whose types place equal values on different nodes (join them with %s.%s = %s.%s, and give bound tables' sharding columns the same type)",
				first.sharded.Name, sh.sharded[i+1].sharded.Name, first.qualifier(), first.sharded.Column, sh.sharded[i+1].qualifier(), sh.sharded[i+1].sharded.Column)
		}
	}
	return s.checkJoinScopes(sh, sel)
}

// keyRef returns the index of the reference whose sharding column e names
// with a qualifier, or -1.
func (s *statement) keyRef(refs []tableRef, e sqlparser.Expr) int {
	col, ok := e.(*sqlparser.ColName)
	if !ok || col.Qualifier.IsEmpty() {
		return -1
	}
	for i, ref := range refs {
		if col.Name.EqualString(ref.sharded.Column) && s.qualifies(col.Qualifier, ref) {
			return i
		}
	}
	return -1
}

// joinEqualities lists the a = b conditions that hold for every joined row:
// the AND-ed terms of WHERE and of each join's ON.
func joinEqualities(sel *sqlparser.Select) []*sqlparser.ComparisonExpr {
	var out []*sqlparser.ComparisonExpr
	var terms func(e sqlparser.Expr)
	terms = func(e sqlparser.Expr) {
		switch x := e.(type) {
		case *sqlparser.AndExpr:
			terms(x.Left)
			terms(x.Right)
		case *sqlparser.ComparisonExpr:
			if x.Operator == sqlparser.EqualOp {
				out = append(out, x)
			}
		}
	}
	if sel.Where != nil {
		terms(sel.Where.Expr)
	}
	for _, te := range sel.From {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if j, ok := n.(*sqlparser.JoinTableExpr); ok && j.Condition != nil && j.Condition.On != nil {
				terms(j.Condition.On)
			}
			return true, nil
		}, te)
	}
	return out
}
