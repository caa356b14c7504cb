package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// A released session's clean server connections are parked: kept, still
// checked out of their data source's pool as *sql.Conn, on a short list the
// Connector holds per data source, and the next session that needs a
// connection of that data source takes one from the list instead of from
// the pool (issue 16, round 9). On a *sql.DB every statement is a session
// (database/sql lends the shardsql Conn for one statement), so without the
// list each one-unit statement took its pin with DB.Conn — the pool's
// mutex, a *sql.Conn allocation, go-sql-driver's liveness check — and gave
// it back with Conn.Close — the pool's mutex again — on top of the
// same trip through the outer pool that the plain driver makes.
//
// What it is not: a pool of go-sql-driver connections of shardsql's own
// (the brief's first design, given up: see docs/performance.md, round 9).
// A parked connection is an ordinary pin, so every path that uses pins
// (streamed reads, transactions, XA, savepoints, SET) works on it unchanged,
// and database/sql still counts it, opens and closes it.
//
// The duties database/sql performed for a connection it lends, and which
// parking now owns, each kept as follows:
//   - The connection limit: a parked connection is checked out of the
//     pool, so database/sql counts it in MaxOpenConns (never more open than
//     the user set), and it keeps its gate slot (gate.go: the gate counts
//     it as held). Hazard: held connections nobody uses can starve a
//     caller that waits for one. Kept: a caller taking a pin takes a parked
//     one first (the slot passes with it); one the gate refuses evicts the
//     parked connections of its data source (given back to the pool, their
//     slots to the gate) before it waits, and so does a cross-node query
//     whose connections the gate refuses (Connector.reserve,
//     reserveSlots); nothing is parked while a caller waits at the gate
//     (gate.waiters). A caller that takes connections from the pool
//     without the gate (Ping, catalog loads, the WEIGHT_STRING probe, the
//     XA decision log and recovery, the primary's position for replicas,
//     AddNodes) announces itself first (Connector.unparked): the parked
//     connections of its data source go back to the pool at once, and
//     nothing more is parked there until it is done, so a connection a
//     running statement gives back goes to the pool, where database/sql
//     hands it to that caller. (Round 9 left such callers to the timer
//     below: up to two ticks, 40 ms, of waiting on a pool whose
//     connections were all parked; TestPinParkUngated, with the tick
//     made an hour, fails without the announcement: its Pings reach
//     their deadline.) Whatever is still parked goes back to the pool
//     once it has been parked, or checked out, for one to two ticks (the
//     list's timer, parkList.tick) (TestPinParkLimitedPools mixes all of
//     these on pools of 1 and 2).
//   - ResetSession / liveness before reuse: database/sql calls the
//     driver's ResetSession (go-sql-driver's connection check: a server
//     that closed the connection is found before anything is written) when
//     it lends an idle connection; a parked connection skips database/sql,
//     so it is marked unchecked and the check is made before its first
//     statement: inside the statement's own Raw callback on the bounded
//     read and one-unit exec paths (no extra trip), else through Raw when
//     the pin is taken (checkPin). A failed check sent nothing: the
//     connection is closed (Raw's ErrBadConn) and the statement takes
//     another, as database/sql retries on a new connection
//     (TestPinParkKilled: the server connection killed while parked, the
//     next INSERT applied once).
//   - driver.ErrBadConn and connections that failed mid-statement: never
//     parked — pinFailed drops them (session.go), and a lost or dirty
//     session closes its connections (releasePins); a context cancelled
//     mid-read makes go-sql-driver close the connection, which pinFailed
//     drops as before (TestPinParkCancel).
//   - IsValid before going back: database/sql's putConn asks the driver
//     connection; a parked connection goes back through Conn.Close, which
//     asks it then; while parked, the next statement's check finds it bad.
//   - ConnMaxLifetime / ConnMaxIdleTime: database/sql cannot expire a
//     connection it has lent out, and applies both when it is given back
//     (putConn, and its cleaner for idle ones). A parked connection goes
//     back within two ticks of being taken from the pool and within one
//     to two ticks of being parked, so both are honoured to within
//     2 × parkTick (TestPinParkLifetime).
//   - Connector.Close and topology changes: Close evicts every list before
//     it closes the pools, and nothing is parked after; a parked connection
//     whose pool is no longer the data source's (its DSN or *sql.DB
//     replaced) is closed instead of taken.
//   - Stats: a parked connection shows in the pool's own DB.Stats as in
//     use (database/sql lent it); shardsql's Stats (ConnectorStats.
//     DataSources) count it as idle, as the pool would had it gone back
//     (parkedIdle).
//   - Session state: only a clean session's connections are parked (not
//     dirty: no SET, temporary table, lock or user variable; not lost; no
//     transaction: IsValid refuses a Conn with one); what go-sql-driver
//     leaves on a connection given back to the pool (LAST_INSERT_ID,
//     ROW_COUNT, warnings) is what a parked one carries, as before.
type parkList struct {
	mu    sync.Mutex
	conns []parked
	armed bool // the timer is running
	timer *time.Timer
	// n is len(conns), read without mu by the hot path's first look.
	n atomic.Int32
	// epoch counts the timer's ticks; a connection parked or taken from
	// the pool in an earlier epoch than the previous one goes back.
	epoch  atomic.Uint64
	max    int
	closed bool
	// ungated counts the callers using the data source's pool without
	// the gate (Connector.unparked); nothing is parked while any does.
	// Read under mu by park, so that a park either precedes the
	// caller's eviction (which then gives its connection back) or sees
	// the caller.
	ungated atomic.Int32
	// period is the timer's tick (parkTick; tests lengthen it).
	period time.Duration
}

