package route

import (
	"database/sql/driver"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/shard"
)

// DeepPage is the phased plan of a deep page, ORDER BY keys LIMIT
// offset, count across k nodes with an offset large against count × k
// (docs/deep-pages.md). The plan's Root is its merge.DeepPageScan and its
// Units are Phase1 (each node's window of the total order around
// ⌊offset/k⌋); merge.PlanDeepPage picks the bounds; Phase2, Counts and
// Fetch build the later phases' node statements. The operator's second
// input streams the same statement the plain way (LIMIT offset+count per
// node), for when the deep page cannot be used at run time.
type DeepPage struct {
	// Page is the merge's side: the total order, offset, count, nodes.
	Page merge.DeepPage
	// Phase1 are the phase-1 statements, one per node in the plan's node
	// order. They differ only by the physical table (and an IN list's
	// values), so they are printed once and the other nodes' names spliced
	// in (renderNodes); the merge knows a row's node by its unit.
	//
	//
	// Where a data source holds several nodes and the statements may be
	// joined (deep_union.go), Phase1 has one unit per data source instead,
	// a UNION ALL of its nodes' statements, and Phase1Union lists the nodes
	// of each: the servers' fixed cost per statement was most of a deep
	// page's (docs/deep-pages.md, "One statement per data source"). (An
	// earlier UNION ALL, whose branches carried a marker column and no
	// parentheses, cost MariaDB twice the CPU of the separate statements.)
	Phase1      []Unit
	Phase1Union [][]int

	// unionAux: the page's statements whose rows are not the result's
	// (key-only phases, counts) may be joined per data source; unionRows:
	// those whose rows are (full-row phases, the fetch) may too.
	unionAux, unionRows bool

	keys   []deepKey
	hidden int
	base   *statement
	node   sqlparser.Select // the full node statement in the total order, without LIMIT
	// keyNode, when set, is the node statement of phases 1 and 2 that
	// selects the order's keys only (and their collations); node then
	// fetches the page's rows (docs/deep-pages.md, "Key-only phases").
	keyNode *sqlparser.Select
	keySpec *merge.Spec
	tables  []*shard.ShardedTable
	nodes   []int
	ins     map[*sqlparser.ComparisonExpr]inOwners
	from    sqlparser.TableExprs
	where   *sqlparser.Where
	orderBy string
	// phase1Nodes are phase 1's node statements, one per node, before
	// they were joined per data source (deep_hints.go).
	phase1Nodes []Unit
	// hintFull: a hinted phase 1 reads full rows where this one reads
	// the keys (deep_hints.go, WithDeepHint).
	hintFull bool
}

// deepKey is one key of the total order: a column of the table.
type deepKey struct {
	expr *sqlparser.ColName
	desc bool
	col  *schema.Column
	// spec is the merge column holding the key's value (maybe a hidden one).
	spec merge.Col
}

// The deep page is used when offset ≥ deepMinOffset, offset ≥
// deepCountFactor × count and offset × nodes ≥ deepMinRows (and count ≤
// deepMaxCount). Below that, streaming's k × (offset + count) rows cost
// less than the deep page's k × (count + 4√(offset/k)) rows plus its
// second round trip when a window misses (about one statement in two
// pages at margin 2√b, and a statement costs MariaDB about as much as
// sending 300 rows). Measured on MariaDB (TestDeepPageThreshold, 2 × 8
// tables, count 10, concurrency 8, docs/deep-pages.md "Tuning"): the
// deep page 0.73× streaming's throughput at offset 16, 1.4× at 32, 2.5×
// at 64 to 256 (where the previous threshold, max(256, 2·count·k) = 320,
// still streamed), 3.6× at 2048. deepMinRows carries the model to fewer
// nodes (k × offset extra rows streamed against about 250 rows' worth of
// a possible second read): 256 at 2 nodes, 64 at 8.
//
// With one statement per data source (deep_union.go) a second read costs
// two statements at 2 × 8, not up to 16, and the crossover moved: the
// deep page read 1.19× streaming's throughput at offset 16, 1.56× at 32,
// 2.8–3.1× at 64 to 1024 (same test, load 13–18). Where the phases are
// joined, the deep page is used from offset ≥ deepMinOffsetJoined,
// offset ≥ 1.5 × count and offset × nodes ≥ deepMinRowsJoined (16 at 16
// nodes, as measured; the model's 32 at 8, 128 at 2). Below 16 it was
// not measured.
const (
	deepMinOffset       = 32
	deepCountFactor     = 2
	deepMinRows         = 512
	deepMinOffsetJoined = 16
	deepMinRowsJoined   = 256
	deepMaxCount        = 10_000
)

