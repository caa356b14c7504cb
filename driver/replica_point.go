package driver

import (
	"context"
	"database/sql"
	"errors"

	"github.com/shardsql/shardsql/route"
)

// A point read on a replica (issue 16): a one-unit SELECT whose rows
// routing proved bounded (route.Plan.RowBound) is read whole inside
// sql.Conn.Raw on a connection of the replica's pool, as the primary's
// bounded read is on the Conn's pin (rows_raw.go) and a scatter's on a
// pool connection (readPooled): no *sql.Rows, no database/sql context
// watcher, no goroutine hand-off to go-sql-driver's watcher per
// statement; the context's end cuts the socket instead (cut_conn.go), on
// pools opened from a DSN, which dial through dialCut (openReplica). A
// replica given as a *sql.DB the caller opened (AddReplicaDB) is not ours
// to cut, nor known to be go-sql-driver's: its reads go through
// db.QueryContext as before (readUnit).
//
// The hazards, and how each is kept:
//   - Retry. readUnit retries a replica that fails before its first row
//     was handed on (peekFirst): read whole, nothing has been handed on
//     until the read ends, so a failure anywhere in it is retried the
//     same way (retryAfter): a server's answer goes to the primary; a
//     failure to reach the replica ejects it and another replica that has
//     applied what the read needs answers, or the primary. A context that
//     ended is the caller's error, never retried, and ejects nothing: a
//     cut socket says the caller gave up, not that the replica failed.
//   - Nothing sent twice: a read that steps aside (rawOnPool's read false:
//     arguments database/sql must convert, a bad pooled connection)
//     streams from the same server through readUnit, as before.
//   - Connections: the gate count the read took is given back as soon as
//     the read ends (its connection is back in the pool); the rows hold
//     none, as the primary's bounded rows hold no pin.
//   - Allocations: the target, the gate counts, the replicas tried and the
//     balancer's order on the stack (no slice, no map of replicas to
//     counts, no map of replicas tried, no closure), the cursor, its
//     buffers and the raw read the statement's oneUnit and the Conn's
//     rawQuery (bindRaw), as on the primary.

// queryReplicaOne is queryReplicas for a plan of one unit.
func (c *Conn) queryReplicaOne(ctx context.Context, p *route.Plan, rs *replicaSet, cursors []*unitCursor, one *oneUnit) (context.CancelFunc, func(), bool, error) {
	u := p.Units[0]
	token, _ := ctx.Value(tokenKey{}).(map[string]gtidPos)
	targets := [1]readTarget{c.readTarget(ctx, u.DataSource, rs, token)}
	t := &targets[0]
	if t.rep == nil {
		c.trace(ctx, targets[:])
		return nil, nil, false, nil
	}
	// Its one connection, without waiting (gate.go).
	g := c.c.gateFor(t.rep.gateKey(), t.rep.db)
	if g != nil && !g.take(1) {
		t.rep, t.reason = nil, reasonReplicaBusy
		c.trace(ctx, targets[:])
		return nil, nil, false, nil
	}
	c.trace(ctx, targets[:])
	// The gate counts the read holds: on the stack, without a lock (held
	// has one, which sends it to the heap); the read runs here alone.
	var buf [3]*gate
	gates := append(buf[:0], g)
	if one != nil && c.bounded(p) {
		var read bool
		var err error
		gates, read, err = c.readReplicaWhole(ctx, p, u, t, gates, one)
		if read {
			for _, g := range gates {
				if g != nil {
					g.release(1) // the connection is back in its pool
				}
			}
			if errors.Is(err, errRetryHeld) {
				// The retry on the primary could only wait for the Conn's
				// own session connections (a pool of one the Conn holds):
				// nothing of the read was handed on, so it runs as
				// without replicas, on the Conn's session connection, as
				// one MariaDB connection answers it (replica_query.go).
				return nil, nil, false, nil
			}
			if err != nil {
				return nil, nil, false, unitError(u, err)
			}
			cursors[0] = &one.cur
			return noCancel, noRelease, true, nil
		}
		// Stepped aside with nothing sent: t names the server it was
		// about to read.
	}
	// Streamed: its one connection is reserved above, so it runs here
	// (runNow), with no sibling to cancel. A context of its own would
	// only make database/sql watch it with a goroutine per query.
	h, tt := &held{}, new(readTarget)
	*tt = *t // the closure's own: targets stays on the stack
	for _, g := range gates {
		if g != nil {
			h.add(g, 1)
		}
	}
	runNow(ctx, u, cursors, func(ctx context.Context, u route.Unit) (*sql.Rows, firstRow, error) {
		return c.readUnit(ctx, u, tt, h)
	})
	if src, ok := cursors[0].src.(*scatterSource); ok && errors.Is(src.err, errRetryHeld) {
		// As above: nothing was handed on; the Conn's session answers.
		h.release()
		cursors[0] = nil
		return nil, nil, false, nil
	}
	return noCancel, h.release, true, nil
}

