package merge

import (
	"container/list"
	"math"
	"sync"
	"sync/atomic"
)

// Position hints (docs/deep-pages.md, "Round 9"). Phase 1's common window
// LIMIT ⌊offset/k⌋ − a, count + 2a exists because the plan does not know
// where each node's share of the page starts: the margin a = ⌈2√b⌉ covers
// the binomial spread of hash-sharded rows. After a page is cut the
// operator knows exactly, per node, its rows before the page (hᵢ) and in
// it (kᵢ). DeepHints remembers them per shape of statement, and the next
// deep page of that shape reads each node's window around the predicted
// position instead: the same offset at hᵢ, the next page (offset +=
// count) at hᵢ + kᵢ, pages further away at a proportional share with a
// margin growing with √ of the distance.
//
// The hazards, and how the hints avoid them:
//   - A wrong hint (rows written between pages, another filter value, a
//     skewed insert of thousands of rows on one node) must not make a
//     wrong page. The bounds hold for any windows with Σ oᵢ ≤ offset and
//     every Wᵢ ≥ 1 (DeepPage.checkWindows), which windows clamps to; a
//     hint only decides how much phase 2 reads. A hinted page whose
//     phase 2 would exceed the memory cap, or that found a node changed,
//     is read again cold before it streams (DeepPageScan.open).
//   - Concurrent statements: the cache is the Connector's (no global
//     state), guarded by a mutex held only for the map and list
//     operations, never while a statement runs; an entry is replaced
//     whole, never changed in place, so a reader's copy stays consistent.
//   - Memory: at most max entries (least recently used evicted), each k
//     positions.
//   - What determines the positions is the key the router gives
//     (DeepStatements.HintKey): the node statement without its LIMIT,
//     its arguments' values and the topology's version. Two shapes
//     sharing a key would only cost phase 2.

// DeepHints is a bounded cache of deep pages' positions per shape of
// statement, safe for concurrent use. The zero value is not usable:
// NewDeepHints makes one.
type DeepHints struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	lru     list.List // of *deepHintEntry, most recent first

	hinted, misses atomic.Uint64
}

type deepHintEntry struct {
	key  string
	hint *deepHint
}

// deepHint is what one cut page left: its offset and count and each
// node's rows before it and in it. Never changed once stored.
type deepHint struct {
	offset, count int64
	pos           []DeepPosition
}

// DeepHintExecutor is an Executor that keeps position hints for the deep
// pages it runs; DeepHints returns nil when hints are off.
type DeepHintExecutor interface {
	DeepHints() *DeepHints
}

// DefaultDeepHints is the number of shapes a Connector's hint cache keeps.
const DefaultDeepHints = 256

// NewDeepHints returns a cache of at most size shapes (at least 1).
func NewDeepHints(size int) *DeepHints {
	return &DeepHints{max: max(1, size), entries: make(map[string]*list.Element)}
}

// DeepHintStats counts deep pages read with a hint, and those among them
// whose hint missed (phase 2 was needed, or the page was read again cold).
type DeepHintStats struct{ Hinted, Misses uint64 }

// Stats returns the counts of hinted pages and misses.
func (h *DeepHints) Stats() DeepHintStats {
	if h == nil {
		return DeepHintStats{}
	}
	return DeepHintStats{Hinted: h.hinted.Load(), Misses: h.misses.Load()}
}

// Windows returns the phase-1 windows the hint kept under key predicts
// for page, or nil: no hint, or its windows would read as many rows as
// the page's common ones (DeepPage.Window on every node).
func (h *DeepHints) Windows(key string, page DeepPage) []DeepWindow {
	hint, ok := h.get(key)
	if !ok {
		return nil
	}
	return hint.windows(page.Offset, page.Count, page.Nodes, int64(page.Nodes)*page.Window())
}

// Has reports whether a hint is kept for key (for Explain).
func (h *DeepHints) Has(key string) bool {
	_, ok := h.get(key)
	return ok
}

