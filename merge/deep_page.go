package merge

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Deep pages: ORDER BY keys LIMIT offset, count across k nodes in two
// phases whose transfer follows the page, not the offset (docs/deep-pages.md
// has the proof). The router makes the order total (the sort keys end with
// a unique key of NOT NULL columns), so within one node every row has one
// position. Phase 1 asks each node for its rows at positions
// [NodeOffset, NodeOffset+count), NodeOffset = ⌊offset/k⌋. PlanDeepPage
// bounds the global rank of each phase-1 row from those windows alone and
// picks a lower bound p (a row no later than the page's first) and an upper
// bound q (a row no earlier than its last); phase 2 reads each node's rows
// in [p, q]; DeepPageRows learns p's exact rank and cuts the page.

// ErrDeepPageStale reports phase-2 rows that contradict phase 1: a node's
// rows changed between the two reads (a write committed in between, outside
// a transaction). The caller runs the statement again as a plain stream.
var ErrDeepPageStale = errors.New("shardsql: deep page: a node's rows changed between the phases")

// DeepPage describes one deep page: the caller's offset and count, the
// node count k, the merge spec whose Sort is the total order, and the
// margin that widens every node's phase-1 window on both sides.
type DeepPage struct {
	Spec          Spec
	Offset, Count int64
	Nodes         int
	// Margin widens each window by Margin rows before and after
	// [⌊Offset/k⌋, ⌊Offset/k⌋+Count): when every window then covers the
	// page's stretch of its node, phase 2 is not needed.
	Margin int64
	// Windows, when set (one per node), gives each node a phase-1 window
	// of its own, LIMIT Windows[i].Offset, Windows[i].Rows, instead of
	// the common one NodeOffset and Window (Margin) describe: the windows
	// a position hint predicts (deep_hints.go). The bounds hold for any
	// windows with Σ Offset ≤ Offset and every Rows ≥ 1 (checkWindows;
	// docs/deep-pages.md, "Round 9").
	Windows []DeepWindow
}

// DeepWindow is one node's phase-1 window: its rows at positions
// [Offset, Offset+Rows) of the total order.
type DeepWindow struct{ Offset, Rows int64 }

// NodeWindow returns node i's phase-1 window: its own when Windows is
// set, else the common one.
func (d DeepPage) NodeWindow(i int) (o, w int64) {
	if d.Windows != nil {
		return d.Windows[i].Offset, d.Windows[i].Rows
	}
	return d.NodeOffset(), d.Window()
}

// maxWindow is the largest window's row count.
func (d DeepPage) maxWindow() int64 {
	if d.Windows == nil {
		return d.Window()
	}
	var m int64
	for _, w := range d.Windows {
		m = max(m, w.Rows)
	}
	return m
}

// checkWindows checks what the bounds need of per-node windows: one per
// node, offsets ≥ 0 summing to at most the page's offset (so that the
// earliest window row m has UB(m) ≤ Σ oᵢ ≤ offset and p exists, and an
// empty phase 1 proves an empty page), and at least one row each (an
// empty window of LIMIT o, 0 would not prove that the node ends before
// o).
func (d DeepPage) checkWindows() error {
	if d.Windows == nil {
		return nil
	}
	if len(d.Windows) != d.Nodes {
		return fmt.Errorf("shardsql: merge: deep page: %d windows for %d nodes", len(d.Windows), d.Nodes)
	}
	var sum int64
	for i, w := range d.Windows {
		if w.Offset < 0 || w.Rows < 1 || w.Offset > unbounded || w.Rows > unbounded {
			return fmt.Errorf("shardsql: merge: deep page: node %d: window LIMIT %d, %d", i, w.Offset, w.Rows)
		}
		sum += w.Offset
	}
	if sum > d.Offset {
		return fmt.Errorf("shardsql: merge: deep page: the windows' offsets sum to %d, past the page's offset %d", sum, d.Offset)
	}
	return nil
}

// NodeOffset is the offset of every node's phase-1 query: ⌊Offset/Nodes⌋
// less the margin, at least 0.
func (d DeepPage) NodeOffset() int64 { return max(0, d.Offset/int64(d.Nodes)-d.Margin) }

// Window is the row count of every node's phase-1 query.
func (d DeepPage) Window() int64 {
	base := d.Offset / int64(d.Nodes)
	return base - d.NodeOffset() + d.Count + d.Margin
}