// readReplicaWhole reads bounded unit u whole on t's replica into one's
// cursor, retrying as readUnit does; gates are the gate counts the read
// holds, with its retries' appended. read is false when the read stepped
// aside with nothing sent: t.rep is then the server (nil: the primary) it
// must stream from.
func (c *Conn) readReplicaWhole(ctx context.Context, p *route.Plan, u route.Unit, t *readTarget, gates []*gate, one *oneUnit) (_ []*gate, read bool, err error) {
	r := t.rep
	var triedBuf [2]*replica
	tried := triedBuf[:0]
	for {
		db := (*sql.DB)(nil)
		if r != nil && !r.own {
			t.rep = r // the caller's pool (AddReplicaDB): streamed, nothing sent
			return gates, false, nil
		} else if r != nil {
			db = r.db
		} else if db, err = c.c.db(u.DataSource); err != nil {
			return gates, true, err
		}
		if read, err = c.readWhole(ctx, p, u, db, one); !read {
			t.rep = r
			return gates, false, nil
		}
		if err == nil {
			if r != nil {
				r.reads.Add(1)
			}
			return gates, true, nil
		}
		if r == nil || ctx.Err() != nil {
			return gates, true, err // the primary's answer, or the caller's end
		}
		tried = append(tried, r)
		var g *gate
		if r, g, err = c.retryAfter(ctx, u, t, r, err, tried, nil, gates); err != nil {
			return gates, true, err
		}
		gates = append(gates, g)
	}
}

// readWhole reads bounded unit u of plan p whole inside Raw on a
// connection of db's pool into one's cursor (rows_raw.go's read, on the
// Conn's rawQuery and one's buffers). read is false when the statement
// must stream instead, with nothing sent.
func (c *Conn) readWhole(ctx context.Context, p *route.Plan, u route.Unit, db *sql.DB, one *oneUnit) (read bool, err error) {
	r := c.bindRaw(ctx, u, p.RowBound, one)
	read, err = rawOnPool(ctx, db, r, c.rawQFn) // rows_raw_scatter.go
	held, cols, meta, metaFrom, over := r.held, r.cols, r.meta, r.metaFrom, r.over
	r.keepWide(one)
	r.reset()
	if !read {
		return false, nil
	}
	if over {
		c.c.catalog.forget(p.Table) // its unique keys are stale
	}
	if err != nil {
		return true, err
	}
	one.cur = unitCursor{unit: u, src: wholeSource{}, maxRows: c.c.opts.maxMemoryRows, maxBytes: c.c.opts.maxMemoryBytes, scanBuf: one.scan[:]}
	one.cur.loaded(held, cols, meta, metaFrom)
	return true, nil
}

// wholeSource is the source of a unit read whole before its cursor was
// built (readWhole): nothing to open, nothing held open.
type wholeSource struct{}

func (wholeSource) open(route.Unit) (*sql.Rows, error) { return nil, nil }
func (wholeSource) ended(err error) error              { return err }
func (wholeSource) shared() bool                       { return false }
func (wholeSource) eager() bool                        { return false }
