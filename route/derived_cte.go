package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// routeWith routes a SELECT with non-recursive common table expressions by
// writing each reference to a CTE as a derived table of its body (later
// CTEs may name earlier ones), which is what a non-recursive CTE means,
// and routing that statement (routeDerived, routeSubqueries,
// routeBoundSubqueries). Recursive CTEs and WITH inside subqueries are
// refused.
func (s *statement) routeWith(sel *sqlparser.Select) (*Plan, error) {
	refusal := unsupported(s.sql, "WITH (common table expression) with sharded table %s (WITH RECURSIVE: run the recursion in the application, one SELECT per level)", s.shapeOf(sel).sharded[0].name.Name.String())
	if sel.With == nil || sel.With.Recursive || len(sel.With.CTEs) == 0 {
		return nil, refusal
	}
	clone := sqlparser.CloneRefOfSelect(sel)
	clone.With = nil
	var bodies []*sqlparser.CommonTableExpr
	for _, cte := range sel.With.CTEs {
		if len(cte.Columns) > 0 {
			if _, ok := renameColumns(sqlparser.CloneTableStatement(cte.Subquery), cte.Columns); !ok {
				return nil, unsupported(s.sql, "CTE %s with a column list over a UNION, a *, or a body whose ORDER BY, GROUP BY or HAVING names a column the list renames (MariaDB has no column list on derived tables: alias the CTE's select items instead)", cte.ID.String())
			}
		}
		body := sqlparser.CloneTableStatement(cte.Subquery)
		body = inlineCTEs(body, bodies).(sqlparser.TableStatement)
		bodies = append(bodies, &sqlparser.CommonTableExpr{ID: cte.ID, Columns: cte.Columns, Subquery: body})
	}
	out := inlineCTEs(clone, bodies).(*sqlparser.Select)
	if hasWith(out) {
		return nil, unsupported(s.sql, "WITH inside a subquery or a CTE over sharded tables (write the CTEs at the top of the statement)")
	}
	s.keepCallerNames(sel, out)
	text, args := s.textOf(out)
	return s.routeText(text, args)
}

// inlineCTEs replaces the unqualified table names of node that name one of
// ctes by a derived table of its body, aliased by the CTE's name.
func inlineCTEs(node sqlparser.SQLNode, ctes []*sqlparser.CommonTableExpr) sqlparser.SQLNode {
	if len(ctes) == 0 {
		return node
	}
	return sqlparser.Rewrite(node, func(c *sqlparser.Cursor) bool {
		ate, ok := c.Node().(*sqlparser.AliasedTableExpr)
		if !ok {
			return true
		}
		tn, ok := ate.Expr.(sqlparser.TableName)
		if !ok || !tn.Qualifier.IsEmpty() {
			return true
		}
		for _, cte := range ctes {
			if !strings.EqualFold(cte.ID.String(), tn.Name.String()) {
				continue
			}
			body := sqlparser.CloneTableStatement(cte.Subquery)
			if len(cte.Columns) > 0 {
				// MariaDB has no column list on a derived table: the
				// CTE's column names become the body's select aliases.
				if named, ok := renameColumns(body, cte.Columns); ok {
					body = named
				} else {
					return true // left as a CTE name: refused by the caller
				}
			}
			out := &sqlparser.AliasedTableExpr{
				Expr:    &sqlparser.DerivedTable{Select: body},
				As:      ate.As,
				Columns: ate.Columns,
			}
			if out.As.IsEmpty() {
				out.As = tn.Name
			}
			c.Replace(out)
			return false
		}
		return true
	}, nil)
}

// hasWith reports a WITH clause anywhere in node.
func hasWith(node sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if w, ok := n.(*sqlparser.With); ok && w != nil && len(w.CTEs) > 0 {
			found = true
		}
		return !found, nil
	}, node)
	return found
}

