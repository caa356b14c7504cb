package driver

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"

	"github.com/shardsql/shardsql/route"
)

// rawRows are the rows of a scatter's unit read whole inside Raw
// (readPooled): the cursor takes them at load as buffered rows.
type rawRows struct {
	held [][]driver.Value
	meta []colMeta
	// buf is the pooled storage held's rows are in, given back to pool
	// by release.
	buf  *rawBuf
	pool *sync.Pool
}

// rawBuf is the row storage of a scatter's bounded read (rawQuery.vals
// and .held), pooled in the Connector (rawBufs): a deep page's windows
// were about 90 KB a page of it, garbage once the merge had copied the
// rows out (docs/deep-pages.md, "Round 8").
//
// Hazards, and how the reuse avoids them:
//   - A value handed out must never change: the cursor copies each held
//     row's values into the caller's row (unitCursor.Next) and nothing
//     else reads the held rows, so once every row is copied out (Next at
//     the end) or the cursor is closed, no one references the storage.
//     Only then is it given back (release), once.
//   - Retention: the values point at the rows' bytes (the chunks clone
//     copies into) and integers; release clears the storage before
//     putting it back, so a pooled buffer keeps no result alive.
//   - Concurrent statements: a sync.Pool of the Connector's (no global
//     state); each read takes its own.
//   - Rows past the bound (rawQuery.read) are allocated on their own and
//     are cleared from held as well.
//   - Only the value slots a read may have written are cleared (its rows'
//     and the one it tried last): every other slot is still clear from
//     before, so the storage is all clear whenever it is in the pool.
type rawBuf struct {
	vals []driver.Value
	held [][]driver.Value
}

// keep records in b the storage read r used, grown or not: the value
// slots of its rows and of the row it tried last (every slot it may have
// written: the others are still clear, so putRawBuf clears only these —
// a phase 2's room for thousands of rows usually holds a few), and its
// rows.
func (b *rawBuf) keep(r *rawQuery) {
	b.vals, b.held = r.vals[:min(len(r.vals), (len(r.held)+1)*len(r.cols))], r.held
}

// release clears the rows' pooled storage and gives it back (r may be
// nil: rows read without a pool).
func (r *rawRows) release() {
	if r == nil || r.buf == nil {
		return
	}
	putRawBuf(r.pool, r.buf)
	r.buf, r.held = nil, nil
}

// getRawBuf returns pooled row storage, or empty storage.
func getRawBuf(pool *sync.Pool) *rawBuf {
	if b, ok := pool.Get().(*rawBuf); ok {
		return b
	}
	return &rawBuf{}
}

// putRawBuf clears b (every value slot the read used, every row) and
// returns it to pool.
func putRawBuf(pool *sync.Pool, b *rawBuf) {
	clear(b.vals)
	clear(b.held)
	b.vals, b.held = b.vals[:0], b.held[:0]
	pool.Put(b)
}

// readPooled reads the rows of a unit whose row count routing proved
// bounded (route.Unit.RowBound: a deep page's phase-1 window, its later
// phases' statements — phase 2, the counts, the fetch, run by
// planExec.later —, a top-N scatter's node statement) whole, on a
// pool connection of its own inside sql.Conn.Raw, instead of streaming
// them through sql.DB.QueryContext: the scatter's goroutine reads them
// (rawQuery.read, the pieces of rows_raw.go's one-unit read), the
// connection goes back to its pool before the cursor is first read, and
// the merge reads them from memory without database/sql's Scan of every
// value.
//
// The hazards, and how each is kept (rows_raw.go's, for a scatter):
//   - The driver.Rows are read to their end and closed inside the
//     callback; every []byte is copied (go-sql-driver lends its buffer),
//     as database/sql's Scan into *any copies it, so the merge sees the
//     same values (int64, uint64, float64, []byte, time.Time with
//     parseTime, nil) as from a streamed unit. The column types are
//     captured there (colMeta) and answered in place of *sql.ColumnType
//     (columnType): the merge's columns and the Rows' ColumnType* come
//     from them as from the streamed unit's (TestDeepPageRawTypes).
//   - Nothing sent: arguments database/sql would convert otherwise, and
//     driver.ErrSkip (interpolateParams off with arguments: go-sql-driver
//     wants a prepared statement) step aside to QueryContext, which then
//     sends the statement for the first time. So does driver.ErrBadConn
//     from the callback: go-sql-driver answers it only when nothing was
//     written (a pooled connection the server closed), Raw closes that
//     connection, and QueryContext retries on another as it always has.
//     Any other error is the unit's, never retried: the statement may
//     have run.
//   - Cancellation: the scatter's context is the query's (go-sql-driver
//     watches it for the query and the read); a unit that fails cancels
//     its siblings as before (scatterThen), and a read cut by that
//     cancellation closes its connection (go-sql-driver marks it closed,
//     database/sql does not pool it).
//   - Slots (scatter_slots.go): the cursor gives its slot back at load
//     (the connection is already back); the scatter's semaphore is held
//     for the read too, not only until the query answers — the deep page
//     reads every window before it goes on anyway.
//   - A result larger than its bound is read on, up to the memory cap
//     (WithMaxMemoryRows; past it errRowBound), never truncated.
//
// read is false when the unit must stream instead, with nothing sent.
func (c *Conn) readPooled(ctx context.Context, db *sql.DB, u route.Unit) (first firstRow, read bool, err error) {
	r := &rawQuery{ctx: ctx, sql: u.SQL, bound: min(u.RowBound, rawPrealloc), limit: c.c.opts.maxMemoryRows, slab: true}
	if len(u.Args) > 0 {
		r.nv = make([]driver.NamedValue, len(u.Args))
		for i, a := range u.Args {
			r.nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
	}
	pool := &c.c.rawBufs
	buf := getRawBuf(pool)
	r.vals, r.held = buf.vals, buf.held
	read, err = rawOnPool(ctx, db, r, r.run)
	buf.keep(r)
	if !read || err != nil {
		putRawBuf(pool, buf)
		return firstRow{}, read, err
	}
	return firstRow{peeked: true, cols: r.cols, raw: &rawRows{held: r.held, meta: r.meta, buf: buf, pool: pool}}, true, nil
}

// rawOnPool runs run, r's Raw callback, on a connection of db's pool of
// its own; the connection is back in the pool (or closed, when Raw's
// callback failed it) when rawOnPool returns. read is false when the
// statement must stream instead, with nothing sent: r stepped aside, or
// the pooled connection was bad — go-sql-driver answers driver.ErrBadConn
// only when nothing was written, Raw closes that connection, and
// database/sql's QueryContext retries on another as it always has. Any
// other error is the read's: the statement may have run. readPooled (a
// scatter's unit) and readReplicaWhole (a point read on a replica) share
// it.
func rawOnPool(ctx context.Context, db *sql.DB, r *rawQuery, run func(any) error) (read bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return true, endedBy(ctx, err) // ctx_ended.go
	}
	err = conn.Raw(run)
	_ = conn.Close() // back to the pool (closed by Raw when it failed)
	if r.skipped || errors.Is(err, driver.ErrBadConn) {
		return false, nil
	}
	return true, err
}

