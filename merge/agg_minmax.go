package merge

import "database/sql/driver"

// minMaxAgg keeps the smallest (or largest) node value by the column's
// type and collation; the first of equal values wins, as one server's
// first-seen row does.
type minMaxAgg struct {
	cmp   cmpKey
	max   bool
	null  bool // no non-NULL value yet
	best  driver.Value
	bestK key
	// unzero: a DECIMAL MIN/MAX without GROUP BY, written without the
	// zeros of a ZEROFILL column's text.
	//
	// Hazard (review19a): MariaDB's MIN/MAX of a ZEROFILL DECIMAL is
	// zero-filled in a grouped SELECT (000012.00) and not without GROUP BY
	// (12.00); above a derived table or a join the rows carry the
	// column's zero-filled text, which an ungrouped MAX passed on. (A
	// scatter's nodes send an ungrouped MAX unfilled already; MySQL
	// writes no other DECIMAL with a leading zero before a digit.)
	unzero bool
}

func (m *minMaxAgg) reset() { m.null, m.best = true, nil }

func (m *minMaxAgg) add(row []driver.Value) error {
	v := row[m.cmp.col]
	if v == nil {
		return nil
	}
	var k key
	if err := decodeAgg(&m.cmp, row, &k); err != nil {
		return err
	}
	c := 0
	if !m.null {
		c = m.cmp.compare(&k, &m.bestK)
	}
	if m.null || (!m.max && c < 0) || (m.max && c > 0) {
		m.null, m.best, m.bestK = false, v, k
		if k.b != nil {
			m.bestK.b = append([]byte(nil), k.b...) // the row buffer is reused
		}
	}
	return nil
}

func (m *minMaxAgg) result() driver.Value {
	if b, ok := m.best.([]byte); ok && m.unzero {
		return trimZeroFill(b)
	}
	return m.best
}
