package route

import (
	"fmt"
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// scatter rewrites a SELECT that runs on several nodes so that merging the
// node results gives exactly the one-table result: sort keys, collation names
// and AVG counts become hidden trailing columns, AVG becomes SUM, HAVING and
// LIMIT move to the merge (or LIMIT becomes offset+count when rows are not
// folded), and grouped nodes sort by the group keys so groups fold as they
// stream.
type scatter struct {
	s       *statement
	sel     *sqlparser.Select // the caller's statement; never modified
	node    sqlparser.Select  // the node statement: a shallow copy with new clause slices
	exprs   []sqlparser.SelectExpr
	visible int // select-list width before hidden columns
	star    bool
	hidden  int
	// weights: the servers report collations (MariaDB, MySQL), so text
	// columns the merge compares get a hidden COLLATION(x) column.
	weights bool
	spec    merge.Spec
	// collated marks merge columns that have their collation column.
	collated map[merge.Col]bool
	tables   []string // the logical sharded tables, for the catalog
	aggs     []merge.Agg
	grouped  bool
	// distinctArg is the argument of COUNT(DISTINCT x) / SUM(DISTINCT x),
	// and distinctKey its merge sort key.
	distinctArg sqlparser.Expr
	distinctKey merge.SortKey
	// finer are what else the nodes group by, after the keys and
	// distinctArg, but do not sort by: the other DISTINCT arguments (of
	// Unsorted aggregates), a GROUP_CONCAT argument's bytes.
	finer []sqlparser.Expr
}

// hiddenCol appends a derived column and returns its merge column.
func (m *scatter) hiddenCol(e sqlparser.Expr) merge.Col {
	m.exprs = append(m.exprs, &sqlparser.AliasedExpr{Expr: e, As: sqlparser.NewIdentifierCI(fmt.Sprintf("__shardsql_%d", m.hidden))})
	m.hidden++
	return merge.HiddenCol(m.hidden - 1)
}

// colAt is the merge column at offset n of the node rows when the select
// list has no *: the hidden columns follow the m.visible selected ones.
func (m *scatter) colAt(n int) merge.Col {
	if n >= m.visible {
		return merge.HiddenCol(n - m.visible)
	}
	return merge.At(n)
}

// nodeExpr is the node select-list item of merge column c: hidden
// columns follow the m.visible selected ones in m.exprs.
func (m *scatter) nodeExpr(c merge.Col) sqlparser.SelectExpr {
	if c.Hidden {
		return m.exprs[m.visible+c.Index]
	}
	return m.exprs[c.Index]
}

// collate gives merge column col, computing e, a hidden COLLATION(e)
// column when the servers report collations: the merge compares text by
// it (PAD SPACE, case, accents). Numbers report "binary" and compare as
// numbers. Without it (the embedded shards) text compares by bytes, as
// their binary collation does.
func (m *scatter) collate(col merge.Col, e sqlparser.Expr) {
	if !m.weights || m.collated[col] {
		return
	}
	if m.collated == nil {
		m.collated = make(map[merge.Col]bool)
	}
	m.collated[col] = true
	from := m.hiddenCol(&sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("collation"), Exprs: []sqlparser.Expr{e}})
	m.spec.Collations = append(m.spec.Collations, merge.Collated{Col: col, From: from})
}

// origExpr is the caller's expression of select-list column i (AVG and
// DISTINCT aggregates are rewritten in m.exprs).
func (m *scatter) origExpr(i int) sqlparser.Expr {
	return m.sel.SelectExprs.Exprs[i].(*sqlparser.AliasedExpr).Expr
}

func (s *statement) planScatter(sel *sqlparser.Select, rt routed) (*Plan, error) {
	return s.planScatterWith(sel, rt, nil)
}