// keepCallerNames aliases the unaliased select items of out (a rewritten
// copy of sel) with the names the caller's text gives sel's, so the
// rewritten statement's columns are named as one server names the
// caller's ("COUNT(*)", not the printed "count(*)").
func (s *statement) keepCallerNames(sel, out *sqlparser.Select) {
	orig, cols := sel.GetColumns(), out.GetColumns()
	if len(orig) != len(cols) {
		return
	}
	var withNames map[*sqlparser.AliasedExpr]string
	if sel.With != nil && sqlparser.SQLNode(sel) == s.ps.stmt {
		withNames = callerNames(mainSelectText(s.sql), sel)
	}
	for i, se := range orig {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok || !ae.As.IsEmpty() {
			continue
		}
		if _, isCol := ae.Expr.(*sqlparser.ColName); isCol {
			continue
		}
		name, ok := s.callerName(ae)
		if !ok {
			name, ok = withNames[ae]
		}
		if ok {
			if oae, ok := cols[i].(*sqlparser.AliasedExpr); ok {
				oae.As = sqlparser.NewIdentifierCI(name)
			}
		}
	}
}

// renameColumns gives the select items of body the names cols, as a CTE's
// column list does; false when body is not a SELECT of as many items
// (a * or a UNION).
func renameColumns(body sqlparser.TableStatement, cols sqlparser.Columns) (sqlparser.TableStatement, bool) {
	sel, ok := body.(*sqlparser.Select)
	if !ok {
		return nil, false
	}
	items := sel.GetColumns()
	if len(items) != len(cols) {
		return nil, false
	}
	// Renaming changes what the body's ORDER BY, GROUP BY and HAVING
	// mean when they name a select alias: in "WITH c (n, id) AS (SELECT
	// id, n FROM t ORDER BY id LIMIT 10)" the body written as "SELECT id
	// AS n, n AS id … ORDER BY id" orders by the column n (the new alias
	// id) and keeps other rows. The CTE's column list names only the
	// CTE's columns; inside the body the old names still apply. A body
	// whose clauses name a new name of a renamed item, or the old name of
	// a renamed item that is not that plain column (ORDER BY n of "SELECT
	// n" still means the column n once it is "SELECT n AS k"), is refused
	// (the caller's message says to alias the body's items instead).
	newNames, oldNames := map[string]bool{}, map[string]bool{}
	for i, se := range items {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, false
		}
		old := ae.ColumnName()
		if strings.EqualFold(old, cols[i].String()) {
			continue
		}
		newNames[strings.ToLower(cols[i].String())] = true
		if col, ok := ae.Expr.(*sqlparser.ColName); !ok || !strings.EqualFold(col.Name.String(), old) {
			oldNames[strings.ToLower(old)] = true
		}
	}
	for name := range oldNames {
		newNames[name] = true
	}
	if len(newNames) > 0 && namesAny(newNames, sel.OrderBy, sel.GroupBy, sel.Having) {
		return nil, false
	}
	for i, se := range items {
		ae := se.(*sqlparser.AliasedExpr)
		ae.As = sqlparser.NewIdentifierCI(cols[i].String())
	}
	return sel, true
}

// namesAny reports an unqualified column reference in any of nodes whose
// name (lower case) is in names.
func namesAny(names map[string]bool, nodes ...sqlparser.SQLNode) bool {
	found := false
	for _, node := range nodes {
		if node == nil {
			continue
		}
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if col, ok := n.(*sqlparser.ColName); ok && col.Qualifier.IsEmpty() && names[col.Name.Lowered()] {
				found = true
			}
			return !found, nil
		}, node)
	}
	return found
}

// mainSelectText returns the text of a statement from the SELECT that
// follows its WITH clause (the first SELECT outside parentheses), or "".
func mainSelectText(sql string) string {
	tkn := tokenParser.NewStringTokenizer(sql)
	depth := 0
	for {
		pos := tkn.Pos
		typ, _ := tkn.Scan()
		switch {
		case typ == 0 || typ == sqlparser.LEX_ERROR:
			return ""
		case typ == '(':
			depth++
		case typ == ')':
			depth--
		case depth == 0 && typ == sqlparser.SELECT:
			return strings.TrimLeft(sql[pos:], " \t\r\n")
		}
	}
}
