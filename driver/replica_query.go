package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
)

// readOnReplica is what Conn.lastDS and lastSelectDS hold after a SELECT a
// replica answered: no data source's session holds its outcome, so
// FOUND_ROWS() and ROW_COUNT() after it are refused (session.go).
const readOnReplica = "replica "

// readTarget is where one data source of a read goes.
type readTarget struct {
	ds     string
	rep    *replica // nil: the primary
	reason string   // why the primary
	need   gtidPos
	// pinned counts the Conn's session connections on the data source's
	// primary when the read began: a retry there cannot have them
	// (retryAfter).
	pinned int
}

// primaryReason says why a statement may not read from replicas at all
// ("" when it may): only a SELECT outside a transaction that needs no
// session and is not PrimaryOnly, on a Conn that has not written or
// changed its session, without WithPrimary, reads from replicas.
func (c *Conn) primaryReason(ctx context.Context, p *route.Plan) string {
	switch {
	case c.tx != nil:
		return "in a transaction"
	case p.Kind != route.KindSelect:
		return "not a SELECT"
	case p.Session&route.PrimaryOnly != 0:
		return "a locking read, INTO OUTFILE, a sequence or server function, or an executable comment (route.PrimaryOnly)"
	case p.Session&^route.TableFree != 0:
		return "depends on the session"
	case c.wrote || c.sticky || c.dirty:
		return "the connection wrote or changed its session"
	}
	if primary, _ := ctx.Value(primaryKey{}).(bool); primary {
		return "driver.WithPrimary"
	}
	return ""
}

// readTargets decides, per data source of p, which server answers.
func (c *Conn) readTargets(ctx context.Context, p *route.Plan, rs *replicaSet) []readTarget {
	token, _ := ctx.Value(tokenKey{}).(map[string]gtidPos)
	var out []readTarget
	for _, ds := range p.DataSources() {
		out = append(out, c.readTarget(ctx, ds, rs, token))
	}
	return out
}

// readTarget decides which server answers a read of data source ds, with
// the context's read-after token.
func (c *Conn) readTarget(ctx context.Context, ds string, rs *replicaSet, token map[string]gtidPos) readTarget {
	t := readTarget{ds: ds}
	for _, p := range c.pins {
		if p.ds == ds && !p.borrowed {
			t.pinned++
		}
	}
	if d := rs.byDS[ds]; d == nil {
		t.reason = "the data source has no replicas"
	} else {
		need, at, unknown := d.needOf(token, !c.c.opts.replica.noRYW)
		t.need = need
		t.rep, t.reason = c.c.pick(ctx, d, need, at, unknown)
	}
	return t
}

// trace stores the targets in the context's trace and logs them.
func (c *Conn) trace(ctx context.Context, targets []readTarget) {
	dst, _ := ctx.Value(traceKey{}).(*[]ReadServer)
	if dst == nil && c.c.opts.logger == nil {
		return
	}
	out := make([]ReadServer, len(targets))
	for i, t := range targets {
		out[i] = ReadServer{DataSource: t.ds, Server: t.ds, Reason: t.reason}
		if t.rep != nil {
			out[i].Server, out[i].Replica = t.rep.name, true
		}
	}
	if dst != nil {
		*dst = out
	}
	if l := c.c.opts.logger; l != nil {
		for _, s := range out {
			l.DebugContext(ctx, "shardsql: read", "data_source", s.DataSource, "server", s.Server, "replica", s.Replica, "reason", s.Reason)
		}
	}
}

// Why the primary answered a read a replica was chosen for (ReadServer.Reason).
const (
	reasonReplicaBusy = "the replica's connections were all in use"
	reasonPrimaryBusy = "the primaries' connections were not all free at once: read as without replicas"
	reasonRetried     = "retried on the primary after the replica failed"
)