// planScatterWith is planScatter with plan, when set, taking the place of
// the ordering, grouping or distinct step (window functions).
func (s *statement) planScatterWith(sel *sqlparser.Select, rt routed, plan func(*scatter) error) (*Plan, error) {
	nodes := rt.nodes
	m := &scatter{s: s, sel: sel, node: *sel, weights: s.weights}
	for _, t := range rt.tables {
		m.tables = append(m.tables, t.Name)
	}
	m.spec.MaxRows = s.maxRows
	if sel.SelectExprs != nil {
		m.exprs = append(m.exprs, sel.SelectExprs.Exprs...)
	}
	m.visible = len(m.exprs)
	for _, e := range m.exprs {
		if _, ok := e.(*sqlparser.StarExpr); ok {
			m.star = true
		}
	}
	if sel.SQLCalcFoundRows {
		return nil, unsupported(s.sql, "SQL_CALC_FOUND_ROWS across %d nodes (count the rows with a second SELECT COUNT(*) with the same WHERE)", len(nodes))
	}
	var err error
	switch {
	case plan != nil:
		err = plan(m)
	case m.hasAggregates() || (sel.GroupBy != nil && len(sel.GroupBy.Exprs) > 0):
		err = m.planGroup()
	case sel.Distinct:
		err = m.planDistinct()
	default:
		err = m.planOrder()
	}
	if err != nil {
		return nil, err
	}
	if err := m.planLimit(); err != nil {
		return nil, err
	}
	if m.spec.Window != nil {
		m.node.Limit = nil // row numbers need every row before them
	}
	if err := m.checkLockLimit(rt); err != nil {
		return nil, err
	}
	m.spec.Hidden = m.hidden
	m.absoluteProjections()
	m.node.SelectExprs = &sqlparser.SelectExprs{Exprs: m.exprs}
	p := &Plan{SQL: s.sql, Kind: KindSelect, Table: rt.tables[0].Name, spec: &m.spec}
	if d := m.deepPage(rt); d != nil {
		// the deep page's phase 1 are the units; the stream is its
		// fallback, printed only if used (deep_stream.go)
		stream := &deepStream{build: func() merge.Operator {
			return merge.Build(m.spec, mergeUnits(s.renderNodes(&m.node, rt.tables, nodes, rt.ins)))
		}}
		p.DeepPage, p.Root, p.Units = d, d.operator(stream), d.Phase1
		return p, nil
	}
	p.Units = s.renderNodes(&m.node, rt.tables, nodes, rt.ins)
	if n := limitBound(m.node.Limit, len(p.Units), s.maxRows); n > 0 {
		for i := range p.Units {
			p.Units[i].RowBound = n // a top-N's node statements (unit_bound.go)
		}
	}
	p.Root = merge.Build(m.spec, mergeUnits(p.Units))
	return p, nil
}

// hasAggregates reports aggregates anywhere MySQL folds by them: the
// select list, HAVING or ORDER BY. (An aggregate only in HAVING or ORDER
// BY still folds the rows into groups, or into one row without GROUP BY.)
func (m *scatter) hasAggregates() bool {
	if m.sel.SelectExprs != nil && aggregatesOutsideSubqueries(m.sel.SelectExprs) {
		return true // (a co-located subquery's own aggregates fold nothing here)
	}
	if m.sel.Having != nil && sqlparser.ContainsAggregation(m.sel.Having.Expr) {
		return true
	}
	for _, o := range m.sel.OrderBy {
		if sqlparser.ContainsAggregation(o.Expr) {
			return true
		}
	}
	return false
}

// resolve finds the column of the select list an ORDER BY item names: a
// position, an alias, or the same expression. -1 if none.
func (m *scatter) resolve(e sqlparser.Expr) (int, error) {
	return m.resolveIn(e, false)
}

// resolveIn is resolve for ORDER BY or, when group is set, GROUP BY. MySQL
// resolves a GROUP BY name to a column of the table before an alias of
// the select list (SELECT LEFT(status, 1) AS status … GROUP BY status
// groups by the column), an ORDER BY name to the alias first.
func (m *scatter) resolveIn(e sqlparser.Expr, group bool) (int, error) {
	if lit, ok := e.(*sqlparser.Literal); ok && lit.Type == sqlparser.IntVal {
		n, err := strconv.Atoi(lit.Val)
		if err != nil || n < 1 || n > m.visible {
			return -1, unsupported(m.s.sql, "position %s outside the select list (MySQL's error 1054: give a position from 1 to the number of select items)", lit.Val)
		}
		if m.star {
			return -1, unsupported(m.s.sql, "ORDER BY/GROUP BY position with SELECT * across nodes (name the columns, or order by a column name)")
		}
		return n - 1, nil
	}
	if col, ok := e.(*sqlparser.ColName); ok && col.Qualifier.IsEmpty() && !(group && m.isTableColumn(col)) {
		for i, se := range m.exprs[:m.visible] {
			if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && ae.As.Equal(col.Name) {
				return i, nil
			}
		}
	}
	text := sqlparser.String(e)
	for i, se := range m.sel.SelectExprs.Exprs {
		// the caller's items: AVG and DISTINCT aggregates are rewritten in
		// m.exprs (AVG(x) computes SUM(x) there, which ORDER BY SUM(x) must
		// not take for its own)
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && sqlparser.String(ae.Expr) == text {
			if m.star {
				return -1, nil // its position after * is unknown: fetch it again as a hidden column
			}
			return i, nil
		}
	}
	return -1, nil
}

