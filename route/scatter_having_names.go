package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard: MariaDB resolves a name in HAVING (outside an aggregate) only
// to a select alias, a select item that is that column, or a GROUP BY
// column; any other column fails with error 1054 (Unknown column … in
// 'HAVING'), even when HAVING repeats a GROUP BY or select expression over
// it (`GROUP BY UPPER(v) HAVING UPPER(v) > 'b'`, round 8's left item).
// The merge evaluates HAVING above the nodes and fetched such a column as a
// hidden one, answering a statement one MariaDB rejects. checkHavingNames
// refuses it first.

// checkHavingNames refuses a HAVING condition naming, outside an
// aggregate, a column MariaDB could not resolve there.
func (m *scatter) checkHavingNames(e sqlparser.Expr) error {
	var bad *sqlparser.ColName
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case sqlparser.AggrFunc, *sqlparser.Subquery:
			return false, nil // any column of the rows; subqueries are refused later
		case *sqlparser.ColName:
			if bad == nil && !m.havingNameResolves(n) {
				bad = n
			}
			return false, nil
		}
		return bad == nil, nil
	}, e)
	if bad != nil {
		return unsupported(m.s.sql, "HAVING names column %s, which is neither selected nor grouped by (MariaDB fails with error 1054, Unknown column in 'HAVING': select it or GROUP BY it, or put the condition in WHERE)", sqlparser.String(bad))
	}
	return nil
}

// havingNameResolves reports whether MariaDB resolves c in HAVING: a
// select alias (unqualified), a selected column of that name (a * selects
// them all), or a GROUP BY column of that name.
func (m *scatter) havingNameResolves(c *sqlparser.ColName) bool {
	for _, se := range m.sel.SelectExprs.Exprs {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			return true
		case *sqlparser.AliasedExpr:
			if c.Qualifier.IsEmpty() && !se.As.IsEmpty() && se.As.Equal(c.Name) {
				return true
			}
			if col, ok := se.Expr.(*sqlparser.ColName); ok && col.Name.Equal(c.Name) {
				return true
			}
		}
	}
	if m.sel.GroupBy != nil {
		for _, g := range m.sel.GroupBy.Exprs {
			if col, ok := g.(*sqlparser.ColName); ok && col.Name.Equal(c.Name) {
				return true
			}
		}
	}
	return false
}