// deepThreshold reports whether LIMIT offset, count over k nodes is deep
// enough for the deep page; joined: the phases run as one statement per
// data source.
func deepThreshold(offset, count int64, k int, joined bool) bool {
	if joined {
		return offset >= deepMinOffsetJoined && 2*offset >= 3*count && offset*int64(k) >= deepMinRowsJoined
	}
	return offset >= deepMinOffset && offset >= deepCountFactor*count && offset*int64(k) >= deepMinRows
}

// deepMargin widens each node's phase-1 window by two standard deviations
// of a node's share of the offset when rows are spread evenly (a node's
// count of rows before a given global rank is binomial, σ ≈ √(offset/k)):
// then most windows cover the page's stretch of their node, and phase 2
// reads only the few that miss. Three σ made phase 2 rare but sent half
// as many rows again in phase 1 (16 nodes, offset 10,000: 2,570 rows in
// one round trip against 1,724 in about 1.7), and the rows sent cost the
// servers and the client more than the second round trip
// (TestDeepPageProfile, docs/deep-pages.md).
//
// The windows are held in memory: the margin is capped at deepMaxMargin,
// and a page whose windows would exceed maxRows in all streams.
func deepMargin(offset int64, k int) int64 {
	return min(deepMaxMargin, int64(math.Ceil(2*math.Sqrt(float64(offset)/float64(k)))))
}

const deepMaxMargin = 4096

// String describes the strategy: the line Explain prints for its
// operator.
func (d *DeepPage) String() string { return d.operator(nil).Description() }

// KeyOnly reports whether phases 1 and 2 read the order's keys only.
func (d *DeepPage) KeyOnly() bool { return d.keyNode != nil }

// operator returns the plan's operator: the deep page over phase 1, with
// stream (the plain scatter's tree) as its fallback.
func (d *DeepPage) operator(stream merge.Operator) *merge.DeepPageScan {
	return &merge.DeepPageScan{Page: d.Page, Keys: d.keySpec, Phase1: &merge.Route{Units: mergeUnits(d.Phase1)}, Phase1Union: d.Phase1Union,
		Union: d.unionAux && (d.keyNode != nil || d.unionRows), Bounded: deepStatements{d}, Stream: stream, Order: d.orderBy}
}

// deepStatements builds the later phases' statements for the merge.
type deepStatements struct{ d *DeepPage }

func (s deepStatements) Phase2(b *merge.DeepBounds) ([]merge.DeepUnit, error) {
	us, err := s.d.Phase2(b.KeyCols(), b)
	if err != nil {
		return nil, err
	}
	return s.d.deepUnion(us, s.d.keyNode == nil), nil
}

func (s deepStatements) Counts(b *merge.DeepBounds) ([]merge.DeepUnit, error) {
	us, err := s.d.Counts(b.KeyCols(), b)
	if err != nil {
		return nil, err
	}
	return s.d.deepUnion(us, false), nil
}

func (s deepStatements) Fetch(ranges []merge.DeepRange) ([]merge.DeepUnit, error) {
	us, err := s.d.Fetch(ranges)
	if err != nil {
		return nil, err
	}
	return s.d.deepUnion(us, true), nil
}

// NodeUnit is a node statement of a deep page's later phase and the
// position of its node in the plan's node order.
type NodeUnit struct {
	Unit
	Node int
}

