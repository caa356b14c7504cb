package route

import (
	"fmt"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
	"github.com/shardsql/shardsql/merge"
)

// aboveJoin is the part of a SELECT evaluated above a cross-node join: the
// WHERE terms over several tables, DISTINCT, ORDER BY, LIMIT and the
// select list. Its interface with the join is narrow: the join produces
// rows holding, for each table, the columns of that table's statement
// (crossJoin.tables[t].offset + column); everything here names columns
// that way (colAt), so another producer of rows (a derived table's merged
// stream) could take the join's place.
type aboveJoin struct {
	j        *crossJoin
	items    []colAt // the select list
	order    []orderAt
	distinct bool
	limit    *merge.Page
	// grouped: GROUP BY or aggregates; groups are the GROUP BY columns,
	// aggs the aggregates of the select list (item is its position).
	grouped bool
	groups  []colAt
	aggs    []aggAt
	names   []string // the caller's names of aggregate items
	raws    int      // raw aggregate columns added (their names)
	// having is the HAVING condition over the folded row, its columns
	// evalenv.Column(k) for havingCols[k] until wrap knows the offsets
	having     sqlparser.Expr
	havingCols []colAt
}

// aggAt is an aggregate of the select list, folded above the join from
// one raw column per joined row: COUNT(*) from a constant 1, COUNT(x)
// from x IS NOT NULL (NULL, hence 0, on a row a LEFT JOIN NULL-extends),
// SUM/MIN/MAX(x) from x. OrderedAggregate merges such columns as it merges
// node partials: a row is a partial aggregate of one row.
type aggAt struct {
	kind merge.AggKind
	at   colAt
	// count is AVG's COUNT column (x IS NOT NULL); nil for the others
	count *colAt
	item  int // the select item, or -1 (an aggregate only HAVING reads)
}

// orderAt is one ORDER BY key.
type orderAt struct {
	at   colAt
	desc bool
}

// planAbove resolves the select list, ORDER BY and LIMIT to columns of the
// tables' statements, adding them.
func (j *crossJoin) planAbove() (*aboveJoin, error) {
	sel := j.sel
	a := &aboveJoin{j: j, distinct: sel.Distinct}
	a.grouped = (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0) || sqlparser.ContainsAggregation(sel.SelectExprs)
	if a.grouped {
		if err := a.planGroups(); err != nil {
			return nil, err
		}
	}
	for i, se := range sel.GetColumns() {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, j.refuse("SELECT * (list the columns)")
		}
		var at colAt
		var err error
		if a.grouped {
			at, err = a.groupedItem(ae, i)
		} else {
			at, err = j.selectItem(ae)
		}
		if err != nil {
			return nil, err
		}
		a.items = append(a.items, at)
	}
	if sel.Having != nil {
		if err := a.planHaving(); err != nil {
			return nil, err
		}
	}
	for _, o := range sel.OrderBy {
		at, err := a.orderKey(o.Expr)
		if err != nil {
			return nil, err
		}
		a.order = append(a.order, orderAt{at: at, desc: o.Direction == sqlparser.DescOrder})
	}
	if l := sel.Limit; l != nil {
		sc := &scatter{s: j.s}
		count, err := sc.limitValue(l.Rowcount)
		if err != nil {
			return nil, err
		}
		var offset int64
		if l.Offset != nil {
			if offset, err = sc.limitValue(l.Offset); err != nil {
				return nil, err
			}
		}
		a.limit = &merge.Page{Offset: offset, Count: count}
	}
	return a, nil
}