// parked is one parked connection: its pool, the gate holding its slot, and
// the epoch it was taken from the pool in.
type parked struct {
	conn  *sql.Conn
	db    *sql.DB
	gate  *gate
	taken uint64 // epoch of its DB.Conn
	at    uint64 // epoch it was parked in
}

// parkTick is the timer's period: a parked connection goes back to its pool
// within two of them.
const parkTick = 20 * time.Millisecond

// parkPeriod is the period of the Connector's parking timers: parkTick
// unless a test set another (parkTickFor).
func (c *Connector) parkPeriod() time.Duration {
	if d := c.parkTickFor.Load(); d > 0 {
		return time.Duration(d)
	}
	return parkTick
}

// parkOf returns the parking list of data source ds, creating it.
func (c *Connector) parkOf(ds string) *parkList {
	if v, ok := c.parks.Load(ds); ok {
		return v.(*parkList)
	}
	max := c.opts.maxIdle
	if max <= 0 {
		max = 2 // database/sql's default idle limit
	}
	v, _ := c.parks.LoadOrStore(ds, &parkList{max: max, period: c.parkPeriod()})
	return v.(*parkList)
}

// pop takes a parked connection of pool db held under gate g, closing
// those of another pool or gate (the data source was replaced) on the way.
func (l *parkList) pop(db *sql.DB, g *gate) (parked, bool) {
	if l.n.Load() == 0 {
		return parked{}, false
	}
	l.mu.Lock()
	for len(l.conns) > 0 {
		n := len(l.conns) - 1
		pc := l.conns[n]
		l.conns[n] = parked{}
		l.conns = l.conns[:n]
		l.n.Store(int32(n))
		if pc.db == db && pc.gate == g {
			l.mu.Unlock()
			return pc, true
		}
		l.mu.Unlock()
		pc.giveBack()
		l.mu.Lock()
	}
	l.mu.Unlock()
	return parked{}, false
}

// giveBack returns a parked connection to its pool and its slot to the gate.
func (pc parked) giveBack() {
	_ = pc.conn.Close()
	if pc.gate != nil {
		pc.gate.release(1)
	}
}

// park keeps pin p's connection (of a clean session) on the list, reporting
// false when it must go back to its pool instead: the list is full or
// closed, a caller waits at the gate, or the connection was taken from the
// pool too long ago (lifetime, see the type's comment).
func (l *parkList) park(p *pin) bool {
	if p.gate != nil && p.gate.waiters.Load() > 0 {
		return false
	}
	ep := l.epoch.Load()
	if ep > p.taken+1 {
		return false
	}
	l.mu.Lock()
	if l.closed || len(l.conns) >= l.max || l.ungated.Load() > 0 {
		l.mu.Unlock()
		return false
	}
	l.conns = append(l.conns, parked{conn: p.conn, db: p.db, gate: p.gate, taken: p.taken, at: ep})
	l.n.Store(int32(len(l.conns)))
	if !l.armed {
		l.armed = true
		if l.timer == nil {
			l.timer = time.AfterFunc(l.period, l.tick)
		} else {
			l.timer.Reset(l.period)
		}
	}
	l.mu.Unlock()
	return true
}

