package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// semiSub is a correlated subquery of the WHERE clause evaluated as a
// semi-join or anti-join.
type semiSub struct {
	kind  merge.JoinKind
	inner *sqlparser.Select
	// in and notIn: the subquery is the right side of x [NOT] IN; other
	// is x.
	in, notIn bool
	other     sqlparser.Expr
}

// routeSemiJoin plans a SELECT whose WHERE has, AND-ed at its top,
// correlated subqueries whose tables are not co-located with the outer
// row: `[NOT] EXISTS (SELECT … FROM b WHERE b.k = o.k AND …)` and
// `x [NOT] IN (SELECT b.y FROM b WHERE b.k = o.k AND …)`. Each becomes a
// table joined to the outer rows by a semi-join (EXISTS, IN) or an
// anti-join (NOT EXISTS, NOT IN) with the same batched lookups as a join
// (join_cross.go): the subquery's equality of an inner column with an
// outer one is the key, its terms on the inner table go into the inner
// statement, the others are evaluated with each candidate pair.
//
// NOT IN keeps MySQL's NULL semantics: an outer row is kept only when no
// inner row (of those the correlation selects) equals x, is NULL, or
// meets a NULL x — x NOT IN (…, NULL) is never TRUE, and x NOT IN (empty)
// is TRUE even for a NULL x. The anti-join's match condition is
// `y = x OR y IS NULL OR x IS NULL`, and the key comes from the
// correlation, never from the IN pair.
//
// It returns errNotCross for other shapes (an uncorrelated subquery, one
// under OR or in the select list), which keep their refusal.
func (s *statement) routeSemiJoin(sel *sqlparser.Select) (*Plan, error) {
	if sel.Where == nil || sel.With != nil || len(s.hints) > 0 {
		return nil, errNotCross
	}
	outside := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Where:
			return false, nil
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			outside = true
		}
		return !outside, nil
	}, sel)
	if outside {
		return nil, errNotCross
	}
	outerNames := s.scopeNames(sel)
	outer := sqlparser.CloneRefOfSelect(sel)
	s.shareNames(sel, outer)
	var subs []semiSub
	var rest []sqlparser.Expr
	for _, term := range andTerms(outer.Where.Expr) {
		sub, ok := classifySemi(term)
		if !ok {
			if hasSubquery(term) {
				return nil, errNotCross
			}
			rest = append(rest, term)
			continue
		}
		if correlation(&sqlparser.Subquery{Select: sub.inner}, outerNames) == "" {
			return nil, errNotCross // uncorrelated: bound first (subquery_bind.go)
		}
		subs = append(subs, sub)
	}
	if len(subs) == 0 {
		return nil, errNotCross
	}
	outer.Where = nil
	if len(rest) > 0 {
		outer.Where = sqlparser.NewWhere(sqlparser.WhereClause, sqlparser.AndExpressions(rest...))
	}
	j := &crossJoin{s: s, sel: outer}
	if err := j.flatten(); err != nil {
		return nil, err
	}
	if err := j.checkShape(); err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if err := j.addSemi(sub); err != nil {
			return nil, err
		}
	}
	return j.plan()
}

// classifySemi recognises [NOT] EXISTS and x [NOT] IN (SELECT …) over one
// table.
func classifySemi(term sqlparser.Expr) (semiSub, bool) {
	not := false
	if n, ok := term.(*sqlparser.NotExpr); ok {
		if e, ok := n.Expr.(*sqlparser.ExistsExpr); ok {
			term, not = e, true
		}
	}
	switch e := term.(type) {
	case *sqlparser.ExistsExpr:
		inner, ok := e.Subquery.Select.(*sqlparser.Select)
		if !ok {
			return semiSub{}, false
		}
		kind := merge.JoinSemi
		if not {
			kind = merge.JoinAnti
		}
		return semiSub{kind: kind, inner: inner}, true
	case *sqlparser.ComparisonExpr:
		sub, ok := e.Right.(*sqlparser.Subquery)
		if !ok || (e.Operator != sqlparser.InOp && e.Operator != sqlparser.NotInOp) {
			return semiSub{}, false
		}
		if _, tuple := e.Left.(sqlparser.ValTuple); tuple {
			return semiSub{}, false
		}
		inner, ok := sub.Select.(*sqlparser.Select)
		if !ok {
			return semiSub{}, false
		}
		if e.Operator == sqlparser.InOp {
			return semiSub{kind: merge.JoinSemi, inner: inner, in: true, other: e.Left}, true
		}
		return semiSub{kind: merge.JoinAnti, inner: inner, notIn: true, other: e.Left}, true
	}
	return semiSub{}, false
}