// deepPage returns the deep-page plan of a scatter whose LIMIT has been
// planned, or nil when the statement streams: no total order can be made
// from the catalog (every key a plain column of a type whose values bind
// back exactly, and a unique key of NOT NULL such columns), it folds rows,
// or the offset is small.
func (m *scatter) deepPage(rt routed) *DeepPage {
	k := len(rt.nodes)
	sp := m.spec
	if m.s.deepKeys == DeepPageOff || k < 2 || sp.Group != nil || len(sp.MemorySort) > 0 || sp.Limit == nil || len(sp.Sort) == 0 || sp.Having != nil ||
		sp.Distinct || sp.Window != nil ||
		sp.Limit.Count <= 0 || sp.Limit.Count > deepMaxCount ||
		len(rt.tables) != 1 || len(m.sel.From) != 1 || m.sel.Distinct || m.sel.Lock != sqlparser.NoLock {
		return nil
	}
	if _, ok := m.sel.From[0].(*sqlparser.AliasedTableExpr); !ok {
		return nil
	}
	// the union's conditions on the statement (deep_union.go), for the
	// threshold and the key-only choice: the key-only phases select plain
	// key columns
	union := m.s.weights && m.s.unionable(&sqlparser.Select{From: m.sel.From, Where: m.sel.Where}) &&
		k > nodeDataSources(rt.tables[0], rt.nodes)
	if !deepThreshold(sp.Limit.Offset, sp.Limit.Count, k, union) {
		return nil
	}
	tbl, ok := m.s.factsNamed(rt.tables[0].Name)
	if !ok {
		return nil
	}
	// A copy of the scatter from its visible columns: the tie-breaking
	// columns must not change the streaming plan's node statement, and
	// the catalog tells which keys are text, so only those get a hidden
	// COLLATION() column (the streaming plan adds one to every key).
	c := *m
	c.exprs = append([]sqlparser.SelectExpr(nil), m.exprs[:m.visible]...)
	c.hidden = 0
	c.spec.Sort, c.spec.Collations, c.collated = nil, nil, map[merge.Col]bool{}
	var keys []deepKey
	for _, o := range m.sel.OrderBy {
		cn := m.orderColumn(o.Expr)
		if cn == nil {
			return nil
		}
		col, ok := tbl.Column(cn.Name.String())
		if !ok || !deepBindable(col) {
			return nil
		}
		c.weights = m.weights && deepText(col)
		sk, err := c.sortKey(o.Expr, o.Direction == sqlparser.DescOrder, false)
		if err != nil {
			return nil
		}
		c.spec.Sort = append(c.spec.Sort, sk)
		keys = append(keys, deepKey{expr: cn, desc: sk.Desc, col: col, spec: sk.Col})
	}
	uk := deepUniqueKey(tbl)
	if uk == nil {
		return nil
	}
	var qual sqlparser.TableName
	if ate := m.sel.From[0].(*sqlparser.AliasedTableExpr); !ate.As.IsEmpty() {
		qual = sqlparser.TableName{Name: sqlparser.NewIdentifierCS(ate.As.String())}
	} else if tn, ok := ate.Expr.(sqlparser.TableName); ok {
		qual = sqlparser.TableName{Name: tn.Name}
	}
	order := append(sqlparser.OrderBy(nil), m.sel.OrderBy...)
	for i, o := range order {
		if _, ok := o.Expr.(*sqlparser.Literal); ok {
			// ORDER BY 2: the column it names, qualified (no select alias
			// can capture it), for a union's branches lead with a tag
			// column, which moves every position by one (deep_union.go)
			order[i] = &sqlparser.Order{Expr: &sqlparser.ColName{Name: keys[i].expr.Name, Qualifier: qual}, Direction: o.Direction}
		}
	}
	for _, ucol := range uk {
		have := false
		for _, key := range keys {
			if strings.EqualFold(key.col.Name, ucol.Name) {
				have = true
			}
		}
		if have {
			continue
		}
		// qualified, so that a select alias of the same name cannot
		// capture it in ORDER BY
		cn := &sqlparser.ColName{Name: sqlparser.NewIdentifierCI(ucol.Name), Qualifier: qual}
		c.weights = m.weights && deepText(ucol)
		var sk merge.SortKey
		found := false
		for i := 0; i < c.visible && !c.star; i++ {
			if sc, ok := c.origExpr(i).(*sqlparser.ColName); ok && sc.Name.EqualString(ucol.Name) &&
				(sc.Qualifier.IsEmpty() || sc.Qualifier.Name.String() == qual.Name.String()) {
				sk.Col, found = c.keyCol(merge.At(i), sc), true
				break
			}
		}
		if !found {
			var err error
			if sk, err = c.sortKey(cn, false, false); err != nil {
				return nil
			}
		}
		c.spec.Sort = append(c.spec.Sort, sk)
		keys = append(keys, deepKey{expr: cn, col: ucol, spec: sk.Col})
		order = append(order, &sqlparser.Order{Expr: cn, Direction: sqlparser.AscOrder})
	}
	c.spec.Hidden = c.hidden
	c.spec.Limit = nil
	node := c.node
	node.SelectExprs = &sqlparser.SelectExprs{Exprs: c.exprs}
	node.OrderBy = order
	d := &DeepPage{
		Page: merge.DeepPage{Spec: c.spec, Offset: sp.Limit.Offset, Count: sp.Limit.Count, Nodes: k, Margin: deepMargin(sp.Limit.Offset, k)},
		keys: keys, hidden: c.hidden, base: m.s, node: node, tables: rt.tables, nodes: rt.nodes, ins: rt.ins,
		from: m.sel.From, where: m.sel.Where, orderBy: sqlparser.String(order)[len(" order by "):],
	}
	maxRows := int64(m.s.maxRows)
	if maxRows <= 0 {
		maxRows = merge.DefaultMaxRows
	}
	if int64(k)*d.Page.Window() > maxRows {
		return nil
	}
	if keyOnly(m.s.deepKeys, tbl, c.exprs, c.star, keys, int64(k)*d.Page.Window(), union) {
		d.useKeys(m.weights)
	}
	p1node := &node
	if d.keyNode != nil {
		p1node = d.keyNode
	}
	d.unionAux = m.s.weights && m.s.unionable(p1node)
	d.unionRows = d.unionAux && m.s.unionable(&d.node) && unionStable(tbl, c.exprs)
	d.hintFull = m.s.deepKeys == DeepPageKeysAuto && d.keyNode != nil && primaryFirst(tbl, keys) && (!d.unionAux || d.unionRows)
	p1 := *p1node
	p1.Limit = &sqlparser.Limit{Offset: sqlparser.NewIntLiteral(strconv.FormatInt(d.Page.NodeOffset(), 10)),
		Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(d.Page.Window(), 10))}
	d.Phase1 = m.s.renderNodes(&p1, rt.tables, rt.nodes, rt.ins)
	d.phase1Nodes = d.Phase1 // before the union: Phase1At splices their LIMITs
	if d.unionAux && (d.keyNode != nil || d.unionRows) {
		nodes := make([]int, len(d.Phase1))
		for i := range nodes {
			nodes[i] = i
		}
		if units, tags, ok := unionUnits(d.Phase1, nodes); ok {
			d.Phase1, d.Phase1Union = units, tags
		}
	}
	// Each window returns at most Window rows (its constant LIMIT), a
	// UNION ALL of windows their sum; k × Window ≤ maxRows (above).
	for i := range d.Phase1 {
		n := 1
		if d.Phase1Union != nil {
			n = len(d.Phase1Union[i])
		}
		d.Phase1[i].RowBound = int(d.Page.Window()) * n
	}
	return d
}