// DeepBounds is what phase 1 decided.
type DeepBounds struct {
	// Empty: the page has no rows (every node has at most NodeOffset rows,
	// so all of them together at most Offset); phase 2 is not needed.
	Empty bool
	// Lower is the phase-1 row p: no later than the page's first row.
	// Phase 2 reads rows at or after it.
	Lower []driver.Value
	// Nodes says, per node, how far phase 2 reads.
	Nodes []DeepNode

	page    DeepPage
	cmp     *rowComparer
	phase1  [][][]driver.Value
	dec     [][][]key // phase1's decoded keys
	lower   []key     // Lower's decoded keys
	lowerLB int64     // a lower bound of p's rank
	// positions, after a cut with rows: each node's rows before the
	// page and in it
	positions []DeepPosition
}

// DeepPosition is one node's part of a cut page: its rows before the
// page (Before) and in it (Rows).
type DeepPosition struct{ Before, Rows int64 }

// Positions returns, after the page was cut and had rows, each node's
// rows before the page and in it (nil otherwise).
func (b *DeepBounds) Positions() []DeepPosition { return b.positions }

// DeepNode is one node's phase-2 read: rows r with Lower ≤ r ≤ Upper in
// the total order (no upper bound when Upper is nil), at most Limit of
// them, and, when Count is set, a separate count of its rows before Lower.
type DeepNode struct {
	Upper []driver.Value
	Limit int64
	Count bool
	// Covered: the node's phase-1 window holds all its rows from Lower to
	// the page's end; it needs no phase-2 read.
	Covered bool
}

// Phase2Rows bounds the rows phase 2 can return: the sum of the limits of
// the nodes not covered. The driver holds them in memory, so it streams
// instead when this exceeds its cap (skewed data can make a limit as large
// as offset + count).
func (b *DeepBounds) Phase2Rows() int64 {
	var n int64
	for _, d := range b.Nodes {
		if !d.Covered {
			n = addRank(n, d.Limit)
		}
	}
	return n
}

// Phase2 reports whether any node needs a phase-2 read.
func (b *DeepBounds) Phase2() bool {
	for _, n := range b.Nodes {
		if !n.Covered {
			return !b.Empty
		}
	}
	return false
}

// rowComparer compares node rows by a total order.
type rowComparer struct {
	keys []cmpKey
	a, b []key
	// cmpf is compareKeys over keys (keyComparer: specialized for integers)
	cmpf func(a, b []key) int
}

func newRowComparer(spec Spec, types []string) (*rowComparer, Spec, error) {
	width := len(types)
	if spec.Hidden < 0 || spec.Hidden > width {
		return nil, spec, fmt.Errorf("shardsql: merge: %d hidden columns in a %d-column result", spec.Hidden, width)
	}
	nodeCols := make([]Column, width)
	for i, t := range types {
		nodeCols[i] = Column{Type: t}
	}
	cols, err := newColumns(nodeCols, spec.Hidden, spec.Collations)
	if err != nil {
		return nil, spec, err
	}
	keys, err := cols.keys(spec.Sort)
	if err != nil {
		return nil, spec, err
	}
	return &rowComparer{keys: keys, a: make([]key, len(keys)), b: make([]key, len(keys)), cmpf: keyComparer(keys)}, spec, nil
}

// decode decodes a row's keys once, for repeated comparisons.
func (c *rowComparer) decode(row []driver.Value) ([]key, error) {
	k := make([]key, len(c.keys))
	if err := decodeKeys(c.keys, row, k); err != nil {
		return nil, err
	}
	return k, nil
}

