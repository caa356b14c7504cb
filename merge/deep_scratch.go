package merge

import (
	"database/sql/driver"
	"sync"

	"github.com/shardsql/shardsql/internal/coltype"
)

// DeepScratch pools the buffers of deep pages' bounds (deepScratch)
// between statements. Routing plans a statement afresh each time, so the
// pool cannot live in the plan: the driver keeps one in its Connector and
// hands it over through the Executor (DeepScratchExecutor). The zero
// value is ready to use; it must not be copied after first use.
type DeepScratch struct{ pool sync.Pool }

// DeepScratchExecutor is an Executor that keeps a DeepScratch for the
// deep pages it runs; an Executor without one plans each page with fresh
// buffers.
type DeepScratchExecutor interface {
	DeepScratch() *DeepScratch
}

// get returns a scratch of the pool, or a new one (s nil: no pool).
func (s *DeepScratch) get() *deepScratch {
	if s != nil {
		if sc, ok := s.pool.Get().(*deepScratch); ok {
			return sc
		}
	}
	return &deepScratch{}
}

// put clears sc and returns it to the pool.
func (s *DeepScratch) put(sc *deepScratch) {
	sc.reset()
	if s != nil {
		s.pool.Put(sc)
	}
}

// deepScratch holds what a deep page allocates in proportion to its
// windows — every window row's decoded keys (k·W of them, 80 bytes each
// with pointers) and, in key-only mode, the window rows' slices and
// values — for the next statement: at 2 × 8 tables the keys and the
// merged order planning used to build were 60% of the bytes a page
// allocated, and the garbage collector's scanning a tenth of the
// client's CPU.
//
// Hazards, and how the reuse avoids them:
//   - Concurrent statements: the scratch lives in a sync.Pool of the
//     Connector's (DeepScratch; no global state), so each statement holds
//     its own from get to put and none is shared.
//   - Lifetime: the keys are read by PlanDeepPage, cut and fetch only
//     (DeepBounds.dec, .lower, and cut's covered nodes); the rows the
//     statement returns are the drivers' values, never keys, and in
//     key-only mode the fetch's rows, never the windows' (a full-row
//     page's rows are the windows': those are not pooled). The later
//     phases' statements copy the bound values they print or pass. open
//     puts the scratch back after the page is cut and fetched, when
//     nothing references it; a DeepBounds built with a scratch is not
//     used after.
//   - Retention: a text key's bytes are the driver's value; put clears
//     the keys, so a pooled scratch keeps no result's bytes alive.
type deepScratch struct {
	keys []key
	rows [][]key
	// vals and lists: key-only windows' rows (readNodes)
	vals  []driver.Value
	lists [][]driver.Value
	// used: the slabs' lengths handed out since the last reset (reset
	// clears those, not the whole capacity)
	nKeys, nRows, nVals, nLists int
	// keyPtrs: keys of a kind that may hold a pointer (key.b, key.t)
	// were decoded into keys since the last reset
	keyPtrs bool
}

// rowSlabs returns slabs for nv row values and nl row slices.
func (s *deepScratch) rowSlabs(nv, nl int) ([]driver.Value, [][]driver.Value) {
	if cap(s.vals) < nv {
		s.vals = make([]driver.Value, nv)
	}
	if cap(s.lists) < nl {
		s.lists = make([][]driver.Value, nl)
	}
	s.nVals, s.nLists = max(s.nVals, nv), max(s.nLists, nl)
	return s.vals[:nv], s.lists[:nl]
}

// grow returns the scratch's key and row slabs with room for n rows of
// nk keys each; ptrs says whether the keys decoded into them may hold a
// pointer (keyHoldsPointers).
func (s *deepScratch) grow(n, nk int, ptrs bool) ([]key, [][]key) {
	s.keyPtrs = s.keyPtrs || ptrs
	if cap(s.keys) < n*nk {
		s.keys = make([]key, n*nk)
	}
	if cap(s.rows) < n {
		s.rows = make([][]key, n)
	}
	s.nKeys, s.nRows = max(s.nKeys, n*nk), max(s.nRows, n)
	return s.keys[:n*nk], s.rows[:n]
}

// reset drops every reference into the last page's values. The key slab
// is cleared only when keys that may hold a pointer were decoded into it:
// decode zeroes every key it fills, so keys of integer and float kinds
// hold none, and clearing the slab (80 bytes a key, two keys a row of the
// benchmark's 1,760) was a few percent of a page's client CPU.
func (s *deepScratch) reset() {
	if s.keyPtrs {
		clear(s.keys[:s.nKeys])
	}
	s.keyPtrs = false
	clear(s.rows[:s.nRows])
	clear(s.vals[:s.nVals])
	clear(s.lists[:s.nLists])
	s.nKeys, s.nRows, s.nVals, s.nLists = 0, 0, 0, 0
}

// keyHoldsPointers reports whether a decoded key of kind kd may hold a
// pointer: every kind but the integers and floats (text and decimals keep
// their bytes in key.b, times a location in key.t).
func keyHoldsPointers(kd coltype.Kind) bool {
	switch kd {
	case coltype.Int, coltype.Uint, coltype.Float:
		return false
	}
	return true
}
