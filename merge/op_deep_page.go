package merge

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/ctxflag"
)

// DeepPageScan reads ORDER BY keys LIMIT offset, count across k nodes in
// phases whose transfer follows the page rather than the offset
// (docs/deep-pages.md, deep_page.go for the bounds). Phase 1 runs the
// Phase1 route (each node's window of the total order); PlanDeepPage picks
// the bounds; phase 2 and the counts, built by Bounded from what phase 1
// returned, run only for the nodes whose window misses the page; the page
// is cut in memory. With Keys set, phases 1 and 2 read the order's columns
// only and a last read (Fetch) returns the page's full rows, each node's
// between its first and last page row.
//
// Every statement runs through the Executor, as a route leaf's units do:
// phase 1 is the plan's units (started as any scatter, or on the
// transaction's or the session's connections); the later phases are units
// the executor runs where the statement's other units of their data
// source run.
//
// Hazard: outside a transaction the phases read each node at different
// moments. A write committed in between that phase 2 or the fetch can see
// (a window row gone, rows that are not the ones phase 1 counted) fails
// the cut with ErrDeepPageStale, and the statement streams instead
// (Stream): never a page cut from two states of a node.
type DeepPageScan struct {
	// Page is the total order of the full rows (Page.Spec: Sort, Hidden,
	// Collations, projections), offset, count, nodes and margin.
	Page DeepPage
	// Keys, when set, is the spec of key rows: phases 1 and 2 return the
	// order's keys only, key j in column Keys.Sort[j].Col, text keys'
	// collations as Keys.Collations say; the page's full rows are fetched
	// last. The keys are in the order of Page.Spec.Sort.
	Keys *Spec
	// Phase1 are the phase-1 node statements: without Phase1Union one per
	// node in node order, unit i reading node i; with it, unit i reads the
	// nodes Phase1Union[i] lists, a UNION ALL of their statements whose
	// rows are led by their node's index (deep_union.go).
	Phase1      *Route
	Phase1Union [][]int
	// Union says the later phases join their statements per data source
	// where they can (for Explain: the router builds them).
	Union bool
	// Bounded builds the statements of the later phases.
	Bounded DeepStatements
	// Stream is the plan that streams the statement (LIMIT offset+count on
	// every node), for when the phases cannot be used at run time.
	Stream Operator
	// Order is the total order as SQL, for Explain.
	Order string
	// HintNote, when set, is what Explain adds about position hints (the
	// driver knows whether one is kept for the statement's shape).
	HintNote string
	// HintKey, when set, is the key under which the executor's DeepHints
	// keep the cut page's positions (deep_hints.go).
	HintKey string
	// Cold, when Page.Windows is set (Phase1 reads a hint's windows), is
	// the plan's own deep page, read when the hinted page cannot be cut.
	// (A hinted phase 1 may read full rows where the plan's reads keys.)
	Cold *DeepPageScan
}

// DeepStatements builds the node statements of a deep page's later
// phases, each with the node it reads; the router's route.DeepPage
// implements it.
type DeepStatements interface {
	// Phase2 returns the statements of the nodes b.Nodes says are not
	// covered: their rows between the bounds, sorted, at most Limit.
	Phase2(b *DeepBounds) ([]DeepUnit, error)
	// Counts returns, for the nodes whose DeepNode.Count is set, a
	// statement counting their rows before b.Lower (one row: the count).
	Counts(b *DeepBounds) ([]DeepUnit, error)
	// Fetch returns, for each range, its node's full rows from First to
	// Last in the total order, at most Rows of them (Keys mode). With no
	// range it returns one statement without rows, for the columns.
	Fetch(ranges []DeepRange) ([]DeepUnit, error)
}

// DeepUnit is a node statement of a deep page's later phase and the
// position of the node it reads in the plan's node order.
//
// The node of a row is the unit's, known from which cursor returned it:
// the executor returns one cursor per unit, in unit order. (Rows used to
// carry a literal marker column instead, which made every node's SQL
// different and had phase 1 printed once per node per execution.)
//
// With Union set the unit is one statement for several nodes of a data
// source, a UNION ALL of their statements, each row led by its node's
// index, one of Union (deep_union.go); Node is then not used.
type DeepUnit struct {
	Unit
	Node  int
	Union []int
}

// DeepRange is one node's part of a page: its first and last key rows (key
// j in column KeyCols[j]) and how many rows lie between them, both
// included.
type DeepRange struct {
	Node        int
	First, Last []driver.Value
	KeyCols     []int
	Rows        int64
}

