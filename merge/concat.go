package merge

import (
	"database/sql/driver"
	"errors"
	"io"
)

// concatenate returns a cursor that yields every row of parts[0], then of
// parts[1], and so on. A part is closed as soon as it is exhausted, so a
// part may open its stream lazily on its first Next. Closing the result
// closes every part.
func concatenate(parts ...Cursor) Cursor {
	if len(parts) == 1 {
		return parts[0]
	}
	return &concat{parts: parts}
}

type concat struct {
	parts []Cursor
	i     int
}

func (c *concat) Next(dest []driver.Value) error {
	for c.i < len(c.parts) {
		err := c.parts[c.i].Next(dest)
		if err != io.EOF {
			return err
		}
		if err := c.parts[c.i].Close(); err != nil {
			return err
		}
		c.i++
	}
	return io.EOF
}

func (c *concat) Close() error {
	var errs []error
	for _, p := range c.parts {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
