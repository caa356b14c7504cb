package route

import (
	"fmt"
	"strconv"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
	"github.com/shardsql/shardsql/merge"
)

// having translates a HAVING condition for the merge: aggregates,
// selected columns, aliases and group keys become evalenv.Column
// placeholders of their offsets in the folded row (hidden columns are
// added for what the select list lacks), ? arguments become literals. The
// merge compiles it for the column types and collations the nodes report.
//
// Names resolve as MySQL resolves them in HAVING: a name that is both a
// select alias and a GROUP BY column is the column.
func (m *scatter) having(e sqlparser.Expr) (sqlparser.Expr, error) {
	if err := m.checkHavingNames(e); err != nil { // scatter_having_names.go
		return nil, err
	}
	return m.overAggregates(e, "HAVING", namesHaving)
}

// nameRules says how overAggregates resolves a bare name.
type nameRules uint8

const (
	// namesHaving: a GROUP BY column, then a select alias, then a column.
	namesHaving nameRules = iota
	// namesSelect: a column of the tables (a select item cannot name
	// another item's alias).
	namesSelect
	// namesOrder: a column; a name that is a select alias is refused
	// (the node computes the expression in its select list, where the
	// alias does not resolve).
	namesOrder
)

// overAggregates translates an expression over aggregates of HAVING, the
// select list or ORDER BY for the merge evaluator, as having does; names
// resolve by rules.
func (m *scatter) overAggregates(e sqlparser.Expr, clause string, rules nameRules) (sqlparser.Expr, error) {
	if zf := zeroFillReadAsText(e, m.zeroFillRef); zf != "" { // display_attrs.go
		return nil, m.s.zeroFillRefusal(clause, e, zf, "across nodes")
	}
	var err error
	setErr := func(e error) {
		if err == nil {
			err = e
		}
	}
	replace := func(c *sqlparser.Cursor, col merge.Col, e error) bool {
		if e != nil {
			setErr(e)
		} else {
			c.Replace(m.havingPlaceholder(col))
		}
		return false
	}
	rewritten := sqlparser.Rewrite(sqlparser.Clone(e), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		if e, ok := c.Node().(sqlparser.Expr); ok {
			if col, ok := m.havingGroupExpr(e); ok {
				return replace(c, col, nil)
			}
		}
		switch n := c.Node().(type) {
		case *sqlparser.Subquery:
			setErr(unsupported(m.s.sql, "subquery in %s across nodes (run it as its own statement first and pass its value as a ? argument, or route the statement to one node with a condition on the sharding column)", clause))
			return false
		case *sqlparser.Avg:
			if n.Distinct {
				// the folded AVG(DISTINCT) is rounded to the scale MySQL
				// sends; MySQL computes the expression from more digits
				setErr(unsupported(m.s.sql, "AVG(DISTINCT …) inside an expression or HAVING across nodes (select it, or compute SUM(DISTINCT x)/COUNT(DISTINCT x))"))
				return false
			}
			if overClause(n) {
				col, e := m.havingAggregate(n)
				return replace(c, col, e)
			}
			// the unrounded average (merge.AggAvgInternal), not the folded
			// AVG: MySQL computes AVG(x) + 1 or AVG(x) >= 2.5 from the
			// quotient's internal digits, and sends it rounded
			if e := m.checkInexact(n, n.Arg); e != nil {
				setErr(e)
				return false
			}
			// ... but only where MySQL computes with it as a DECIMAL: a
			// string function sees the rounded text, a DOUBLE context
			// (refused by the merge) divides in floating point
			switch p := c.Parent().(type) {
			case nil, *sqlparser.ComparisonExpr, *sqlparser.BetweenExpr, *sqlparser.AndExpr, *sqlparser.OrExpr, *sqlparser.NotExpr:
			case *sqlparser.BinaryExpr:
				if p.Operator != sqlparser.PlusOp && p.Operator != sqlparser.MinusOp && p.Operator != sqlparser.MultOp && p.Operator != sqlparser.DivOp {
					setErr(unsupported(m.s.sql, "AVG under the operator %s across nodes (compare AVG(x) itself, or combine it with +, -, * or /)", p.Operator.ToString()))
					return false
				}
			case *sqlparser.UnaryExpr:
				if p.Operator != sqlparser.UMinusOp {
					setErr(unsupported(m.s.sql, "AVG under a unary operator across nodes (compare AVG(x) itself, or negate it with -)"))
					return false
				}
			default:
				setErr(unsupported(m.s.sql, "AVG inside a function across nodes (the function sees MySQL's internal or rounded average depending on its argument type; select AVG(x) by itself)"))
				return false
			}
			sum := m.hiddenCol(&sqlparser.Sum{Arg: n.Arg})
			cnt := m.hiddenCol(&sqlparser.Count{Args: []sqlparser.Expr{n.Arg}})
			m.aggs = append(m.aggs, merge.Agg{Kind: merge.AggAvgInternal, Col: sum, CountCol: &cnt})
			c.Replace(m.havingPlaceholder(sum))
			return false
		case *sqlparser.FuncExpr:
			// MariaDB 10.11 answers NULLIF over aggregates by its plan:
			// `NULLIF(COUNT(*), SUM(g)) … GROUP BY k HAVING MAX(s) = 'c'`
			// gave COUNT(*) for a group whose two aggregates are equal
			// (found by TestDifferentialKinds/generated), so did `SELECT g,
			// NULLIF(COUNT(*), SUM(g)) FROM r16 GROUP BY g`, while another
			// statement's plan gave NULL for the same group. Which the
			// server gives cannot be told from the statement.
			if n.Name.EqualString("nullif") && sqlparser.ContainsAggregation(n) {
				setErr(unsupported(m.s.sql, "NULLIF over aggregates across nodes (MariaDB's answer depends on its plan: it can give the first argument where the two are equal; select the aggregates and compare them in the application)"))
				return false
			}
		case sqlparser.AggrFunc:
			col, e := m.havingAggregate(n)
			return replace(c, col, e)
		case *sqlparser.ColName:
			col, e := m.havingColumn(n, rules)
			return replace(c, col, e)
		case *sqlparser.Argument:
			v, ok := m.s.value(n)
			if !ok {
				setErr(unsupported(m.s.sql, "%s argument %s across nodes (pass one argument for every ?)", clause, sqlparser.String(n)))
				return false
			}
			lit, e := argLiteral(v)
			if e != nil {
				setErr(unsupported(m.s.sql, "%s argument of type %T across nodes (pass an integer, float, bool, string, []byte or time.Time)", clause, v))
				return false
			}
			c.Replace(lit)
			return false
		}
		return true
	}, nil)
	if err != nil {
		return nil, err
	}
	cond := rewritten.(sqlparser.Expr)
	if _, terr := evalenv.Translate(cond); terr != nil {
		return nil, unsupported(m.s.sql, "%s %s across nodes (%v: route the statement to one node with a condition on the sharding column, or compute it in the application)", clause, sqlparser.String(e), terr)
	}
	return cond, nil
}