// DeepPageKeys says what phases 1 and 2 of a deep page read.
type DeepPageKeys uint8

const (
	// DeepPageKeysAuto reads the keys only where that sends markedly
	// fewer bytes or lets the server read an index alone (keyOnly).
	DeepPageKeysAuto DeepPageKeys = iota
	// DeepPageKeysOnly always reads the keys only, then the page's rows.
	DeepPageKeysOnly
	// DeepPageKeysFull always reads the full rows in phases 1 and 2.
	DeepPageKeysFull
	// DeepPageOff never plans a deep page: such statements stream (LIMIT
	// offset+count on every node). For measuring the strategy against
	// streaming, and as a way out should a deep page misbehave.
	DeepPageOff
)

// deepKeyBytes is the estimated transfer phase 1 must save for the
// key-only phases to pay for their extra round trip (the fetch of the
// page's rows): about what a local round trip costs in sending time.
const deepKeyBytes = 64 << 10

// keyOnly decides whether phases 1 and 2 read the keys only: when the
// select list sends columns beyond the keys and either the order does not
// start with the primary key (the keys then come from the order's
// secondary index alone, where full rows cost a lookup per row, offset
// included, or a filesort of whole rows) or the columns beyond the keys
// add at least deepKeyBytes over the rows phase 1 sends (rows of them).
// Widths are estimated from the catalog's column types.
//
// With one statement per data source (union: the data sources hold
// several of the nodes, deep_union.go), the servers' cost of a page is
// mostly the rows sent rather than the statements, and the key-only
// phases' extra round trip (two statements at 2 × 8) costs less than
// sending the other columns of every window row: measured on MariaDB
// (TestDeepPageUnionCost, 2 × 8 tables, LIMIT 10000, 10, BIGINT keys and a
// BIGINT and a DECIMAL beside them) key-only read 0.42–0.45× the one
// table's throughput at concurrency 8 against 0.28–0.33× with full rows.
// So with unions the keys are read alone whenever the select list has
// other columns.
func keyOnly(mode DeepPageKeys, tbl *schema.Table, exprs []sqlparser.SelectExpr, star bool, keys []deepKey, rows int64, union bool) bool {
	switch mode {
	case DeepPageKeysOnly:
		return true
	case DeepPageKeysFull:
		return false
	}
	isKey := func(name string) bool {
		for _, k := range keys {
			if strings.EqualFold(k.col.Name, name) {
				return true
			}
		}
		return false
	}
	var extra int64
	if star {
		for i := range tbl.Columns {
			if c := &tbl.Columns[i]; !isKey(c.Name) {
				extra += deepWidth(c)
			}
		}
	}
	for _, e := range exprs {
		ae, ok := e.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		if cn, ok := ae.Expr.(*sqlparser.ColName); ok {
			if isKey(cn.Name.String()) {
				continue
			}
			if c, ok := tbl.Column(cn.Name.String()); ok {
				extra += deepWidth(c)
				continue
			}
		}
		if fe, ok := ae.Expr.(*sqlparser.FuncExpr); ok && fe.Name.EqualString("collation") {
			continue // a key's collation, sent in both forms
		}
		extra += 16
	}
	if extra == 0 {
		return false
	}
	if union {
		return true
	}
	return !primaryFirst(tbl, keys) || extra*rows >= deepKeyBytes
}

