package merge

import "database/sql/driver"

// distinctAgg counts (COUNT(DISTINCT x)) or sums (SUM(DISTINCT x)) the
// distinct non-NULL values of x. Each node sends each value once per
// group, its rows sorted by the group keys and then x, so equal values of
// different nodes arrive together: comparing with the previous value,
// by x's type and collation, finds the new ones.
type distinctAgg struct {
	cmp  cmpKey
	sum  *sumAgg // SUM(DISTINCT), AVG(DISTINCT); nil for COUNT(DISTINCT)
	avg  bool    // AVG(DISTINCT): the sum over the count
	n    int64
	prev key // the last distinct value
	seen bool
}

func (d *distinctAgg) reset() {
	d.n, d.seen = 0, false
	if d.sum != nil {
		d.sum.reset()
	}
}

func (d *distinctAgg) add(row []driver.Value) error {
	v := row[d.cmp.col]
	if v == nil {
		return nil
	}
	var k key
	if err := decodeAgg(&d.cmp, row, &k); err != nil {
		return err
	}
	if d.seen && d.cmp.compare(&k, &d.prev) == 0 {
		return nil
	}
	d.seen, d.prev = true, k
	if k.b != nil {
		d.prev.b = append(d.prev.b[:0:0], k.b...) // the row buffer is reused
	}
	d.n++
	if d.sum != nil {
		return d.sum.addValue(v)
	}
	return nil
}

func (d *distinctAgg) result() driver.Value {
	if d.avg {
		if d.n == 0 {
			return nil
		}
		// DECIMAL with 4 more digits of scale, as MySQL's AVG
		q := d.sum.dsum.divInt(d.n, 4)
		return q.bytes()
	}
	if d.sum != nil {
		return d.sum.result()
	}
	return d.n
}

// AggAvgDistinct averages the distinct non-NULL values in Col (DECIMAL
// or integer: a float average would depend on the order of the
// additions), arriving as for AggCountDistinct.
const AggAvgDistinct AggKind = 40