// addSemi adds a subquery's table as a semi- or anti-joined table: its
// WHERE terms are the "ON" the join places (inner-only terms into its
// statement, the correlation's equality as the key, the rest evaluated
// with each pair).
func (j *crossJoin) addSemi(sub semiSub) error {
	in := sub.inner
	switch {
	case len(in.From) != 1:
		return j.refuse("a correlated subquery over several tables (correlate a subquery over one table, and join the others in the outer query)")
	case in.GroupBy != nil && len(in.GroupBy.Exprs) > 0, in.Having != nil:
		return j.refuse("a correlated subquery with GROUP BY or HAVING (compute the groups in a derived table and join it)")
	case in.Limit != nil, in.With != nil, in.Into != nil:
		return j.refuse("a correlated subquery with LIMIT or WITH (drop the LIMIT, which EXISTS ignores and MariaDB refuses under IN, and write a CTE as a derived table)")
	case (sub.in || sub.notIn) && in.Distinct:
		// DISTINCT does not change IN; fine.
	}
	ate, ok := in.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return j.refuse("a correlated subquery over a join or a derived table (correlate a subquery over one table, and join the others in the outer query)")
	}
	if (in.Where != nil && hasSubquery(in.Where)) || sqlparser.ContainsAggregation(in.SelectExprs) {
		return j.refuse("a correlated subquery with an aggregate or a nested subquery (compute it in a derived table grouped by the correlated column and join it)")
	}
	if err := j.add(ate, sub.kind, nil); err != nil {
		return err
	}
	t := j.tables[len(j.tables)-1]
	t.nullable = false
	if err := j.qualifyInner(t, in); err != nil {
		return err
	}
	if in.Where != nil {
		t.on = andTerms(in.Where.Expr)
	}
	if !sub.in && !sub.notIn {
		return nil
	}
	cols := in.GetColumns()
	if len(cols) != 1 {
		return j.refuse("an IN subquery of %d columns (write it as EXISTS with one equality per column)", len(cols))
	}
	ae, ok := cols[0].(*sqlparser.AliasedExpr)
	if !ok {
		return j.refuse("an IN subquery of * (select the one column by name)")
	}
	y := sqlparser.CloneExpr(ae.Expr)
	eq := &sqlparser.ComparisonExpr{Operator: sqlparser.EqualOp, Left: y, Right: sqlparser.CloneExpr(sub.other)}
	if sub.in {
		// x IN (…): a match is an inner row equal to x.
		t.on = append(t.on, eq)
		return nil
	}
	// x NOT IN (…): no inner row equal to x, NULL, or facing a NULL x.
	t.on = append(t.on, &sqlparser.OrExpr{
		Left:  &sqlparser.OrExpr{Left: eq, Right: &sqlparser.IsExpr{Left: sqlparser.CloneExpr(y), Right: sqlparser.IsNullOp}},
		Right: &sqlparser.IsExpr{Left: sqlparser.CloneExpr(sub.other), Right: sqlparser.IsNullOp},
	})
	return nil
}

// semi reports a table that a correlated subquery brought into the join.
func (t *crossTable) semi() bool { return t.kind == merge.JoinSemi || t.kind == merge.JoinAnti }

// qualifyInner qualifies the unqualified columns of a subquery's WHERE
// clause and select list that its table t has, as MySQL resolves a name
// in the subquery's own FROM first and in the outer query only when that
// lacks it; the rest are left to the outer query's tables (tableOf, which
// does not look in subqueries' tables).
//
// Hazard (compat15): the subquery's table was one more table of the join
// for every unqualified name, so the outer query's `SELECT name FROM
// users WHERE EXISTS (SELECT 1 FROM pets WHERE pets.owner_id = users.id)`
// was refused as ambiguous (both tables have name) where MySQL reads
// users.name, and an inner `WHERE kind_id = 2` would have been taken for
// an outer table's column had that one had it too.
func (j *crossJoin) qualifyInner(t *crossTable, in *sqlparser.Select) error {
	for _, o := range j.tables {
		if o != t && strings.EqualFold(o.ref.qualifier(), t.ref.qualifier()) {
			// Its columns, qualified or not, would read the other
			// table's (tableOf takes the first table of a name).
			return j.refuse("a correlated subquery whose table is named %s as a table of the outer query is (give it an alias)", t.ref.qualifier())
		}
	}
	var err error
	qualify := func(n sqlparser.SQLNode) (bool, error) {
		col, ok := n.(*sqlparser.ColName)
		if !ok || err != nil || !col.Qualifier.IsEmpty() {
			return err == nil, nil
		}
		has, known := j.hasColumn(t, col.Name.String())
		switch {
		case !known:
			err = j.refuse("unqualified column %s in a correlated subquery (qualify it)", sqlparser.String(col))
		case has:
			col.Qualifier = sqlparser.TableName{Name: sqlparser.NewIdentifierCS(t.ref.qualifier())}
		}
		return err == nil, nil
	}
	if in.Where != nil {
		_ = sqlparser.Walk(qualify, in.Where)
	}
	_ = sqlparser.Walk(qualify, in.SelectExprs)
	return err
}
