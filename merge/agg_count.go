package merge

import "database/sql/driver"

// countAgg sums the nodes' counts (COUNT(*), COUNT(x)): 0 for no rows.
type countAgg struct {
	col int
	n   int64
	// boxed holds the counts below len(boxed) already put in a
	// driver.Value: boxing an int64 of 256 or more allocates, and the
	// counts of a GROUP BY repeat.
	boxed []driver.Value
}

// countBoxes is how many small counts a countAgg keeps boxed.
const countBoxes = 1024

func (c *countAgg) reset() { c.n = 0 }

func (c *countAgg) add(row []driver.Value) error {
	n, err := toInt(row[c.col])
	c.n += n
	return err
}

func (c *countAgg) result() driver.Value {
	if c.n < 256 || c.n >= countBoxes {
		return c.n // (Go boxes the values below 256 without allocating)
	}
	if c.boxed == nil {
		c.boxed = make([]driver.Value, countBoxes)
	}
	v := c.boxed[c.n]
	if v == nil {
		v = c.n
		c.boxed[c.n] = v
	}
	return v
}
