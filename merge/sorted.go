package merge

import (
	"database/sql/driver"
	"errors"
	"io"

	"github.com/shardsql/shardsql/internal/coltype"
)

// sorted merges cursors whose rows each arrive ordered by keys into one
// ordered stream. It holds one row per cursor in a loser tree (about
// log2(k) comparisons per row), so memory is O(cursors) and no row is
// boxed or copied. Ties go to the earlier cursor, so the merge is stable.
type sorted struct {
	srcs    []*source
	tree    []int // tree[0]: the winner; tree[1:]: the loser at each inner node
	keys    []cmpKey
	started bool
	// intKey marks the common single signed-integer key, compared inline.
	intKey, intDesc bool
}

type source struct {
	cur  Cursor
	row  []driver.Value
	keys []key
	done bool // exhausted: loses to every live source
}

func newSorted(cursors []Cursor, keys []cmpKey, width int) *sorted {
	s := &sorted{keys: keys}
	s.intKey = len(keys) == 1 && keys[0].kind == coltype.Int
	s.intDesc = s.intKey && keys[0].desc
	for _, c := range cursors {
		s.srcs = append(s.srcs, &source{cur: c, row: make([]driver.Value, width), keys: make([]key, len(keys))})
	}
	return s
}

// advance reads the next row of source i, marking it done at its end.
func (s *sorted) advance(i int) error {
	src := s.srcs[i]
	if src.done {
		return nil
	}
	if err := src.cur.Next(src.row); err != nil {
		if err == io.EOF {
			src.done = true
			return src.cur.Close()
		}
		return err
	}
	return decodeKeys(s.keys, src.row, src.keys)
}

// beats reports whether source a's row comes before source b's.
func (s *sorted) beats(a, b int) bool {
	sa, sb := s.srcs[a], s.srcs[b]
	switch {
	case sa.done:
		return false
	case sb.done:
		return true
	}
	if s.intKey {
		x, y := &sa.keys[0], &sb.keys[0]
		if x.null == y.null && (x.null || x.i == y.i) {
			return a < b
		}
		var lt bool
		switch {
		case x.null:
			lt = true
		case y.null:
			lt = false
		default:
			lt = x.i < y.i
		}
		return lt != s.intDesc
	}
	c := compareKeys(s.keys, sa.keys, sb.keys)
	if c == 0 {
		return a < b
	}
	return c < 0
}

// build plays the initial tournament below inner node n and returns its winner.
func (s *sorted) build(n int) int {
	k := len(s.srcs)
	if n >= k {
		return n - k
	}
	l, r := s.build(2*n), s.build(2*n+1)
	if s.beats(l, r) {
		s.tree[n] = r
		return l
	}
	s.tree[n] = l
	return r
}

// replay runs source w's new row up the tree to find the next winner.
func (s *sorted) replay(w int) {
	for n := (w + len(s.srcs)) / 2; n >= 1; n /= 2 {
		if s.beats(s.tree[n], w) {
			s.tree[n], w = w, s.tree[n]
		}
	}
	s.tree[0] = w
}

func (s *sorted) Next(dest []driver.Value) error {
	if len(s.srcs) == 0 {
		return io.EOF
	}
	if !s.started {
		s.started = true
		for i := range s.srcs {
			if err := s.advance(i); err != nil {
				return err
			}
		}
		s.tree = make([]int, len(s.srcs))
		s.tree[0] = s.build(1)
		if len(s.srcs) == 1 {
			s.tree[0] = 0
		}
	} else {
		w := s.tree[0]
		if err := s.advance(w); err != nil {
			return err
		}
		s.replay(w)
	}
	w := s.srcs[s.tree[0]]
	if w.done {
		return io.EOF
	}
	copy(dest, w.row)
	return nil
}

func (s *sorted) Close() error {
	var errs []error
	for _, src := range s.srcs {
		if err := src.cur.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
