package merge

import "database/sql/driver"

// countAgg sums the nodes' counts (COUNT(*), COUNT(x)): 0 for no rows.
type countAgg struct {
	col int
	n   int64
}

func (c *countAgg) reset() { c.n = 0 }

func (c *countAgg) add(row []driver.Value) error {
	n, err := toInt(row[c.col])
	c.n += n
	return err
}

func (c *countAgg) result() driver.Value { return c.n }