// Description implements Operator.
func (d *DeepPageScan) Description() string {
	var read, fetch, union string
	if d.Keys != nil {
		read, fetch = " of the keys only", "; then each node's page rows by their keys"
	}
	switch {
	case d.Phase1Union != nil:
		union = "; one UNION ALL statement per data source"
	case d.Union:
		union = "; later phases one UNION ALL statement per data source"
	}
	return fmt.Sprintf("DeepPage offset %d, count %d on %d nodes, order %s: phase 1 each node LIMIT %d, %d%s; phase 2 only for nodes whose window misses the page, rows between the bounds%s%s; else the stream below%s",
		d.Page.Offset, d.Page.Count, d.Page.Nodes, d.Order, d.Page.NodeOffset(), d.Page.Window(), read, fetch, union, d.HintNote)
}

// Inputs implements Operator: phase 1's route, then the stream the page
// falls back to.
func (d *DeepPageScan) Inputs() []Operator { return []Operator{d.Phase1, d.Stream} }

// Open implements Operator.
//
// With a hint's windows (Page.Windows, set by the driver before the
// plan's units started, deep_hints.go) a page that cannot be cut (its
// phase 2 past the memory cap, a node changed) is read again with the
// plan's own phase 1 (Cold) before the statement streams: a wrong hint
// costs a read, never the page.
func (d *DeepPageScan) Open(ctx context.Context, ex Executor) (*Stream, error) {
	var hints *DeepHints
	if he, ok := ex.(DeepHintExecutor); ok {
		hints = he.DeepHints()
	}
	s, err := d.open(ctx, ex, hints)
	if d.Page.Windows != nil && d.Cold != nil && (errors.Is(err, errDeepStream) || errors.Is(err, ErrDeepPageStale)) {
		s, err = d.Cold.open(ctx, ex, hints)
	}
	if errors.Is(err, errDeepStream) || errors.Is(err, ErrDeepPageStale) {
		return d.Stream.Open(ctx, ex)
	}
	return s, err
}

// errDeepStream: the phases do not apply at run time; stream instead.
var errDeepStream = errors.New("shardsql: deep page: stream")

// open reads the page in phases; with hints and HintKey set the cut
// page's positions are remembered for the next page of the shape, and a
// hinted page (Page.Windows) is counted, and counted a miss when it
// needed phase 2 or failed.
func (d *DeepPageScan) open(ctx context.Context, ex Executor, hints *DeepHints) (s *Stream, err error) {
	k := d.Page.Nodes
	page := d.Page
	if d.Keys != nil {
		page.Spec = *d.Keys
	}
	hinted := d.Page.Windows != nil && hints != nil
	var phase2Read bool
	if hinted {
		hints.hinted.Add(1)
		defer func() {
			if phase2Read || err != nil {
				hints.misses.Add(1) // phase 2 read the rest, or the page is read again
			}
		}()
	}
	reads := make([]deepRead, len(d.Phase1.Units))
	for i := range reads {
		reads[i].node = i
		if d.Phase1Union != nil {
			reads[i].union = d.Phase1Union[i]
		}
	}
	var pool *DeepScratch
	if se, ok := ex.(DeepScratchExecutor); ok {
		pool = se.DeepScratch()
	}
	sc := pool.get()
	// put back once the page is cut and fetched: nothing returned
	// references the keys, nor, in key-only mode, the window rows
	// (deep_scratch.go)
	defer pool.put(sc)
	rowScratch := sc
	if d.Keys == nil {
		rowScratch = nil // full rows: the page's rows are the windows'
	}
	// Auxiliary even when its rows are the result's: the result's columns
	// are the ones held reports, never a union's with its tag, nor the
	// phase's when the statement streams after all (the stream's are).
	phase1, cols, err := readNodes(ctxflag.Auxiliary(ctx), ex, d.Phase1, reads, k, int(d.Page.maxWindow()), rowScratch)
	if err != nil {
		return nil, err
	}
	b, err := planDeepPage(page, typeNames(cols), phase1, sc)
	if err != nil {
		return nil, err
	}
	phase2 := make([][][]driver.Value, k)
	counts := make([]int64, k)
	phase2Read = b.Phase2()
	if b.Phase2() {
		if b.Phase2Rows() > int64(d.maxRows()) {
			return nil, errDeepStream // skewed nodes: phase 2 could hold more rows than the cap
		}
		units, err := d.Bounded.Phase2(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errDeepStream, err) // a value that does not bind back exactly
		}
		if len(units) > 0 {
			if phase2, _, err = readDeepUnits(ctxflag.Auxiliary(ctx), ex, units, k, 0); err != nil {
				return nil, err
			}
		}
		if counts, err = d.counts(ctx, ex, b); err != nil {
			return nil, err
		}
	}
	rows, nodes, err := b.cut(phase2, counts)
	if err != nil {
		return nil, err
	}
	if d.HintKey != "" && b.positions != nil {
		hints.put(d.HintKey, &deepHint{offset: d.Page.Offset, count: d.Page.Count, pos: b.positions})
	}
	if d.Keys == nil {
		return held(d.Page.Spec, cols, rows)
	}
	return d.fetch(ctx, ex, b, rows, nodes)
}

