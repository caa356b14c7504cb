package route

import (
	"errors"
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// The part of a SELECT evaluated above a cross-node join — the select
// list, GROUP BY, aggregates, HAVING, DISTINCT, ORDER BY, LIMIT — is
// planned by the planner of a SELECT over a derived table's merged rows
// (planAbove): the join's rows are its input, each column qualified by
// its table (aboveInput). One planner serves both, so what one can do
// the other can.
//
// The join's tables' statements are built before the SELECT above is
// planned (the offsets of the joined row must be known), so aboveSelect
// first adds to each table's statement every column the SELECT reads,
// marking the ones compared above the nodes (their collations are
// fetched beside them).

// aboveSelect returns the SELECT evaluated above the join: sel without
// WHERE (the join places its terms: in a table's statement, or in a
// Filter on the joined rows, j.where), its * and t.* written as the
// tables' columns, and each select item that is an expression over one
// table the nodes can compute — a table no LEFT JOIN NULL-extends, no
// argument, no aggregate, in a SELECT that is not grouped — read from a
// column of that table's statement (so functions and types the evaluator
// above does not implement still work there). Every column the SELECT
// reads is added to its table's statement.
func (j *crossJoin) aboveSelect() (*sqlparser.Select, error) {
	sel := j.sel
	window := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if o, ok := n.(*sqlparser.OverClause); ok && o != nil {
			window = true
		}
		return !window, nil
	}, sel.SelectExprs, sel.OrderBy)
	if window {
		// a table's statement would number or aggregate its own rows
		return nil, j.refuse("a window function above a join (compute it over a derived table of the join, or in the application)")
	}
	out := *sel
	out.Where = nil
	grouped := (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sqlparser.ContainsAggregation(sel.SelectExprs)
	var items []sqlparser.SelectExpr
	var compared []bool
	pushed := 0
	for i, se := range sel.GetColumns() {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			cols, err := j.starColumns(se)
			if err != nil {
				return nil, err
			}
			for _, c := range cols {
				items = append(items, &sqlparser.AliasedExpr{Expr: c})
				compared = append(compared, sel.Distinct)
			}
		case *sqlparser.AliasedExpr:
			if e, ok := j.pushItem(se, grouped); ok {
				set, err := j.tablesOf(se.Expr)
				if err != nil {
					return nil, err
				}
				t := single(set)
				name := se.As.String()
				if name == "" {
					if n, ok := j.s.callerName(se); ok {
						name = n
					} else {
						name = sqlparser.String(se.Expr)
					}
				}
				as := fmt.Sprintf("__shardsql_p%d", pushed)
				pushed++
				tb := j.tables[t]
				tb.cols = append(tb.cols, crossCol{expr: e(t), as: as, compared: j.itemCompared(i, se)})
				items = append(items, &sqlparser.AliasedExpr{Expr: &sqlparser.ColName{Name: sqlparser.NewIdentifierCI(as), Qualifier: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(tb.ref.qualifier())}}, As: sqlparser.NewIdentifierCI(name)})
				compared = append(compared, false)
				continue
			}
			items = append(items, se)
			_, bare := se.Expr.(*sqlparser.ColName)
			compared = append(compared, !bare || j.itemCompared(i, se))
		default:
			return nil, j.refuse("select item %s (select columns and expressions over them)", sqlparser.String(se))
		}
	}
	out.SelectExprs = &sqlparser.SelectExprs{Exprs: items}
	for i, se := range items {
		if err := j.fetchAbove(se.(*sqlparser.AliasedExpr).Expr, compared[i], nil); err != nil {
			return nil, err
		}
	}
	aliases := map[string]bool{}
	for _, se := range items {
		if ae := se.(*sqlparser.AliasedExpr); !ae.As.IsEmpty() {
			aliases[ae.As.Lowered()] = true
		}
	}
	var rest []sqlparser.SQLNode
	if sel.GroupBy != nil {
		rest = append(rest, sel.GroupBy)
	}
	if sel.Having != nil {
		rest = append(rest, sel.Having.Expr)
	}
	rest = append(rest, sel.OrderBy)
	for _, n := range rest {
		if err := j.fetchAbove(n, true, aliases); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// pushItem reports whether the nodes compute select item ae, returning
// it over table t, qualified as in t's statement.
func (j *crossJoin) pushItem(ae *sqlparser.AliasedExpr, grouped bool) (func(t int) sqlparser.Expr, bool) {
	if _, ok := ae.Expr.(*sqlparser.ColName); ok || grouped || sqlparser.ContainsAggregation(ae.Expr) {
		return nil, false
	}
	set, err := j.tablesOf(ae.Expr)
	if err != nil {
		return nil, false
	}
	t := single(set)
	if t < 0 || j.tables[t].nullable || j.tables[t].kind != merge.JoinInner && j.tables[t].kind != merge.JoinLeft {
		return nil, false
	}
	bad := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Argument, *sqlparser.Subquery:
			bad = true
		}
		return !bad, nil
	}, ae.Expr)
	if bad {
		return nil, false
	}
	return func(t int) sqlparser.Expr {
		return sqlparser.Rewrite(sqlparser.CloneExpr(ae.Expr), func(c *sqlparser.Cursor) bool {
			if col, ok := c.Node().(*sqlparser.ColName); ok {
				c.Replace(j.qualified(t, col))
			}
			return true
		}, nil).(sqlparser.Expr)
	}, true
}

