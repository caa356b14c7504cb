package route

import (
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
	"github.com/shardsql/shardsql/merge"
)

// planAbove plans sel, a SELECT over the rows of in (a derived table's
// merged rows, or a join's), as operators above in's stream, evaluated as
// one server evaluates it: WHERE (Filter), the expressions GROUP BY and
// aggregates read (Evaluate over the raw rows), what COUNT, SUM, AVG, MIN,
// MAX and their DISTINCT forms fold (Extend), MemorySort by the group keys
// and OrderedAggregate, HAVING (Filter), the select list's expressions
// (Evaluate), DISTINCT (MemorySort, Distinct), ORDER BY (MemorySort),
// LIMIT, and the select list named as MySQL names it (Pick).
//
// It takes select items that are columns, *, t.*, aggregates (of columns
// or expressions) and expressions over them; GROUP BY columns, select
// aliases, positions and expressions; ORDER BY those and aggregates;
// WHERE and HAVING conditions of any expression the evaluator implements.
// Anything else is refused.
//
// Columns are numbered as the rows above Extend hold them: in's columns,
// then the pre-evaluated expressions, then Extend's, then the select
// list's expressions. While planning, the last three are marks (preMark+k,
// extMark+k, evalMark+k) — their places are known once all are counted —
// which fix rewrites, in the operators' columns and in the evaluator's
// placeholders alike.
func (s *statement) planAbove(sel *sqlparser.Select, in aboveInput) (op merge.Operator, err error) {
	a := &above{s: s, sel: sel, in: in, compared: map[int]bool{}, evalCmp: map[int]bool{}}
	defer func() {
		if a.err != nil {
			op, err = nil, a.err // a name MySQL rejects (ambiguous) explains the refusal
		}
	}()
	a.grouped = sqlparser.ContainsAggregation(sel.SelectExprs)
	if err := a.selectItems(); err != nil {
		return nil, err
	}
	if err := a.groupBy(); err != nil {
		return nil, err
	}
	for j, e := range a.exprs {
		x, err := a.rewrite("select item", e, modeItem)
		if err != nil {
			return nil, err
		}
		a.exprs[j] = x
	}
	var where, having sqlparser.Expr
	if sel.Where != nil {
		if where, err = a.rewrite("WHERE", sel.Where.Expr, modeWhere); err != nil {
			return nil, err
		}
	}
	if sel.Having != nil {
		if having, err = a.rewrite("HAVING", sel.Having.Expr, modeHaving); err != nil {
			return nil, err
		}
	}
	order, err := a.orderBy()
	if err != nil {
		return nil, err
	}
	if a.grouped {
		for _, it := range a.items {
			if it.agg == 0 && it.col < preMark && !a.isKey(it.col) {
				return nil, unsupported(s.sql, "column %s in the select list is not in GROUP BY (MySQL returns any row's value; add it to GROUP BY or use MIN/MAX)", it.name)
			}
		}
	}
	var evalCmp []int
	for _, it := range a.items {
		if it.col >= evalMark && sel.Distinct {
			a.evalCmp[it.col-evalMark] = true
		}
	}
	for k := range a.evalCmp {
		evalCmp = append(evalCmp, k)
	}
	var page *merge.Page
	if sel.Limit != nil {
		if page, err = a.limit(); err != nil {
			return nil, err
		}
	}
	compared := make([]int, 0, len(a.compared))
	for c := range a.compared {
		compared = append(compared, c)
	}
	preCmp := make([]int, 0, len(a.preCmp))
	for c := range a.preCmp {
		preCmp = append(preCmp, c)
	}
	exts := make([]merge.Extension, len(a.exts))
	for i, x := range a.exts {
		exts[i] = merge.Extension{Kind: x.Kind, Col: a.fixCol(x.Col)}
	}
	var cmpCols []merge.Col
	for _, c := range sortedInts(compared) {
		cmpCols = append(cmpCols, merge.At(c))
	}
	ext := &merge.Extend{Collations: in.collations, Columns: exts, Compared: cmpCols, Collated: s.weights, Input: in.op}
	op = ext
	if len(exts) == 0 && len(in.collations) == 0 && (len(compared) == 0 || !s.weights) {
		op = in.op // nothing to add or check
	}
	if len(a.pre) > 0 {
		// the expressions aggregates and group keys read are evaluated
		// over the filtered raw rows (whose collations the first Extend
		// installs), before the second Extend copies what is folded
		ext.Columns = nil
		if where != nil {
			op = &merge.Filter{Cond: where, Input: op}
			where = nil
		}
		op = &merge.Evaluate{Exprs: a.pre, Compared: sortedInts(preCmp), Collated: s.weights, Input: op}
		if len(exts) > 0 {
			op = &merge.Extend{Columns: exts, Input: op}
		}
	}
	if where != nil {
		op = &merge.Filter{Cond: where, Input: op}
	}
	if a.grouped {
		keys := make([]merge.SortKey, len(a.keys))
		for i, k := range a.keys {
			keys[i] = merge.SortKey{Col: a.fixCol(k.Col), Desc: k.Desc}
		}
		if len(keys) > 0 {
			op = &merge.MemorySort{Keys: keys, MaxRows: s.maxRows, Input: op}
		}
		aggs := make([]merge.Agg, len(a.aggs))
		for i, g := range a.aggs {
			g.Col = a.fixCol(g.Col)
			if g.CountCol != nil {
				c := a.fixCol(*g.CountCol)
				g.CountCol = &c
			}
			aggs[i] = g
		}
		op = &merge.OrderedAggregate{Group: &merge.Group{Keys: keys, Aggs: aggs, MaxRows: s.maxRows}, Input: op}
	}
	if having != nil {
		op = &merge.Filter{Cond: a.fixExpr(having), Input: op}
	}
	if len(a.exprs) > 0 {
		exprs := make([]sqlparser.Expr, len(a.exprs))
		for i, x := range a.exprs {
			exprs[i] = a.fixExpr(x)
		}
		op = &merge.Evaluate{Exprs: exprs, Compared: sortedInts(evalCmp), Collated: s.weights, Input: op}
	}
	if sel.Distinct {
		keys := make([]merge.SortKey, len(a.items))
		for i, it := range a.items {
			keys[i] = merge.SortKey{Col: merge.At(a.fix(it.col))}
		}
		op = &merge.Distinct{Keys: keys, Input: &merge.MemorySort{Keys: keys, MaxRows: s.maxRows, Input: op}}
	}
	if len(order) > 0 {
		for i := range order {
			order[i].Col = a.fixCol(order[i].Col)
		}
		op = &merge.MemorySort{Keys: order, MaxRows: s.maxRows, Input: op}
	}
	if page != nil {
		op = &merge.Limit{Page: *page, Input: op}
	}
	pick := &merge.Pick{Input: op}
	for _, it := range a.items {
		pc := merge.PickCol{Col: merge.At(a.fix(it.col)), Name: it.name, Agg: it.agg, Collation: it.collOf}
		if it.agg != 0 {
			pc.Arg = merge.At(a.fix(it.arg))
		}
		pick.Cols = append(pick.Cols, pc)
	}
	return pick, nil
}

