package driver

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// unitCursor is one unit's rows as a merge.Cursor. Where its query runs
// and when it starts is its source's (cursor_sources.go, scatter.go): the
// cursor itself only reads, buffers and closes.
type unitCursor struct {
	unit route.Unit
	src  unitSource
	// buffer reads the unit whole at load and releases its connection, for
	// merges that read several units of one transaction connection at once.
	buffer  bool
	maxRows int
	// maxBytes caps the bytes of the rows held (0: merge.DefaultMaxBytes).
	maxBytes int64
	// lazyTypes leaves the column types to the first caller that asks for
	// them (columnTypes): the rows of a one-unit statement, whose caller
	// rarely does (database/sql builds them per column, per statement).
	lazyTypes bool

	once   sync.Once
	rows   *sql.Rows
	err    error
	cols   []string
	types  []*sql.ColumnType
	closed bool
	onRow  bool // the rows stand on a row a replica read peeked, not yet scanned
	scan   []any
	vals   []any
	// scanBuf, when long enough, holds vals and scan without an
	// allocation of their own (a one-unit statement's, rows_one_unit.go).
	scanBuf []any
	held    [][]driver.Value // the buffered rows
	// drainErr ends the rows of a unit drain could not hold.
	drainErr error
	// meta is the column types of rows read inside Raw (rows_raw.go),
	// captured there: nil for rows read through database/sql. metaFrom,
	// when not nil, is the closed rows meta is captured from when first
	// asked for (meta_late.go).
	meta     []colMeta
	metaFrom driver.Rows
	// pooled is the pooled storage of held rows a scatter read inside
	// Raw, given back once they are read or closed (rows_raw_scatter.go).
	pooled *rawRows
}

// unitSource starts a unit's query and is told when its rows end. One
// implementation per way a statement runs: on a transaction's participant
// (txSource), on the Conn's pin (pinSource), on a pool connection of its
// own (poolSource), or already started by a scatter (scatterSource).
type unitSource interface {
	// open returns the unit's rows (called once, by the cursor's load).
	open(u route.Unit) (*sql.Rows, error)
	// ended is called once the rows have ended or been closed, with the
	// error that ended them (nil when they ended cleanly or were closed),
	// and returns the error to report: err, or the statement context's
	// error when that context ended the rows by cutting their socket.
	ended(err error) error
	// shared reports whether the unit's connection serves other units of
	// the statement too (a transaction's participant, a Conn's pin), so
	// that a merge reading several units at once must buffer it.
	shared() bool
	// eager reports whether the query was started before the cursor was
	// first read (a scatter's): Close must then wait for it and close it.
	eager() bool
}

var _ merge.Cursor = (*unitCursor)(nil)

func (u *unitCursor) load() error {
	u.once.Do(func() {
		u.rows, u.err = u.src.open(u.unit)
		if s, ok := u.src.(*scatterSource); ok && u.err == nil && s.first.peeked {
			u.cols, u.types, u.onRow = s.first.cols, s.first.types, s.first.onRow
			if raw := s.first.raw; raw != nil {
				// read whole inside Raw, its connection back already
				u.buffer, u.held, u.meta, u.pooled = true, raw.held, raw.meta, raw
				u.ended(nil)
			}
		} else if u.err == nil {
			if u.cols, u.err = u.rows.Columns(); u.err == nil && !(u.lazyTypes && !u.buffer) {
				u.types, u.err = u.rows.ColumnTypes()
			}
		}
		if u.err == nil && u.buffer && u.rows != nil {
			u.err = u.readAll()
		} else if ps, ok := u.src.(*pinSource); ok && u.err == nil && u.rows != nil {
			ps.pn.reading = u // streams on the pin: drained by a later unit there
		}
		if u.err != nil {
			u.err = unitError(u.unit, u.err)
		}
	})
	return u.err
}

// columnTypes returns the unit's column types, asking its rows for them
// the first time when load left them to the caller (lazyTypes).
//
// The hazard: the rows must still be open. database/sql asks a driver's
// Rows for column types only while it holds them open, and the rows of a
// one-unit statement close with the unit's: both end at the unit's last
// row, its error, or Close. A context that ends can close the unit's
// rows first (database/sql watches it for them too): the types are then
// unknown, and empty ones are returned rather than a panic, for a
// statement that is ending with the context's error anyway.
func (u *unitCursor) columnTypes() []*sql.ColumnType {
	if u.types == nil && u.rows != nil {
		types, err := u.rows.ColumnTypes()
		if err != nil {
			types = make([]*sql.ColumnType, len(u.cols))
			for i := range types {
				types[i] = new(sql.ColumnType)
			}
		}
		u.types = types
	}
	return u.types
}

// readAll buffers the unit's rows and closes them.
func (u *unitCursor) readAll() error {
	defer func() {
		_ = u.rows.Close()
		u.ended(nil)
	}()
	if err := u.hold(); err != nil {
		if errors.Is(err, errHeldCap) {
			return fmt.Errorf("%w: a merge inside a transaction holds each node's rows, more than %d; raise driver.WithMaxMemoryRows or narrow the query", merge.ErrTooLarge, u.maxRows)
		}
		return err
	}
	return u.rows.Close()
}

