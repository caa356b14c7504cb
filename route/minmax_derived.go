package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review22): MariaDB merges a plain derived table into the query
// around it (derived_merge), so SELECT MAX(m), COUNT(*) FROM (SELECT u AS
// m FROM t) d WHERE m BETWEEN 0 AND 9.5 is MAX(u) … u BETWEEN 0 AND 9.5
// to its optimizer, answered by one index lookup: NULL, 0 on one table,
// 9, 2 through shardsql, whose MIN/MAX check saw a SELECT over a derived
// table and no sharded table. mergedSelect gives the check the SELECT the
// server runs: the outer one over the inner one's FROM, its columns
// replaced by the inner select's expressions and both WHEREs joined.

// mergedSelect returns sel with its one FROM entry, a derived table MariaDB
// merges (one SELECT without DISTINCT, GROUP BY, HAVING, aggregates, window
// functions, LIMIT or a column list), replaced by that SELECT's FROM
// (again while the result's FROM is such a derived table), or false when
// sel's FROM is not such a derived table.
func mergedSelect(sel *sqlparser.Select) (*sqlparser.Select, bool) {
	merged := false
	for range 8 {
		if len(sel.From) != 1 {
			break
		}
		ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
		if !ok || len(ate.Columns) > 0 {
			break
		}
		dt, ok := ate.Expr.(*sqlparser.DerivedTable)
		if !ok || dt.Lateral {
			break
		}
		inner, ok := dt.Select.(*sqlparser.Select)
		if !ok || inner.Distinct || inner.Limit != nil || inner.Having != nil || len(inner.Windows) > 0 || inner.With != nil ||
			(inner.GroupBy != nil && len(inner.GroupBy.Exprs) > 0) || sqlparser.ContainsAggregation(inner.SelectExprs) {
			break
		}
		cols := map[string]sqlparser.Expr{}
		star := false
		for _, e := range inner.GetColumns() {
			switch e := e.(type) {
			case *sqlparser.StarExpr:
				star = true
			case *sqlparser.AliasedExpr:
				name := e.ColumnName()
				if !e.As.IsEmpty() {
					name = e.As.String()
				}
				if name != "" {
					cols[sqlparser.NewIdentifierCI(name).Lowered()] = e.Expr
				}
			}
		}
		replace := func(cursor *sqlparser.Cursor) bool {
			switch n := cursor.Node().(type) {
			case *sqlparser.Subquery:
				return false
			case *sqlparser.ColName:
				if !n.Qualifier.IsEmpty() && (n.Qualifier.Name.String() != ate.As.String() || !n.Qualifier.Qualifier.IsEmpty()) {
					return true // an outer query's column
				}
				if e, ok := cols[n.Name.Lowered()]; ok {
					cursor.Replace(sqlparser.CloneExpr(e))
				} else if star {
					cursor.Replace(sqlparser.NewColName(n.Name.String()))
				}
			}
			return true
		}
		out := sqlparser.CloneRefOfSelect(sel)
		out.From = inner.From
		out.SelectExprs = sqlparser.Rewrite(out.SelectExprs, replace, nil).(*sqlparser.SelectExprs)
		var where sqlparser.Expr
		if out.Where != nil {
			where = sqlparser.Rewrite(out.Where.Expr, replace, nil).(sqlparser.Expr)
		}
		if inner.Where != nil {
			where = sqlparser.AndExpressions(where, inner.Where.Expr)
		}
		out.Where = nil
		if where != nil {
			out.Where = sqlparser.NewWhere(sqlparser.WhereClause, where)
		}
		if out.Having != nil {
			out.Having = sqlparser.NewWhere(sqlparser.HavingClause, sqlparser.Rewrite(out.Having.Expr, replace, nil).(sqlparser.Expr))
		}
		sel, merged = out, true
	}
	return sel, merged
}