// above is the state of planAbove.
type above struct {
	s   *statement
	sel *sqlparser.Select
	in  aboveInput
	// items are the select list's columns.
	items []aboveItem
	// pre are the expressions evaluated over the raw rows (aggregates'
	// arguments, GROUP BY expressions), preCmp those compared (by index).
	pre    []sqlparser.Expr
	preCmp map[int]bool
	// exts are the columns Extend appends, aggs the aggregates folding
	// them, aggExprs their expressions (aggInternal: an AVG HAVING
	// compares with MySQL's internal digits).
	exts        []merge.Extension
	aggs        []merge.Agg
	aggExprs    []sqlparser.AggrFunc
	aggInternal []bool
	aggItems    []aboveItem
	keys        []merge.SortKey
	// keyExprs are the GROUP BY expressions other than columns, and
	// keyCols their key columns: the select list and HAVING read them.
	keyExprs []sqlparser.Expr
	keyCols  []int
	grouped  bool
	// compared are the input columns the SELECT compares (group and sort
	// keys, conditions, MIN/MAX): a text one needs its collation.
	compared map[int]bool
	// exprs are the select list's (and ORDER BY's) expressions
	// (Evaluate), rewritten with placeholders once GROUP BY is known;
	// evalCmp those compared.
	exprs   []sqlparser.Expr
	evalCmp map[int]bool
	// err is a name the input refuses (ambiguous): it explains any
	// refusal planAbove returns.
	err error
}