func (d *DeepPageScan) maxRows() int {
	if d.Page.Spec.MaxRows > 0 {
		return d.Page.Spec.MaxRows
	}
	return DefaultMaxRows
}

// counts runs the count statements of the nodes that need one.
func (d *DeepPageScan) counts(ctx context.Context, ex Executor, b *DeepBounds) ([]int64, error) {
	counts := make([]int64, d.Page.Nodes)
	units, err := d.Bounded.Counts(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDeepStream, err)
	}
	if len(units) == 0 {
		return counts, nil
	}
	rows, _, err := readDeepUnits(ctxflag.Auxiliary(ctx), ex, units, d.Page.Nodes, 1)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if len(r) != 1 || len(r[0]) != 1 {
			return nil, fmt.Errorf("shardsql: deep page: a count returned %d rows", len(r))
		}
		if counts[i], err = intValue(r[0][0]); err != nil {
			return nil, fmt.Errorf("shardsql: deep page: count: %w", err)
		}
	}
	return counts, nil
}

// fetch reads the page's full rows, given its key rows in page order and
// their nodes: each node's rows between its first and last page row, which
// are exactly its page rows unless the node changed since its keys were
// read (then ErrDeepPageStale).
func (d *DeepPageScan) fetch(ctx context.Context, ex Executor, b *DeepBounds, keys [][]driver.Value, nodes []int) (*Stream, error) {
	k := d.Page.Nodes
	keyCols := b.KeyCols()
	want := make([][][]driver.Value, k)
	for j, row := range keys {
		want[nodes[j]] = append(want[nodes[j]], row)
	}
	var ranges []DeepRange
	for i, w := range want {
		if len(w) > 0 {
			ranges = append(ranges, DeepRange{Node: i, First: w[0], Last: w[len(w)-1], KeyCols: keyCols, Rows: int64(len(w))})
		}
	}
	units, err := d.Bounded.Fetch(ranges)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDeepStream, err)
	}
	// auxiliary: the result's columns are held's (a union's carry its tag),
	// and the stream's should the fetch find a node changed
	got, cols, err := readDeepUnits(ctxflag.Auxiliary(ctx), ex, units, k, 0)
	if err != nil {
		return nil, err
	}
	cmp, _, err := newRowComparer(d.Page.Spec, typeNames(cols))
	if err != nil {
		return nil, err
	}
	for i, rows := range got {
		if len(rows) != len(want[i]) {
			return nil, fmt.Errorf("%w: node %d has %d rows between its first and last page row, not %d", ErrDeepPageStale, i, len(rows), len(want[i]))
		}
		dec := make([][]key, len(rows))
		for j, r := range rows {
			if dec[j], err = cmp.decode(r); err != nil {
				return nil, err
			}
		}
		cmp.sortNode(rows, dec)
		for j, r := range rows {
			kw, err := b.cmp.decode(want[i][j])
			if err != nil {
				return nil, err
			}
			for x := range cmp.keys {
				if !sameKey(cmp.keys[x].kind, &dec[j][x], &kw[x]) {
					return nil, fmt.Errorf("%w: node %d: key %d of page row %d reads %v, not %v", ErrDeepPageStale, i, x, j, r[cmp.keys[x].col], want[i][j][keyCols[x]])
				}
			}
		}
	}
	out := make([][]driver.Value, len(keys))
	next := make([]int, k)
	for j, n := range nodes {
		out[j] = got[n][next[n]]
		next[n]++
	}
	return held(d.Page.Spec, cols, out)
}

// KeyCols returns the columns of the rows phase 1 returned that hold the
// keys of the total order, in order.
func (b *DeepBounds) KeyCols() []int {
	out := make([]int, len(b.cmp.keys))
	for i, k := range b.cmp.keys {
		out[i] = k.col
	}
	return out
}

// sameKey reports whether two decoded values of a key column are the same
// value (text: the same bytes, not only equal by the collation): a key
// read again must be the one phase 1 read. The two reads may come by
// different protocols (text for a statement without arguments, binary
// with), hence decoded values rather than the drivers'.
func sameKey(kind coltype.Kind, a, b *key) bool {
	if a.null || b.null {
		return a.null == b.null
	}
	if kind == coltype.Text {
		return bytes.Equal(a.b, b.b)
	}
	return compare(kind, a, b) == 0
}