func (h *DeepHints) get(key string) (*deepHint, bool) {
	if h == nil {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[key]
	if !ok {
		return nil, false
	}
	h.lru.MoveToFront(e)
	return e.Value.(*deepHintEntry).hint, true
}

func (h *DeepHints) put(key string, v *deepHint) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.entries[key]; ok {
		e.Value.(*deepHintEntry).hint = v
		h.lru.MoveToFront(e)
		return
	}
	h.entries[key] = h.lru.PushFront(&deepHintEntry{key: key, hint: v})
	for h.lru.Len() > h.max {
		old := h.lru.Back()
		h.lru.Remove(old)
		delete(h.entries, old.Value.(*deepHintEntry).key)
	}
}

// deepHintBase is the margin a predicted window (another offset or
// count than the hint's) has on both sides, for rows written between the
// pages, on top of the prediction's own uncertainty.
const deepHintBase = 2

// deepHintExact is the margin either side of an exact hint's windows (the
// same offset and count as the cut that left it: each window is the
// node's kᵢ page rows). One row is the least that lets such a page be cut
// from phase 1 alone: the row before a node's page rows makes every page
// row's rank on that node exact (a row before a window's first row is
// only known to have at most oᵢ of the node's rows before it, so without
// it p's upper bound and q's lower bound would not close), and the row
// after them shows that no other row of the node falls inside the page;
// a node with no rows before the page starts at its first row (o = 0,
// which planDeepPage counts as covered). TestDeepHintExactCovers checks
// both on random layouts, and fails with 0. Rows written between the
// pages move the positions past it; the page then reads phase 2, exact as
// ever. Round 9 used deepHintBase here too: at 2 × 8 and count 10 the
// benchmark's repeated page read 74 rows a page, now 42
// (docs/deep-pages.md, "Round 10").
const deepHintExact = 1

// windows predicts each of k nodes' phase-1 window for the page offset,
// count from the hint: nil when the hint does not fit (another node
// count) or its windows would read more rows than cold (rows: the cold
// phase's k × W). The windows keep Σ oᵢ ≤ offset and Wᵢ ≥ 1, so the bounds
// hold whatever the data did since.
func (h *deepHint) windows(offset, count int64, k int, cold int64) []DeepWindow {
	if len(h.pos) != k || count <= 0 {
		return nil
	}
	var before, in int64
	for _, p := range h.pos {
		before += p.Before
		in += p.Rows
	}
	if before+in <= 0 {
		return nil
	}
	delta := offset - h.offset
	if delta > 1<<40 || delta < -(1<<40) {
		return nil // far beyond any table a window's arithmetic is meant for
	}
	out := make([]DeepWindow, k)
	var sum, rows int64
	for i, p := range h.pos {
		share := float64(p.Before+p.Rows) / float64(before+in)
		var start, dist float64 // predicted rows before the page; rows of uncertainty
		switch {
		case delta == 0:
			start = float64(p.Before)
		case delta > 0 && delta < in:
			// inside the recorded page: its rows are known, their order
			// between the nodes is not
			start = float64(p.Before) + float64(delta)*float64(p.Rows)/float64(in)
			dist = float64(min(delta, in-delta))
		case delta >= in:
			start = float64(p.Before+p.Rows) + float64(delta-in)*share
			dist = float64(delta - in)
		default:
			start = max(0, float64(p.Before)+float64(delta)*share)
			dist = float64(-delta)
		}
		m := deepHintBase + int64(math.Ceil(2*math.Sqrt(dist*share)))
		// the node's rows in the page: as recorded for the same count at
		// the same offset, else its share with two deviations
		page := float64(count) * share
		spread := math.Ceil(2 * math.Sqrt(page))
		if delta == 0 && count == h.count {
			page, spread, m = float64(p.Rows), 0, deepHintExact
		}
		o := max(0, int64(math.Floor(start))-m)
		end := int64(math.Ceil(start+page+spread)) + m
		out[i] = DeepWindow{Offset: o, Rows: max(1, end-o)}
		sum += o
	}
	// Σ oᵢ ≤ offset: take the excess from the nodes in turn, each
	// window keeping its end
	for i := 0; sum > offset && i < k; i++ {
		cut := min(sum-offset, out[i].Offset)
		out[i].Offset -= cut
		out[i].Rows += cut
		sum -= cut
	}
	for _, w := range out {
		rows += w.Rows
	}
	if sum > offset || rows >= cold {
		return nil
	}
	return out
}