// drain reads the rest of a streaming unit's rows into memory (at most
// maxRows held) and ends them, so that its connection can run another
// statement; Next then returns the held rows (or drain's error).
func (u *unitCursor) drain() error {
	if u.buffer || u.closed || u.rows == nil {
		return u.drainErr
	}
	u.buffer = true
	defer func() {
		_ = u.rows.Close()
		u.ended(nil)
	}()
	if err := u.hold(); err != nil {
		u.held = nil
		if errors.Is(err, errHeldCap) {
			u.drainErr = fmt.Errorf("%w: %s: more than %d rows held in memory while another statement runs on its connection (a connection reads one result at a time); raise driver.WithMaxMemoryRows or narrow the query", merge.ErrTooLarge, u.unit.DataSource, u.maxRows)
		} else {
			u.drainErr = unitError(u.unit, err)
		}
		return u.drainErr
	}
	return nil
}

// errHeldCap is hold's error when the rows exceed maxRows.
var errHeldCap = errors.New("shardsql: rows held past the memory cap")

// hold appends the unit's remaining rows to u.held until their end,
// failing with errHeldCap past maxRows.
//
// Hazard (review19d): the rows are counted in bytes too (a node's rows of
// MB-wide LONGBLOB values under a row cap of a million), failing with
// merge.TooManyBytes past maxBytes.
func (u *unitCursor) hold() error {
	max := u.maxBytes
	if max <= 0 {
		max = merge.DefaultMaxBytes
	}
	var bytes int64
	for _, r := range u.held {
		bytes += merge.RowBytes(r)
	}
	for {
		row := make([]driver.Value, len(u.cols))
		if err := u.next(row); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if len(u.held) >= u.maxRows {
			return errHeldCap
		}
		if bytes += merge.RowBytes(row); bytes > max {
			return merge.TooManyBytes(u.unit.DataSource+": a node's rows held in memory (a merge inside a transaction, or another statement on its connection)", max)
		}
		u.held = append(u.held, row)
	}
}

// shared reports whether the unit runs on a connection other units of
// the statement use too, so that a merge reading several units at once
// must buffer it.
func (u *unitCursor) shared() bool { return u.src.shared() }

// ended tells the source the error that ended the unit's rows, and
// returns the error to report (unitSource.ended).
func (u *unitCursor) ended(err error) error { return u.src.ended(err) }

// neverRan reports a lazily opened unit whose query has not started.
func (u *unitCursor) neverRan() bool { return !u.src.eager() && u.rows == nil && u.err == nil }

// advance moves the rows to their next row: the peeked one first.
func (u *unitCursor) advance() bool {
	if u.onRow {
		u.onRow = false
		return true
	}
	return u.rows.Next()
}

// next reads the next row from the database.
func (u *unitCursor) next(dest []driver.Value) error {
	if !u.advance() {
		err := u.ended(u.rows.Err())
		if err != nil {
			return err
		}
		return io.EOF
	}
	if u.scan == nil {
		both := u.scanBuf[:0]
		if cap(both) >= 2*len(dest) {
			both = both[:2*len(dest)]
		} else {
			both = make([]any, 2*len(dest)) // one allocation for the two
		}
		u.vals, u.scan = both[:len(dest):len(dest)], both[len(dest):]
		for i := range u.vals {
			u.scan[i] = &u.vals[i]
		}
	}
	if err := u.rows.Scan(u.scan...); err != nil {
		return err
	}
	for i, v := range u.vals {
		dest[i] = v
	}
	return nil
}

// Next copies the unit's next row into dest.
func (u *unitCursor) Next(dest []driver.Value) error {
	if err := u.load(); err != nil {
		return err
	}
	if u.closed {
		return errors.New("shardsql: rows are closed")
	}
	if u.buffer {
		if u.drainErr != nil {
			return u.drainErr
		}
		if len(u.held) == 0 {
			u.pooled.release() // every row copied out: no value of it is referenced
			u.pooled = nil
			return io.EOF
		}
		copy(dest, u.held[0])
		u.held[0] = nil
		u.held = u.held[1:]
		return nil
	}
	if err := u.next(dest); err != nil {
		if err == io.EOF {
			return err
		}
		return unitError(u.unit, err)
	}
	return nil
}

// Close closes the unit's rows. A unit whose query a scatter started is
// waited for and closed even if it was never read.
func (u *unitCursor) Close() error {
	if u.closed {
		return nil
	}
	u.closed = true
	u.held = nil
	if u.neverRan() {
		// a lazily opened unit that never ran: nothing to close
		u.once.Do(func() {})
		return nil
	}
	_ = u.load()
	u.held = nil // (load may have set them)
	u.pooled.release()
	u.pooled = nil
	if u.rows != nil {
		err := u.rows.Close()
		if eerr := u.ended(nil); err == nil {
			err = eerr
		}
		return err
	}
	return nil
}

// finish reads at most n more rows of an unread remainder and closes the
// unit when that reaches its end. It reports false when rows remain, and
// leaves units that never started, or are buffered, alone.
func (u *unitCursor) finish(n int) bool {
	if u.closed || u.buffer || u.neverRan() {
		return true
	}
	if u.load() != nil || u.rows == nil {
		return true
	}
	for i := 0; i <= n; i++ {
		if !u.advance() {
			u.closed = true
			_ = u.rows.Close()
			u.ended(u.rows.Err())
			return true
		}
	}
	return false
}