// retrace records in the context's trace that a read of data source ds
// failed on replica failed and is retried on next (nil: the primary). The
// units of a scatter retry concurrently: traceMu orders their writes.
func (c *Conn) retrace(ctx context.Context, ds string, failed, next *replica) {
	dst, _ := ctx.Value(traceKey{}).(*[]ReadServer)
	if dst == nil {
		return
	}
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	for i := range *dst {
		s := &(*dst)[i]
		if s.DataSource != ds {
			continue
		}
		s.Failed = failed.name
		if next != nil {
			s.Server, s.Replica, s.Reason = next.name, true, ""
		} else {
			s.Server, s.Replica, s.Reason = ds, false, reasonRetried
		}
	}
}

// queryReplicas runs a read on replicas when it may: ok is false when the
// statement must run as on a topology without replicas (not eligible, every
// data source's primary must answer, or the pools cannot give the read its
// connections now). Otherwise it sets up cursors that start at once, as a
// scatter does, each unit on its data source's replica or primary.
//
// one is the allocation of a one-unit statement (rows_one_unit.go), nil
// for others: a point read goes to queryReplicaOne (replica_point.go).
func (c *Conn) queryReplicas(ctx context.Context, p *route.Plan, cursors []*unitCursor, one *oneUnit) (cancel context.CancelFunc, release func(), ok bool, err error) {
	rs := c.c.replicas()
	if len(rs.byDS) == 0 {
		return nil, nil, false, nil
	}
	if why := c.primaryReason(ctx, p); why != "" {
		if dst, _ := ctx.Value(traceKey{}).(*[]ReadServer); dst != nil {
			targets := make([]readTarget, 0, 2)
			for _, ds := range p.DataSources() {
				targets = append(targets, readTarget{ds: ds, reason: why})
			}
			c.trace(ctx, targets)
		}
		return nil, nil, false, nil
	}
	if len(p.Units) == 1 {
		return c.queryReplicaOne(ctx, p, rs, cursors, one) // replica_point.go
	}
	targets := c.readTargets(ctx, p, rs)
	any := false
	for _, t := range targets {
		any = any || t.rep != nil
	}
	if !any {
		c.trace(ctx, targets)
		return nil, nil, false, nil
	}
	// Hazard: the trace was written before the connections below were
	// taken, and said "replica" for a read that found the replica's pool
	// busy and went to the primary — a test that made sure its scan held
	// the replica's connections believed it while the scan held the
	// primary's. It is written once the read's servers are decided.
	busy := func(why string) {
		for i := range targets {
			targets[i].rep, targets[i].reason = nil, why
		}
		c.trace(ctx, targets)
	}
	h := &held{}
	// Every connection of the read at once, without waiting (gate.go).
	var primaries []string
	perRep := map[*replica]int{}
	for _, u := range p.Units {
		if t := targetOf(targets, u.DataSource); t.rep != nil {
			perRep[t.rep]++
		} else {
			primaries = append(primaries, u.DataSource)
		}
	}
	for r, n := range perRep {
		if g := c.c.gateFor(r.gateKey(), r.db); g != nil {
			if !g.take(n) {
				h.release()
				busy(reasonReplicaBusy)
				return nil, nil, false, nil
			}
			h.add(g, n)
		}
	}
	if len(primaries) > 0 {
		rel, ok, err := c.c.reserve(primaries)
		if err != nil || !ok {
			h.release()
			busy(reasonPrimaryBusy)
			return nil, nil, false, err
		}
		h.addFunc(rel)
	}
	c.trace(ctx, targets)
	ctx, cancel = context.WithCancel(ctx)
	c.scatterReads(ctx, cancel, p, cursors, targets, h)
	return cancel, h.release, true, nil
}

// targetOf returns the target of data source ds.
func targetOf(targets []readTarget, ds string) *readTarget {
	for i := range targets {
		if targets[i].ds == ds {
			return &targets[i]
		}
	}
	panic("shardsql: no read target for data source " + ds)
}