// decodeAll decodes the keys of rows into one allocation: a node's
// window or phase-2 rows are decoded together and live as long as each
// other.
func (c *rowComparer) decodeAll(rows [][]driver.Value) ([][]key, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	nk := len(c.keys)
	slab := make([]key, len(rows)*nk)
	out := make([][]key, len(rows))
	for j, r := range rows {
		out[j] = slab[j*nk : (j+1)*nk : (j+1)*nk]
		if err := decodeKeys(c.keys, r, out[j]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortNode sorts one node's rows (and their decoded keys) by the total
// order, where they do not come sorted already: the node's ORDER BY
// sorts them, but the merge does not depend on how a statement was
// batched or on the server keeping its order.
func (c *rowComparer) sortNode(rows [][]driver.Value, keys [][]key) {
	for j := 1; j < len(keys); j++ { // usually they come in order
		if c.cmpf(keys[j], keys[j-1]) < 0 {
			sort.Sort(nodeRows{c: c, rows: rows, keys: keys})
			return
		}
	}
}

type nodeRows struct {
	c    *rowComparer
	rows [][]driver.Value
	keys [][]key
}

func (n nodeRows) Len() int           { return len(n.rows) }
func (n nodeRows) Less(i, j int) bool { return n.c.cmpf(n.keys[i], n.keys[j]) < 0 }
func (n nodeRows) Swap(i, j int) {
	n.rows[i], n.rows[j] = n.rows[j], n.rows[i]
	n.keys[i], n.keys[j] = n.keys[j], n.keys[i]
}

// compare orders two node rows: negative when a comes first.
func (c *rowComparer) compare(a, b []driver.Value) (int, error) {
	if err := decodeKeys(c.keys, a, c.a); err != nil {
		return 0, err
	}
	if err := decodeKeys(c.keys, b, c.b); err != nil {
		return 0, err
	}
	return c.cmpf(c.a, c.b), nil
}

// unbounded stands for "no upper bound" in rank arithmetic.
const unbounded = int64(1) << 62

// rankBounds bounds the number of node i's rows strictly before x, from
// node i's phase-1 window w (rows at node positions [o, o+len(w))):
//   - w empty: the node has at most o rows: [0, o];
//   - x before or equal to w[0]: [0, o], exactly o when equal;
//   - a rows of w before x, 0 < a < len(w): exactly o+a (w is contiguous);
//   - x after all of w: exactly o+len(w) when the window is short (the node
//     ends there), else at least o+count.
func (c *rowComparer) rankBounds(x []key, w [][]key, o, count int64) (lo, hi int64) {
	if len(w) == 0 {
		return 0, o
	}
	// a: the rows of w before x (w is sorted)
	a := int64(sort.Search(len(w), func(i int) bool { return c.cmpf(w[i], x) >= 0 }))
	equal := a < int64(len(w)) && c.cmpf(w[a], x) == 0
	switch {
	case a == 0 && !equal:
		return 0, o
	case a < int64(len(w)):
		return o + a, o + a
	case int64(len(w)) < count:
		return o + a, o + a
	default:
		return o + count, unbounded
	}
}

func addRank(a, b int64) int64 {
	if a >= unbounded || b >= unbounded {
		return unbounded
	}
	return a + b
}

// PlanDeepPage decides phase 2 from the phase-1 rows of each node (rows of
// the full node width, hidden columns included; types as for New).
//
// p is the latest phase-1 row whose rank is surely ≤ Offset (the earliest
// phase-1 row always qualifies: every node has at most NodeOffset rows
// before it). q is the earliest phase-1 row whose rank is surely ≥
// Offset+Count-1, if any. Every page row r then has p ≤ r ≤ q, and a node
// holds at most Offset+Count-LB(p) rows in [p, r], which bounds its Limit.
// A node whose count of rows before p is not determined by its window
// (p precedes the window) reads on to its window's first row, so that
// DeepPageRows can count them; an empty window needs a count query.
func PlanDeepPage(d DeepPage, types []string, phase1 [][][]driver.Value) (*DeepBounds, error) {
	return planDeepPage(d, types, phase1, &deepScratch{})
}

// planDeepPage is PlanDeepPage with the windows' decoded keys and merged
// order in sc (deep_scratch.go): the bounds reference sc until the page
// is cut and fetched.
func planDeepPage(d DeepPage, types []string, phase1 [][][]driver.Value, sc *deepScratch) (*DeepBounds, error) {
	if d.Nodes != len(phase1) || d.Nodes == 0 || d.Count <= 0 {
		return nil, fmt.Errorf("shardsql: merge: deep page over %d nodes with %d phase-1 results", d.Nodes, len(phase1))
	}
	if err := d.checkWindows(); err != nil {
		return nil, err
	}
	cmp, _, err := newRowComparer(d.Spec, types)
	if err != nil {
		return nil, err
	}
	b := &DeepBounds{page: d, cmp: cmp, phase1: phase1}
	// decode every phase-1 row once: each candidate is placed in every window
	total := 0
	for _, w := range phase1 {
		total += len(w)
	}
	nk := len(cmp.keys)
	ptrs := false
	for _, k := range cmp.keys {
		ptrs = ptrs || keyHoldsPointers(k.kind)
	}
	slab, heads := sc.grow(total, nk, ptrs)
	dec := make([][][]key, len(phase1))
	at := 0
	for i, w := range phase1 {
		if len(w) == 0 {
			continue
		}
		dec[i] = heads[at : at+len(w) : at+len(w)]
		for j, r := range w {
			n := at + j
			dec[i][j] = slab[n*nk : (n+1)*nk : (n+1)*nk]
			if err := decodeKeys(cmp.keys, r, dec[i][j]); err != nil {
				return nil, err
			}
		}
		at += len(w)
		cmp.sortNode(w, dec[i])
	}
	b.dec = dec
	if total == 0 {
		b.Empty = true
		return b, nil
	}
	last := d.Offset + d.Count - 1
	// UB and LB never decrease along the order (each node's bounds only
	// grow as x moves past its window's rows), so p and q are where
	// "UB > offset" and "LB ≥ the page's last rank" turn true over the
	// windows in merged order, found by binary searches (boundary):
	// O(k log W) evaluations of k binary searches, where trying every
	// candidate cost k²·W and merging the windows to search them k·W·log k.
	bounds := func(x []key) (lo, hi int64) {
		for i, w := range dec {
			o, win := d.NodeWindow(i)
			l, h := cmp.rankBounds(x, w, o, win)
			lo, hi = addRank(lo, l), addRank(hi, h)
		}
		return lo, hi
	}
	var lower, upper []key
	var upperRow []driver.Value
	// p: the latest candidate whose UB does not exceed the offset
	if n, j, ok, _, _, _ := boundary(cmp.cmpf, dec, func(x []key) bool { _, hi := bounds(x); return hi > d.Offset }); ok {
		lower, b.Lower = dec[n][j], phase1[n][j]
		b.lowerLB, _ = bounds(lower)
	}
	// q: the earliest candidate whose LB reaches the page's last rank
	if _, _, _, n, j, ok := boundary(cmp.cmpf, dec, func(x []key) bool { lo, _ := bounds(x); return lo >= last }); ok {
		upper, upperRow = dec[n][j], phase1[n][j]
	}
	b.lower = lower
	if b.Lower == nil {
		// cannot happen: the earliest candidate qualifies
		return nil, errors.New("shardsql: merge: deep page: no lower bound among the phase-1 rows")
	}
	limit := d.Offset + d.Count - b.lowerLB
	for i, w := range phase1 {
		n := DeepNode{Upper: upperRow, Limit: limit}
		o, win := d.NodeWindow(i)
		switch {
		case len(w) == 0 && o == 0:
			// the node has no rows at all (LIMIT 0, Wᵢ ≥ 1 returned
			// none): nothing to read or count
			n.Covered = true
		case len(w) == 0:
			n.Count = true
		case (o == 0 || cmp.cmpf(lower, dec[i][0]) >= 0) &&
			(int64(len(w)) < win || upper != nil && cmp.cmpf(upper, dec[i][len(w)-1]) <= 0):
			// p within the window, or the window starts at the node's
			// first row (o = 0: no row of the node precedes w[0], so
			// its rows from p on start in the window and nᵢ(p) = 0 when
			// p precedes w[0], which cut counts as o − 0), and the
			// window reaches q or the node's end: its rows in [p, q]
			// are all in the window
			n.Covered = true
		case cmp.cmpf(lower, dec[i][0]) < 0:
			// p precedes the window: read on to w[0] (at most o rows
			// before it) to count the rows between.
			if upper != nil && cmp.cmpf(upper, dec[i][0]) < 0 {
				n.Upper = w[0]
			}
			if n.Limit < o+1 {
				n.Limit = o + 1
			}
		}
		b.Nodes = append(b.Nodes, n)
	}
	return b, nil
}

// DeepPageRows cuts the page from the phase-2 rows of each node (in node
// order; covered nodes' entries are ignored, their windows stand for them)
// and the counts of rows before Lower of the nodes whose DeepNode.Count was
// set (others ignored). The returned
// cursor yields rows of the visible width, as New's.
func DeepPageRows(b *DeepBounds, types []string, phase2 [][][]driver.Value, counts []int64) (Cursor, error) {
	rows, _, err := b.cut(phase2, counts)
	if err != nil {
		return nil, err
	}
	spec := b.page.Spec
	spec.Sort, spec.Limit = nil, nil // rows holds the page, in order
	return newMerge(spec, types, []Cursor{&heldRows{rows: rows}})
}

// cut returns the page's rows in order and the node each came from, from
// the phase-2 rows of each node and the counts (as DeepPageRows takes
// them). Rows equal in the total order on two nodes (a unique key that is
// unique per table only) come in node order.
func (b *DeepBounds) cut(phase2 [][][]driver.Value, counts []int64) ([][]driver.Value, []int, error) {
	d := b.page
	if b.Empty {
		return nil, nil, nil
	}
	if len(phase2) != len(b.Nodes) || len(counts) != len(b.Nodes) {
		return nil, nil, fmt.Errorf("shardsql: merge: deep page: %d phase-2 results and %d counts for %d nodes", len(phase2), len(counts), len(b.Nodes))
	}
	keys := make([][][]key, len(phase2))
	for i, n := range b.Nodes {
		if !n.Covered {
			continue
		}
		// the window's rows from p on stand for the node's phase 2 (the
		// window is sorted and decoded already)
		j := sort.Search(len(b.dec[i]), func(j int) bool { return b.cmp.cmpf(b.dec[i][j], b.lower) >= 0 })
		phase2[i], keys[i] = b.phase1[i][j:], b.dec[i][j:]
	}
	for i, rows := range phase2 {
		if b.Nodes[i].Covered {
			continue
		}
		var err error
		if keys[i], err = b.cmp.decodeAll(rows); err != nil {
			return nil, nil, err
		}
		b.cmp.sortNode(rows, keys[i])
	}
	rank := int64(0)
	befores := make([]int64, len(b.Nodes))
	for i, n := range b.Nodes {
		var before int64
		o, win := d.NodeWindow(i)
		switch {
		case n.Count:
			before = counts[i]
		case len(b.dec[i]) == 0:
			// covered with an empty window: a node without rows
			// (planDeepPage covers it only when o = 0)
			if o != 0 {
				return nil, nil, fmt.Errorf("shardsql: merge: deep page: node %d: an empty window after %d rows taken as covered", i, o)
			}
		case b.cmp.cmpf(b.lower, b.dec[i][0]) >= 0:
			lo, hi := b.cmp.rankBounds(b.lower, b.dec[i], o, win)
			if lo != hi {
				return nil, nil, fmt.Errorf("shardsql: merge: deep page: node %d: rank of the lower bound not determined", i)
			}
			before = lo
		default:
			// p precedes the window: the phase-2 rows before w[0] are the
			// node's rows in [p, w[0]), and o rows precede w[0].
			j, found := int64(0), false
			for _, k := range keys[i] {
				cw := b.cmp.cmpf(k, b.dec[i][0])
				if cw == 0 {
					found = true
					break
				}
				if cw > 0 {
					break
				}
				j++
			}
			if !found || j > o {
				return nil, nil, ErrDeepPageStale
			}
			before = o - j
		}
		befores[i] = before
		rank += before
	}
	skip := d.Offset - rank
	if skip < 0 {
		return nil, nil, ErrDeepPageStale
	}
	// merge the nodes' sorted rows up to the page's end
	var rows [][]driver.Value
	var nodes []int
	nm := newNodeMerge(b.cmp.keys, keys)
	for n := int64(0); n < skip+d.Count; n++ {
		i, j, ok := nm.next()
		if !ok {
			break
		}
		if n >= skip {
			rows, nodes = append(rows, phase2[i][j]), append(nodes, i)
		} else {
			befores[i]++ // a row of node i before the page
		}
	}
	if len(rows) > 0 {
		// every node's rows before the page are now known exactly: those
		// before p and those the merge skipped (a position hint's record)
		b.positions = make([]DeepPosition, len(b.Nodes))
		for i := range b.positions {
			b.positions[i].Before = befores[i]
		}
		for _, i := range nodes {
			b.positions[i].Rows++
		}
	}
	return rows, nodes, nil
}

// heldRows is a Cursor over rows in memory.
type heldRows struct {
	rows [][]driver.Value
}

func (h *heldRows) Next(dest []driver.Value) error {
	if len(h.rows) == 0 {
		return io.EOF
	}
	copy(dest, h.rows[0])
	h.rows = h.rows[1:]
	return nil
}

func (h *heldRows) Close() error { h.rows = nil; return nil }