// selectItem places a select item: a column of a table, or an expression
// over one table that its statement computes (named as the caller wrote
// it). An expression over a NULL-supplied table is refused: the nodes
// would compute it on the table's rows, not on the NULLs a LEFT JOIN
// supplies (COALESCE(b.x, 0) would stay NULL).
func (j *crossJoin) selectItem(ae *sqlparser.AliasedExpr) (colAt, error) {
	if col, ok := ae.Expr.(*sqlparser.ColName); ok {
		t, err := j.tableOf(col)
		if err != nil {
			return colAt{}, err
		}
		if ae.As.IsEmpty() {
			return colAt{t, j.column(t, col, j.sel.Distinct)}, nil
		}
		tb := j.tables[t]
		tb.cols = append(tb.cols, crossCol{expr: j.qualified(t, col), as: ae.As.String(), name: "", compared: j.sel.Distinct})
		return colAt{t, len(tb.cols) - 1}, nil
	}
	set, err := j.tablesOf(ae.Expr)
	if err != nil {
		return colAt{}, err
	}
	t := single(set)
	if set == 0 {
		t = 0
	}
	if t < 0 {
		return colAt{}, j.refuse("select item %s over several tables (select the columns and compute it in the application)", sqlparser.String(ae.Expr))
	}
	if j.tables[t].nullable {
		return colAt{}, j.refuse("select item %s over %s, which a LEFT JOIN may NULL-extend (select the column itself)", sqlparser.String(ae.Expr), j.tables[t].ref.qualifier())
	}
	bad := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.Argument); ok {
			bad = true
		}
		return !bad, nil
	}, ae.Expr)
	if bad {
		return colAt{}, j.refuse("select item %s with an argument", sqlparser.String(ae.Expr))
	}
	name := ae.As.String()
	if name == "" {
		if n, ok := j.s.callerName(ae); ok {
			name = n
		} else {
			name = sqlparser.String(ae.Expr)
		}
	}
	expr := sqlparser.Rewrite(sqlparser.CloneExpr(ae.Expr), func(c *sqlparser.Cursor) bool {
		if col, ok := c.Node().(*sqlparser.ColName); ok {
			c.Replace(j.qualified(t, col))
		}
		return true
	}, nil).(sqlparser.Expr)
	tb := j.tables[t]
	tb.cols = append(tb.cols, crossCol{expr: expr, as: name, compared: j.sel.Distinct})
	return colAt{t, len(tb.cols) - 1}, nil
}

// qualified is col qualified with table t's name in its own statement.
func (j *crossJoin) qualified(t int, col *sqlparser.ColName) *sqlparser.ColName {
	return &sqlparser.ColName{Name: col.Name, Qualifier: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(j.tables[t].ref.qualifier())}}
}

// orderKey resolves an ORDER BY expression as MySQL does: a position, a
// select alias, then a column of a table.
func (a *aboveJoin) orderKey(e sqlparser.Expr) (colAt, error) {
	j := a.j
	if lit, ok := e.(*sqlparser.Literal); ok && lit.Type == sqlparser.IntVal {
		n, ok := parseInt(lit.Val)
		if !ok || n < 1 || int(n) > len(a.items) {
			return colAt{}, j.refuse("ORDER BY position %s", lit.Val)
		}
		return a.mark(a.items[n-1]), nil
	}
	col, ok := e.(*sqlparser.ColName)
	if !ok {
		return colAt{}, j.refuse("ORDER BY expression %s (order by a column or a select alias)", sqlparser.String(e))
	}
	if col.Qualifier.IsEmpty() {
		for i, se := range j.sel.GetColumns() {
			if ae, ok := se.(*sqlparser.AliasedExpr); ok && ae.As.Equal(col.Name) {
				return a.mark(a.items[i]), nil
			}
		}
	}
	t, err := j.tableOf(col)
	if err != nil {
		return colAt{}, err
	}
	return colAt{t, j.column(t, col, true)}, nil
}

// mark records that a column is compared above the nodes.
func (a *aboveJoin) mark(at colAt) colAt {
	a.j.tables[at.table].cols[at.col].compared = true
	return at
}

// abs is a column's offset in the joined row.
func (a *aboveJoin) abs(at colAt) int { return a.j.tables[at.table].offset + at.col }

