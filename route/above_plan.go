package route

import (
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
	"github.com/shardsql/shardsql/merge"
)

// planAbove plans sel, a SELECT over the rows of in, as operators above
// in's stream, evaluated as one server evaluates it: WHERE (Filter), GROUP
// BY and aggregates over the raw rows (Extend adds what COUNT, SUM, AVG,
// MIN and MAX fold; MemorySort by the group keys; OrderedAggregate),
// HAVING (Filter), DISTINCT (MemorySort, Distinct), ORDER BY (MemorySort),
// LIMIT, and the select list named as MySQL names it (Pick).
//
// What it takes is narrow on purpose: select items that are columns of in
// or aggregates of them (COUNT(*), COUNT(x), SUM, AVG, MIN, MAX without
// DISTINCT); GROUP BY, ORDER BY of columns, select aliases, positions (and
// aggregates for ORDER BY); WHERE and HAVING conditions of any expression
// the evaluator implements. Anything else is refused.
func (s *statement) planAbove(sel *sqlparser.Select, in aboveInput) (merge.Operator, error) {
	a := &above{s: s, sel: sel, in: in, next: in.width, compared: map[int]bool{}}
	if err := a.selectItems(); err != nil {
		return nil, err
	}
	if err := a.groupBy(); err != nil {
		return nil, err
	}
	for j, e := range a.exprs {
		x, err := a.rewrite("select item", e, false)
		if err != nil {
			return nil, err
		}
		a.exprs[j] = x
	}
	var where, having sqlparser.Expr
	var err error
	if sel.Where != nil {
		if where, err = a.condition("WHERE", sel.Where.Expr, false); err != nil {
			return nil, err
		}
	}
	if sel.Having != nil {
		if having, err = a.condition("HAVING", sel.Having.Expr, true); err != nil {
			return nil, err
		}
	}
	order, err := a.orderBy()
	if err != nil {
		return nil, err
	}
	if a.grouped {
		for _, it := range a.items {
			if it.agg == 0 && it.col < evalMark && !a.isKey(it.col) {
				return nil, unsupported(s.sql, "column %s in the select list is not in GROUP BY (MySQL returns any row's value; add it to GROUP BY or use MIN/MAX)", it.name)
			}
		}
	}
	// the evaluated expressions' columns follow Extend's
	fix := func(col int) int {
		if col >= evalMark {
			return a.next + col - evalMark
		}
		return col
	}
	var evalCmp []int
	for i := range a.items {
		if a.items[i].col >= evalMark && (sel.Distinct || a.evalCmp[a.items[i].col-evalMark]) {
			evalCmp = append(evalCmp, a.items[i].col-evalMark)
		}
		a.items[i].col = fix(a.items[i].col)
	}
	for i := range order {
		order[i].Col = merge.At(fix(order[i].Col.Index))
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
	var op merge.Operator = &merge.Extend{Collations: in.collations, Columns: a.exts, Compared: sortedInts(compared), Collated: s.weights, Input: in.op}
	if where != nil {
		op = &merge.Filter{Cond: where, Input: op}
	}
	if a.grouped {
		if len(a.keys) > 0 {
			op = &merge.MemorySort{Keys: a.keys, MaxRows: s.maxRows, Input: op}
		}
		op = &merge.OrderedAggregate{Group: &merge.Group{Keys: a.keys, Aggs: a.aggs}, Input: op}
	}
	if having != nil {
		op = &merge.Filter{Cond: having, Input: op}
	}
	if len(a.exprs) > 0 {
		op = &merge.Evaluate{Exprs: a.exprs, Compared: sortedInts(evalCmp), Collated: s.weights, Input: op}
	}
	if sel.Distinct {
		keys := make([]merge.SortKey, len(a.items))
		for i, it := range a.items {
			keys[i] = merge.SortKey{Col: merge.At(it.col)}
		}
		op = &merge.Distinct{Keys: keys, Input: &merge.MemorySort{Keys: keys, MaxRows: s.maxRows, Input: op}}
	}
	if len(order) > 0 {
		op = &merge.MemorySort{Keys: order, MaxRows: s.maxRows, Input: op}
	}
	if page != nil {
		op = &merge.Limit{Page: *page, Input: op}
	}
	pick := &merge.Pick{Input: op}
	for _, it := range a.items {
		pick.Cols = append(pick.Cols, merge.PickCol{Col: it.col, Name: it.name, Agg: it.agg, Arg: it.arg, Collation: it.collOf})
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
	// exts are the columns Extend appends (from next's first value on),
	// aggs the aggregates folding them, aggExprs their expressions.
	exts     []merge.Extension
	aggs     []merge.Agg
	aggExprs []sqlparser.AggrFunc
	aggItems []aboveItem
	next     int
	keys     []merge.SortKey
	grouped  bool
	// compared are the input columns the SELECT compares (group and sort
	// keys, conditions, MIN/MAX): a text one needs its collation.
	compared map[int]bool
	// exprs are the select list's expressions (Evaluate), rewritten with
	// placeholders once GROUP BY is known; their items' columns are
	// evalMark+j until the columns after Extend's are counted.
	exprs   []sqlparser.Expr
	evalCmp map[int]bool
}

// evalMark marks the row column of the j-th evaluated expression before
// its place is known: evalMark+j.
const evalMark = 1 << 20

// expression records a select-list expression and returns its item.
func (a *above) expression(name string, e sqlparser.Expr) aboveItem {
	a.exprs = append(a.exprs, e)
	return aboveItem{name: name, col: evalMark + len(a.exprs) - 1, arg: -1}
}

// aboveItem is one result column: row column col; for an aggregate, its
// kind and the input column it reads.
type aboveItem struct {
	name string
	col  int
	agg  merge.AggKind
	arg  int
	// collOf: COLLATION(column col), which a derived table above the
	// nodes selects for the SELECT above it
	collOf bool
}

// column resolves a column reference to an input column.
func (a *above) column(c *sqlparser.ColName) (int, bool) {
	if !c.Qualifier.IsEmpty() && (!c.Qualifier.Qualifier.IsEmpty() || !strings.EqualFold(c.Qualifier.Name.String(), a.in.alias)) {
		return -1, false
	}
	for i, n := range a.in.cols {
		if strings.EqualFold(n, c.Name.String()) {
			return i, true
		}
	}
	return -1, false
}

// aggregate returns the row column of aggregate f, adding it (and what
// Extend computes for it) the first time.
func (a *above) aggregate(f sqlparser.AggrFunc) (aboveItem, error) {
	for i, e := range a.aggExprs {
		if sqlparser.Equals.Expr(e, f) {
			return a.aggItems[i], nil
		}
	}
	it := aboveItem{arg: -1}
	arg := func(e sqlparser.Expr) (int, error) {
		c, ok := e.(*sqlparser.ColName)
		if !ok {
			return -1, unsupported(a.s.sql, "aggregate %s of an expression above merged rows (compute the expression in the derived table and aggregate its column)", sqlparser.String(f))
		}
		col, ok := a.column(c)
		if !ok {
			return -1, unsupported(a.s.sql, "column %s in %s is not a column of the derived table", sqlparser.String(c), sqlparser.String(f))
		}
		return col, nil
	}
	if d, ok := f.(sqlparser.DistinctableAggr); ok && d.IsDistinct() {
		return it, unsupported(a.s.sql, "%s above merged rows (aggregate DISTINCT values in the derived table)", sqlparser.String(f))
	}
	var err error
	switch f := f.(type) {
	case *sqlparser.CountStar:
		it.agg, it.col = merge.AggCount, a.extend(merge.ExtOne, -1)
	case *sqlparser.Count:
		if len(f.Args) != 1 {
			return it, unsupported(a.s.sql, "%s above merged rows", sqlparser.String(f))
		}
		if it.arg, err = arg(f.Args[0]); err != nil {
			return it, err
		}
		it.agg, it.col = merge.AggCount, a.extend(merge.ExtNotNull, it.arg)
	case *sqlparser.Sum:
		if it.arg, err = arg(f.Arg); err != nil {
			return it, err
		}
		it.agg, it.col = merge.AggSum, a.extend(merge.ExtNumber, it.arg)
	case *sqlparser.Avg:
		if it.arg, err = arg(f.Arg); err != nil {
			return it, err
		}
		it.agg, it.col = merge.AggAvg, a.extend(merge.ExtNumber, it.arg)
		cnt := merge.At(a.extend(merge.ExtNotNull, it.arg))
		a.aggs = append(a.aggs, merge.Agg{Kind: merge.AggAvg, Col: merge.At(it.col), CountCol: &cnt})
	case *sqlparser.Min, *sqlparser.Max:
		if it.arg, err = arg(f.GetArg()); err != nil {
			return it, err
		}
		it.agg = merge.AggMin
		if _, ok := f.(*sqlparser.Max); ok {
			it.agg = merge.AggMax
		}
		it.col = a.extend(merge.ExtCopy, it.arg)
		a.compared[it.arg] = true
	default:
		return it, unsupported(a.s.sql, "aggregate %s above merged rows (only COUNT, SUM, AVG, MIN and MAX of a column)", sqlparser.String(f))
	}
	if it.agg != merge.AggAvg {
		a.aggs = append(a.aggs, merge.Agg{Kind: it.agg, Col: merge.At(it.col)})
	}
	a.grouped = true
	a.aggExprs = append(a.aggExprs, f)
	a.aggItems = append(a.aggItems, it)
	return it, nil
}

// extend adds a column Extend computes and returns its row column.
func (a *above) extend(kind merge.ExtKind, col int) int {
	a.exts = append(a.exts, merge.Extension{Kind: kind, Col: col})
	a.next++
	return a.next - 1
}

// selectItems resolves the select list.
func (a *above) selectItems() error {
	for _, se := range a.sel.GetColumns() {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			if !se.TableName.IsEmpty() && (!se.TableName.Qualifier.IsEmpty() || !strings.EqualFold(se.TableName.Name.String(), a.in.alias)) {
				return unsupported(a.s.sql, "%s over derived table %s", sqlparser.String(se), a.in.alias)
			}
			for i, n := range a.in.cols {
				if a.in.printed[i] {
					return unsupported(a.s.sql, "%s over a derived table column named by its expression %s (alias the derived table's expressions)", sqlparser.String(se), n)
				}
				a.items = append(a.items, aboveItem{name: n, col: i, arg: -1})
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
					return unsupported(a.s.sql, "column %s is not a column of derived table %s", sqlparser.String(e), a.in.alias)
				}
				a.items = append(a.items, aboveItem{name: name, col: col, arg: -1})
			case sqlparser.AggrFunc:
				it, err := a.aggregate(e)
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
					return unsupported(a.s.sql, "column %s is not a column of derived table %s", sqlparser.String(c), a.in.alias)
				}
				a.items = append(a.items, aboveItem{name: name, col: col, arg: -1, collOf: true})
			default:
				a.items = append(a.items, a.expression(name, e))
			}
		default:
			return unsupported(a.s.sql, "select item %s above merged rows", sqlparser.String(se))
		}
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

// itemByAlias returns the select item named name by an alias.
func (a *above) itemByAlias(name string) (aboveItem, bool) {
	for i, se := range a.sel.GetColumns() {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.EqualString(name) && i < len(a.items) {
			return a.itemAt(i), true
		}
	}
	return aboveItem{}, false
}

// itemAt returns the item of select expression i (none is a * when an
// alias or position names it: positions count items).
func (a *above) itemAt(i int) aboveItem {
	if i < len(a.items) {
		return a.items[i]
	}
	return aboveItem{col: -1}
}

// position reads a column position (GROUP BY 1, ORDER BY 2).
func (a *above) position(e sqlparser.Expr) (aboveItem, bool, error) {
	lit, ok := e.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.IntVal {
		return aboveItem{}, false, nil
	}
	n, err := strconv.Atoi(lit.Val)
	if err != nil || n < 1 || n > len(a.items) {
		return aboveItem{}, true, unsupported(a.s.sql, "position %s out of the select list", lit.Val)
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

// groupBy resolves GROUP BY: names of the derived table's columns first,
// then select aliases (as MySQL resolves them), and positions.
func (a *above) groupBy() error {
	g := a.sel.GroupBy
	if g == nil || len(g.Exprs) == 0 {
		return nil
	}
	if g.WithRollup {
		return unsupported(a.s.sql, "WITH ROLLUP above merged rows")
	}
	a.grouped = true
	for _, e := range g.Exprs {
		col := -1
		if it, ok, err := a.position(e); err != nil {
			return err
		} else if ok {
			if it.agg != 0 {
				return unsupported(a.s.sql, "GROUP BY an aggregate")
			}
			col = it.col
		} else if c, ok := e.(*sqlparser.ColName); ok {
			if n, ok := a.column(c); ok {
				col = n
			} else if it, ok := a.itemByAlias(c.Name.String()); ok && c.Qualifier.IsEmpty() && it.agg == 0 {
				col = it.col
			}
		}
		if col < 0 {
			return unsupported(a.s.sql, "GROUP BY %s above merged rows (group by columns of the derived table)", sqlparser.String(e))
		}
		if !a.isKey(col) {
			a.keys = append(a.keys, merge.SortKey{Col: merge.At(col)})
			a.compared[col] = true
		}
	}
	return nil
}

// condition rewrites a WHERE or HAVING condition for the evaluator:
// columns become placeholders of their row columns, ? arguments
// literals; HAVING reads select aliases, group keys and aggregates.
func (a *above) condition(clause string, e sqlparser.Expr, having bool) (sqlparser.Expr, error) {
	return a.rewrite(clause, e, having)
}

// rewrite is condition for clause: "WHERE" reads the derived table's
// columns; "HAVING" select aliases, group keys and aggregates; "select
// item" group keys (or, ungrouped, any column) and aggregates.
func (a *above) rewrite(clause string, e sqlparser.Expr, having bool) (sqlparser.Expr, error) {
	folded := having || clause == "select item"
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
		switch n := c.Node().(type) {
		case sqlparser.AggrFunc:
			if !folded {
				fail("aggregate %s in WHERE", sqlparser.String(n))
				return false
			}
			it, aerr := a.aggregate(n)
			if aerr != nil {
				err = aerr
				return false
			}
			c.Replace(evalenv.Column(it.col))
			return false
		case *sqlparser.ColName:
			col := -1
			if having && n.Qualifier.IsEmpty() {
				if it, ok := a.itemByAlias(n.Name.String()); ok {
					col = it.col
				}
			}
			if col >= evalMark {
				fail("%s %s names select expression %s (repeat the expression's aggregates instead)", clause, sqlparser.String(e), sqlparser.String(n))
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
				fail("column %s in %s above merged rows (it must name a column of the derived table%s)", sqlparser.String(n), clause, map[bool]string{true: ", a select alias or a GROUP BY column", false: ""}[having])
				return false
			}
			if col < a.in.width {
				a.compared[col] = true
			}
			c.Replace(evalenv.Column(col))
			return false
		case *sqlparser.Argument:
			v, ok := a.s.value(n)
			if !ok {
				fail("%s argument %s above merged rows", clause, sqlparser.String(n))
				return false
			}
			lit, lerr := argLiteral(v)
			if lerr != nil {
				fail("%s argument of type %T above merged rows", clause, v)
				return false
			}
			c.Replace(lit)
			return false
		case *sqlparser.Subquery:
			fail("subquery in %s above merged rows", clause)
			return false
		}
		return true
	}, nil).(sqlparser.Expr)
	if err != nil {
		return nil, err
	}
	if _, terr := evalenv.Translate(out); terr != nil {
		return nil, unsupported(a.s.sql, "%s %s above merged rows (%v)", clause, sqlparser.String(e), terr)
	}
	return out, nil
}

// orderBy resolves ORDER BY: positions, select aliases first, then the
// derived table's columns, and aggregates.
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
				if it, ok := a.itemByAlias(e.Name.String()); ok && e.Qualifier.IsEmpty() {
					col = it.col
				} else if n, ok := a.column(e); ok {
					switch {
					case a.grouped && !a.isKey(n):
						return nil, unsupported(a.s.sql, "ORDER BY %s, which is not in GROUP BY, above merged rows", sqlparser.String(e))
					case a.sel.Distinct && !a.selected(n):
						return nil, unsupported(a.s.sql, "ORDER BY %s, which is not selected, with DISTINCT above merged rows", sqlparser.String(e))
					}
					col = n
				}
			case sqlparser.AggrFunc:
				it, err := a.aggregate(e)
				if err != nil {
					return nil, err
				}
				if a.sel.Distinct && !a.selected(it.col) {
					return nil, unsupported(a.s.sql, "ORDER BY %s, which is not selected, with DISTINCT above merged rows", sqlparser.String(e))
				}
				col = it.col
			}
		}
		if col < 0 {
			return nil, unsupported(a.s.sql, "ORDER BY %s above merged rows (order by columns, select aliases, positions or aggregates)", sqlparser.String(o.Expr))
		}
		if col >= evalMark {
			if a.evalCmp == nil {
				a.evalCmp = make(map[int]bool)
			}
			a.evalCmp[col-evalMark] = true
		}
		if col < a.in.width {
			a.compared[col] = true
		}
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
