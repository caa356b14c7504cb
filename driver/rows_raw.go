package driver

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/shardsql/shardsql/route"
)

// rawQuery reads the rows of a one-unit SELECT whose row count routing
// proved bounded (route.Plan.RowBound: equality on every column of a
// unique key, or a small constant LIMIT) whole, on the pin's driver
// connection inside sql.Conn.Raw, instead of streaming them through
// sql.Conn.QueryContext: the statement's trip through database/sql (its
// Rows, their context watcher and close closure, the Scan into *any of
// each value, the release) is skipped, and the pin is free as soon as
// Query returns (the rows hold no connection, so pin.open never counts
// them, and a borrowed connection goes back at once).
//
// The hazards, and how each is kept:
//   - Raw lends the driver connection, and the driver.Rows read on it,
//     only inside its callback: the rows are read to their end and closed
//     there. Each []byte value is copied (go-sql-driver lends its read
//     buffer until the next read), as database/sql's Scan into *any does
//     (bytes.Clone); the column names are the result's own slice.
//   - Column types: database/sql asks a Rows for them only while it holds
//     them open, but after Raw they cannot be asked of the driver any
//     more, so they are captured in the callback, each as database/sql
//     builds a ColumnType from a driver.Rows (colMeta), and the Rows
//     answer from them (TestBoundedRowsColumnTypes compares them with the
//     streamed path's for every column kind).
//   - A result larger than proven (a stale catalog: a unique key dropped
//     since it was read) is never truncated and never an error the
//     unsharded server would not give: the rows past the bound are read
//     on into rows of their own, up to the memory cap (WithMaxMemoryRows;
//     past it errRowBound, as every buffering operator fails), and the
//     catalog forgets the table's facts, so the next statement proves no
//     bound from them (and streams) until they are loaded again. The
//     statement is never run again: it was sent once, and a SELECT can
//     have effects (FOR UPDATE, GET_LOCK).
//   - Nothing sent: the arguments are converted with the driver
//     connection's CheckNamedValue as database/sql converts them; any
//     other answer (ErrSkip, ErrRemoveArgument, an error), a connection
//     that is not a QueryerContext, and driver.ErrSkip from QueryContext
//     (go-sql-driver without interpolateParams wants a prepared statement;
//     or an argument it cannot interpolate) make it step aside with
//     nothing sent: the statement then streams as before, so it is never
//     sent twice.
//   - A failed connection: go-sql-driver answers driver.ErrBadConn only
//     when nothing was written, and the callback's error is what Raw
//     gives its release, as QueryContext gives its own: a bad connection
//     is closed the same way, pinFailed then drops the pin (the session is
//     lost), and the error is unitError's, as a streamed unit's load
//     returns it.
//   - Cancellation and deadlines: go-sql-driver watches the context for
//     the query (watchCancel): a context that is done before the query
//     returns its error with nothing sent; one that ends mid-read closes
//     the connection and the read returns the context's error, which drops
//     the pin as on the streamed path. Once Query has returned, the rows
//     are in memory: database/sql's own watcher of the caller's context
//     closes them as it closes any.
//
// Only statements whose rows go to database/sql (Conn.lazyTypes), outside a
// transaction, on a clean session (not dirty nor sticky) take it: the
// transaction paths keep their participants' row accounting, and a session
// that changed state keeps the path it was tested with.
type rawQuery struct {
	ctx   context.Context
	sql   string
	nv    []driver.NamedValue
	bound int
	// limit caps the rows read past the bound (the memory cap; 0: none);
	// over is set when the result had more rows than the bound.
	limit int
	over  bool
	// vals is storage for the rows' values (the oneUnit's scan buffers
	// when they hold them); held the rows, over vals.
	vals    []driver.Value
	held    [][]driver.Value
	cols    []string
	meta    []colMeta
	skipped bool
	// slab, when set, copies the []byte values into shared chunks
	// instead of one allocation each (rows_raw_scatter.go's windows).
	slab  bool
	chunk []byte
	// readFn is read, bound once (Conn.readBounded) for queryPrepared.
	readFn func(driver.Rows) error
	// check: the connection came from the parking list unchecked, and the
	// callback makes go-sql-driver's liveness check first (pin_park.go);
	// freshBad: that check failed, with nothing sent. retry: the read may
	// be sent twice (stale_read.go), so the check is skipped and a dead
	// connection is told by the statement's failure instead (freshBad
	// too: the statement runs again on a checked pin).
	check, freshBad, retry bool
	// cw is the Conn's watch of its statements' context (cut_keep.go);
	// nil for a deep page's windows, which watch their own.
	cw *connWatch
	// ownBoxes: the rows are go-sql-driver's on a connection shardsql
	// opened (a nodeConn), whose []byte values' boxes the copy may reuse
	// (rebox).
	ownBoxes bool
	// lateMeta: the read is a one-unit statement's (bindRaw), whose
	// column types may be captured when first asked for (meta_late.go);
	// metaFrom is then the rows they are captured from, nil when read
	// captured them.
	lateMeta bool
	metaFrom driver.Rows
	// sock is the connection's socket when shardsql dialed it: its first
	// read of the reply tells whether a dead connection died before the
	// statement reached the server (cut_first_read.go).
	sock *cutConn
}

