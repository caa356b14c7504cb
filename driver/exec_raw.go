package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// rawExec runs an Exec's unit on a pin's driver connection, inside
// sql.Conn.Raw, instead of through sql.Conn.ExecContext: the connection,
// its session, its pool limit and its liveness check stay database/sql's
// (the pin is still a *sql.Conn taken from the pool), only the statement's
// own trip through database/sql is skipped — its result wrapper, its
// argument slice and conversion, its release closure: three allocations
// and their work per one-row INSERT.
//
// The hazards, and how each is kept as database/sql has it:
//   - Raw lends the driver connection only inside its callback. An Exec's
//     result is plain data read before the callback returns; nothing of
//     the connection is used after (rows could not be: they stream after
//     Query returns, which is why queries keep sql.Conn.QueryContext).
//   - Arguments: database/sql converts each with the driver connection's
//     CheckNamedValue; so does rawExec. Any answer other than a converted
//     value (ErrSkip: "use the default converter", ErrRemoveArgument, an
//     error) and a connection that is not an ExecerContext make it step
//     aside: nothing has been sent, and sql.Conn.ExecContext runs the
//     statement exactly as before, with its own conversion and errors.
//   - driver.ErrSkip from ExecContext (go-sql-driver without
//     interpolateParams: it wants a prepared statement) is the same:
//     nothing was sent, and database/sql's path prepares and executes.
//   - A failed connection: the callback's error is what Raw gives its
//     release, as ExecContext gives its own, so a driver.ErrBadConn
//     closes the connection the same way; pinFailed then drops the pin.
//     Raw also holds the driver connection's lock, as ExecContext does.
//
// The Conn's rawExec state is reused by every Exec (a Conn runs one
// statement at a time, and the callback is a method value bound once),
// and is cleared after each, so the caller's values are not kept.
type rawExec struct {
	ctx     context.Context
	sql     string
	nv      []driver.NamedValue
	res     driver.Result
	skipped bool // the statement must go through database/sql instead
	// check, freshBad and cw are rawQuery's (rows_raw.go, pin_park.go,
	// cut_keep.go).
	check, freshBad bool
	cw              *connWatch
}

// run is the Raw callback.
func (r *rawExec) run(dc any) error {
	if r.check {
		if err := checkFresh(r.ctx, dc); err != nil {
			r.freshBad = true
			return err // Raw closes the connection
		}
	}
	ex, ok := dc.(driver.ExecerContext)
	if !ok {
		r.skipped = true
		return nil
	}
	if !convertArgs(dc, r.nv) { // rows_raw.go
		r.skipped = true
		return nil
	}
	qctx, w := r.cw.watch(r.ctx, dc) // the context's end cuts the socket (cut_conn.go, cut_keep.go)
	res, err := ex.ExecContext(qctx, r.sql, r.nv)
	if errors.Is(err, driver.ErrSkip) {
		// A prepared statement wanted: prepare, execute, close (raw_prepared.go).
		res, sent, err := execPrepared(qctx, dc, r.sql, r.nv)
		if !sent {
			if err := w.end(driver.ErrSkip); err != driver.ErrSkip {
				return err // cut while stepping aside: the context's error
			}
			r.skipped = true
			return nil
		}
		if err = w.end(err); err != nil {
			return err
		}
		r.res = res
		return nil
	}
	if err = w.end(err); err != nil {
		return err
	}
	r.res = res
	return nil
}

// execOnPin runs one unit's statement on pin pn, through Raw when it can
// (see rawExec), else through sql.Conn.ExecContext.
func (c *Conn) execOnPin(ctx context.Context, pn *pin, query string, args []any) (sql.Result, error) {
	res, _, err := c.execOnPinRaw(ctx, pn, query, args)
	return res, err
}

// execOnPinRaw is execOnPin, reporting whether the result is the driver
// connection's own (raw: read inside Raw, plain data) rather than
// database/sql's wrapper, whose methods lock the server connection — which
// may by then serve another caller.
func (c *Conn) execOnPinRaw(ctx context.Context, pn *pin, query string, args []any) (_ sql.Result, raw bool, _ error) {
	if c.rawFn == nil {
		c.rawFn = c.raw.run
		c.raw.cw = &c.watch
	}
	r := &c.raw
	if cap(r.nv) < len(args) {
		r.nv = make([]driver.NamedValue, len(args))
	}
	r.ctx, r.sql, r.nv = ctx, query, r.nv[:len(args)]
	for i, a := range args {
		r.nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	r.check = pn.unchecked
	err := pn.conn.Raw(c.rawFn)
	res, skipped, freshBad := r.res, r.skipped, r.freshBad
	clear(r.nv)
	*r = rawExec{nv: r.nv[:0], cw: r.cw}
	if freshBad {
		c.discardFresh(pn) // a dead parked connection: nothing was sent
		return nil, false, errFreshRetry
	}
	pn.unchecked = false
	if skipped {
		sr, err := pn.conn.ExecContext(ctx, query, args...)
		return sr, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return res, true, nil
}
