package route

import (
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
)

// routeAbove plans a SELECT over one derived table (or an inlined CTE)
// whose rows the nodes cannot compute alone — grouped by a column other
// than the sharding column, with its own ORDER BY … LIMIT, DISTINCT, a
// join or subqueries the router plans on their own — by planning the
// derived table's SELECT as a statement of its own (its operator tree
// merges its rows exactly) and evaluating the outer SELECT above that
// merged stream (planAbove). It returns errNotBindable for statements of
// other shapes, which keep the caller's refusal.
func (s *statement) routeAbove(sel *sqlparser.Select) (*Plan, error) {
	if sel.With != nil {
		return nil, errNotBindable
	}
	ate, dt, ok := soleDerived(sel)
	if !ok {
		return nil, errNotBindable
	}
	if outsideSubquery(sel) {
		return nil, errNotBindable
	}
	if sel.Into != nil || sel.Lock != sqlparser.NoLock || sel.SQLCalcFoundRows {
		return nil, unsupported(s.sql, "INTO, locking or SQL_CALC_FOUND_ROWS over a derived table evaluated above the nodes (drop it: keep the values in the application instead of INTO, lock the rows with a SELECT … FOR UPDATE of the table itself, count them with SELECT COUNT(*))")
	}
	if len(ate.Columns) > 0 {
		return nil, unsupported(s.sql, "a column list on derived table %s (alias the derived table's select items instead)", ate.As.String())
	}
	var (
		in    aboveInput
		units []Unit
		table string
		err   error
	)
	switch inner := dt.Select.(type) {
	case *sqlparser.Select:
		in, units, table, err = s.aboveInner(inner)
	case *sqlparser.Union:
		in, units, table, err = s.aboveUnion(inner)
	default:
		return nil, errNotBindable
	}
	if err != nil {
		return nil, err
	}
	in.what = "derived table " + ate.As.String()
	for i := range in.cols {
		in.cols[i].table = ate.As.String()
	}
	root, err := s.planAbove(sel, in)
	if err != nil {
		return nil, err
	}
	return &Plan{SQL: s.sql, Kind: KindSelect, Table: table, Units: units, Root: root}, nil
}

// outsideSubquery reports a subquery, or a window, anywhere but in FROM.
func outsideSubquery(sel *sqlparser.Select) bool {
	found := false
	for _, part := range []sqlparser.SQLNode{sel.SelectExprs, sel.Where, sel.GroupBy, sel.Having, sel.OrderBy, sel.Limit} {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch n := n.(type) {
			case *sqlparser.Subquery:
				found = true
			case *sqlparser.OverClause:
				if n != nil {
					found = true
				}
			}
			return !found, nil
		}, part)
	}
	return found
}

// aboveInput is what a SELECT evaluated above a stream of rows reads: an
// operator producing rows that hold the visible columns cols (each at its
// row column), followed by columns holding the collations of text
// columns (collations, by index into the rows). Types are learned when
// the operator opens. One input is a derived table's merged rows (every
// column qualified by the derived table's alias), another a join's rows
// (each column qualified by its table; see join_above.go).
type aboveInput struct {
	op   merge.Operator
	cols []aboveCol
	// width is the number of columns of the rows (cols and the collation
	// columns among or after them).
	width      int
	collations []merge.Collated
	// resolve, when set, finds the column a reference names (the join's
	// rules: qualifiers, USING columns, ambiguity); nil resolves by the
	// qualifier of cols and the name. It returns -1 and no error for a
	// name that is no column (maybe a select alias), an error (a
	// refusal) for a name MySQL rejects as ambiguous.
	resolve func(*sqlparser.ColName) (int, error)
	// star, when set, lists the cols a * or t.* selects; nil selects
	// every column (a * qualified by the alias).
	star func(*sqlparser.StarExpr) ([]int, error)
	// what names the input in refusals ("derived table t", "the join").
	what string
}

// aboveCol is one visible column of an aboveInput.
type aboveCol struct {
	// table is the qualifier that names it ("" for none), name its name.
	table, name string
	// at is its row column.
	at int
	// printed: the name of an unaliased expression is the parser's
	// rendering (`count(*)`), not the caller's text MySQL would name
	// it by.
	printed bool
	// zeroFill: its values are a ZEROFILL column's (the column, or
	// MIN/MAX of it), whose text the rows do not carry
	// (display_attrs.go).
	zeroFill bool
}