// scatterReads starts every unit's query as scatter does, on the server
// its target names. A unit whose replica fails before its first row (or
// end of rows) has been read is retried
// on another replica that has applied what the read needs, or on the
// primary; a replica that failed by connection, not by a server's answer,
// is ejected first.
func (c *Conn) scatterReads(ctx context.Context, cancel context.CancelFunc, p *route.Plan, cursors []*unitCursor, targets []readTarget, h *held) {
	scatter(ctx, cancel, p.Units, cursors, c.c.opts.maxParallel, func(ctx context.Context, u route.Unit) (*sql.Rows, firstRow, error) {
		return c.readUnit(ctx, u, targetOf(targets, u.DataSource), h)
	}) // scatter.go
}

// readUnit runs one unit on its target, retrying a failed replica. On a
// replica it reads up to the first row before returning (peekFirst), so
// that a replica failing after its columns but before any row is retried
// like one that refused the query; the primary's rows are returned as
// they come, as nothing would retry them.
func (c *Conn) readUnit(ctx context.Context, u route.Unit, t *readTarget, h *held) (*sql.Rows, firstRow, error) {
	r := t.rep
	var triedBuf [2]*replica
	tried := triedBuf[:0]
	for {
		var db *sql.DB
		if r != nil {
			db = r.db
		} else {
			pdb, err := c.c.db(u.DataSource)
			if err != nil {
				return nil, firstRow{}, err
			}
			db = pdb
		}
		rows, err := db.QueryContext(ctx, u.SQL, u.Args...)
		err = endedBy(ctx, err) // a dial the context cut: ctx_ended.go
		if r == nil {
			return rows, firstRow{}, err
		}
		var first firstRow
		if err == nil {
			first, err = peekFirst(rows) // replica_first_row.go
		}
		if err == nil {
			r.reads.Add(1)
			return rows, first, nil
		}
		if ctx.Err() != nil {
			return nil, firstRow{}, err
		}
		tried = append(tried, r)
		var g *gate
		if r, g, err = c.retryAfter(ctx, u, t, r, err, tried, h, nil); err != nil {
			return nil, firstRow{}, err
		}
		if g != nil {
			h.add(g, 1)
		}
	}
}

// retryAfter decides where a read of unit u that failed with failed on
// replica r goes next, and takes that server's connection count: after
// a server's answer (serverAnswered) the primary (nil), whose
// answer is the truth; after a failure to reach r, r is ejected and
// another replica not tried that has applied what the read needs answers,
// or the primary. g is the gate counted (nil: an unlimited pool), which
// the read gives back when it ends; err is the failure to get the next
// server's connection.
//
// h (a scatter's, or a streamed read's) or gates (a point read's) are the
// connection counts the read already holds. Those, and the Conn's own
// session connections on the primary, are given back only when the read
// ends: when they are all the pool has, nothing can free one for the
// retry, and it fails at once (errRetryHeld).
func (c *Conn) retryAfter(ctx context.Context, u route.Unit, t *readTarget, r *replica, failed error, tried []*replica, h *held, gates []*gate) (next *replica, g *gate, err error) {
	if c.c.opts.logger != nil {
		c.c.opts.logger.WarnContext(ctx, "shardsql: read failed on a replica, retried", "replica", r.name, "error", failed)
	}
	failedRep := r
	if serverAnswered(failed) {
		r = nil // the primary's answer is the truth
	} else {
		c.c.eject(r, failed)
		r = c.c.retryTarget(t, tried)
	}
	c.retrace(ctx, t.ds, failedRep, r)
	var key string
	var db *sql.DB
	if r != nil {
		key, db = r.gateKey(), r.db
	} else {
		key = u.DataSource
		if db, err = c.c.db(key); err != nil {
			return nil, nil, err
		}
	}
	// The retry's connection is counted like the others; it is the one
	// wait of the read, bounded as any (gate.go).
	if g = c.c.gateFor(key, db); g != nil && !g.take(1) && !(c.c.evictParked(key) > 0 && g.take(1)) {
		mine := h.count(g)
		for _, x := range gates {
			if x == g {
				mine++
			}
		}
		if r == nil {
			mine += t.pinned
		}
		if int64(mine) >= g.cap.Load() {
			return nil, nil, fmt.Errorf("shardsql: %s: %w (every one of its %d connections is held by this read's own units or this connection's session, given back when the read ends; the replica failed with: %v): raise WithMaxOpenConns, or read with driver.WithPrimary", key, errRetryHeld, mine, failed)
		}
		if err := g.acquire(ctx, 1, c.c.opts.connWait); err != nil {
			return nil, nil, g.waitError(key, err)
		}
	}
	return r, g, nil
}