// The marks of columns whose place is known at the end (see planAbove).
const (
	preMark  = 1 << 20
	extMark  = 2 << 20
	evalMark = 3 << 20
)

// fix returns the row column of a column or a mark.
func (a *above) fix(col int) int {
	w, p, e := a.in.width, len(a.pre), len(a.exts)
	switch {
	case col >= evalMark:
		return w + p + e + col - evalMark
	case col >= extMark:
		return w + p + col - extMark
	case col >= preMark:
		return w + col - preMark
	}
	return col
}

func (a *above) fixCol(c merge.Col) merge.Col { return merge.At(a.fix(c.Index)) }

// fixExpr rewrites the placeholders of e through fix.
func (a *above) fixExpr(e sqlparser.Expr) sqlparser.Expr {
	return sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		if col, ok := c.Node().(*sqlparser.ColName); ok {
			if n, ok := evalenv.Offset(col); ok {
				c.Replace(evalenv.Column(a.fix(n)))
			}
		}
		return true
	}, nil).(sqlparser.Expr)
}

// expression records an expression evaluated above the fold (a select
// item, an ORDER BY key), rewritten later, and returns its item.
func (a *above) expression(name string, e sqlparser.Expr) aboveItem {
	a.exprs = append(a.exprs, e)
	return aboveItem{name: name, col: evalMark + len(a.exprs) - 1, arg: -1}
}

// preEval records an expression over the raw rows (rewritten: its
// columns are placeholders) and returns its mark.
func (a *above) preEval(x sqlparser.Expr, compared bool) int {
	for k, e := range a.pre {
		if sqlparser.Equals.Expr(e, x) {
			if compared {
				a.preCompare(k)
			}
			return preMark + k
		}
	}
	a.pre = append(a.pre, x)
	if compared {
		a.preCompare(len(a.pre) - 1)
	}
	return preMark + len(a.pre) - 1
}

func (a *above) preCompare(k int) {
	if a.preCmp == nil {
		a.preCmp = make(map[int]bool)
	}
	a.preCmp[k] = true
}

// compare records that a column (of the input, or a pre-evaluated one)
// is compared above the nodes.
func (a *above) compare(col int) {
	switch {
	case col < a.in.width:
		a.compared[col] = true
	case col >= preMark && col < extMark:
		a.preCompare(col - preMark)
	}
}

// aboveItem is one result column: row column col; for an aggregate, its
// kind, the column it reads and its expression.
type aboveItem struct {
	name string
	col  int
	agg  merge.AggKind
	arg  int
	expr sqlparser.AggrFunc
	// collOf: COLLATION(column col), which a derived table above the
	// nodes selects for the SELECT above it
	collOf bool
}

// column resolves a column reference to an input row column.
func (a *above) column(c *sqlparser.ColName) (int, bool) {
	if a.in.resolve != nil {
		n, err := a.in.resolve(c)
		if err != nil {
			if a.err == nil {
				a.err = err
			}
			return -1, false
		}
		return n, n >= 0
	}
	if !c.Qualifier.IsEmpty() && !c.Qualifier.Qualifier.IsEmpty() {
		return -1, false
	}
	for _, col := range a.in.cols {
		if (c.Qualifier.IsEmpty() || strings.EqualFold(c.Qualifier.Name.String(), col.table)) && strings.EqualFold(col.name, c.Name.String()) {
			return col.at, true
		}
	}
	return -1, false
}