// wrap puts the operators above the join's rows: Filter (WHERE terms over
// several tables, and over NULL-supplied tables), Distinct (after a
// MemorySort by every selected column), MemorySort (ORDER BY), Limit, and
// Pick (the select list).
func (a *aboveJoin) wrap(root merge.Operator) (merge.Operator, error) {
	j := a.j
	if len(j.where) > 0 {
		cond, err := j.placeholders(sqlparser.AndExpressions(j.where...))
		if err != nil {
			return nil, err
		}
		root = &merge.Filter{Cond: cond, Input: root}
	}
	var types map[int]merge.ColumnType
	var sums, avgs []int
	if a.grouped {
		g := &merge.Group{}
		for _, at := range a.groups {
			g.Keys = append(g.Keys, merge.SortKey{Col: merge.At(a.abs(at))})
		}
		if len(g.Keys) > 0 {
			root = &merge.MemorySort{Keys: g.Keys, MaxRows: j.s.maxRows, Input: root}
		}
		types = make(map[int]merge.ColumnType)
		for _, ag := range a.aggs {
			agg := merge.Agg{Kind: ag.kind, Col: merge.At(a.abs(ag.at))}
			if ag.count != nil {
				cnt := merge.At(a.abs(*ag.count))
				agg.CountCol = &cnt
			}
			g.Aggs = append(g.Aggs, agg)
			if ag.item < 0 {
				continue
			}
			switch ag.kind {
			case merge.AggCount:
				types[ag.item] = merge.ColumnType{Name: "BIGINT", NotNull: true}
			case merge.AggSum:
				sums = append(sums, ag.item)
			case merge.AggAvg:
				avgs = append(avgs, ag.item)
			}
		}
		root = &merge.OrderedAggregate{Group: g, Input: root}
		if a.having != nil {
			cond := sqlparser.Rewrite(sqlparser.CloneExpr(a.having), func(c *sqlparser.Cursor) bool {
				if col, ok := c.Node().(*sqlparser.ColName); ok {
					if k, ok := evalenv.Offset(col); ok {
						c.Replace(evalenv.Column(a.abs(a.havingCols[k])))
					}
				}
				return true
			}, nil).(sqlparser.Expr)
			root = &merge.Filter{Cond: cond, Input: root}
		}
	}
	if a.distinct {
		keys := make([]merge.SortKey, len(a.items))
		for i, it := range a.items {
			keys[i] = merge.SortKey{Col: merge.At(a.abs(it))}
		}
		root = &merge.Distinct{Keys: keys, Input: &merge.MemorySort{Keys: keys, MaxRows: j.s.maxRows, Input: root}}
	}
	if len(a.order) > 0 {
		keys := make([]merge.SortKey, len(a.order))
		for i, o := range a.order {
			keys[i] = merge.SortKey{Col: merge.At(a.abs(o.at)), Desc: o.desc}
		}
		root = &merge.MemorySort{Keys: keys, MaxRows: j.s.maxRows, Input: root}
	}
	if a.limit != nil {
		root = &merge.Limit{Page: *a.limit, Input: root}
	}
	cols := make([]int, len(a.items))
	for i, it := range a.items {
		cols[i] = a.abs(it)
	}
	return &merge.JoinPick{Cols: cols, Names: a.names, Types: types, Sums: sums, Avgs: avgs, Input: root}, nil
}

// planGroups resolves the GROUP BY columns.
func (a *aboveJoin) planGroups() error {
	j := a.j
	if j.sel.GroupBy == nil {
		return nil
	}
	if j.sel.GroupBy.WithRollup {
		return j.refuse("GROUP BY … WITH ROLLUP")
	}
	for _, e := range j.sel.GroupBy.Exprs {
		col, ok := e.(*sqlparser.ColName)
		if !ok {
			return j.refuse("GROUP BY %s (group by columns of the tables)", sqlparser.String(e))
		}
		t, err := j.tableOf(col)
		if err != nil {
			return err
		}
		a.groups = append(a.groups, colAt{t, j.column(t, col, true)})
	}
	return nil
}

// groupedItem places a select item of a grouped SELECT: a GROUP BY column,
// or COUNT(*), COUNT(x), SUM(x), MIN(x), MAX(x) of a column x.
func (a *aboveJoin) groupedItem(ae *sqlparser.AliasedExpr, item int) (colAt, error) {
	j := a.j
	for len(a.names) <= item {
		a.names = append(a.names, "")
	}
	if col, ok := ae.Expr.(*sqlparser.ColName); ok {
		t, err := j.tableOf(col)
		if err != nil {
			return colAt{}, err
		}
		at := colAt{t, j.column(t, col, true)}
		for _, g := range a.groups {
			if g == at {
				if !ae.As.IsEmpty() {
					a.names[item] = ae.As.String()
				}
				return at, nil
			}
		}
		return colAt{}, j.refuse("column %s of a grouped SELECT that is not in GROUP BY", sqlparser.String(col))
	}
	name := ae.As.String()
	if name == "" {
		if n, ok := j.s.callerName(ae); ok {
			name = n
		} else {
			name = sqlparser.String(ae.Expr)
		}
	}
	a.names[item] = name
	ag, err := a.aggregate(ae.Expr, false)
	if err != nil {
		return colAt{}, err
	}
	ag.item = item
	a.aggs = append(a.aggs, ag)
	return ag.at, nil
}

