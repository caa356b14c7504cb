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
		if what := crossNodeWork(sel, sh); what != "" {
			return nil, unsupported(s.sql, "%s on sharded table %s across %d nodes (cross-node merging of this kind is not built yet; add a condition on %s to reach one node)",
				what, ref.sharded.Name, len(nodes), ref.sharded.Column)
		}
	}
	return s.plan(KindSelect, sel, ref, nodes, cond.ins), nil
}

// crossNodeWork names the first clause of sel whose result would be wrong if
// each node's rows were simply concatenated, or "" if there is none.
func crossNodeWork(sel *sqlparser.Select, sh *shape) string {
	switch {
	case sel.SelectExprs != nil && sqlparser.ContainsAggregation(sel.SelectExprs):
		return "aggregate function"
	case sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0:
		return "GROUP BY"
	case sel.Having != nil:
		return "HAVING"
	case sel.Distinct:
		return "DISTINCT"
	case len(sel.OrderBy) > 0:
		return "ORDER BY"
	case sel.Limit != nil:
		return "LIMIT"
	case sh.window:
		return "window function"
	case sel.SQLCalcFoundRows:
		return "SQL_CALC_FOUND_ROWS"
	}
	return ""
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