// errRowBound is the error of a result with more rows than routing proved
// it can have and than the memory cap holds.
var errRowBound = errors.New("shardsql: a SELECT proven to return at most")

// colMeta is one column's type as database/sql's ColumnType holds it,
// captured from the driver's rows while they are open.
type colMeta struct {
	dbType                   string
	scan                     reflect.Type
	length, precision, scale int64
	hasLength, hasNullable   bool
	nullable, hasPrecision   bool
}

// anyType is the scan type database/sql gives a driver's column that
// does not say its own.
var anyType = reflect.TypeFor[any]()

// captureMeta fills meta from rows as database/sql's
// rowsColumnInfoSetupConnLocked builds each ColumnType.
func captureMeta(rows driver.Rows, meta []colMeta) {
	st, hasScan := rows.(driver.RowsColumnTypeScanType)
	dt, hasDB := rows.(driver.RowsColumnTypeDatabaseTypeName)
	lt, hasLen := rows.(driver.RowsColumnTypeLength)
	nt, hasNull := rows.(driver.RowsColumnTypeNullable)
	pt, hasPrec := rows.(driver.RowsColumnTypePrecisionScale)
	for i := range meta {
		m := &meta[i]
		*m = colMeta{scan: anyType}
		if hasScan {
			m.scan = st.ColumnTypeScanType(i)
		}
		if hasDB {
			m.dbType = dt.ColumnTypeDatabaseTypeName(i)
		}
		if hasLen {
			m.length, m.hasLength = lt.ColumnTypeLength(i)
		}
		if hasNull {
			m.nullable, m.hasNullable = nt.ColumnTypeNullable(i)
		}
		if hasPrec {
			m.precision, m.scale, m.hasPrecision = pt.ColumnTypePrecisionScale(i)
		}
	}
}

// convertArgs converts nv in place with the driver connection's
// CheckNamedValue, as database/sql converts arguments, reporting false when
// any answer is other than a converted value (the caller then steps aside
// to database/sql, which converts them itself, with its own errors).
func convertArgs(dc any, nv []driver.NamedValue) bool {
	if chk, ok := dc.(driver.NamedValueChecker); ok {
		for i := range nv {
			if err := chk.CheckNamedValue(&nv[i]); err != nil {
				return false
			}
		}
		return true
	}
	for i := range nv {
		if !driver.IsValue(nv[i].Value) {
			return false
		}
	}
	return true
}