// aggregate plans one aggregate folded above the join: COUNT(*), COUNT(x),
// SUM(x), AVG(x), MIN(x), MAX(x) of a column x, each from raw columns the
// tables' statements select. internal: an AVG in HAVING, compared with
// MySQL's internal digits (merge.AggAvgInternal), not the rounded value it
// sends. The caller sets item and records the aggregate.
func (a *aboveJoin) aggregate(e sqlparser.Expr, internal bool) (aggAt, error) {
	j := a.j
	raw := func(t int, e sqlparser.Expr, compared bool) colAt {
		tb := j.tables[t]
		tb.cols = append(tb.cols, crossCol{expr: e, as: fmt.Sprintf("__shardsql_a%d", a.raws), compared: compared})
		a.raws++
		return colAt{t, len(tb.cols) - 1}
	}
	argCol := func(arg sqlparser.Expr) (int, *sqlparser.ColName, error) {
		col, ok := arg.(*sqlparser.ColName)
		if !ok {
			return 0, nil, j.refuse("aggregate %s of an expression (aggregate a column)", sqlparser.String(e))
		}
		t, err := j.tableOf(col)
		return t, col, err
	}
	var ag aggAt
	switch f := e.(type) {
	case *sqlparser.CountStar:
		ag = aggAt{kind: merge.AggCount, at: raw(0, sqlparser.NewIntLiteral("1"), false)}
	case *sqlparser.Count:
		if f.Distinct || len(f.Args) != 1 {
			return aggAt{}, j.refuse("%s (COUNT(DISTINCT …) is not evaluated above a join yet)", sqlparser.String(f))
		}
		t, col, err := argCol(f.Args[0])
		if err != nil {
			return aggAt{}, err
		}
		ag = aggAt{kind: merge.AggCount, at: raw(t, &sqlparser.IsExpr{Left: j.qualified(t, col), Right: sqlparser.IsNotNullOp}, false)}
	case *sqlparser.Avg:
		if f.Distinct {
			return aggAt{}, j.refuse("%s (AVG(DISTINCT …) is not evaluated above a join yet)", sqlparser.String(f))
		}
		t, col, err := argCol(f.Arg)
		if err != nil {
			return aggAt{}, err
		}
		// A SUM column (the value itself) and a COUNT column (0 or 1,
		// NULL on a row a LEFT JOIN NULL-extends): merge.AggAvg folds
		// them as it folds node partials, with MySQL's scale and rounding.
		kind := merge.AggAvg
		if internal {
			kind = merge.AggAvgInternal
		}
		ag = aggAt{kind: kind, at: raw(t, j.qualified(t, col), false)}
		cnt := raw(t, &sqlparser.IsExpr{Left: j.qualified(t, col), Right: sqlparser.IsNotNullOp}, false)
		ag.count = &cnt
	case *sqlparser.Sum, *sqlparser.Min, *sqlparser.Max:
		var arg sqlparser.Expr
		var kind merge.AggKind
		distinct := false
		switch f := f.(type) {
		case *sqlparser.Sum:
			arg, kind, distinct = f.Arg, merge.AggSum, f.Distinct
		case *sqlparser.Min:
			arg, kind = f.Arg, merge.AggMin
		case *sqlparser.Max:
			arg, kind = f.Arg, merge.AggMax
		}
		if distinct {
			return aggAt{}, j.refuse("%s (SUM(DISTINCT …) is not evaluated above a join yet)", sqlparser.String(e))
		}
		t, col, err := argCol(arg)
		if err != nil {
			return aggAt{}, err
		}
		ag = aggAt{kind: kind, at: raw(t, j.qualified(t, col), kind != merge.AggSum)}
	default:
		return aggAt{}, j.refuse("%s in a grouped SELECT (only GROUP BY columns, COUNT, SUM, AVG, MIN and MAX of columns are evaluated above a join)", sqlparser.String(e))
	}
	ag.item = -1
	return ag, nil
}