// tick advances the epoch and gives back the connections parked before
// the previous epoch or taken from the pool before it; it runs again while
// any are left.
func (l *parkList) tick() {
	ep := l.epoch.Add(1)
	var out []parked
	l.mu.Lock()
	keep := l.conns[:0]
	for _, pc := range l.conns {
		if pc.at+1 < ep || pc.taken+1 < ep {
			out = append(out, pc)
		} else {
			keep = append(keep, pc)
		}
	}
	clear(l.conns[len(keep):])
	l.conns = keep
	l.n.Store(int32(len(keep)))
	l.armed = len(keep) > 0 && !l.closed
	if l.armed {
		l.timer.Reset(l.period)
	}
	l.mu.Unlock()
	for _, pc := range out {
		pc.giveBack()
	}
}

// evict gives every parked connection back to its pool, reporting how
// many; close also ends parking for good (Connector.Close).
func (l *parkList) evict(close bool) int {
	l.mu.Lock()
	out := l.conns
	l.conns = nil
	l.n.Store(0)
	if close {
		l.closed = true
	}
	l.mu.Unlock()
	for _, pc := range out {
		pc.giveBack()
	}
	return len(out)
}

// evictParked gives back the parked connections of data source ds, so a
// caller the gate refused can have their slots; it reports how many.
func (c *Connector) evictParked(ds string) int {
	if v, ok := c.parks.Load(ds); ok {
		if l := v.(*parkList); l.n.Load() > 0 {
			return l.evict(false)
		}
	}
	return 0
}

// unparked announces a caller that takes connections of data source ds's
// pool without the gate (it holds no gate slot, so parked connections,
// which keep theirs, would not be evicted for it): the parked connections
// of ds go back to the pool now, and none is parked until done is called,
// so the caller waits only for what a running statement holds, as it did
// before connections were parked. Its callers are rare (Ping, catalog
// loads, probes, the XA log): the parked connections they give back cost
// the next statements a DB.Conn each.
func (c *Connector) unparked(ds string) (done func()) {
	l := c.parkOf(ds)
	l.ungated.Add(1) // before the eviction: see parkList.ungated
	if l.n.Load() > 0 {
		l.evict(false)
	}
	return func() { l.ungated.Add(-1) }
}

// closeParked gives back every parked connection for good (Close).
func (c *Connector) closeParked() {
	c.parksClosed.Store(true)
	c.parks.Range(func(_, v any) bool {
		v.(*parkList).evict(true)
		return true
	})
}

// errFreshBad is what a statement's Raw callback returns when the liveness
// check of a connection just taken from the parking list fails: nothing was
// sent, and the statement takes another connection.
var errFreshBad = driver.ErrBadConn

// parkedIdle reports data source ds's parked connections, which database/sql
// counts as in use (it lent them), as idle: no statement uses them, as
// database/sql's Stats would say of them had they gone back to the pool.
func (c *Connector) parkedIdle(ds string, st sql.DBStats) sql.DBStats {
	v, ok := c.parks.Load(ds)
	if !ok {
		return st
	}
	n := min(int(v.(*parkList).n.Load()), st.InUse)
	st.InUse -= n
	st.Idle += n
	return st
}

// errFreshRetry is what a raw path returns when the parked connection it
// was given failed its liveness check: the connection is forgotten, nothing
// was sent, and the caller runs the statement again on a pin taken anew.
var errFreshRetry = errors.New("shardsql: a parked connection failed its liveness check (nothing was sent)")

// checkFresh runs go-sql-driver's liveness check (its ResetSession) on the
// driver connection dc, as database/sql does when it lends an idle one.
func checkFresh(ctx context.Context, dc any) error {
	if sr, ok := dc.(driver.SessionResetter); ok {
		if err := sr.ResetSession(ctx); err != nil {
			return errFreshBad
		}
	}
	return nil
}

// checkPin makes the liveness check of a pin taken from the parking list
// through Raw, before a path that does not make it in its own callback.
// A failed check closed the connection (Raw's ErrBadConn); the caller takes
// another.
func (c *Conn) checkPin(ctx context.Context, p *pin) error {
	c.checkCtx = ctx
	if c.checkFn == nil {
		c.checkFn = func(dc any) error { return checkFresh(c.checkCtx, dc) }
	}
	err := p.conn.Raw(c.checkFn)
	c.checkCtx = nil
	if err == nil {
		p.unchecked = false
	}
	return err
}

// discardFresh forgets pin p, just taken from the parking list, whose
// liveness check failed (Raw closed its connection): it held none of the
// session's state.
func (c *Conn) discardFresh(p *pin) {
	c.closePin(p)
	*p = pin{}
	c.spare = append(c.spare, p)
	c.c.parkDiscards.Add(1)
}
