package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// aliasesExpanded is ORDER BY/GROUP BY expression e with each bare name
// that is no column of the FROM tables but a select alias replaced by the
// aliased expression, as the hidden column the merge compares must
// compute it.
//
// Hazard (review19g): `SELECT k % 2 AS kk, id FROM x19 ORDER BY kk + 0,
// id`. MariaDB resolves a name inside an ORDER BY expression in FROM
// first, then among the select aliases, so kk + 0 is (k % 2) + 0; the
// scatter fetched `kk + 0` as a hidden select item, where an alias does
// not resolve, and every node failed with 1054. A name that is a column
// (or whose tables the catalog does not know) is left as written; an alias
// over an aggregate, a window function or a subquery is refused.
func (m *scatter) aliasesExpanded(e sqlparser.Expr) (sqlparser.Expr, error) {
	if _, bare := e.(*sqlparser.ColName); bare {
		return e, nil
	}
	var err error
	out := sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		col, ok := c.Node().(*sqlparser.ColName)
		if !ok || !col.Qualifier.IsEmpty() {
			return true
		}
		holders, known := m.fromHolders(col.Name)
		if !known || holders > 0 {
			return true
		}
		for _, se := range m.sel.SelectExprs.Exprs {
			ae, ok := se.(*sqlparser.AliasedExpr)
			if !ok || ae.As.IsEmpty() || !ae.As.Equal(col.Name) {
				continue
			}
			if sqlparser.ContainsAggregation(ae.Expr) || containsWindowOrSubquery(ae.Expr) {
				err = unsupported(m.s.sql, "select alias %s inside an ORDER BY or GROUP BY expression across nodes, over an aggregate, window function or subquery (repeat the aliased expression)", col.Name.String())
				return false
			}
			c.Replace(sqlparser.CloneExpr(ae.Expr))
			return false
		}
		return true
	}, nil)
	if err != nil {
		return nil, err
	}
	return out.(sqlparser.Expr), nil
}

// containsWindowOrSubquery reports whether e holds a window function or a
// subquery.
func containsWindowOrSubquery(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.OverClause:
			found = true
		}
		return !found, nil
	}, e)
	return found
}
