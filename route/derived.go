package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// routeDerived plans a SELECT that reads one derived table whose rows each
// node computes exactly from its own rows: a SELECT of one sharded table
// with filters and projections only, or grouped by the table's sharding
// column (every group lives on one node). The derived table's rows are
// then the union of the nodes' rows, as a sharded table's are, and the
// outer query is planned as any scatter over them (pushed down whole,
// with the merge operators above for its own GROUP BY, aggregates, ORDER
// BY and LIMIT). It returns errNotBindable for every other shape.
func (s *statement) routeDerived(sel *sqlparser.Select) (*Plan, error) {
	if sel.Into != nil || sel.Lock != sqlparser.NoLock || sel.With != nil {
		return nil, errNotBindable
	}
	ate, dt, ok := soleDerived(sel)
	if !ok {
		return nil, errNotBindable
	}
	inner, ok := dt.Select.(*sqlparser.Select)
	if !ok || len(ate.Columns) > 0 {
		return nil, errNotBindable
	}
	ref, where, _, ok := s.partitionSource(inner)
	if !ok {
		return nil, errNotBindable
	}
	// No other subquery in the outer query.
	other := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.DerivedTable:
			return false, nil
		case *sqlparser.Subquery:
			other = true
		}
		return !other, nil
	}, sel)
	if other {
		return nil, errNotBindable
	}
	rt, err := s.routeRefs([]tableRef{ref}, where)
	if err != nil {
		return nil, err
	}
	return s.planRouted(sel, rt, inner, sel)
}

// planRouted plans sel, whose tables rt routed, as one statement sent to
// rt's nodes: on several nodes the functions of each of checked must give
// each node's rows the same answer (checkFunctions), a window is not
// bindable, and cross-node work (aggregates, ORDER BY, LIMIT, DISTINCT)
// merges above the nodes.
func (s *statement) planRouted(sel *sqlparser.Select, rt routed, checked ...*sqlparser.Select) (*Plan, error) {
	if len(rt.nodes) > 1 {
		for _, q := range checked {
			if err := s.checkFunctions(q, len(rt.nodes)); err != nil {
				return nil, err
			}
		}
		if s.shapeOf(sel).window {
			return nil, errNotBindable
		}
		if crossNodeWork(sel) {
			return s.planScatter(sel, rt)
		}
	}
	return s.plan(KindSelect, sel, rt), nil
}

// partitionSource reports whether each node computes sel's rows for its
// own rows exactly, so that the rows of sel are the union of the nodes'
// rows: a SELECT of one sharded table, or of one such derived table,
// without subquery, join, window, DISTINCT or LIMIT, with aggregates only
// grouped by the sharding column itself (every group on one node). It
// returns the sharded table and the WHERE clause of the innermost SELECT,
// which route it, and the names of sel's columns that carry the sharding
// column unchanged.
func (s *statement) partitionSource(sel *sqlparser.Select) (ref tableRef, where *sqlparser.Where, keys map[string]bool, ok bool) {
	if len(sel.From) != 1 || sel.Limit != nil || sel.Distinct || sel.SQLCalcFoundRows ||
		sel.Into != nil || sel.With != nil || sel.Lock != sqlparser.NoLock {
		return ref, nil, nil, false
	}
	ate, isAliased := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !isAliased {
		return ref, nil, nil, false
	}
	var (
		srcKeys map[string]bool
		qualOK  func(sqlparser.TableName) bool
	)
	switch e := ate.Expr.(type) {
	case sqlparser.TableName:
		refs := s.scopeRefs(sel)
		if len(refs) != 1 || refs[0].sharded == nil {
			return ref, nil, nil, false
		}
		ref, where = refs[0], sel.Where
		srcKeys = map[string]bool{strings.ToLower(ref.sharded.Column): true}
		qualOK = func(q sqlparser.TableName) bool { return s.qualifies(q, ref) }
	case *sqlparser.DerivedTable:
		inner, isSel := e.Select.(*sqlparser.Select)
		if !isSel || e.Lateral || len(ate.Columns) > 0 {
			return ref, nil, nil, false
		}
		if ref, where, srcKeys, ok = s.partitionSource(inner); !ok {
			return ref, nil, nil, false
		}
		alias := ate.As.String()
		qualOK = func(q sqlparser.TableName) bool {
			return q.Qualifier.IsEmpty() && q.Name.String() == alias
		}
	default:
		return ref, nil, nil, false
	}
	keyCol := func(e sqlparser.Expr) (*sqlparser.ColName, bool) {
		col, isCol := e.(*sqlparser.ColName)
		if !isCol || !srcKeys[strings.ToLower(col.Name.String())] {
			return nil, false
		}
		return col, col.Qualifier.IsEmpty() || qualOK(col.Qualifier)
	}
	// No subquery or window outside FROM.
	nested := outsideSubquery(sel)
	if nested {
		return ref, nil, nil, false
	}
	grouped := sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0
	if !grouped && (sel.Having != nil || (sel.SelectExprs != nil && sqlparser.ContainsAggregation(sel.SelectExprs))) {
		return ref, nil, nil, false
	}
	if grouped {
		if sel.GroupBy.WithRollup {
			return ref, nil, nil, false // each node would add its own total rows
		}
		byKey := false
		for _, g := range sel.GroupBy.Exprs {
			if col, isKey := keyCol(g); isKey && !shadowedBySelectAlias(sel, col) {
				byKey = true
			}
		}
		if !byKey {
			return ref, nil, nil, false
		}
	}
	keys = make(map[string]bool)
	for _, se := range sel.GetColumns() {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			for k := range srcKeys {
				keys[k] = true
			}
		case *sqlparser.AliasedExpr:
			if col, isKey := keyCol(se.Expr); isKey {
				name := col.Name.String()
				if !se.As.IsEmpty() {
					name = se.As.String()
				}
				keys[strings.ToLower(name)] = true
			}
		}
	}
	return ref, where, keys, true
}

// shadowedBySelectAlias reports whether an unqualified GROUP BY column
// names a select alias instead (MySQL resolves GROUP BY names against the
// select list's aliases first, then the table's columns).
func shadowedBySelectAlias(sel *sqlparser.Select, col *sqlparser.ColName) bool {
	if !col.Qualifier.IsEmpty() {
		return false
	}
	for _, se := range sel.GetColumns() {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok || ae.As.IsEmpty() || !ae.As.EqualString(col.Name.String()) {
			continue
		}
		// An alias of the column itself is harmless.
		if c, ok := ae.Expr.(*sqlparser.ColName); ok && c.Name.Equal(col.Name) {
			continue
		}
		return true
	}
	return false
}

// soleDerived returns the derived table that is sel's whole FROM (not
// LATERAL), and false for any other FROM.
func soleDerived(sel *sqlparser.Select) (*sqlparser.AliasedTableExpr, *sqlparser.DerivedTable, bool) {
	if len(sel.From) != 1 {
		return nil, nil, false
	}
	ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, nil, false
	}
	dt, ok := ate.Expr.(*sqlparser.DerivedTable)
	if !ok || dt.Lateral {
		return nil, nil, false
	}
	return ate, dt, true
}