// itemCompared reports whether select item i (ae) is compared above the
// nodes: with DISTINCT, named by its alias in HAVING, or by a position or
// its alias in GROUP BY or ORDER BY.
func (j *crossJoin) itemCompared(i int, ae *sqlparser.AliasedExpr) bool {
	if j.sel.Distinct {
		return true
	}
	var exprs []sqlparser.Expr
	if j.sel.GroupBy != nil {
		exprs = append(exprs, j.sel.GroupBy.Exprs...)
	}
	for _, o := range j.sel.OrderBy {
		exprs = append(exprs, o.Expr)
	}
	if j.sel.Having != nil && !ae.As.IsEmpty() {
		named := false
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if c, ok := n.(*sqlparser.ColName); ok && c.Qualifier.IsEmpty() && ae.As.Equal(c.Name) {
				named = true
			}
			return !named, nil
		}, j.sel.Having.Expr)
		if named {
			return true
		}
	}
	for _, e := range exprs {
		switch e := e.(type) {
		case *sqlparser.Literal:
			if n, ok := parseInt(e.Val); ok && e.Type == sqlparser.IntVal && int(n) == i+1 {
				return true
			}
		case *sqlparser.ColName:
			if e.Qualifier.IsEmpty() && !ae.As.IsEmpty() && ae.As.Equal(e.Name) {
				return true
			}
		}
	}
	return false
}

// fetchAbove adds the columns n reads to their tables' statements. A
// name in aliases (a select alias GROUP BY, HAVING or ORDER BY may name)
// that is no column is left to planAbove.
func (j *crossJoin) fetchAbove(n sqlparser.SQLNode, compared bool, aliases map[string]bool) error {
	var err error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if err != nil {
			return false, nil
		}
		if f, ok := n.(sqlparser.AggrFunc); ok && !isDistinctAggr(f) {
			// COUNT, SUM, AVG of a column only count or add its values
			arg := f.GetArg()
			if _, isCount := f.(*sqlparser.Count); isCount && len(f.GetArgs()) == 1 {
				arg = f.GetArgs()[0]
			}
			if c, ok := arg.(*sqlparser.ColName); ok {
				switch f.(type) {
				case *sqlparser.Count, *sqlparser.Sum, *sqlparser.Avg:
					err = j.fetchAbove(c, false, aliases)
					return false, nil
				}
			}
		}
		col, ok := n.(*sqlparser.ColName)
		if !ok {
			return true, nil
		}
		if strings.HasPrefix(col.Name.String(), "__shardsql_p") {
			return false, nil
		}
		t, terr := j.tableOf(col)
		if terr != nil {
			if col.Qualifier.IsEmpty() && aliases[col.Name.Lowered()] {
				return false, nil
			}
			err = terr
			return false, nil
		}
		if k := j.tables[t].kind; k != merge.JoinInner && k != merge.JoinLeft {
			err = j.refuse("column %s of a subquery's table outside it (MySQL's error 1054: name a column of the outer query's tables)", sqlparser.String(col))
			return false, nil
		}
		j.column(t, col, compared && !j.notText(t, col))
		return false, nil
	}, n)
	return err
}

// notText reports a column the catalog knows is not text: comparing it
// needs no collation.
func (j *crossJoin) notText(t int, col *sqlparser.ColName) bool {
	sh := j.tables[t].ref.sharded
	if sh == nil {
		return false
	}
	ct, ok := j.s.catalog.Table(sh.Name)
	if !ok {
		return false
	}
	c, ok := ct.Column(col.Name.String())
	return ok && c.Collation == ""
}