// errRetryHeld fails a replica read's retry that would wait for a
// connection only the read itself, or its Conn, could give back.
//
// The hazard (found by TestFaults14Replicas/retries/on_a_small_primary_pool):
// a *sql.Conn holding one of its primary's two connections (a read with
// WithPrimary) read SELECT … ORDER BY over two node tables from the
// replica; the replica was cut before the first rows, both units were
// retried on the primary, the first took the last free connection and
// held it (a read gives its counts back when it ends), the second waited
// for it: the read hung for WithConnWaitTimeout (30 s by default) and
// failed with a wait error. The wait can only end by its timeout, so it
// fails at once, saying why. A point read read whole (queryReplicaOne),
// which has handed nothing on and runs in the caller's goroutine, then
// runs as without replicas, on the Conn's session connection: a pool of
// one that the Conn holds answers it, as one MariaDB connection does.
var errRetryHeld = errors.New("retrying a read the replica failed needs another connection of this pool, and none can be given back while the read runs")

// count returns the connections of gate g the read holds (none for a nil
// held).
func (h *held) count(g *gate) int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	if h.g0 == g {
		n += h.n0
	}
	for i, x := range h.gates {
		if x == g {
			n += h.n[i]
		}
	}
	return n
}

// retryTarget returns another replica of t's data source that has applied
// what the read needs by its cached position, or nil for the primary.
func (c *Connector) retryTarget(t *readTarget, tried []*replica) *replica {
	rs := c.reps.Load()
	if rs == nil {
		return nil
	}
	d := rs.byDS[t.ds]
	if d == nil {
		return nil
	}
	var buf [4]*replica
	for _, r := range d.order(c.opts.replica.balancer, c.opts.replica.maxLag > 0, buf[:0]) {
		if slices.Contains(tried, r) {
			continue
		}
		if pos, _ := r.applied(); pos.covers(t.need) {
			return r
		}
	}
	return nil
}

// ejectCodes are server errors that say the server cannot serve, rather
// than that the statement failed: too many connections, shutdown in
// progress, connection killed, and the like.
var ejectCodes = map[uint16]bool{1040: true, 1053: true, 1077: true, 1152: true, 1153: true, 1158: true, 1159: true, 1160: true, 1161: true, 1927: true, 4031: true}

// serverAnswered reports whether err is the server's answer to the
// statement (the replica works; the primary gets the statement, and its
// answer is the truth) rather than a failure to reach the server.
func serverAnswered(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && !ejectCodes[me.Number]
}

// held is the gate counts a read took, given back when its rows close.
// The first is kept without a slice: a point read takes one count, and
// its retries (rare) the others.
type held struct {
	mu    sync.Mutex
	g0    *gate
	n0    int
	gates []*gate
	n     []int
	funcs []func()
}

func (h *held) add(g *gate, n int) {
	h.mu.Lock()
	if h.g0 == nil {
		h.g0, h.n0 = g, n
	} else {
		h.gates, h.n = append(h.gates, g), append(h.n, n)
	}
	h.mu.Unlock()
}

func (h *held) addFunc(f func()) {
	h.mu.Lock()
	h.funcs = append(h.funcs, f)
	h.mu.Unlock()
}