// exprAt returns the expression of select-list column i.
func (m *scatter) exprAt(i int) sqlparser.Expr {
	return m.exprs[i].(*sqlparser.AliasedExpr).Expr
}

// sortKey resolves an ORDER BY/GROUP BY item to a merge sort key, adding
// hidden columns for what the select list lacks.
func (m *scatter) sortKey(e sqlparser.Expr, desc, group bool) (merge.SortKey, error) {
	col, err := m.resolveIn(e, group)
	if err != nil {
		return merge.SortKey{}, err
	}
	if col >= 0 {
		return merge.SortKey{Col: m.keyCol(merge.At(col), m.exprAt(col)), Desc: desc}, nil
	}
	e, err = m.aliasesExpanded(e)
	if err != nil {
		return merge.SortKey{}, err
	}
	return merge.SortKey{Col: m.keyCol(m.hiddenCol(e), e), Desc: desc}, nil
}

// keyCol returns the merge column a key on column col, computing e,
// compares by: col itself, with its collation column, or for an ENUM or
// SET column (which MySQL orders by index, a number the value does not
// carry) a hidden e+0 column holding the index. Only the catalog tells
// an ENUM column; without it the merge refuses to order by one.
//
// Hazard (round 16): a FLOAT column's values arrive as MariaDB's text of
// six significant digits, which ties values that differ (1.0000001 and
// 1.0000002 are both "1", 16777216 is "1.67772e+07"): merges grouped
// them into one group, sorted them as ties and counted one DISTINCT value
// where one server sees two. A key on a FLOAT column compares a hidden
// e+0 column instead: the same value as a DOUBLE, whose text is exact.
func (m *scatter) keyCol(col merge.Col, e sqlparser.Expr) merge.Col {
	if m.isEnum(e) || m.isColumnOf(e, "float") {
		return m.hiddenCol(&sqlparser.BinaryExpr{Operator: sqlparser.PlusOp, Left: e, Right: sqlparser.NewIntLiteral("0")})
	}
	m.collate(col, e)
	return col
}

// isColumnOf reports whether e is a column of the catalog data type typ
// ("bit", "enum", …).
func (m *scatter) isColumnOf(e sqlparser.Expr, typ string) bool {
	c, ok := e.(*sqlparser.ColName)
	if !ok || m.s.catalog == nil {
		return false
	}
	for _, t := range m.tables {
		if tbl, ok := m.s.factsNamed(t); ok {
			if col, ok := tbl.Column(c.Name.String()); ok {
				return col.DataType == typ
			}
		}
	}
	return false
}

// isEnum reports whether e is an ENUM or SET column by the catalog.
func (m *scatter) isEnum(e sqlparser.Expr) bool {
	c, ok := e.(*sqlparser.ColName)
	if !ok || m.s.catalog == nil {
		return false
	}
	for _, t := range m.tables {
		if tbl, ok := m.s.factsNamed(t); ok {
			if col, ok := tbl.Column(c.Name.String()); ok {
				return col.DataType == "enum" || col.DataType == "set"
			}
		}
	}
	return false
}

// isTableColumn reports whether a name in GROUP BY is a column of the
// statement's tables (which MySQL prefers over a select alias). The
// catalog knows; without it, a name the statement also uses as a column
// outside the select aliases (as in LEFT(status, 1) AS status) is taken
// for a column.
func (m *scatter) isTableColumn(c *sqlparser.ColName) bool {
	// the FROM clause's tables as the catalog knows them: a derived
	// table's columns are its select list's, not the sharded table's; a
	// name two tables have is ambiguous, and GROUP BY takes the select
	// alias then (scatter_group_names.go)
	if holders, known := m.fromHolders(c.Name); known {
		if !c.Qualifier.IsEmpty() {
			return holders > 0
		}
		return holders == 1
	}
	if m.s.catalog != nil {
		known := false
		for _, t := range m.tables {
			if tbl, ok := m.s.factsNamed(t); ok {
				known = true
				if _, ok := tbl.Column(c.Name.String()); ok {
					return true
				}
			}
		}
		if known {
			return false
		}
	}
	found := false
	for _, se := range m.exprs[:m.visible] {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if cn, ok := n.(*sqlparser.ColName); ok && cn.Name.Equal(c.Name) {
				found = true
			}
			return !found, nil
		}, ae.Expr)
	}
	if !found && m.sel.Where != nil {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if cn, ok := n.(*sqlparser.ColName); ok && cn.Name.Equal(c.Name) {
				found = true
			}
			return !found, nil
		}, m.sel.Where)
	}
	return found
}

