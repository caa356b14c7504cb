package merge

import (
	"database/sql/driver"
	"errors"
	"io"
)

// sorted merges cursors whose rows each arrive ordered by keys into one
// ordered stream. It holds one row per cursor and a binary heap of cursor
// indexes, so memory is O(cursors) and no row is boxed or copied.
type sorted struct {
	srcs    []*source
	heap    []int // indexes into srcs; heap[0] has the smallest row
	keys    []cmpKey
	started bool
	last    int // the source whose row was returned last, to advance next
	// intKey marks the common single signed-integer key, compared inline.
	intKey, intDesc bool
}

type source struct {
	cur  Cursor
	row  []driver.Value
	keys []key
}

func newSorted(cursors []Cursor, keys []cmpKey, width int) *sorted {
	s := &sorted{keys: keys, last: -1}
	s.intKey = len(keys) == 1 && keys[0].kind == KindInt
	s.intDesc = s.intKey && keys[0].desc
	for _, c := range cursors {
		s.srcs = append(s.srcs, &source{cur: c, row: make([]driver.Value, width), keys: make([]key, len(keys))})
	}
	return s
}

// advance reads the next row of source i; false at its end.
func (s *sorted) advance(i int) (bool, error) {
	src := s.srcs[i]
	if err := src.cur.Next(src.row); err != nil {
		if err == io.EOF {
			return false, src.cur.Close()
		}
		return false, err
	}
	return true, decodeKeys(s.keys, src.row, src.keys)
}

func (s *sorted) less(i, j int) bool {
	hi, hj := s.heap[i], s.heap[j]
	if s.intKey {
		a, b := &s.srcs[hi].keys[0], &s.srcs[hj].keys[0]
		if a.null == b.null && (a.null || a.i == b.i) {
			return hi < hj
		}
		var lt bool
		switch {
		case a.null:
			lt = true
		case b.null:
			lt = false
		default:
			lt = a.i < b.i
		}
		return lt != s.intDesc
	}
	c := compareKeys(s.keys, s.srcs[hi].keys, s.srcs[hj].keys)
	if c == 0 {
		return hi < hj // stable: earlier nodes first
	}
	return c < 0
}

func (s *sorted) down(i int) {
	n := len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			return
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
}

func (s *sorted) Next(dest []driver.Value) error {
	if !s.started {
		s.started = true
		for i := range s.srcs {
			ok, err := s.advance(i)
			if err != nil {
				return err
			}
			if ok {
				s.heap = append(s.heap, i)
			}
		}
		for i := len(s.heap)/2 - 1; i >= 0; i-- {
			s.down(i)
		}
	} else if s.last >= 0 {
		ok, err := s.advance(s.last)
		if err != nil {
			return err
		}
		if !ok {
			n := len(s.heap) - 1
			s.heap[0] = s.heap[n]
			s.heap = s.heap[:n]
		}
		s.down(0)
	}
	if len(s.heap) == 0 {
		s.last = -1
		return io.EOF
	}
	s.last = s.heap[0]
	copy(dest, s.srcs[s.last].row)
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