// aggregate returns the row column of aggregate f, adding it (and what
// Extend computes for it) the first time. internal: an AVG that HAVING
// compares, with MySQL's internal digits (merge.AggAvgInternal) rather
// than the rounded value it sends.
func (a *above) aggregate(f sqlparser.AggrFunc, internal bool) (aboveItem, error) {
	internal = internal && isAvg(f)
	for i, e := range a.aggExprs {
		if a.aggInternal[i] == internal && sqlparser.Equals.Expr(e, f) {
			return a.aggItems[i], nil
		}
	}
	it := aboveItem{arg: -1, expr: f}
	arg := func(e sqlparser.Expr, compared bool) (int, error) {
		if c, ok := e.(*sqlparser.ColName); ok {
			col, ok := a.column(c)
			if !ok {
				return -1, unsupported(a.s.sql, "column %s in %s is not a column of %s (name a column it has)", sqlparser.String(c), sqlparser.String(f), a.in.what)
			}
			if compared {
				a.compare(col)
			}
			return col, nil
		}
		x, err := a.rewrite("the argument of "+sqlparser.String(f), e, modeWhere)
		if err != nil {
			return -1, err
		}
		return a.preEval(x, compared), nil
	}
	distinct := false
	if d, ok := f.(sqlparser.DistinctableAggr); ok && d.IsDistinct() {
		distinct = true
	}
	var err error
	unsorted := false
	switch f := f.(type) {
	case *sqlparser.CountStar:
		it.agg, it.col = merge.AggCount, a.extend(merge.ExtOne, -1)
	case *sqlparser.Count:
		if len(f.Args) != 1 {
			return it, unsupported(a.s.sql, "%s above merged rows (count one expression)", sqlparser.String(f))
		}
		if it.arg, err = arg(f.Args[0], distinct); err != nil {
			return it, err
		}
		if distinct {
			it.agg, it.col, unsorted = merge.AggCountDistinct, a.extend(merge.ExtCopy, it.arg), true
		} else {
			it.agg, it.col = merge.AggCount, a.extend(merge.ExtNotNull, it.arg)
		}
	case *sqlparser.Sum:
		if it.arg, err = arg(f.Arg, distinct); err != nil {
			return it, err
		}
		it.agg, it.col = merge.AggSum, a.extend(merge.ExtNumber, it.arg)
		if distinct {
			it.agg, unsorted = merge.AggSumDistinct, true
		}
	case *sqlparser.Avg:
		if it.arg, err = arg(f.Arg, distinct); err != nil {
			return it, err
		}
		it.col = a.extend(merge.ExtNumber, it.arg)
		if distinct {
			if internal {
				return it, unsupported(a.s.sql, "%s in HAVING above merged rows (select it and compare its alias)", sqlparser.String(f))
			}
			it.agg, unsorted = merge.AggAvgDistinct, true
			break
		}
		it.agg = merge.AggAvg
		kind := merge.AggAvg
		if internal {
			kind = merge.AggAvgInternal
		}
		cnt := merge.At(a.extend(merge.ExtNotNull, it.arg))
		a.aggs = append(a.aggs, merge.Agg{Kind: kind, Col: merge.At(it.col), CountCol: &cnt})
	case *sqlparser.Min, *sqlparser.Max:
		if it.arg, err = arg(f.GetArg(), true); err != nil {
			return it, err
		}
		it.agg = merge.AggMin
		if _, ok := f.(*sqlparser.Max); ok {
			it.agg = merge.AggMax
		}
		it.col = a.extend(merge.ExtCopy, it.arg)
	default:
		return it, unsupported(a.s.sql, "aggregate %s above merged rows (only COUNT, SUM, AVG, MIN and MAX: route the statement to one node with a condition on the sharding column, or compute it in the application)", sqlparser.String(f))
	}
	if it.agg != merge.AggAvg {
		a.aggs = append(a.aggs, merge.Agg{Kind: it.agg, Col: merge.At(it.col), Unsorted: unsorted})
	}
	a.grouped = true
	a.aggExprs = append(a.aggExprs, f)
	a.aggInternal = append(a.aggInternal, internal)
	a.aggItems = append(a.aggItems, it)
	return it, nil
}

func isAvg(f sqlparser.AggrFunc) bool {
	_, ok := f.(*sqlparser.Avg)
	return ok
}

// extend adds a column Extend computes from col and returns its mark.
func (a *above) extend(kind merge.ExtKind, col int) int {
	c := merge.Col{}
	if col >= 0 {
		c = merge.At(col)
	}
	a.exts = append(a.exts, merge.Extension{Kind: kind, Col: c})
	return extMark + len(a.exts) - 1
}

