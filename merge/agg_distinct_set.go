package merge

import (
	"database/sql/driver"
	"fmt"
	"sort"
)

// distinctSetAgg is COUNT, SUM or AVG(DISTINCT x) when x is not the
// statement's first DISTINCT argument (Agg.Unsorted): the nodes group by
// the keys and every DISTINCT argument, and the stream is sorted by the
// keys and the first argument only, so equal values of x do not arrive
// together. The aggregate keeps the group's non-NULL values of x in
// memory (at most maxRows, then ErrTooLarge), sorts them by x's type and
// collation when the group ends, and folds each distinct value once, as
// distinctAgg does over a sorted stream. Values equal by the collation
// ('a', 'A ', 'á' in a PAD SPACE, case- and accent-insensitive one) count
// once, as on one server.
type distinctSetAgg struct {
	sorted  distinctAgg // folds the values once they are sorted
	maxRows int
	keys    []key
	vals    []driver.Value
	order   []int
	mem     []byte    // the group's copies of text values
	bytes   byteCount // the group's values' bytes against the byte cap
}

func (d *distinctSetAgg) reset() {
	d.keys, d.vals, d.mem = d.keys[:0], d.vals[:0], d.mem[:0]
	d.bytes.used = 0
}

func (d *distinctSetAgg) add(row []driver.Value) error {
	v := row[d.sorted.cmp.col]
	if v == nil {
		return nil
	}
	if len(d.vals) >= d.maxRows {
		return fmt.Errorf("%w: a DISTINCT aggregate needs more than %d values of one group in memory; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, d.maxRows)
	}
	if err := d.bytes.add(row[d.sorted.cmp.col:d.sorted.cmp.col+1], "a DISTINCT aggregate's values of one group"); err != nil {
		return err
	}
	var k key
	if err := decodeAgg(&d.sorted.cmp, row, &k); err != nil {
		return err
	}
	if b, ok := v.([]byte); ok && d.sorted.sum != nil {
		if _, err := parseDecimal(b); err != nil { // (result cannot fail)
			return err
		}
	}
	if b, ok := v.([]byte); ok {
		// the row buffer is reused: keep a copy (offsets into mem, which
		// may move while it grows, are resolved in result)
		start := len(d.mem)
		d.mem = append(d.mem, b...)
		v = memRef{start, len(d.mem)}
		k.b = nil
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// memRef locates a text value's copy in distinctSetAgg.mem.
type memRef struct{ start, end int }

func (d *distinctSetAgg) result() driver.Value {
	d.order = d.order[:0]
	for i := range d.vals {
		if r, ok := d.vals[i].(memRef); ok {
			b := d.mem[r.start:r.end:r.end]
			d.vals[i] = b
			// decode again over the copy (text keys point at the bytes;
			// it decoded once already, so it cannot fail now)
			_ = decode(d.sorted.cmp.kind, b, &d.keys[i])
		}
		d.order = append(d.order, i)
	}
	sort.SliceStable(d.order, func(a, b int) bool {
		return d.sorted.cmp.compare(&d.keys[d.order[a]], &d.keys[d.order[b]]) < 0
	})
	d.sorted.reset()
	row := make([]driver.Value, d.sorted.cmp.col+1)
	for _, i := range d.order {
		row[d.sorted.cmp.col] = d.vals[i]
		_ = d.sorted.add(row) // (decoded once already: cannot fail)
	}
	return d.sorted.result()
}