// aboveInner plans the derived table's SELECT as a statement of its own,
// written with a COLLATION(x) column after the select items for each item
// that is not an aggregate (so text compares above the nodes by the
// server's collation), and returns it as the input of the outer SELECT.
func (s *statement) aboveInner(inner *sqlparser.Select) (aboveInput, []Unit, string, error) {
	var in aboveInput
	out := sqlparser.CloneRefOfSelect(inner)
	table := s.catalogTableOf(inner)
	if exprs, ok := expandStar(out, table); ok {
		out.SelectExprs = &sqlparser.SelectExprs{Exprs: exprs}
	}
	items := out.GetColumns()
	var extra []sqlparser.SelectExpr
	for i, se := range items {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return in, nil, "", unsupported(s.sql, "SELECT * in a derived table evaluated above the nodes (name the derived table's columns)")
		}
		if err := s.addAboveColumn(&in, i, ae); err != nil {
			return in, nil, "", err
		}
		in.cols[len(in.cols)-1].zeroFill = zeroFillItem(ae.Expr, func(c *sqlparser.ColName) bool { return s.zeroFillColumn(inner, c, 0) })
		rollup := inner.GroupBy != nil && inner.GroupBy.WithRollup
		if s.weights && !rollup && !sqlparser.ContainsAggregation(ae.Expr) && !notText(table, ae.Expr) {
			from := len(items) + len(extra)
			extra = append(extra, &sqlparser.AliasedExpr{
				Expr: &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("collation"), Exprs: []sqlparser.Expr{sqlparser.CloneExpr(ae.Expr)}},
				As:   sqlparser.NewIdentifierCI(fmt.Sprintf("__shardsql_c%d", i)),
			})
			in.collations = append(in.collations, merge.Collated{Col: merge.At(i), From: merge.At(from)})
		}
	}
	if len(extra) > 0 {
		exprs := append(append([]sqlparser.SelectExpr(nil), out.SelectExprs.Exprs...), extra...)
		out.SelectExprs = &sqlparser.SelectExprs{Exprs: exprs}
	}
	in.width = len(items) + len(extra)
	return s.routeBody(in, out)
}

// catalogTableOf returns the catalog's table when sel reads one table
// the catalog knows (no join), else nil.
func (s *statement) catalogTableOf(sel *sqlparser.Select) *schema.Table {
	if len(sel.From) != 1 {
		return nil
	}
	ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return nil
	}
	t, ok := s.catalog.Table(tn.Name.String())
	if !ok {
		return nil
	}
	return t
}

// expandStar returns sel's select list with each * written as the
// table's columns, in their order, when table (sel's one table) is
// known; false when sel has no * or a * it cannot expand.
func expandStar(sel *sqlparser.Select, table *schema.Table) ([]sqlparser.SelectExpr, bool) {
	star := false
	for _, se := range sel.GetColumns() {
		if _, ok := se.(*sqlparser.StarExpr); ok {
			star = true
		}
	}
	if !star || table == nil {
		return nil, false
	}
	var out []sqlparser.SelectExpr
	for _, se := range sel.GetColumns() {
		st, ok := se.(*sqlparser.StarExpr)
		if !ok {
			out = append(out, se)
			continue
		}
		for _, c := range table.Columns {
			col := sqlparser.NewColName(c.Name)
			col.Qualifier = st.TableName
			out = append(out, &sqlparser.AliasedExpr{Expr: col})
		}
	}
	return out, true
}

// notText reports a plain column the catalog knows is not text: it needs
// no COLLATION column.
func notText(table *schema.Table, e sqlparser.Expr) bool {
	c, ok := e.(*sqlparser.ColName)
	if !ok || table == nil {
		return false
	}
	col, ok := table.Column(c.Name.String())
	return ok && col.Collation == ""
}

// aboveUnion plans a UNION as a derived table: routed as a statement of
// its own, its columns named by its first SELECT. Its text columns carry
// no collation (the parts' may differ), so the SELECT above refuses to
// compare them when the servers report collations.
func (s *statement) aboveUnion(u *sqlparser.Union) (aboveInput, []Unit, string, error) {
	var in aboveInput
	first := firstSelect(u)
	if first == nil {
		return in, nil, "", errNotBindable
	}
	for i, se := range first.GetColumns() {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return in, nil, "", unsupported(s.sql, "SELECT * in a UNION as derived table evaluated above the nodes (name the columns)")
		}
		if err := s.addAboveColumn(&in, i, ae); err != nil {
			return in, nil, "", err
		}
	}
	in.width = len(in.cols)
	return s.routeBody(in, u)
}

// routeBody routes the statement under rows evaluated above the nodes
// (a derived table's body, with the columns in needs) and sets in's
// operator to its plan's tree.
func (s *statement) routeBody(in aboveInput, body sqlparser.SQLNode) (aboveInput, []Unit, string, error) {
	text, args := s.textOf(body)
	p, err := s.routeText(text, args)
	if err != nil {
		return in, nil, "", err
	}
	if p.Kind != KindSelect {
		return in, nil, "", errNotBindable
	}
	in.op = p.Tree()
	return in, p.Units, p.Table, nil
}

// addAboveColumn appends item i of a derived table's select list to its
// columns under the name MySQL gives it (the alias, the column's name, or
// the expression as printed), refusing a duplicate name.
func (s *statement) addAboveColumn(in *aboveInput, i int, ae *sqlparser.AliasedExpr) error {
	name := ae.As.String()
	printed := false
	if name == "" {
		if c, isCol := ae.Expr.(*sqlparser.ColName); isCol {
			name = c.Name.String()
		} else {
			name = sqlparser.String(ae.Expr)
			printed = true
		}
	}
	for _, prev := range in.cols {
		if strings.EqualFold(prev.name, name) {
			return unsupported(s.sql, "duplicate column name %s in a derived table (MySQL's error 1060: give each select item a name of its own with AS)", name)
		}
	}
	in.cols = append(in.cols, aboveCol{name: name, at: i, printed: printed})
	return nil
}
