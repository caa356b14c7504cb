package driver

import (
	"context"
	"database/sql"
	"errors"

	"github.com/shardsql/shardsql/route"
)

// The ways Conn.query runs a plan's units, each building one cursor per
// unit into cursors (replica reads are replica_query.go's).

// queryInTx reads the units one after another on the transaction's
// participants. Every data source joins the transaction now, so one that
// is down fails the query before any row is returned.
func (c *Conn) queryInTx(ctx context.Context, p *route.Plan, cursors []*unitCursor) error {
	for _, u := range p.Units {
		if _, err := c.target(ctx, u); err != nil {
			return err
		}
	}
	srcs := make([]txSource, len(p.Units)) // one allocation: each counts its open rows
	for i, u := range p.Units {
		srcs[i] = txSource{ctx: ctx, c: c}
		cursors[i] = &unitCursor{unit: u, src: &srcs[i], maxRows: c.c.opts.maxMemoryRows, maxBytes: c.c.opts.maxMemoryBytes}
	}
	return nil
}

// queryOnPins reads the units one after another on the Conn's pins;
// release gives back the connections borrowed when a pin was busy. one,
// when not nil, is the allocation a one-unit statement's cursor and source
// go in (rows_one_unit.go).
func (c *Conn) queryOnPins(ctx context.Context, p *route.Plan, cursors []*unitCursor, one *oneUnit) (release func(), err error) {
	bounded := len(p.Units) == 1 && c.bounded(p)
	c.deferCheck = bounded // a parked connection is checked inside the read's Raw (pin_park.go)
	conns, done, err := c.pinsFor(ctx, p)
	c.deferCheck = false
	if err != nil {
		return nil, err
	}
	if len(p.Units) == 1 {
		// The common statement: its cursor and source in one allocation.
		if one == nil {
			one = new(oneUnit)
		}
		one.src = pinSource{ctx: ctx, c: c, pn: conns[0]}
		one.cur = unitCursor{unit: p.Units[0], src: &one.src, maxRows: c.c.opts.maxMemoryRows, maxBytes: c.c.opts.maxMemoryBytes, scanBuf: one.scan[:]}
		cursors[0] = &one.cur
		if bounded {
			// Proven to return a few rows: read whole inside Raw, holding
			// no connection once Query returns (rows_raw.go).
			read, err := c.readBounded(ctx, p, conns[0], &one.cur, one)
			if errors.Is(err, errFreshRetry) {
				// The parked connection was dead and is gone, nothing was
				// sent: the pin is taken anew (checked in take).
				done()
				if conns, done, err = c.pinsFor(ctx, p); err != nil {
					return nil, err
				}
				one.src.pn = conns[0]
				read, err = c.readBounded(ctx, p, conns[0], &one.cur, one)
			}
			if read {
				done()
				return noRelease, err
			}
		}
		return done, nil
	}
	srcs := make([]pinSource, len(p.Units))
	for i, u := range p.Units {
		srcs[i] = pinSource{ctx: ctx, c: c, pn: pinOf(conns, u.DataSource)}
		cursors[i] = &unitCursor{unit: u, src: &srcs[i], maxRows: c.c.opts.maxMemoryRows, maxBytes: c.c.opts.maxMemoryBytes}
	}
	return done, nil
}

// queryParallel starts the units at once on pool connections, all
// reserved from limited pools first (gate.go), under a context the
// returned cancel ends. When the pools cannot give the query all its
// connections now it reads the units one after another on the Conn's pins
// instead.
func (c *Conn) queryParallel(ctx context.Context, p *route.Plan, cursors []*unitCursor) (context.Context, context.CancelFunc, func(), error) {
	extra := 0
	if p.Root != nil && buildsStatements(p.Root) {
		extra = 1 // a slot per data source for the statements the tree builds (scatter_slots.go)
	}
	sl, ok, err := c.reserveSlots(sourcesOf(p), extra)
	if err != nil {
		return ctx, noCancel, noRelease, err
	}
	if !ok {
		release, err := c.queryOnPins(ctx, p, cursors, nil)
		return ctx, noCancel, release, err
	}
	ctx, cancel := context.WithCancel(ctx)
	parallel, done := c.c.scatterParallel(len(p.Units)) // scatter_adaptive.go
	scatterThen(ctx, cancel, p.Units, cursors, parallel, c.runOnPool, done)
	if len(sl.by) == 0 {
		return ctx, cancel, noRelease, nil // unlimited pools: nothing to count
	}
	uses := make([]slotUse, len(cursors)) // one allocation for every unit's slot
	for i, cur := range cursors {
		uses[i] = slotUse{sl: sl, ds: p.Units[i].DataSource}
		cur.src.(*scatterSource).use = &uses[i]
	}
	return ctx, cancel, sl.releaseAll, nil
}

// runOnPool runs a unit's query on a connection of its data source's pool.
func (c *Conn) runOnPool(ctx context.Context, u route.Unit) (*sql.Rows, firstRow, error) {
	db, err := c.c.db(u.DataSource)
	if err != nil {
		return nil, firstRow{}, err
	}
	if u.RowBound > 0 {
		// Proven to return a few rows: read whole inside Raw
		// (rows_raw_scatter.go).
		if first, read, err := c.readPooled(ctx, db, u); read {
			return nil, first, err
		}
	}
	rows, err := db.QueryContext(ctx, u.SQL, u.Args...)
	return rows, firstRow{}, endedBy(ctx, err) // a dial the context cut: ctx_ended.go
}
