package route

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	"github.com/shardsql/shardsql/merge"
)

// havingCol is the placeholder column name a HAVING operand becomes: the
// merge evaluates the condition over the folded row, where the operand is
// column n.
const havingCol = "__shardsql_having_"

// having translates a HAVING condition into an evalengine expression over
// the folded row: aggregates, selected columns, aliases and group keys
// become column offsets (hidden columns are added for what the select
// list lacks), ? arguments become literals. It also reports whether
// every column and string is an operand of a comparison, so that PAD
// SPACE text may be trimmed before evaluation (see merge.Spec.HavingTrim).
//
// Names resolve as MySQL resolves them in HAVING: a name that is both a
// select alias and a GROUP BY column is the column.
func (m *scatter) having(e sqlparser.Expr) (evalengine.Expr, bool, error) {
	trim := true
	var err error
	setErr := func(e error) {
		if err == nil {
			err = e
		}
	}
	rewritten := sqlparser.Rewrite(sqlparser.Clone(e), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		if e, ok := c.Node().(sqlparser.Expr); ok {
			if col, ok := m.havingGroupExpr(e); ok {
				trim = trim && comparisonOperand(c)
				c.Replace(m.havingPlaceholder(col))
				return false
			}
		}
		switch n := c.Node().(type) {
		case *sqlparser.Subquery:
			setErr(unsupported(m.s.sql, "subquery in HAVING across nodes"))
			return false
		case sqlparser.AggrFunc:
			col, e := m.havingAggregate(n)
			if e != nil {
				setErr(e)
				return false
			}
			trim = trim && comparisonOperand(c)
			c.Replace(m.havingPlaceholder(col))
			return false
		case *sqlparser.ColName:
			col, e := m.havingColumn(n)
			if e != nil {
				setErr(e)
				return false
			}
			trim = trim && comparisonOperand(c)
			c.Replace(m.havingPlaceholder(col))
			return false
		case *sqlparser.Argument:
			v, ok := m.s.value(n)
			if !ok {
				setErr(unsupported(m.s.sql, "HAVING argument %s across nodes", sqlparser.String(n)))
				return false
			}
			lit, e := argLiteral(v)
			if e != nil {
				setErr(unsupported(m.s.sql, "HAVING argument of type %T across nodes", v))
				return false
			}
			if l, ok := lit.(*sqlparser.Literal); ok && l.Type == sqlparser.StrVal {
				if comparisonOperand(c) {
					lit = sqlparser.NewStrLiteral(strings.TrimRight(l.Val, " "))
				} else {
					trim = false
				}
			}
			c.Replace(lit)
			return false
		case *sqlparser.Literal:
			if n.Type == sqlparser.StrVal {
				if comparisonOperand(c) {
					c.Replace(sqlparser.NewStrLiteral(strings.TrimRight(n.Val, " ")))
				} else {
					trim = false
				}
			}
		}
		return true
	}, nil)
	if err != nil {
		return nil, false, err
	}
	expr, terr := evalengine.Translate(rewritten.(sqlparser.Expr), &evalengine.Config{
		Environment: merge.Env(),
		Collation:   merge.ConnectionCollation,
		ResolveColumn: func(c *sqlparser.ColName) (int, error) {
			if n, ok := strings.CutPrefix(c.Name.String(), havingCol); ok {
				return strconv.Atoi(n)
			}
			return 0, fmt.Errorf("unknown column %s", sqlparser.String(c))
		},
	})
	if terr != nil {
		return nil, false, unsupported(m.s.sql, "HAVING %s across nodes (%v)", sqlparser.String(e), terr)
	}
	return expr, trim, nil
}

// comparisonOperand reports whether the cursor's node is directly an
// operand of a comparison, IN list or BETWEEN, where MySQL compares text
// with the collation's padding.
func comparisonOperand(c *sqlparser.Cursor) bool {
	switch p := c.Parent().(type) {
	case *sqlparser.ComparisonExpr:
		switch p.Operator {
		case sqlparser.EqualOp, sqlparser.NotEqualOp, sqlparser.LessThanOp, sqlparser.LessEqualOp,
			sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp, sqlparser.NullSafeEqualOp,
			sqlparser.InOp, sqlparser.NotInOp:
			return true
		}
	case *sqlparser.BetweenExpr:
		return true
	case sqlparser.ValTuple:
		return true
	}
	return false
}

