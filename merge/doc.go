// Package merge combines the row streams of a plan's units into the one
// result the caller sees. It knows nothing of SQL text or I/O: it works on
// cursors of row values.
package merge
