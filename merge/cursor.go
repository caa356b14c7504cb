package merge

import "database/sql/driver"

// Cursor is a stream of rows.
type Cursor interface {
	// Next copies the next row's values into dest, which has one slot per
	// column. It returns io.EOF after the last row.
	Next(dest []driver.Value) error
	// Close releases the cursor. It may be called before the end of the
	// stream and more than once.
	Close() error
}