// havingPlaceholder is the column reference the evaluator resolves to
// merge column col of the folded row.
func (m *scatter) havingPlaceholder(col int) *sqlparser.ColName {
	if col >= merge.HiddenCol(0) {
		// grouping refuses *, so the hidden columns start right after the select list
		col = m.visible + col - merge.HiddenCol(0)
	}
	return sqlparser.NewColName(havingCol + strconv.Itoa(col))
}

// havingAggregate returns the merge column of an aggregate in HAVING: the
// select-list column computing it, or a hidden one.
func (m *scatter) havingAggregate(agg sqlparser.AggrFunc) (int, error) {
	text := sqlparser.String(agg)
	for i := 0; i < m.visible; i++ {
		if m.isAggregateCol(i) && sqlparser.String(m.origExpr(i)) == text {
			return i, nil
		}
	}
	col, err := m.hiddenAggregate(agg)
	if err != nil {
		return -1, err
	}
	m.collate(col, agg)
	return col, nil
}

// isAggregateCol reports whether merge column col folds an aggregate.
func (m *scatter) isAggregateCol(col int) bool {
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
// value functionally dependent on it).
func (m *scatter) havingColumn(c *sqlparser.ColName) (int, error) {
	if c.Qualifier.IsEmpty() && !m.groupColumn(c.Name) {
		for i := 0; i < m.visible; i++ {
			if ae, ok := m.exprs[i].(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.Equal(c.Name) {
				return i, nil
			}
		}
	}
	text := sqlparser.String(c)
	for i := 0; i < m.visible; i++ {
		if !m.isAggregateCol(i) && sqlparser.String(m.origExpr(i)) == text {
			return i, nil
		}
	}
	col := m.hiddenCol(c)
	m.collate(col, c)
	return col, nil
}

// havingGroupExpr finds an expression of HAVING (other than a name,
// literal or aggregate) that is a GROUP BY expression or a non-aggregate
// select item: its value is the group's, in that column.
func (m *scatter) havingGroupExpr(e sqlparser.Expr) (int, bool) {
	switch e.(type) {
	case *sqlparser.ColName, *sqlparser.Literal, *sqlparser.Argument, *sqlparser.NullVal, sqlparser.AggrFunc, sqlparser.BoolVal:
		return -1, false
	}
	if sqlparser.ContainsAggregation(e) {
		return -1, false
	}
	text := sqlparser.String(e)
	for i := 0; i < m.visible; i++ {
		if !m.isAggregateCol(i) && sqlparser.String(m.origExpr(i)) == text {
			return i, true
		}
	}
	if m.sel.GroupBy != nil {
		for _, g := range m.sel.GroupBy.Exprs {
			if sqlparser.String(g) == text {
				col := m.hiddenCol(e)
				m.collate(col, e)
				return col, true
			}
		}
	}
	return -1, false
}

// groupColumn reports whether the GROUP BY names the bare column name.
func (m *scatter) groupColumn(name sqlparser.IdentifierCI) bool {
	if m.sel.GroupBy == nil {
		return false
	}
	for _, g := range m.sel.GroupBy.Exprs {
		if c, ok := g.(*sqlparser.ColName); ok && c.Name.Equal(name) && m.isTableColumn(c) {
			return true
		}
	}
	return false
}

// argLiteral turns a ? argument's value into a literal for the evaluator.
func argLiteral(v any) (sqlparser.Expr, error) {
	switch x := v.(type) {
	case nil:
		return &sqlparser.NullVal{}, nil
	case int64:
		return sqlparser.NewIntLiteral(strconv.FormatInt(x, 10)), nil
	case int:
		return sqlparser.NewIntLiteral(strconv.Itoa(x)), nil
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