// rawPrealloc caps the rows a scatter's bounded read makes room for
// before it reads (rawQuery.read allocates its bound's rows at once): a
// bound is a proof, not an estimate — a deep page's phase 2 has LIMIT
// offset + count − LB(p) per node and usually returns a few rows. Rows
// past it are read on into rows of their own, up to the memory cap: the
// route sets no bound above that cap (route.DeepPage.rowBound,
// limitBound), so the read never fails where the statement's LIMIT holds.
const rawPrealloc = 4096

// columnType is what a result asks of a column's type: a *sql.ColumnType
// of rows read through database/sql, or a *colMeta of rows read inside
// Raw, which answers the same.
type columnType interface {
	DatabaseTypeName() string
	DecimalSize() (precision, scale int64, ok bool)
	Length() (length int64, ok bool)
	Nullable() (nullable, ok bool)
	ScanType() reflect.Type
}

var (
	_ columnType = (*sql.ColumnType)(nil)
	_ columnType = (*colMeta)(nil)
)

// DatabaseTypeName is sql.ColumnType's.
func (m *colMeta) DatabaseTypeName() string { return m.dbType }

// DecimalSize is sql.ColumnType's.
func (m *colMeta) DecimalSize() (precision, scale int64, ok bool) {
	return m.precision, m.scale, m.hasPrecision
}

// Length is sql.ColumnType's.
func (m *colMeta) Length() (length int64, ok bool) { return m.length, m.hasLength }

// Nullable is sql.ColumnType's.
func (m *colMeta) Nullable() (nullable, ok bool) { return m.nullable, m.hasNullable }

// ScanType is sql.ColumnType's.
func (m *colMeta) ScanType() reflect.Type { return m.scan }

// metaOf is t as a colMeta (a join's columns from units read both ways).
func metaOf(t columnType) colMeta {
	var m colMeta
	m.dbType, m.scan = t.DatabaseTypeName(), t.ScanType()
	m.precision, m.scale, m.hasPrecision = t.DecimalSize()
	m.length, m.hasLength = t.Length()
	m.nullable, m.hasNullable = t.Nullable()
	return m
}

// slabChunk is the size of the chunks a scatter's bounded read copies its
// []byte values into.
const slabChunk = 8 << 10

// slabFirst is the size of a read's first chunk.
const slabFirst = 1 << 10

// clone copies b as database/sql's Scan into *any does (bytes.Clone: a
// nil b stays nil, an empty one is empty and not nil), into r's current
// chunk when r.slab: a chunk is never appended to once a value is taken
// from it past its end (each value's capacity is its length, so an
// append to a value reallocates), and a full one is left to its values.
func (r *rawQuery) clone(b []byte) []byte {
	if !r.slab || b == nil || len(b) > slabChunk/4 {
		return bytes.Clone(b)
	}
	if len(b) > cap(r.chunk)-len(r.chunk) || r.chunk == nil {
		size := slabChunk
		if r.chunk == nil {
			size = slabFirst // a read with few bytes (a page's fetch) takes no 8 KiB
		}
		r.chunk = make([]byte, 0, max(size, len(b)))
	}
	n := len(r.chunk)
	r.chunk = append(r.chunk, b...)
	return r.chunk[n:len(r.chunk):len(r.chunk)]
}