// primaryFirst reports whether the order starts with the primary key's
// first column: the servers read the rows in the clustered index's order,
// full rows at no more reads than the keys.
func primaryFirst(tbl *schema.Table, keys []deepKey) bool {
	for _, ix := range tbl.Indexes {
		if ix.Primary && len(ix.Columns) > 0 && strings.EqualFold(ix.Columns[0], keys[0].col.Name) {
			return true
		}
	}
	return false
}

// deepWidth estimates the bytes a column's value takes in a text-protocol
// row.
func deepWidth(c *schema.Column) int64 {
	switch {
	case c.IsInteger():
		return 8
	case deepText(c) && c.MaxLength > 0:
		return min(c.MaxLength, 256)/2 + 1
	case strings.HasSuffix(c.DataType, "text") || strings.HasSuffix(c.DataType, "blob") || c.DataType == "json":
		return 256
	}
	return 16
}

// useKeys makes phases 1 and 2 read the keys only: the order's columns,
// then a COLLATION() column for each text key when the servers report
// collations, with the order's own ORDER BY (by column, so that no select
// alias or position of the caller's can change what it means).
func (d *DeepPage) useKeys(weights bool) {
	var exprs []sqlparser.SelectExpr
	var order sqlparser.OrderBy
	spec := merge.Spec{MaxRows: d.Page.Spec.MaxRows}
	for j, k := range d.keys {
		exprs = append(exprs, &sqlparser.AliasedExpr{Expr: k.expr})
		spec.Sort = append(spec.Sort, merge.SortKey{Col: merge.At(j), Desc: k.desc})
		dir := sqlparser.AscOrder
		if k.desc {
			dir = sqlparser.DescOrder
		}
		order = append(order, &sqlparser.Order{Expr: k.expr, Direction: dir})
	}
	for j, k := range d.keys {
		if weights && deepText(k.col) {
			spec.Collations = append(spec.Collations, merge.Collated{Col: merge.At(j), From: merge.At(len(exprs))})
			exprs = append(exprs, &sqlparser.AliasedExpr{
				Expr: &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("collation"), Exprs: []sqlparser.Expr{k.expr}},
				As:   sqlparser.NewIdentifierCI(fmt.Sprintf("__shardsql_c%d", j))})
		}
	}
	kn := d.node
	kn.SelectExprs = &sqlparser.SelectExprs{Exprs: exprs}
	kn.OrderBy = order
	d.keyNode, d.keySpec = &kn, &spec
}

// orderColumn returns the table column an ORDER BY item sorts by: a column
// name, or a position or alias of a select item that is a column; nil
// for anything else (expressions stream).
func (m *scatter) orderColumn(e sqlparser.Expr) *sqlparser.ColName {
	col, err := m.resolve(e)
	if err != nil {
		return nil
	}
	if col >= 0 {
		cn, _ := m.origExpr(col).(*sqlparser.ColName)
		return cn
	}
	cn, _ := e.(*sqlparser.ColName)
	return cn
}