// havingPlaceholder is the column reference the evaluator resolves to
// merge column col of the folded row.
func (m *scatter) havingPlaceholder(col merge.Col) *sqlparser.ColName {
	if col.Hidden {
		// grouping refuses *, so the hidden columns start right after the select list
		return evalenv.Column(m.visible + col.Index)
	}
	return evalenv.Column(col.Index)
}

// havingAggregate returns the merge column of an aggregate in HAVING: the
// select-list column computing it, or a hidden one.
func (m *scatter) havingAggregate(agg sqlparser.AggrFunc) (merge.Col, error) {
	text := sqlparser.String(agg)
	for i := 0; i < m.visible; i++ {
		if m.isAggregateCol(merge.At(i)) && sqlparser.String(m.origExpr(i)) == text {
			return merge.At(i), nil
		}
	}
	col, _, err := m.hiddenAggregate(agg)
	if err != nil {
		return merge.Col{}, err
	}
	switch agg.(type) {
	case *sqlparser.Min, *sqlparser.Max, *sqlparser.GroupConcatExpr:
		m.collate(col, agg) // text extremes compare by collation; counts and sums are numbers
	}
	return col, nil
}

// isAggregateCol reports whether merge column col folds an aggregate.
func (m *scatter) isAggregateCol(col merge.Col) bool {
	for _, a := range m.aggs {
		if a.Col == col {
			return true
		}
	}
	return false
}