// selectItems resolves the select list.
func (a *above) selectItems() error {
	for _, se := range a.sel.GetColumns() {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			if err := a.star(se); err != nil {
				return err
			}
		case *sqlparser.AliasedExpr:
			name := se.As.String()
			if name == "" {
				if c, ok := se.Expr.(*sqlparser.ColName); ok {
					name = c.Name.String()
				} else if n, ok := a.s.callerName(se); ok {
					name = n
				} else {
					name = sqlparser.String(se.Expr)
				}
			}
			switch e := se.Expr.(type) {
			case *sqlparser.ColName:
				col, ok := a.column(e)
				if !ok {
					return unsupported(a.s.sql, "column %s is not a column of %s (name a column it has)", sqlparser.String(e), a.in.what)
				}
				if a.sel.Distinct {
					a.compare(col)
				}
				a.items = append(a.items, aboveItem{name: name, col: col, arg: -1})
			case sqlparser.AggrFunc:
				it, err := a.aggregate(e, false)
				if err != nil {
					return err
				}
				it.name = name
				a.items = append(a.items, it)
			case *sqlparser.FuncExpr:
				c, ok := collationArg(e)
				if !ok {
					a.items = append(a.items, a.expression(name, e))
					continue
				}
				col, ok := a.column(c)
				if !ok {
					return unsupported(a.s.sql, "column %s is not a column of %s (name a column it has)", sqlparser.String(c), a.in.what)
				}
				a.items = append(a.items, aboveItem{name: name, col: col, arg: -1, collOf: true})
			default:
				a.items = append(a.items, a.expression(name, e))
			}
		default:
			return unsupported(a.s.sql, "select item %s above merged rows (select columns and expressions over them)", sqlparser.String(se))
		}
	}
	return nil
}

// star adds the columns a * or t.* selects.
func (a *above) star(se *sqlparser.StarExpr) error {
	var cols []int
	if a.in.star != nil {
		var err error
		if cols, err = a.in.star(se); err != nil {
			return err
		}
	} else {
		for i, c := range a.in.cols {
			if !se.TableName.IsEmpty() && (!se.TableName.Qualifier.IsEmpty() || !strings.EqualFold(se.TableName.Name.String(), c.table)) {
				return unsupported(a.s.sql, "%s over %s (qualify * with the alias of a table of the FROM clause, or write * alone)", sqlparser.String(se), a.in.what)
			}
			cols = append(cols, i)
		}
	}
	for _, i := range cols {
		c := a.in.cols[i]
		if c.printed {
			return unsupported(a.s.sql, "%s over a column named by its expression %s (alias the derived table's expressions)", sqlparser.String(se), c.name)
		}
		if a.sel.Distinct {
			a.compare(c.at)
		}
		a.items = append(a.items, aboveItem{name: c.name, col: c.at, arg: -1})
	}
	return nil
}

// collationArg reads COLLATION(column).
func collationArg(f *sqlparser.FuncExpr) (*sqlparser.ColName, bool) {
	if !f.Name.EqualString("collation") || !f.Qualifier.IsEmpty() || len(f.Exprs) != 1 {
		return nil, false
	}
	c, ok := f.Exprs[0].(*sqlparser.ColName)
	return c, ok
}

// itemByAlias returns the select item named name by an alias, and its
// expression.
func (a *above) itemByAlias(name string) (aboveItem, sqlparser.Expr, bool) {
	n := 0
	for _, se := range a.sel.GetColumns() {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return aboveItem{}, nil, false // positions after a * are not counted here
		}
		if !ae.As.IsEmpty() && ae.As.EqualString(name) && n < len(a.items) {
			return a.items[n], ae.Expr, true
		}
		n++
	}
	return aboveItem{}, nil, false
}

// itemByExpr returns the select item whose expression is e.
func (a *above) itemByExpr(e sqlparser.Expr) (aboveItem, bool) {
	n := 0
	for _, se := range a.sel.GetColumns() {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return aboveItem{}, false
		}
		if sqlparser.Equals.Expr(ae.Expr, e) && n < len(a.items) {
			return a.items[n], true
		}
		n++
	}
	return aboveItem{}, false
}

// position reads a column position (GROUP BY 1, ORDER BY 2).
func (a *above) position(e sqlparser.Expr) (aboveItem, bool, error) {
	lit, ok := e.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.IntVal {
		return aboveItem{}, false, nil
	}
	n, err := strconv.Atoi(lit.Val)
	if err != nil || n < 1 || n > len(a.items) {
		return aboveItem{}, true, unsupported(a.s.sql, "position %s out of the select list (MySQL's error 1054: give a position from 1 to the number of select items)", lit.Val)
	}
	return a.items[n-1], true, nil
}