// deepBindable reports a column whose values, read back from a node, bind
// into a comparison that means what the node's ORDER BY meant. Hazards
// left out: FLOAT prints fewer digits than it stores (a bound 0.1 is not
// the stored 0.100000001…), TIMESTAMP text is ambiguous in a DST fold of
// the session time zone, ENUM/SET order by index, BIT/binary/JSON values
// come back in forms whose comparison differs.
func deepBindable(c *schema.Column) bool {
	switch c.DataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "decimal", "date", "datetime", "year":
		return true
	}
	return c.IsInteger()
}

// deepText reports a text column: compared by its collation.
func deepText(c *schema.Column) bool {
	return strings.HasSuffix(c.DataType, "char") || strings.HasSuffix(c.DataType, "text")
}

// deepUniqueKey returns the columns of a unique key whose columns are all
// NOT NULL and bindable (the primary key first), or nil. Unique per node
// is enough: the order must be total within each node (docs/deep-pages.md).
func deepUniqueKey(t *schema.Table) []*schema.Column {
	var best []*schema.Column
	for _, ix := range t.Indexes {
		var cols []*schema.Column
		for _, name := range ix.Columns {
			c, ok := t.Column(name)
			if !ok || c.Nullable || !deepBindable(c) {
				cols = nil
				break
			}
			cols = append(cols, c)
		}
		if cols != nil && (best == nil || ix.Primary) {
			best = cols
			if ix.Primary {
				break
			}
		}
	}
	return best
}

// Phase2 builds the phase-2 statement of each node not covered by its
// window (DeepNode.Covered): its rows at or after lower
// and at or before its DeepNode.Upper in the total order, sorted, at most
// Limit of them. keyCols are the columns of the bounds' rows holding the
// order's keys, in order.
func (d *DeepPage) Phase2(keyCols []int, b *merge.DeepBounds) ([]NodeUnit, error) {
	node := &d.node
	if d.keyNode != nil {
		node = d.keyNode
	}
	out := make([]NodeUnit, 0, len(d.nodes))
	for i, n := range d.nodes {
		dn := b.Nodes[i]
		if dn.Covered {
			continue
		}
		var args []any
		cond, err := d.bound(keyCols, b.Lower, true, true, &args)
		if err != nil {
			return nil, err
		}
		if dn.Upper != nil {
			up, err := d.bound(keyCols, dn.Upper, false, true, &args)
			if err != nil {
				return nil, err
			}
			cond = and(cond, up)
		}
		sel := *node
		sel.Where = d.withCond(cond)
		sel.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(dn.Limit, 10))}
		u := d.renderWith(&sel, n, args)
		u.RowBound = d.rowBound(dn.Limit)
		out = append(out, NodeUnit{u, i})
	}
	return out, nil
}

// Counts builds, for the nodes whose DeepNode.Count is set, the statements
// counting their rows before lower: one row, the count.
func (d *DeepPage) Counts(keyCols []int, b *merge.DeepBounds) ([]NodeUnit, error) {
	var out []NodeUnit
	for i, n := range d.nodes {
		if !b.Nodes[i].Count {
			continue
		}
		var args []any
		cond, err := d.bound(keyCols, b.Lower, false, false, &args)
		if err != nil {
			return nil, err
		}
		sel := &sqlparser.Select{
			SelectExprs: &sqlparser.SelectExprs{Exprs: []sqlparser.SelectExpr{&sqlparser.AliasedExpr{Expr: &sqlparser.CountStar{}}}},
			From:        d.from,
			Where:       d.withCond(cond),
		}
		u := d.renderWith(sel, n, args)
		u.RowBound = 1 // a count without GROUP BY: one row
		out = append(out, NodeUnit{u, i})
	}
	return out, nil
}

// Fetch builds the statements reading the page's full rows after key-only
// phases: for each range, its node's rows from First to Last, both
// included, sorted, at most Rows of them. Without ranges (an empty page)
// it returns one statement with LIMIT 0, whose columns are the result's.
func (d *DeepPage) Fetch(ranges []merge.DeepRange) ([]NodeUnit, error) {
	if out, ok, err := d.fetchSpliced(ranges); ok || err != nil {
		return out, err
	}
	return d.fetchPrinted(ranges)
}