// held returns the stream of rows in memory, already in the result's
// order, through spec's projections (the hidden columns dropped). Its
// columns are cols (names and the executor's metadata, assembled as a
// join's are) when the executor gave them: the statements the rows came
// from ran as auxiliary reads or as unions led by a tag, so the first
// statement's columns are not the result's.
func held(spec Spec, cols []Column, rows [][]driver.Value) (*Stream, error) {
	spec.Sort, spec.Limit = nil, nil
	assembled := len(cols) > 0
	for _, c := range cols {
		if c.Meta == nil {
			assembled = false // an executor without metadata (the merge's tests)
		}
	}
	return Build(spec, make([]Unit, 1)).Open(context.Background(), fixedExecutor{cols: cols, cursors: []Cursor{&heldRows{rows: rows}}, assembled: assembled})
}

func typeNames(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Type
	}
	return out
}

// readDeepUnits runs a later phase's statements and returns the rows of
// each of the k nodes, as readNodes.
func readDeepUnits(ctx context.Context, ex Executor, units []DeepUnit, k, hint int) ([][][]driver.Value, []Column, error) {
	r := &Route{Units: make([]Unit, len(units))}
	reads := make([]deepRead, len(units))
	for i, u := range units {
		r.Units[i], reads[i] = u.Unit, deepRead{node: u.Node, union: u.Union}
	}
	return readNodes(ctx, ex, r, reads, k, hint, nil)
}

// readNodes runs a route of deep-page statements, unit i reading what
// reads[i] says (one node, or a union of several, deep_union.go), and
// returns the rows of each of the k nodes (a few pages at most) and the
// columns (a union's without its tag). hint is the rows a node usually
// returns (0: not known): the rows' values are allocated in slabs of
// about that many.
//
// The rows are kept as read, without copying their values: a route
// leaf's cursors give each row values of its own (the driver scans into
// fresh interfaces, and database/sql copies the bytes it scans into one).
// An Executor whose cursors reuse byte buffers between rows must copy.
//
// With sc, the row slices and the nodes' lists are carved from its slabs
// (rows that do not outlive the statement's open: key-only windows).
func readNodes(ctx context.Context, ex Executor, r *Route, reads []deepRead, k, hint int, sc *deepScratch) (out [][][]driver.Value, cols []Column, err error) {
	parts, c, err := r.openUnits(ctx, ex, false)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		for _, p := range parts {
			if cerr := p.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	if len(parts) != len(reads) {
		return nil, nil, fmt.Errorf("shardsql: deep page: %d cursors for %d node statements", len(parts), len(reads))
	}
	width := len(c.types)
	tagged := 0 // the union's tag leads every row
	for _, rd := range reads {
		if rd.union != nil {
			tagged = 1
		}
	}
	for _, rd := range reads {
		if (rd.union != nil) != (tagged == 1) {
			return nil, nil, fmt.Errorf("shardsql: deep page: unions and single node statements in one phase")
		}
	}
	if width-tagged < 1 {
		return nil, nil, fmt.Errorf("shardsql: deep page: node statements without columns")
	}
	out = make([][][]driver.Value, k)
	rowWidth := width - tagged
	slabRows := max(hint, 16)
	var slab []driver.Value
	var lists [][]driver.Value // hint row slots per node
	if sc != nil && hint > 0 {
		slab, lists = sc.rowSlabs(k*hint*rowWidth, k*hint)
	}
	list := func(i int) [][]driver.Value {
		if lists != nil {
			return lists[i*hint : i*hint : (i+1)*hint]
		}
		return make([][]driver.Value, 0, hint)
	}
	next := func() []driver.Value {
		if len(slab) < rowWidth {
			slab = make([]driver.Value, rowWidth*slabRows)
		}
		row := slab[:rowWidth:rowWidth]
		slab = slab[rowWidth:]
		return row
	}
	for u, p := range parts {
		if rd := reads[u]; rd.union != nil {
			if hint > 0 {
				for _, i := range rd.union {
					if i >= 0 && i < k && out[i] == nil {
						out[i] = list(i)
					}
				}
			}
			if err := demuxUnion(p, width, rd.union, out, next); err != nil {
				return nil, nil, err
			}
			continue
		}
		i := reads[u].node
		if i < 0 || i >= k {
			return nil, nil, fmt.Errorf("shardsql: deep page: node %d of %d", i, k)
		}
		if hint > 0 && out[i] == nil {
			out[i] = list(i)
		}
		for {
			if len(slab) < rowWidth {
				slab = make([]driver.Value, rowWidth*slabRows)
			}
			row := slab[:rowWidth:rowWidth]
			if err := p.Next(row); err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, err
			}
			slab = slab[rowWidth:]
			out[i] = append(out[i], row)
		}
	}
	cols = make([]Column, rowWidth)
	for i := range cols {
		j := i + tagged
		cols[i] = Column{Type: c.types[j], Scale: c.scales[j], Name: c.colNames[j], Meta: c.meta[j]}
	}
	return out, cols, nil
}

// intValue reads an integer column's value.
func intValue(v driver.Value) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	}
	return 0, fmt.Errorf("unexpected %T", v)
}