func (a *above) isKey(col int) bool {
	for _, k := range a.keys {
		if k.Col == merge.At(col) {
			return true
		}
	}
	return false
}

// groupBy resolves GROUP BY: names of the input's columns first, then
// select aliases (as MySQL resolves them), positions, and expressions
// over the input's columns (evaluated over the raw rows).
func (a *above) groupBy() error {
	g := a.sel.GroupBy
	if g == nil || len(g.Exprs) == 0 {
		return nil
	}
	if g.WithRollup {
		return unsupported(a.s.sql, "WITH ROLLUP above merged rows (compute the totals with a second statement without WITH ROLLUP, or route the statement to one node with a condition on the sharding column)")
	}
	a.grouped = true
	for _, e := range g.Exprs {
		col := -1
		var expr sqlparser.Expr
		if it, ok, err := a.position(e); err != nil {
			return err
		} else if ok {
			if it.agg != 0 {
				return unsupported(a.s.sql, "GROUP BY an aggregate (MySQL's error 1056: group by columns or expressions, and select the aggregate)")
			}
			col = it.col
			if col >= evalMark {
				expr = a.sel.GetColumns()[indexOfItem(a, it)].(*sqlparser.AliasedExpr).Expr
			}
		} else if c, ok := e.(*sqlparser.ColName); ok {
			if n, ok := a.column(c); ok {
				col = n
			} else if it, ae, ok := a.itemByAlias(c.Name.String()); ok && c.Qualifier.IsEmpty() && it.agg == 0 {
				col = it.col
				if col >= evalMark {
					expr = ae
				}
			}
		} else if !sqlparser.ContainsAggregation(e) {
			expr = e
		}
		if expr != nil {
			// an expression over the raw rows: evaluated before the fold
			x, err := a.rewrite("GROUP BY", expr, modeWhere)
			if err != nil {
				return err
			}
			col = a.preEval(x, true)
			a.keyExprs = append(a.keyExprs, expr)
			a.keyCols = append(a.keyCols, col)
		}
		if col < 0 {
			return unsupported(a.s.sql, "GROUP BY %s above merged rows (group by columns, expressions over them, select aliases or positions)", sqlparser.String(e))
		}
		if !a.isKey(col) {
			a.keys = append(a.keys, merge.SortKey{Col: merge.At(col)})
			a.compare(col)
		}
	}
	return nil
}

// indexOfItem is the select-list index of item it (by its column).
func indexOfItem(a *above, it aboveItem) int {
	for i, x := range a.items {
		if x.col == it.col {
			return i
		}
	}
	return 0
}

// rewrite modes: what the columns of an expression read.
const (
	// modeWhere: the input's raw columns.
	modeWhere = iota
	// modeItem: group keys (or, ungrouped, any column) and aggregates.
	modeItem
	// modeHaving: select aliases, group keys and aggregates.
	modeHaving
)

