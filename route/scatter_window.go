package route

import (
	"fmt"
	"strconv"
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
	// arg is the function's argument (nil for none); n NTILE's buckets or
	// LAG's and LEAD's offset
	arg sqlparser.Expr
	n   int64
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
	case aggregates && plainAggregates(sel.SelectExprs):
		return refuse("aggregate beside a window function")
	case pushable && !aggregates:
		return s.planScatter(sel, rt)
	}
	// (a window aggregate partitioned by the sharding column, merged with
	// ORDER BY or LIMIT, is computed above the nodes as any other: the
	// scatter planner would take SUM(x) OVER (…) for a fold)
	var funcs []windowFunc
	var spec *sqlparser.WindowSpecification
	for i, se := range sel.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		f, over, what := windowFunction(ae.Expr)
		if over == nil {
			continue
		}
		if what != "" {
			return refuse(what)
		}
		ws := over.WindowSpec
		if ws == nil || !over.WindowName.IsEmpty() {
			return refuse("window " + sqlparser.String(over))
		}
		if ws.FrameClause != nil {
			return refuse("window frame " + sqlparser.String(ws.FrameClause) + " (only the default frame is computed across nodes)")
		}
		if spec != nil && sqlparser.String(spec) != sqlparser.String(ws) {
			return refuse("several different windows (each window function must use the same PARTITION BY and ORDER BY)")
		}
		spec = ws
		f.col, f.expr = i, ae
		funcs = append(funcs, f)
	}
	if len(funcs) != len(overs) {
		return refuse("window function inside an expression in the select list (select it by itself)")
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
		e, err := m.windowRef(p, true)
		if err != nil {
			return err
		}
		w.Partition = append(w.Partition, key(e, false))
	}
	for _, o := range ws.OrderClause {
		e, err := m.windowRef(o.Expr, false)
		if err != nil {
			return err
		}
		w.Order = append(w.Order, key(e, o.Direction == sqlparser.DescOrder))
	}
	for _, f := range funcs {
		name := f.expr.As.String()
		if f.expr.As.IsEmpty() {
			var ok bool
			if name, ok = m.s.callerName(f.expr); !ok {
				name = columnName(f.expr.Expr)
			}
		}
		wf := merge.WindowFunc{Kind: f.kind, Col: merge.At(f.col), N: f.n}
		switch f.kind {
		case merge.RowNumber, merge.Rank, merge.DenseRank:
			m.exprs[f.col] = &sqlparser.AliasedExpr{Expr: sqlparser.NewIntLiteral("0"), As: sqlparser.NewIdentifierCI(name)}
		default:
			// the node computes the function itself over its rows: the
			// name and type one server gives it; the merge replaces the
			// value, computed from the argument in a hidden column
			m.exprs[f.col] = &sqlparser.AliasedExpr{Expr: f.expr.Expr, As: sqlparser.NewIdentifierCI(name)}
			if f.arg != nil {
				arg := m.hiddenCol(f.arg)
				wf.Arg = &arg
				m.collate(arg, f.arg)
			}
		}
		w.Funcs = append(w.Funcs, wf)
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

// windowFunction reads a select item as a window function computed above
// the nodes: over is its OVER clause (nil: not a window function), what
// names what is refused ("" when f is computable).
func windowFunction(e sqlparser.Expr) (f windowFunc, over *sqlparser.OverClause, what string) {
	refuse := func(o *sqlparser.OverClause, why string) (windowFunc, *sqlparser.OverClause, string) {
		return windowFunc{}, o, fmt.Sprintf("window function %s%s", sqlparser.String(e), why)
	}
	switch w := e.(type) {
	case *sqlparser.ArgumentLessWindowExpr:
		switch w.Type {
		case sqlparser.RowNumberExprType:
			f.kind = merge.RowNumber
		case sqlparser.RankExprType:
			f.kind = merge.Rank
		case sqlparser.DenseRankExprType:
			f.kind = merge.DenseRank
		case sqlparser.PercentRankExprType:
			f.kind = merge.PercentRank
		case sqlparser.CumeDistExprType:
			f.kind = merge.CumeDist
		default:
			return refuse(w.OverClause, "")
		}
		return f, w.OverClause, ""
	case *sqlparser.NtileExpr:
		n, ok := positiveLiteral(w.N)
		if !ok || n == 0 {
			return refuse(w.OverClause, " (NTILE of a positive integer literal only)")
		}
		return windowFunc{kind: merge.Ntile, n: n}, w.OverClause, ""
	case *sqlparser.LagLeadExpr:
		f = windowFunc{kind: merge.Lag, arg: w.Expr, n: 1}
		if w.Type == sqlparser.LeadExprType {
			f.kind = merge.Lead
		}
		if w.N != nil {
			n, ok := positiveLiteral(w.N)
			if !ok {
				return refuse(w.OverClause, " (an offset other than an integer literal)")
			}
			f.n = n
		}
		if w.Default != nil || w.NullTreatmentClause != nil {
			// the default's type joins the result's: the merge cannot tell it
			return refuse(w.OverClause, " (a default value or NULL treatment; use COALESCE around it)")
		}
		return f, w.OverClause, ""
	case *sqlparser.FirstOrLastValueExpr:
		f = windowFunc{kind: merge.FirstValue, arg: w.Expr}
		if w.Type == sqlparser.LastValueExprType {
			f.kind = merge.LastValue
		}
		if w.NullTreatmentClause != nil {
			return refuse(w.OverClause, " (NULL treatment)")
		}
		return f, w.OverClause, ""
	case *sqlparser.CountStar:
		return windowFunc{kind: merge.WinCount}, w.OverClause, ""
	case *sqlparser.Count:
		if w.OverClause != nil && (w.Distinct || len(w.Args) != 1) {
			return refuse(w.OverClause, "")
		}
		if len(w.Args) == 1 {
			f.arg = w.Args[0]
		}
		return windowFunc{kind: merge.WinCount, arg: f.arg}, w.OverClause, ""
	case *sqlparser.Sum:
		return windowAggregate(e, merge.WinSum, w.Arg, w.Distinct, w.OverClause)
	case *sqlparser.Avg:
		return windowAggregate(e, merge.WinAvg, w.Arg, w.Distinct, w.OverClause)
	case *sqlparser.Min:
		return windowAggregate(e, merge.WinMin, w.Arg, w.Distinct, w.OverClause)
	case *sqlparser.Max:
		return windowAggregate(e, merge.WinMax, w.Arg, w.Distinct, w.OverClause)
	}
	var o *sqlparser.OverClause
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.OverClause); ok && c != nil {
			o = c
		}
		return o == nil, nil
	}, e)
	if o != nil {
		return refuse(o, "")
	}
	return windowFunc{}, nil, ""
}