// aboveInput is the join's rows as the input of planAbove: every column
// of the tables' statements, qualified by its table, resolved as MySQL
// resolves names over several tables (crossJoin.tableOf).
func (j *crossJoin) aboveInput(root merge.Operator) aboveInput {
	in := aboveInput{op: root, what: "the join"}
	for _, t := range j.tables {
		if t.kind != merge.JoinInner && t.kind != merge.JoinLeft {
			continue
		}
		for k, c := range t.cols {
			name := c.name
			if c.as != "" {
				name = c.as
			}
			if name != "" {
				in.cols = append(in.cols, aboveCol{table: t.ref.qualifier(), name: name, at: t.offset + k, zeroFill: j.zeroFill(t, c)})
			}
		}
		in.width = max(in.width, t.offset+t.width())
	}
	in.resolve = func(c *sqlparser.ColName) (int, error) {
		if strings.HasPrefix(c.Name.String(), "__shardsql_p") {
			for _, col := range in.cols {
				if col.name == c.Name.String() && strings.EqualFold(col.table, c.Qualifier.Name.String()) {
					return col.at, nil
				}
			}
			return -1, nil
		}
		t, err := j.tableOf(c)
		if err != nil {
			var cr *crossRefusal
			if errors.As(err, &cr) && strings.HasPrefix(cr.reason, "ambiguous") {
				return -1, unsupported(j.s.sql, "%s", cr.reason)
			}
			return -1, nil // maybe a select alias
		}
		tb := j.tables[t]
		name := strings.ToLower(c.Name.String())
		for k := range tb.cols {
			if tb.cols[k].name == name && tb.cols[k].as == "" {
				return tb.offset + k, nil
			}
		}
		return -1, nil
	}
	return in
}

// planAboveJoin puts the operators above the join's rows: a Filter for
// the WHERE terms over several tables (or over NULL-supplied ones), and
// the SELECT above (planAbove).
func (j *crossJoin) planAboveJoin(sel *sqlparser.Select, root merge.Operator) (merge.Operator, error) {
	if len(j.where) > 0 {
		cond, err := j.placeholders(sqlparser.AndExpressions(j.where...))
		if err != nil {
			return nil, err
		}
		root = &merge.Filter{Cond: cond, Input: root}
	}
	return j.s.planAbove(sel, j.aboveInput(root))
}

// qualified is col qualified with table t's name in its own statement.
func (j *crossJoin) qualified(t int, col *sqlparser.ColName) *sqlparser.ColName {
	return &sqlparser.ColName{Name: col.Name, Qualifier: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(j.tables[t].ref.qualifier())}}
}

func isDistinctAggr(f sqlparser.AggrFunc) bool {
	d, ok := f.(sqlparser.DistinctableAggr)
	return ok && d.IsDistinct()
}

// zeroFill reports a column of table t's statement whose values are a
// ZEROFILL column's: a column of the catalog's table, or of a derived
// table's (display_attrs.go).
func (j *crossJoin) zeroFill(t *crossTable, c crossCol) bool {
	if t.derived != nil {
		for _, dc := range t.derived.in.cols {
			if dc.zeroFill && strings.EqualFold(dc.name, c.name) {
				return true
			}
		}
		return false
	}
	col, ok := c.expr.(*sqlparser.ColName)
	if !ok {
		return false
	}
	name := t.ref.name.Name.String()
	if t.ref.sharded != nil {
		name = t.ref.sharded.Name
	}
	if t.ref.sharded == nil {
		// a broadcast or unsharded table: the default data source's
		return j.s.catalog.UnshardedColumnZeroFill(t.ref.name.Name.String(), col.Name.String())
	}
	tb, ok := j.s.catalog.Table(name)
	if !ok {
		return false
	}
	cc, ok := tb.Column(col.Name.String())
	return ok && zeroFill(cc)
}

// zeroFillRef reports a column reference of the join that names a
// ZEROFILL column (crossJoin.zeroFill).
func (j *crossJoin) zeroFillRef(n *sqlparser.ColName) bool {
	t, err := j.tableOf(n)
	if err != nil || t < 0 || t >= len(j.tables) {
		return false
	}
	return j.zeroFill(j.tables[t], crossCol{expr: n, name: strings.ToLower(n.Name.String())})
}
