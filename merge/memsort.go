package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
	"sort"
)

// ErrTooLarge is wrapped by the error a memory merge returns when it would
// hold more rows than its cap.
var ErrTooLarge = fmt.Errorf("shardsql: result too large")

// memSorted reads every input row, sorts them and returns them in order. It
// is used only where a stream cannot be ordered (ORDER BY an aggregate) and
// fails beyond maxRows.
type memSorted struct {
	in      Cursor
	keys    []cmpKey
	width   int
	maxRows int
	bytes   byteCount // the rows' bytes against the byte cap
	what    string    // what sorts, for the byte cap's error
	rows    [][]driver.Value
	loaded  bool
	i       int
}

func (m *memSorted) load() error {
	m.loaded = true
	type entry struct {
		row  []driver.Value
		keys []key
	}
	var entries []entry
	for {
		row := make([]driver.Value, m.width)
		if err := m.in.Next(row); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		if len(entries) >= m.maxRows {
			return fmt.Errorf("%w: sorting (MemorySort) needs more than %d rows in memory; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, m.maxRows)
		}
		what := m.what
		if what == "" {
			what = "sorting (MemorySort)"
		}
		if err := m.bytes.add(row, what); err != nil {
			return err
		}
		ks := make([]key, len(m.keys))
		if err := decodeKeys(m.keys, row, ks); err != nil {
			return err
		}
		for i := range ks { // the key may alias a buffer the next row reuses
			if ks[i].b != nil {
				ks[i].b = append([]byte(nil), ks[i].b...)
			}
		}
		entries = append(entries, entry{row, ks})
	}
	sort.SliceStable(entries, func(a, b int) bool {
		return compareKeys(m.keys, entries[a].keys, entries[b].keys) < 0
	})
	m.rows = make([][]driver.Value, len(entries))
	for i, e := range entries {
		m.rows[i] = e.row
	}
	return nil
}

func (m *memSorted) Next(dest []driver.Value) error {
	if !m.loaded {
		if err := m.load(); err != nil {
			return err
		}
	}
	if m.i >= len(m.rows) {
		return io.EOF
	}
	copy(dest, m.rows[m.i])
	m.rows[m.i] = nil
	m.i++
	return nil
}

func (m *memSorted) Close() error { return m.in.Close() }