func windowAggregate(e sqlparser.Expr, kind merge.WindowKind, arg sqlparser.Expr, distinct bool, over *sqlparser.OverClause) (windowFunc, *sqlparser.OverClause, string) {
	if over != nil && distinct {
		return windowFunc{}, over, fmt.Sprintf("window function %s (DISTINCT)", sqlparser.String(e))
	}
	return windowFunc{kind: kind, arg: arg}, over, ""
}

// positiveLiteral reads a non-negative integer literal.
func positiveLiteral(e sqlparser.Expr) (int64, bool) {
	l, ok := e.(*sqlparser.Literal)
	if !ok || l.Type != sqlparser.IntVal {
		return 0, false
	}
	n, err := strconv.ParseInt(l.Val, 10, 64)
	return n, err == nil && n >= 0
}

// plainAggregates reports an aggregate without OVER in the select list.
func plainAggregates(exprs *sqlparser.SelectExprs) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if a, ok := n.(sqlparser.AggrFunc); ok && !overClause(a) {
			found = true
		}
		return !found, nil
	}, exprs)
	return found
}

// windowRef resolves a name in a window's PARTITION BY or ORDER BY as
// MariaDB does: ORDER BY takes a select alias of that name first, as the
// statement's ORDER BY does; PARTITION BY takes the table's column first,
// as GROUP BY does, and the alias when no column has the name. The
// merge's key is then the aliased expression, computed by the nodes in a
// hidden column.
//
// Hazard (found by review17b): the name went to the nodes' select list as
// written, where it names the column: `SELECT id AS g, RANK() OVER
// (ORDER BY g)` ranked by the column g where one server ranks by id, and
// `SELECT -id AS x, ROW_NUMBER() OVER (ORDER BY x)` failed on the nodes
// (Unknown column 'x') where one server answers.
func (m *scatter) windowRef(e sqlparser.Expr, partition bool) (sqlparser.Expr, error) {
	c, ok := e.(*sqlparser.ColName)
	if !ok {
		// an expression naming an alias (PARTITION BY kk + 0): the
		// aliased expression, as for the statement's ORDER BY
		// (scatter_order_alias.go; the nodes failed with 1054)
		return m.aliasesExpanded(e)
	}
	if !c.Qualifier.IsEmpty() || (partition && m.isTableColumn(c)) {
		return e, nil
	}
	for _, se := range m.sel.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok || ae.As.IsEmpty() || !ae.As.Equal(c.Name) {
			continue
		}
		if sqlparser.ContainsAggregation(ae.Expr) || containsWindow(ae.Expr) {
			// MariaDB: error 4016 (a window function), or an aggregate
			// of a grouped query, planned elsewhere
			return nil, unsupported(m.s.sql, "window PARTITION BY or ORDER BY naming alias %s of an aggregate or a window function across nodes (name the expression)", c.Name.String())
		}
		return ae.Expr, nil
	}
	return e, nil
}

// containsWindow reports whether e holds a window function (OVER).
func containsWindow(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.OverClause); ok {
			found = true
		}
		return !found, nil
	}, e)
	return found
}
