package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// Memory caps in bytes beside the caps in rows (review19d).
//
// Hazard: every cap of an operator that holds rows (MemorySort, a
// distinct Union, a Window partition, a join's build side or batch, a
// transaction's buffered units) counted rows only, 1,000,000 by default.
// Rows of LONGTEXT/LONGBLOB values of megabytes each pass a row cap while
// holding gigabytes: `SELECT id, body FROM t ORDER BY <aggregate or
// union order>` over 2,000 rows of 1 MB held 2 GB, and a cap of a million
// such rows is no cap at all. Each structure that holds rows also counts
// their bytes (rowBytes) and fails with ErrTooLarge beyond the byte cap
// (driver.WithMaxMemoryBytes, default DefaultMaxBytes), naming the cap
// and the option, before it holds more: never a partial result.

// DefaultMaxBytes is the byte cap of one structure holding rows when the
// statement's context carries none (WithMaxBytes).
const DefaultMaxBytes int64 = 1 << 30

type maxBytesKey struct{}

// WithMaxBytes returns ctx carrying the byte cap of the structures an
// operator tree opened under it holds rows in (at least 1).
func WithMaxBytes(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, maxBytesKey{}, n)
}

// MaxBytes is the byte cap ctx carries, DefaultMaxBytes without one.
func MaxBytes(ctx context.Context) int64 {
	if n, ok := ctx.Value(maxBytesKey{}).(int64); ok && n > 0 {
		return n
	}
	return DefaultMaxBytes
}

// valueOverhead is what rowBytes counts for each value besides its bytes:
// the interface value and a slice or string header.
const valueOverhead = 24

// RowBytes estimates the memory a held row takes: its text and binary
// values' bytes and a fixed overhead per value.
func RowBytes(row []driver.Value) int64 {
	n := int64(len(row)) * valueOverhead
	for _, v := range row {
		switch x := v.(type) {
		case []byte:
			n += int64(len(x))
		case string:
			n += int64(len(x))
		}
	}
	return n
}

// byteCount counts the bytes of the rows a structure holds against its
// cap; the zero value has the default cap.
type byteCount struct {
	max, used int64
}

// add counts row; beyond the cap it returns ErrTooLarge naming what holds
// the rows.
func (b *byteCount) add(row []driver.Value, what string) error {
	max := b.max
	if max <= 0 {
		max = DefaultMaxBytes
	}
	b.used += RowBytes(row)
	if b.used > max {
		return TooManyBytes(what, max)
	}
	return nil
}

// TooManyBytes is the error of a structure (what) that would hold more
// than max bytes of rows.
func TooManyBytes(what string, max int64) error {
	return fmt.Errorf("%w: %s needs more than %d bytes of rows in memory; raise the cap with driver.WithMaxMemoryBytes or narrow the query (select fewer or shorter columns)", ErrTooLarge, what, max)
}