// planOrder: no folding. Nodes keep their ORDER BY and the streams merge.
func (m *scatter) planOrder() error {
	for _, o := range m.sel.OrderBy {
		k, err := m.sortKey(o.Expr, o.Direction == sqlparser.DescOrder, false)
		if err != nil {
			return err
		}
		m.spec.Sort = append(m.spec.Sort, k)
	}
	return nil
}

// planDistinct folds equal rows: the group keys are every selected column,
// and nodes sort by the ORDER BY columns first, then the rest.
func (m *scatter) planDistinct() error {
	if m.star {
		return unsupported(m.s.sql, "SELECT DISTINCT * across nodes (name the columns)")
	}
	used := make([]bool, m.visible)
	var keys []merge.SortKey
	var order sqlparser.OrderBy
	for _, o := range m.sel.OrderBy {
		col, err := m.resolve(o.Expr)
		if err != nil {
			return err
		}
		if col < 0 {
			return unsupported(m.s.sql, "DISTINCT with ORDER BY %s that is not in the select list (select it too, or order by a selected column)", sqlparser.String(o.Expr))
		}
		if used[col] {
			continue
		}
		used[col] = true
		desc := o.Direction == sqlparser.DescOrder
		keys = append(keys, merge.SortKey{Col: m.keyCol(merge.At(col), m.exprAt(col)), Desc: desc})
		order = append(order, &sqlparser.Order{Expr: o.Expr, Direction: o.Direction})
	}
	for col := 0; col < m.visible; col++ {
		if used[col] {
			continue
		}
		if e := m.exprAt(col); m.isColumnOf(e, "bit") {
			// Hazard (round 16): MariaDB sends a BIT column of a DISTINCT
			// as its bytes (type BIT), but as a decimal number (UNSIGNED
			// INT) when the DISTINCT's ORDER BY sorts by it, as the nodes'
			// ORDER BY for the merge does: `SELECT DISTINCT bt` answered 15
			// where one server answers 0x0F. With the statement's own
			// ORDER BY on it, one server sends numbers too (exact).
			return unsupported(m.s.sql, "SELECT DISTINCT of BIT column %s across nodes without ORDER BY %s (MariaDB sends its values as bytes there, and as numbers when the rows are sorted by it, as the merge sorts them): add it to the ORDER BY, or select %s+0", sqlparser.String(e), sqlparser.String(e), sqlparser.String(e))
		}
		keys = append(keys, merge.SortKey{Col: m.keyCol(merge.At(col), m.exprAt(col))})
		order = append(order, &sqlparser.Order{Expr: sqlparser.NewIntLiteral(strconv.Itoa(col + 1))})
	}
	m.node.OrderBy = order
	m.spec.Sort = keys
	m.spec.Group = &merge.Group{Keys: keys}
	m.spec.Distinct = true
	return nil
}

// absoluteProjections writes the columns of the projections and of the
// memory sort as offsets into the node rows, as HAVING's are: merge.Build
// compares them to decide which projections HAVING or the memory sort
// read (computed before them) and which only the returned rows need, and
// a merge.HiddenCol reference never equals an offset. Projections exist
// only with aggregates, where the select list has no * and m.visible is
// the number of selected columns.
func (m *scatter) absoluteProjections() {
	if len(m.spec.Project) == 0 {
		return
	}
	abs := func(col merge.Col) merge.Col {
		if col.Hidden {
			return merge.At(m.visible + col.Index)
		}
		return col
	}
	for i, p := range m.spec.Project {
		m.spec.Project[i].Col, m.spec.Project[i].ScaleCol = abs(p.Col), abs(p.ScaleCol)
	}
	for i, k := range m.spec.MemorySort {
		m.spec.MemorySort[i].Col = abs(k.Col)
	}
}