// fetchPrinted is Fetch printing every statement from the AST.
func (d *DeepPage) fetchPrinted(ranges []merge.DeepRange) ([]NodeUnit, error) {
	var out []NodeUnit
	for _, r := range ranges {
		if r.Node < 0 || r.Node >= len(d.nodes) {
			return nil, fmt.Errorf("shardsql: deep page: node %d of %d", r.Node, len(d.nodes))
		}
		var args []any
		cond, err := d.bound(r.KeyCols, r.First, true, true, &args)
		if err != nil {
			return nil, err
		}
		up, err := d.bound(r.KeyCols, r.Last, false, true, &args)
		if err != nil {
			return nil, err
		}
		sel := d.node
		sel.Where = d.withCond(and(cond, up))
		sel.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(r.Rows, 10))}
		u := d.renderWith(&sel, d.nodes[r.Node], args)
		u.RowBound = d.rowBound(r.Rows)
		out = append(out, NodeUnit{u, r.Node})
	}
	if len(out) == 0 {
		sel := d.node
		sel.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral("0")}
		out = append(out, NodeUnit{d.renderWith(&sel, d.nodes[0], nil), 0})
	}
	return out, nil
}

// rowBound is the RowBound of a later phase's statement with LIMIT n: n,
// or 0 (unknown: the statement streams) when n is not positive or above
// the memory cap, whose rows a read whole would all hold at once.
func (d *DeepPage) rowBound(n int64) int {
	maxRows := int64(d.base.maxRows)
	if maxRows <= 0 {
		maxRows = merge.DefaultMaxRows
	}
	if n <= 0 || n > maxRows {
		return 0
	}
	return int(n)
}

func (d *DeepPage) withCond(c sqlparser.Expr) *sqlparser.Where {
	if d.where == nil {
		return &sqlparser.Where{Type: sqlparser.WhereClause, Expr: c}
	}
	return &sqlparser.Where{Type: sqlparser.WhereClause, Expr: &sqlparser.AndExpr{Left: d.where.Expr, Right: c}}
}

// renderWith renders a bounded statement for node n: the caller's
// arguments keep their places, the bound values follow them.
func (d *DeepPage) renderWith(stmt sqlparser.SQLNode, n int, extra []any) Unit {
	s := *d.base
	s.args = append(append([]any(nil), d.base.args...), extra...)
	return s.render(stmt, d.tables, n, d.ins, nil)
}

// bound renders a bound on the total order as a condition: "at or after
// row" (after, inclusive), "at or before row" (!after, inclusive) or
// "before row" (!after, !inclusive). It is lexicographic over the keys,
// each compared by the server with the column's own type and collation,
// with MySQL's NULL placement (NULL sorts as the smallest value: first
// ascending, last descending). Values bind as typed literals (integers,
// decimals) or as ? arguments (text, dates), never as binary strings,
// whose comparison would ignore the collation.
//
// Hazard: a comparison with a NULL column is NULL, not FALSE. The
// condition is built of AND and OR only (never NOT), where a NULL atom
// counts as FALSE, and every atom that must hold for a NULL column is
// spelled with IS NULL; so it is TRUE exactly for the rows it means.
func (d *DeepPage) bound(keyCols []int, row []driver.Value, after, inclusive bool, args *[]any) (sqlparser.Expr, error) {
	return d.boundWith(keyCols, row, after, inclusive, args, d.literal)
}

