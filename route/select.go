package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// routeSelect routes a SELECT on at most one sharded table.
func (s *statement) routeSelect(sel *sqlparser.Select) (*Plan, error) {
	sh := s.shapeOf(sel)
	if len(sh.sharded) == 0 {
		return s.passthrough(KindSelect)
	}
	if err := s.checkSingleTable(sh, len(sel.From)); err != nil {
		return nil, err
	}
	if sel.Into != nil {
		return nil, unsupported(s.sql, "SELECT … INTO on sharded table %s", sh.sharded[0].name.Name.String())
	}
	ref := sh.sharded[0]
	cond := s.conditions(ref)
	nodes, err := cond.route(sel.Where)
	if err != nil {
		return nil, err
	}
	if len(nodes) > 1 {
		if sh.window {
			return nil, unsupported(s.sql, "window function on sharded table %s across %d nodes", ref.sharded.Name, len(nodes))
		}
		if crossNodeWork(sel) {
			return s.planScatter(sel, ref, nodes, cond.ins)
		}
	}
	return s.plan(KindSelect, sel, ref, nodes, cond.ins), nil
}

// crossNodeWork reports whether sel's result needs more than concatenating
// the node rows: ordering, folding or limiting across nodes.
func crossNodeWork(sel *sqlparser.Select) bool {
	return (sel.SelectExprs != nil && sqlparser.ContainsAggregation(sel.SelectExprs)) ||
		(sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sel.Having != nil ||
		sel.Distinct || len(sel.OrderBy) > 0 || sel.Limit != nil || sel.SQLCalcFoundRows
}

// routeUnion routes a UNION: allowed only when no sharded table takes part.
func (s *statement) routeUnion(u *sqlparser.Union) (*Plan, error) {
	if names := s.shardedNames(u); len(names) > 0 {
		return nil, unsupported(s.sql, "UNION over sharded table %s", names[0])
	}
	return s.passthrough(KindSelect)
}

// plan renders stmt for each of the given nodes of ref's table.
func (s *statement) plan(kind Kind, stmt sqlparser.SQLNode, ref tableRef, nodes []int, ins map[*sqlparser.ComparisonExpr][]int) *Plan {
	p := &Plan{SQL: s.sql, Kind: kind, Table: ref.sharded.Name, Units: make([]Unit, 0, len(nodes))}
	for _, n := range nodes {
		p.Units = append(p.Units, s.render(stmt, ref.sharded, n, ins, nil))
	}
	return p
}