// rewrite rewrites an expression of clause for the evaluator: columns
// become placeholders of their row columns (or marks), ? arguments
// literals, aggregates (not in modeWhere) their folded columns, GROUP BY
// expressions their keys.
func (a *above) rewrite(clause string, e sqlparser.Expr, mode int) (sqlparser.Expr, error) {
	if zf := zeroFillReadAsText(e, a.zeroFill); zf != "" { // display_attrs.go
		return nil, a.s.zeroFillRefusal(clause, e, zf, "above merged rows")
	}
	folded := mode != modeWhere
	having := mode == modeHaving
	var err error
	fail := func(format string, args ...any) {
		if err == nil {
			err = unsupported(a.s.sql, format, args...)
		}
	}
	out := sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		if x, ok := c.Node().(sqlparser.Expr); ok && folded {
			if _, isCol := x.(*sqlparser.ColName); !isCol {
				for k, ke := range a.keyExprs {
					if sqlparser.Equals.Expr(ke, x) {
						c.Replace(evalenv.Column(a.keyCols[k]))
						return false
					}
				}
			}
		}
		switch n := c.Node().(type) {
		case sqlparser.AggrFunc:
			if !folded {
				fail("aggregate %s in %s (compare aggregates in HAVING, or select them)", sqlparser.String(n), clause)
				return false
			}
			internal := having
			if mode == modeItem {
				if internal, err = a.avgInItem(clause, c, n); err != nil {
					return false
				}
			}
			it, aerr := a.aggregate(n, internal)
			if aerr != nil {
				err = aerr
				return false
			}
			c.Replace(evalenv.Column(it.col))
			return false
		case *sqlparser.ColName:
			col := -1
			if having && n.Qualifier.IsEmpty() {
				if it, _, ok := a.itemByAlias(n.Name.String()); ok {
					gk, gerr := a.groupKeyNamed(n.Name.String())
					if gerr != nil {
						err = gerr
						return false
					}
					k, isCol := -1, false
					if gk < 0 {
						k, isCol = a.column(n)
					}
					switch {
					case gk >= 0:
						// a GROUP BY column of that name wins over the
						// alias even where the name alone is ambiguous
						// among the join's tables (MariaDB searches the
						// GROUP BY list by name first)
						col = gk
					case isCol && k != it.col && a.grouped && a.isKey(k):
						// MySQL prefers a GROUP BY column (named in GROUP
						// BY or through a select alias GROUP BY names) to a
						// select alias of the same name: SELECT n AS c,
						// COUNT(*) AS n … GROUP BY c HAVING n > 3 compares
						// the grouped n (route/scatter_having.go has the
						// same rule)
						col = k
					case isCol && k != it.col && !a.grouped:
						// without grouping MySQL's choice is not the
						// group-key rule: refused rather than resolved
						// wrongly
						fail("HAVING %s names both a select alias and a column (qualify the column, or rename the alias)", sqlparser.String(n))
						return false
					default:
						// an alias over a column that is not grouped: the
						// alias
						col = it.col
					}
					if col == it.col && it.agg != 0 && isAvg(it.expr) {
						// the alias of an AVG compares as the AVG does:
						// with the internal digits, not the rounded item
						avg, aerr := a.aggregate(it.expr, true)
						if aerr != nil {
							err = aerr
							return false
						}
						col = avg.col
					}
				}
			}
			if col >= evalMark {
				fail("%s %s names select expression %s (repeat the expression instead)", clause, sqlparser.String(e), sqlparser.String(n))
				return false
			}
			if col < 0 {
				if k, ok := a.column(n); ok && (!folded || !a.grouped || a.isKey(k)) && (!having || a.grouped || a.selected(k)) {
					// (without GROUP BY, HAVING reads selected columns only:
					// MySQL does not know the others there)
					col = k
				}
			}
			if col < 0 {
				fail("column %s in %s above merged rows (it must name a column of %s%s; write one of those)", sqlparser.String(n), clause, a.in.what, map[bool]string{true: ", a select alias or a GROUP BY column", false: ""}[having])
				return false
			}
			a.compare(col)
			c.Replace(evalenv.Column(col))
			return false
		case *sqlparser.Argument:
			v, ok := a.s.value(n)
			if !ok {
				fail("%s argument %s above merged rows (pass one argument for every ?)", clause, sqlparser.String(n))
				return false
			}
			lit, lerr := argLiteral(v)
			if lerr != nil {
				fail("%s argument of type %T above merged rows (pass an integer, float, bool, string, []byte or time.Time)", clause, v)
				return false
			}
			if t, ok := v.(time.Time); ok && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
				// go-sql-driver sends a time.Time at midnight as its
				// date alone ('2025-03-10'), which a select item
				// returns as is
				lit = sqlparser.NewStrLiteral(t.Format(time.DateOnly))
			}
			c.Replace(lit)
			return false
		case *sqlparser.Subquery:
			fail("subquery in %s above merged rows (run it as its own statement first and pass its value as a ? argument, or route the statement to one node with a condition on the sharding column)", clause)
			return false
		}
		return true
	}, nil).(sqlparser.Expr)
	if err != nil {
		return nil, err
	}
	if _, terr := evalenv.Translate(out); terr != nil {
		return nil, unsupported(a.s.sql, "%s %s above merged rows (%v: route the statement to one node with a condition on the sharding column, or compute it in the application)", clause, sqlparser.String(e), terr)
	}
	return out, nil
}