func (h *held) release() {
	h.mu.Lock()
	g0, n0, gates, n, funcs := h.g0, h.n0, h.gates, h.n, h.funcs
	h.g0, h.n0, h.gates, h.n, h.funcs = nil, 0, nil, nil, nil
	h.mu.Unlock()
	if g0 != nil {
		g0.release(n0)
	}
	for i, g := range gates {
		g.release(n[i])
	}
	for _, f := range funcs {
		f()
	}
}

// wroteOn records the primary positions after a statement that may have
// written ran outside a transaction on the data sources of p, so that
// later reads see it. Inside a transaction, Commit records them.
func (c *Conn) wroteOn(ctx context.Context, p *route.Plan) {
	if p.Session&(route.SetsUserVars|route.SetsSystemVars) != 0 && p.Kind == route.KindOther {
		return // SET writes no data
	}
	if c.tx != nil {
		c.txWrote = true
		return
	}
	c.wrote = true
	rs := c.c.replicas()
	if len(rs.byDS) == 0 || c.c.opts.replica.noRYW {
		return // without read-your-writes, WriteToken reads the positions itself
	}
	c.recordPositions(ctx, rs, writtenSources(p))
}

// committed records the primary positions after a transaction that wrote
// committed (or failed to: some data sources may have committed).
func (c *Conn) committed(sources []string) {
	wrote := c.txWrote
	c.txWrote = false
	if !wrote {
		return
	}
	c.wrote = true
	rs := c.c.replicas()
	if len(rs.byDS) == 0 || c.c.opts.replica.noRYW {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.c.opts.commitBound())
	defer cancel()
	c.recordPositions(ctx, rs, sources)
}

// recordPositions reads each data source's primary position on the Conn's
// idle pin or a connection taken for it, and merges it into the position
// later reads need; a position it cannot read sends reads to the primary
// until the probe reads it.
func (c *Conn) recordPositions(ctx context.Context, rs *replicaSet, sources []string) {
	for _, ds := range sources {
		d := rs.byDS[ds]
		if d == nil {
			continue
		}
		pos, err := c.primaryPos(ctx, ds)
		if err != nil {
			d.w.markUnknown()
			if l := c.c.opts.logger; l != nil {
				l.WarnContext(ctx, "shardsql: reading the primary's position after a write failed; reads of the data source go to the primary until the probe reads it", "data_source", ds, "error", err)
			}
			continue
		}
		d.recordWrite(pos)
	}
}

// primaryPos reads data source ds's primary position, on a connection of
// its own.
//
// The hazard: read on the Conn's pin, the position's SELECT was the
// session's latest statement, so the caller's ROW_COUNT() after an UPDATE
// answered -1, and SHOW WARNINGS, @@warning_count and FOUND_ROWS() answered
// for it too, where one MariaDB answers for the caller's own statement
// (found by TestAttack8Replicas). A pool connection sees the position as
// well: the write committed before the statement returned. When the pool
// has no connection to spare right now, the position stays unknown (reads
// of ds go to the primary until the probe reads it) rather than waiting.
func (c *Conn) primaryPos(ctx context.Context, ds string) (gtidPos, error) {
	db, err := c.c.db(ds)
	if err != nil {
		return nil, err
	}
	if g := c.c.gateFor(ds, db); g != nil {
		if !g.take(1) {
			return nil, errNoSpareConn
		}
		defer g.release(1)
	}
	return readPrimaryPos(ctx, db)
}

// errNoSpareConn says a limited pool had no connection to spare for the
// position read after a write.
var errNoSpareConn = errors.New("no connection to spare for reading the position")

// sources lists the data sources of the transaction's participants.
func (t *Tx) sources() []string {
	out := make([]string, len(t.parts))
	for i, p := range t.parts {
		out[i] = p.ds
	}
	return out
}

// rolledBack forgets that the transaction wrote.
func (c *Conn) rolledBack() { c.txWrote = false }
