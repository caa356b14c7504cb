package route

import (
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// Window functions across nodes. A window whose PARTITION BY includes the
// sharding column has each partition on one node: the nodes compute it and
// the SELECT is merged as any other. Otherwise ROW_NUMBER, RANK and
// DENSE_RANK over one window are computed above the nodes: the nodes sort
// by the window's PARTITION BY and ORDER BY keys (as hidden columns, so
// that a select alias cannot shadow a column) and send 0 in the window
// column, the streams are merge-sorted and a Window operator numbers the
// rows; the statement's own ORDER BY then sorts in memory, and its LIMIT
// applies to the numbered rows (the nodes get none: row numbers need every
// row before them).

// windowFunc is a computed window function of the select list.
type windowFunc struct {
	col  int
	kind merge.WindowKind
	expr *sqlparser.AliasedExpr
}

// routeWindows routes a SELECT with window functions over several nodes.
func (s *statement) routeWindows(sel *sqlparser.Select, sh *shape, rt routed) (*Plan, error) {
	name := rt.tables[0].Name
	refuse := func(what string) (*Plan, error) {
		return nil, unsupported(s.sql, "%s on sharded table %s across %d nodes (partition the window by the sharding column %s, or route the statement to one node)", what, name, len(rt.nodes), rt.tables[0].Column)
	}
	if len(sel.Windows) > 0 {
		return refuse("named window (WINDOW clause)")
	}
	var overs []*sqlparser.OverClause
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if o, ok := n.(*sqlparser.OverClause); ok && o != nil {
			overs = append(overs, o)
		}
		return true, nil
	}, sel)
	if (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sel.Having != nil || sel.Distinct {
		return refuse("window function with GROUP BY, HAVING or DISTINCT")
	}
	pushable := true
	for _, o := range overs {
		if o.WindowSpec == nil || !s.partitionsBySharding(o.WindowSpec, sh, rt) {
			pushable = false
		}
	}
	// An aggregate, or an aggregate used as a window function (SUM(x)
	// OVER (…)), which the scatter planner would take for a fold.
	aggregates := sel.SelectExprs != nil && sqlparser.ContainsAggregation(sel.SelectExprs)
	merged := len(sel.OrderBy) > 0 || sel.Limit != nil || sel.SQLCalcFoundRows
	switch {
	case pushable && !merged:
		return s.plan(KindSelect, sel, rt), nil
	case aggregates:
		return refuse("aggregate or aggregate window function beside a window function")
	case pushable:
		return s.planScatter(sel, rt)
	}
	var funcs []windowFunc
	var spec *sqlparser.WindowSpecification
	for i, se := range sel.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		w, ok := ae.Expr.(*sqlparser.ArgumentLessWindowExpr)
		if !ok {
			continue
		}
		var kind merge.WindowKind
		switch w.Type {
		case sqlparser.RowNumberExprType:
			kind = merge.RowNumber
		case sqlparser.RankExprType:
			kind = merge.Rank
		case sqlparser.DenseRankExprType:
			kind = merge.DenseRank
		default:
			return refuse(fmt.Sprintf("window function %s", strings.ToUpper(sqlparser.String(w))))
		}
		ws := w.OverClause.WindowSpec
		if ws == nil || ws.FrameClause != nil || !w.OverClause.WindowName.IsEmpty() {
			return refuse("window " + sqlparser.String(w.OverClause))
		}
		if spec != nil && sqlparser.String(spec) != sqlparser.String(ws) {
			return refuse("several different windows")
		}
		spec = ws
		funcs = append(funcs, windowFunc{col: i, kind: kind, expr: ae})
	}
	if len(funcs) != len(overs) {
		return refuse("window function other than ROW_NUMBER, RANK or DENSE_RANK in the select list")
	}
	if err := s.checkFunctions(sel, len(rt.nodes)); err != nil {
		return nil, err
	}
	return s.planScatterWith(sel, rt, func(m *scatter) error { return m.planWindow(spec, funcs) })
}

// partitionsBySharding reports whether a window's PARTITION BY includes
// the sharding column of the statement's sharded table.
func (s *statement) partitionsBySharding(ws *sqlparser.WindowSpecification, sh *shape, rt routed) bool {
	if len(rt.tables) != 1 || len(sh.sharded) != 1 {
		return false
	}
	for _, e := range ws.PartitionClause {
		c, ok := e.(*sqlparser.ColName)
		if !ok || !strings.EqualFold(c.Name.String(), rt.tables[0].Column) {
			continue
		}
		if c.Qualifier.IsEmpty() || strings.EqualFold(c.Qualifier.Name.String(), sh.sharded[0].qualifier()) {
			return true
		}
	}
	return false
}

// planWindow sets the scatter up for window functions computed above the
// nodes.
func (m *scatter) planWindow(ws *sqlparser.WindowSpecification, funcs []windowFunc) error {
	w := &merge.WindowSpec{}
	var order sqlparser.OrderBy
	key := func(e sqlparser.Expr, desc bool) merge.SortKey {
		col := m.hiddenCol(e)
		alias := m.exprs[len(m.exprs)-1].(*sqlparser.AliasedExpr).As
		dir := sqlparser.AscOrder
		if desc {
			dir = sqlparser.DescOrder
		}
		order = append(order, &sqlparser.Order{Expr: sqlparser.NewColName(alias.String()), Direction: dir})
		return merge.SortKey{Col: m.keyCol(col, e), Desc: desc}
	}
	for _, p := range ws.PartitionClause {
		w.Partition = append(w.Partition, key(p, false))
	}
	for _, o := range ws.OrderClause {
		w.Order = append(w.Order, key(o.Expr, o.Direction == sqlparser.DescOrder))
	}
	for _, f := range funcs {
		name := f.expr.As.String()
		if f.expr.As.IsEmpty() {
			var ok bool
			if name, ok = m.s.callerName(f.expr); !ok {
				name = columnName(f.expr.Expr)
			}
		}
		m.exprs[f.col] = &sqlparser.AliasedExpr{Expr: sqlparser.NewIntLiteral("0"), As: sqlparser.NewIdentifierCI(name)}
		w.Funcs = append(w.Funcs, merge.WindowFunc{Kind: f.kind, Col: merge.At(f.col)})
	}
	m.spec.Sort = append(append([]merge.SortKey(nil), w.Partition...), w.Order...)
	m.spec.Window = w
	m.node.OrderBy = order
	for _, o := range m.sel.OrderBy {
		k, err := m.sortKey(o.Expr, o.Direction == sqlparser.DescOrder, false)
		if err != nil {
			return err
		}
		m.spec.MemorySort = append(m.spec.MemorySort, k)
	}
	return nil
}