// run is the Raw callback.
func (r *rawQuery) run(dc any) error {
	nc, own := dc.(*nodeConn)
	r.ownBoxes, r.sock = own, nil
	if own {
		r.sock = nc.sock
	}
	if r.retry && !r.sock.tells() {
		// a failure there could not prove when the connection died
		// (cut_first_read.go): checked first instead
		r.retry = false
	}
	if r.check && !r.retry {
		if err := checkFresh(r.ctx, dc); err != nil {
			r.freshBad = true
			return err // Raw closes the connection
		}
	}
	qc, ok := dc.(driver.QueryerContext)
	if !ok || !convertArgs(dc, r.nv) {
		r.skipped = true
		return nil
	}
	qctx, w := r.cw.watch(r.ctx, dc) // the context's end cuts the socket (cut_conn.go, cut_keep.go)
	rows, err := qc.QueryContext(qctx, r.sql, r.nv)
	if errors.Is(err, driver.ErrSkip) {
		// A prepared statement wanted: prepare, query, close
		// (raw_prepared.go), for a one-unit bounded read (readFn set by
		// readBounded); a deep page's windows (rows_raw_scatter.go) step
		// aside and stream, as their tests pin.
		sent := false
		if r.readFn != nil {
			sent, err = queryPrepared(qctx, dc, r.sql, r.nv, r.readFn)
		}
		if !sent {
			if err := w.end(driver.ErrSkip); err != driver.ErrSkip {
				return err // cut while stepping aside: the context's error
			}
			r.skipped = true
			return nil
		}
		return r.stale(w.end(err))
	}
	if err != nil {
		return r.stale(w.end(err))
	}
	err = r.read(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return w.end(err)
}

// stale returns err, the statement's failure, or, when the connection
// was not checked (retry), err says it is dead (staleAnswer), nothing was
// read, and it is proven dead before the statement reached the server
// (diedBeforeSent), driver.ErrBadConn with freshBad set: Raw closes the
// connection and the caller runs the statement again on a checked pin
// (stale_read.go).
func (r *rawQuery) stale(err error) error {
	if err == nil || !r.check || !r.retry || len(r.held) > 0 || r.ctx.Err() != nil || !staleAnswer(err) || !diedBeforeSent(err, r.sock) {
		return err
	}
	r.freshBad = true
	return driver.ErrBadConn
}

// read reads rows whole into r.held: the bound's rows into r.vals, any
// past it (a stale bound: r.over) into rows of their own, up to r.limit.
func (r *rawQuery) read(rows driver.Rows) error {
	r.cols = rows.Columns()
	n := len(r.cols)
	if cap(r.meta) >= n {
		r.meta = r.meta[:n]
	} else {
		r.meta = make([]colMeta, n)
	}
	if r.lateMeta && r.ownBoxes {
		r.metaFrom = rows // captured when asked for (meta_late.go)
	} else {
		captureMeta(rows, r.meta)
	}
	if need := (r.bound + 1) * n; cap(r.vals) < need {
		r.vals = make([]driver.Value, need) // the bound's rows and one to see the end
	} else {
		r.vals = r.vals[:need]
	}
	if r.bound > cap(r.held) {
		r.held = make([][]driver.Value, 0, r.bound)
	}
	for i := 0; ; i++ {
		var row []driver.Value
		if i <= r.bound {
			row = r.vals[i*n : (i+1)*n : (i+1)*n]
		} else {
			row = make([]driver.Value, n)
		}
		if err := rows.Next(row); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if i == r.bound {
			r.over = true
		}
		if r.over && r.limit > 0 && i >= r.limit {
			return fmt.Errorf("%w %d row(s) per node returned more than the memory cap of %d rows (the catalog's unique keys are stale: a key was dropped since it was read?); nothing was returned", errRowBound, r.bound, r.limit)
		}
		if r.slab {
			for j, v := range row {
				if b, ok := v.([]byte); ok {
					setBytes(&row[j], r.clone(b), r.ownBoxes)
				}
			}
		} else {
			cloneRow(row, r.ownBoxes)
		}
		r.held = append(r.held, row)
	}
}

// bounded reports whether a one-unit plan's rows are read whole inside Raw
// (see rawQuery).
func (c *Conn) bounded(p *route.Plan) bool {
	return p.RowBound > 0 && p.Root == nil && c.lazyTypes && c.tx == nil && !c.dirty && !c.sticky
}

// readBounded reads the bounded unit of cur on pin pn into cur (buffered:
// it holds no connection). It reports false, with nothing sent, when the
// statement must stream instead; an error is the unit's, as load returns
// it.
func (c *Conn) readBounded(ctx context.Context, p *route.Plan, pn *pin, cur *unitCursor, one *oneUnit) (bool, error) {
	r := c.bindRaw(ctx, cur.unit, p.RowBound, one)
	r.check, r.retry = pn.unchecked, retryRead(p)
	err := pn.conn.Raw(c.rawQFn)
	skipped, held, cols, meta, metaFrom, over, freshBad, retry := r.skipped, r.held, r.cols, r.meta, r.metaFrom, r.over, r.freshBad, r.retry
	r.keepWide(one)
	r.reset() // the rows are the cursor's now, the values the caller's
	if freshBad {
		c.discardFresh(pn) // a dead parked connection: nothing was sent, or a read that may run again
		if retry {
			c.c.staleReads.Add(1)
		}
		return false, errFreshRetry
	}
	pn.unchecked = false
	if skipped {
		return false, nil
	}
	if over {
		c.c.catalog.forget(p.Table) // its unique keys are stale
	}
	if err != nil {
		c.pinFailed(pn, err)
		return true, unitError(cur.unit, err)
	}
	cur.loaded(held, cols, meta, metaFrom)
	return true, nil
}

// cloneRow copies row's []byte values, which point into go-sql-driver's
// read buffer (reused once Raw returns), into one allocation for the
// row: a point select's few text-protocol values (ids, DECIMALs,
// strings) were an allocation each. Each copy's capacity is its length,
// so an append to one (a caller's sql.RawBytes, a []byte it scanned)
// reallocates rather than writing over its neighbour; a nil value stays
// nil and an empty one empty and not nil, as bytes.Clone (and database/
// sql's Scan into *any) leave them. The hazard of one allocation is that
// a value the caller keeps keeps its row's other values alive: a row of
// a bounded read (at most RowBoundCap rows), never a page of them.
//
// own: the values' boxes are go-sql-driver's own, and each copy is written
// into its value's box instead of a new one (rebox).
func cloneRow(row []driver.Value, own bool) {
	size, n := 0, 0
	for _, v := range row {
		if b, ok := v.([]byte); ok && b != nil {
			size += len(b)
			n++
		}
	}
	if n == 0 {
		return
	}
	if n == 1 {
		for j, v := range row {
			if b, ok := v.([]byte); ok && b != nil {
				setBytes(&row[j], bytes.Clone(b), own)
			}
		}
		return
	}
	buf := make([]byte, 0, size)
	for j, v := range row {
		if b, ok := v.([]byte); ok && b != nil {
			at := len(buf)
			buf = append(buf, b...)
			setBytes(&row[j], buf[at:len(buf):len(buf)], own)
		}
	}
}

// bindRaw sets the Conn's rawQuery up to read bounded unit u (at most
// bound rows) under ctx into one's buffers, and binds its callbacks once
// per Conn (rawQFn, readFn): a point select's read allocates none of its
// own. reset must end each use.
func (c *Conn) bindRaw(ctx context.Context, u route.Unit, bound int, one *oneUnit) *rawQuery {
	if c.rawQFn == nil {
		c.rawQFn = c.rawQ.run
	}
	if c.rawQ.readFn == nil {
		c.rawQ.readFn = c.rawQ.read
		c.rawQ.cw = &c.watch
	}
	r := &c.rawQ
	if cap(r.nv) < len(u.Args) {
		r.nv = make([]driver.NamedValue, len(u.Args))
	}
	r.ctx, r.sql, r.nv, r.bound, r.limit, r.lateMeta = ctx, u.SQL, r.nv[:len(u.Args)], bound, c.c.opts.maxMemoryRows, true
	for i, a := range u.Args {
		r.nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	r.vals, r.held, r.meta = one.vals[:0], one.held[:0], one.meta[:0]
	if cap(one.wideVals) > len(one.vals) {
		r.vals = one.wideVals[:0]
	}
	if cap(one.wideMeta) > len(one.meta) {
		r.meta = one.wideMeta[:0]
	}
	return r
}

// keepWide keeps in one the buffers r's read made for a row wider than
// one holds inline, for the next wide read (oneUnit.wideVals). Call it
// before reset.
func (r *rawQuery) keepWide(one *oneUnit) {
	if cap(r.vals) > len(one.vals) && cap(r.vals) > cap(one.wideVals) {
		one.wideVals = r.vals[:0]
	}
	if cap(r.meta) > len(one.meta) && cap(r.meta) > cap(one.wideMeta) {
		one.wideMeta = r.meta[:0]
	}
}

// reset clears r for the Conn's next statement, keeping its argument
// storage and bound callback; it holds nothing of the statement after.
func (r *rawQuery) reset() {
	clear(r.nv)
	*r = rawQuery{nv: r.nv[:0], readFn: r.readFn, cw: r.cw}
}

// loaded makes cur the rows read whole inside Raw: held, with columns cols
// and their types meta (captured from metaFrom when first asked for, when
// not nil: meta_late.go). Its load then returns the nil error.
func (cur *unitCursor) loaded(held [][]driver.Value, cols []string, meta []colMeta, metaFrom driver.Rows) {
	cur.once.Do(func() {})
	cur.buffer, cur.held, cur.cols, cur.meta, cur.metaFrom = true, held, cols, meta, metaFrom
}