// orderBy resolves ORDER BY: positions, select aliases first, then the
// input's columns, aggregates, select items by their expression, and
// other expressions (evaluated above the fold).
func (a *above) orderBy() ([]merge.SortKey, error) {
	var keys []merge.SortKey
	for _, o := range a.sel.OrderBy {
		col := -1
		if it, ok, err := a.position(o.Expr); err != nil {
			return nil, err
		} else if ok {
			col = it.col
		} else {
			switch e := o.Expr.(type) {
			case *sqlparser.ColName:
				if it, _, ok := a.itemByAlias(e.Name.String()); ok && e.Qualifier.IsEmpty() {
					col = it.col
				} else if n, ok := a.column(e); ok {
					switch {
					case a.grouped && !a.isKey(n):
						return nil, unsupported(a.s.sql, "ORDER BY %s, which is not in GROUP BY, above merged rows (order by a GROUP BY column or an aggregate)", sqlparser.String(e))
					case a.sel.Distinct && !a.selected(n):
						return nil, unsupported(a.s.sql, "ORDER BY %s, which is not selected, with DISTINCT above merged rows (select it too, or order by a selected column)", sqlparser.String(e))
					}
					col = n
				}
			case sqlparser.AggrFunc:
				it, err := a.aggregate(e, false)
				if err != nil {
					return nil, err
				}
				if a.sel.Distinct && !a.selected(it.col) {
					return nil, unsupported(a.s.sql, "ORDER BY %s, which is not selected, with DISTINCT above merged rows (select it too, or order by a selected column)", sqlparser.String(e))
				}
				col = it.col
			default:
				if it, ok := a.itemByExpr(e); ok {
					col = it.col
					break
				}
				if a.sel.Distinct {
					return nil, unsupported(a.s.sql, "ORDER BY %s, which is not selected, with DISTINCT above merged rows (select it too, or order by a selected column)", sqlparser.String(e))
				}
				x, err := a.rewrite("ORDER BY", e, modeItem)
				if err != nil {
					return nil, err
				}
				a.exprs = append(a.exprs, x)
				col = evalMark + len(a.exprs) - 1
			}
		}
		if col < 0 {
			return nil, unsupported(a.s.sql, "ORDER BY %s above merged rows (order by columns, select aliases, positions, aggregates or expressions)", sqlparser.String(o.Expr))
		}
		if col >= evalMark {
			a.evalCmp[col-evalMark] = true
		}
		a.compare(col)
		keys = append(keys, merge.SortKey{Col: merge.At(col), Desc: o.Direction == sqlparser.DescOrder})
	}
	return keys, nil
}

func (a *above) selected(col int) bool {
	for _, it := range a.items {
		if it.col == col {
			return true
		}
	}
	return false
}

// limit reads LIMIT and OFFSET.
func (a *above) limit() (*merge.Page, error) {
	m := &scatter{s: a.s}
	l := a.sel.Limit
	if l.Rowcount == nil {
		return nil, nil
	}
	count, err := m.limitValue(l.Rowcount)
	if err != nil {
		return nil, err
	}
	var offset int64
	if l.Offset != nil {
		if offset, err = m.limitValue(l.Offset); err != nil {
			return nil, err
		}
	}
	return &merge.Page{Offset: offset, Count: count}, nil
}

func sortedInts(xs []int) []int {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	return xs
}

// zeroFill reports a reference to a column of the input whose values are
// a ZEROFILL column's (aboveCol.zeroFill).
func (a *above) zeroFill(c *sqlparser.ColName) bool {
	k, ok := a.column(c)
	if !ok {
		// a select alias of such a column, or of MIN/MAX of one (HAVING
		// m LIKE '0%' with MAX(x.z) AS m)
		if it, _, isItem := a.itemByAlias(c.Name.String()); isItem && c.Qualifier.IsEmpty() && it.expr != nil {
			return zeroFillItem(it.expr, func(x *sqlparser.ColName) bool {
				_, isCol := a.column(x)
				return isCol && a.zeroFill(x)
			})
		}
		return false
	}
	for _, col := range a.in.cols {
		if col.at == k && col.zeroFill {
			return true
		}
	}
	return false
}