// boundWith is bound with lit binding each non-NULL key value.
func (d *DeepPage) boundWith(keyCols []int, row []driver.Value, after, inclusive bool, args *[]any, lit0 func(*schema.Column, driver.Value, *[]any) (sqlparser.Expr, error)) (sqlparser.Expr, error) {
	if len(keyCols) != len(d.keys) {
		return nil, fmt.Errorf("shardsql: deep page: %d key columns for %d keys", len(keyCols), len(d.keys))
	}
	var cond sqlparser.Expr // nil: TRUE
	for j := len(d.keys) - 1; j >= 0; j-- {
		key := d.keys[j]
		col := keyCols[j]
		if col < 0 || col >= len(row) {
			return nil, fmt.Errorf("shardsql: deep page: key column %d outside a %d-column row", col, len(row))
		}
		v := row[col]
		var lit sqlparser.Expr
		bindLit := lit0
		if v != nil {
			var err error
			if lit, err = bindLit(key.col, v, args); err != nil {
				return nil, err
			}
		}
		// greater: the bound runs towards greater values (after an
		// ascending key, before a descending one).
		greater := after != key.desc
		isNull := &sqlparser.IsExpr{Left: key.expr, Right: sqlparser.IsNullOp}
		var strict, eq, incl sqlparser.Expr
		switch {
		case v == nil && greater:
			strict, eq, incl = &sqlparser.IsExpr{Left: key.expr, Right: sqlparser.IsNotNullOp}, isNull, trueExpr
		case v == nil:
			strict, eq, incl = falseExpr, isNull, isNull
		case greater:
			strict, eq, incl = cmp(sqlparser.GreaterThanOp, key.expr, lit), cmp(sqlparser.EqualOp, key.expr, lit), cmp(sqlparser.GreaterEqualOp, key.expr, lit)
		default:
			strict, eq, incl = cmp(sqlparser.LessThanOp, key.expr, lit), cmp(sqlparser.EqualOp, key.expr, lit), cmp(sqlparser.LessEqualOp, key.expr, lit)
			if key.col.Nullable {
				strict, incl = or(strict, isNull), or(incl, isNull)
			}
		}
		if j == len(d.keys)-1 {
			if inclusive {
				cond = incl
			} else {
				cond = strict
			}
			continue
		}
		cond = or(strict, and(eq, cond))
	}
	if cond == nil {
		cond = trueExpr
	}
	return cond, nil
}

var deepDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// literal binds a key value read from a node for a comparison with its column.
func (d *DeepPage) literal(c *schema.Column, v driver.Value, args *[]any) (sqlparser.Expr, error) {
	text := func() (string, bool) {
		switch x := v.(type) {
		case []byte:
			return string(x), true
		case string:
			return x, true
		}
		return "", false
	}
	arg := func(a any) sqlparser.Expr {
		*args = append(*args, a)
		return sqlparser.NewArgument("v" + strconv.Itoa(len(d.base.args)+len(*args)))
	}
	switch {
	case c.IsInteger() || c.DataType == "year":
		switch x := v.(type) {
		case int64:
			return sqlparser.NewIntLiteral(strconv.FormatInt(x, 10)), nil
		case uint64:
			return sqlparser.NewIntLiteral(strconv.FormatUint(x, 10)), nil
		}
		if s, ok := text(); ok {
			if _, err := strconv.ParseInt(s, 10, 64); err == nil {
				return sqlparser.NewIntLiteral(s), nil
			}
			if _, err := strconv.ParseUint(s, 10, 64); err == nil {
				return sqlparser.NewIntLiteral(s), nil
			}
		}
	case c.DataType == "decimal":
		if s, ok := text(); ok && deepDecimal.MatchString(s) {
			return sqlparser.NewDecimalLiteral(s), nil
		}
	case c.DataType == "date" || c.DataType == "datetime":
		if t, ok := v.(time.Time); ok {
			return arg(t), nil
		}
		if s, ok := text(); ok {
			return arg(s), nil
		}
	default: // text
		if s, ok := text(); ok {
			return arg(s), nil
		}
	}
	return nil, fmt.Errorf("shardsql: deep page: cannot bind a %T value for %s column %s", v, c.DataType, c.Name)
}

var (
	trueExpr  = sqlparser.Expr(sqlparser.BoolVal(true))
	falseExpr = sqlparser.Expr(sqlparser.BoolVal(false))
)

func cmp(op sqlparser.ComparisonExprOperator, l, r sqlparser.Expr) *sqlparser.ComparisonExpr {
	return &sqlparser.ComparisonExpr{Operator: op, Left: l, Right: r}
}

// and and or fold TRUE (nil or trueExpr) and FALSE.
func and(a, b sqlparser.Expr) sqlparser.Expr {
	switch {
	case a == nil || a == trueExpr:
		return b
	case b == nil || b == trueExpr:
		return a
	case a == falseExpr || b == falseExpr:
		return falseExpr
	}
	return &sqlparser.AndExpr{Left: a, Right: b}
}

func or(a, b sqlparser.Expr) sqlparser.Expr {
	switch {
	case a == nil || a == trueExpr || b == nil || b == trueExpr:
		return trueExpr
	case a == falseExpr:
		return b
	case b == falseExpr:
		return a
	}
	return &sqlparser.OrExpr{Left: a, Right: b}
}