// havingColumn resolves a name in HAVING: a GROUP BY column wins over a
// select alias of the same name (as in MySQL), then aliases, then selected
// columns; anything else is fetched as a hidden column (a group key or a
// value functionally dependent on it). In the select list and ORDER BY
// (rules) aliases do not resolve.
func (m *scatter) havingColumn(c *sqlparser.ColName, rules nameRules) (merge.Col, error) {
	grouped := false
	if c.Qualifier.IsEmpty() && rules == namesHaving {
		g, item, err := m.groupColumn(c.Name)
		if err != nil {
			return merge.Col{}, err
		}
		grouped = g
		if item >= 0 && !m.star {
			// grouped through the alias of select item `item`: its column
			// (a hidden bare name could be ambiguous on the nodes: x.n
			// beside a broadcast table's n)
			m.collate(merge.At(item), m.origExpr(item))
			return merge.At(item), nil
		}
	}
	if c.Qualifier.IsEmpty() && (rules == namesOrder || !grouped) && rules != namesSelect {
		for i := 0; i < m.visible; i++ {
			if ae, ok := m.exprs[i].(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.Equal(c.Name) {
				if rules == namesOrder {
					return merge.Col{}, unsupported(m.s.sql, "select alias %s inside an ORDER BY expression over aggregates across nodes (repeat the aliased expression)", c.Name.String())
				}
				if !m.isAggregateCol(merge.At(i)) {
					m.collate(merge.At(i), m.origExpr(i))
				}
				return merge.At(i), nil
			}
		}
	}
	// Whichever column the name resolves to, the merge compares its value
	// with the column's collation (PAD SPACE, case, accents): a column
	// computing the same expression for another purpose (a GROUP_CONCAT
	// argument, a select item) carries none until asked for here, and a
	// comparison without it is by bytes ('X ' > 'b ' is false).
	text := sqlparser.String(c)
	if col, ok := m.visibleKey(text, c); ok {
		return col, nil
	}
	if col, ok := m.groupedByName(c); ok {
		return col, nil
	}
	if col, ok := m.findHidden(text); ok {
		m.collate(col, c)
		return col, nil
	}
	col := m.hiddenCol(c)
	m.collate(col, c)
	return col, nil
}

// findHidden returns a hidden non-aggregate column computing the
// expression printed as text (a group key the GROUP BY added).
func (m *scatter) findHidden(text string) (merge.Col, bool) {
	for j, se := range m.exprs[m.visible:] {
		col := merge.HiddenCol(j)
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && !m.isAggregateCol(col) && sqlparser.String(ae.Expr) == text {
			return col, true
		}
	}
	return merge.Col{}, false
}

// havingGroupExpr finds an expression of HAVING (other than a name,
// literal or aggregate) that is a GROUP BY expression or a non-aggregate
// select item: its value is the group's, in that column.
func (m *scatter) havingGroupExpr(e sqlparser.Expr) (merge.Col, bool) {
	switch e.(type) {
	case *sqlparser.ColName, *sqlparser.Literal, *sqlparser.Argument, *sqlparser.NullVal, sqlparser.AggrFunc, sqlparser.BoolVal:
		return merge.Col{}, false
	}
	if sqlparser.ContainsAggregation(e) {
		return merge.Col{}, false
	}
	text := sqlparser.String(e)
	if col, ok := m.visibleKey(text, e); ok {
		return col, true
	}
	if m.sel.GroupBy != nil {
		for _, g := range m.sel.GroupBy.Exprs {
			if sqlparser.String(g) == text {
				if col, ok := m.findHidden(text); ok {
					m.collate(col, e)
					return col, true
				}
				col := m.hiddenCol(e)
				m.collate(col, e)
				return col, true
			}
		}
	}
	return merge.Col{}, false
}

// groupColumn reports whether the GROUP BY names the bare column name;
// item is the select item whose alias GROUP BY names, when the column is
// grouped through it (else -1).
func (m *scatter) groupColumn(name sqlparser.IdentifierCI) (grouped bool, item int, err error) {
	if m.sel.GroupBy == nil {
		return false, -1, nil
	}
	for _, g := range m.sel.GroupBy.Exprs {
		if c, ok := g.(*sqlparser.ColName); ok && c.Name.Equal(name) && m.isTableColumn(c) {
			return true, -1, nil
		}
		// GROUP BY an alias of the bare column (SELECT n AS c, COUNT(*)
		// AS n … GROUP BY c HAVING n > 3): MariaDB's HAVING n is that
		// group key too, not the alias n — unless the GROUP BY name is
		// a column itself (scatter_group_names.go)
		if c, ok := g.(*sqlparser.ColName); ok && c.Qualifier.IsEmpty() {
			for i, se := range m.sel.SelectExprs.Exprs {
				ae, ok := se.(*sqlparser.AliasedExpr)
				if !ok || !ae.As.Equal(c.Name) {
					continue
				}
				if col, ok := ae.Expr.(*sqlparser.ColName); ok && col.Name.Equal(name) && m.isTableColumn(col) {
					alias, err := m.groupNameIsAlias(c, name)
					if err != nil || !alias {
						return false, -1, err
					}
					return true, i, nil
				}
			}
		}
	}
	return false, -1, nil
}

// argLiteral turns a ? argument's value into a literal for the evaluator.
//
// Hazard (attack9): an integer literal's text must be unsigned — the parser
// writes -1 as a minus applied to 1, and the evaluator panics on a
// literal "-1" (NewLiteralIntegralFromBytes: negative value). A negative
// ? argument in HAVING above merged rows crashed the caller's process.
func argLiteral(v any) (sqlparser.Expr, error) {
	switch x := v.(type) {
	case nil:
		return &sqlparser.NullVal{}, nil
	case int64:
		return intLiteral(x), nil
	case int:
		return intLiteral(int64(x)), nil
	case uint64:
		return sqlparser.NewIntLiteral(strconv.FormatUint(x, 10)), nil
	case float64:
		return sqlparser.NewFloatLiteral(strconv.FormatFloat(x, 'e', -1, 64)), nil
	case bool:
		if x {
			return sqlparser.NewIntLiteral("1"), nil
		}
		return sqlparser.NewIntLiteral("0"), nil
	case string:
		return sqlparser.NewStrLiteral(x), nil
	case []byte:
		return sqlparser.NewStrLiteral(string(x)), nil
	case time.Time:
		return sqlparser.NewStrLiteral(x.Format("2006-01-02 15:04:05.999999")), nil
	}
	return nil, fmt.Errorf("unsupported argument %T", v)
}

// intLiteral is x as the parser writes it: a negative value is a minus
// applied to its magnitude.
func intLiteral(x int64) sqlparser.Expr {
	if x >= 0 {
		return sqlparser.NewIntLiteral(strconv.FormatInt(x, 10))
	}
	mag := strconv.FormatUint(uint64(-(x+1))+1, 10) // -MinInt64 overflows int64
	return &sqlparser.UnaryExpr{Operator: sqlparser.UMinusOp, Expr: sqlparser.NewIntLiteral(mag)}
}

// visibleKey finds the visible select item that is not an aggregate and
// prints as text (a group key's or HAVING operand's expression), and
// gives it the collation e compares with.
func (m *scatter) visibleKey(text string, e sqlparser.Expr) (merge.Col, bool) {
	for i := 0; i < m.visible; i++ {
		if !m.isAggregateCol(merge.At(i)) && sqlparser.String(m.origExpr(i)) == text {
			m.collate(merge.At(i), e)
			return merge.At(i), true
		}
	}
	return merge.Col{}, false
}
