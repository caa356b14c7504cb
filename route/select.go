package route

import (
	"errors"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// routeSelect routes a SELECT: on one sharded table, on bound sharded
// tables joined on their sharding columns, with broadcast tables, or (with
// subqueries) when every table stays on one data source.
//
// A cached point select is routed again by its shortcut (point.go), which
// skips this function: a check added here that depends on the arguments
// must run in pointNode too.
func (s *statement) routeSelect(sel *sqlparser.Select) (*Plan, error) {
	sh := s.shapeOf(sel)
	if len(sh.sharded) == 0 {
		p, err := s.passthrough(KindSelect)
		if err == nil {
			p.RowBound = s.passKeyBound(sel, sh, p.Units[0].DataSource).of(s.args) // row_bound.go (learnPass proves it again)
		}
		return p, err
	}
	name := sh.sharded[0].name.Name.String()
	switch {
	case sh.union:
		// a UNION as a derived table: merged on its own, the SELECT above it
		if p, err := s.routeAbove(sel); !errors.Is(err, errNotBindable) {
			return p, err
		}
		return nil, unsupported(s.sql, "UNION over sharded table %s (a UNION inside a join, a subquery or a recursive CTE: run the UNION or the CTE as its own statement and combine the rows in the application)", name)
	case sh.with:
		return s.routeWith(sel)
	case sel.Into != nil:
		return nil, unsupported(s.sql, "SELECT … INTO on sharded table %s (select the rows and keep the values in the application)", name)
	case sh.subquery:
		return s.routeSubqueriesOrBind(sel)
	}
	if err := s.checkJoin(sh, sel); err != nil {
		return s.orCrossJoin(sel, err) // join_cross.go
	}
	rt, err := s.routeRefs(sh.sharded, sel.Where)
	if err != nil {
		return nil, err
	}
	if err := s.checkJoinNodes(sh, sel, rt); err != nil {
		return s.orCrossJoin(sel, err)
	}
	if len(rt.nodes) > 1 {
		if err := s.checkFunctions(sel, len(rt.nodes)); err != nil {
			return nil, err
		}
		if sh.window {
			return s.routeWindows(sel, sh, rt)
		}
		if crossNodeWork(sel) {
			return s.planScatter(sel, rt)
		}
	}
	return s.plan(KindSelect, sel, rt), nil
}

// crossNodeWork reports whether sel's result needs more than concatenating
// the node rows: ordering, folding or limiting across nodes.
func crossNodeWork(sel *sqlparser.Select) bool {
	return (sel.SelectExprs != nil && sqlparser.ContainsAggregation(sel.SelectExprs)) ||
		(sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sel.Having != nil ||
		sel.Distinct || len(sel.OrderBy) > 0 || sel.Limit != nil || sel.SQLCalcFoundRows
}

// routed is where a statement's sharded tables go: the distinct tables
// (bound to each other, so node i of each is on the same data source), the
// node indexes, and the IN lists to trim per node.
type routed struct {
	tables []*shard.ShardedTable
	nodes  []int
	ins    map[*sqlparser.ComparisonExpr]inOwners
}

// routeRefs intersects the nodes each sharded table reference allows by
// the WHERE clause (or a hint): joined rows share their sharding value,
// so they live on the same node index.
func (s *statement) routeRefs(refs []tableRef, where *sqlparser.Where) (routed, error) {
	var rt routed
	set := allNodes()
	for _, ref := range refs {
		cond := s.conditions(ref)
		ns, err := cond.nodeSet(where)
		if err != nil {
			return rt, err
		}
		set = set.and(ns)
		for k, v := range cond.ins {
			if rt.ins == nil {
				rt.ins = make(map[*sqlparser.ComparisonExpr]inOwners)
			}
			rt.ins[k] = v
		}
		if !containsTable(rt.tables, ref.sharded) {
			if rt.tables == nil {
				rt.tables = s.tableSlice()
			}
			rt.tables = append(rt.tables, ref.sharded)
		}
	}
	if i, ok := set.single(len(refs[0].sharded.Nodes)); ok {
		rt.nodes = s.nodeSlice(i)
	} else {
		rt.nodes = set.indexes(len(refs[0].sharded.Nodes))
	}
	return rt, nil
}

func containsTable(ts []*shard.ShardedTable, t *shard.ShardedTable) bool {
	for _, x := range ts {
		if strings.EqualFold(x.Name, t.Name) {
			return true
		}
	}
	return false
}

// plan renders stmt for each of the routed nodes.
func (s *statement) plan(kind Kind, stmt sqlparser.SQLNode, rt routed) *Plan {
	p := s.newPlan()
	*p = Plan{SQL: s.sql, Kind: kind, Table: rt.tables[0].Name, Units: s.renderNodes(stmt, rt.tables, rt.nodes, rt.ins)}
	if sel, ok := stmt.(*sqlparser.Select); ok && kind == KindSelect && len(p.Units) == 1 {
		p.RowBound = s.proveRowBound(sel).of(s.args) // row_bound.go
	}
	return p
}
