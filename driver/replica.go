package driver

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Read/write splitting. A data source may have read replicas
// (shard.Topology.AddReplica). A SELECT outside a transaction that needs no
// session, locks nothing and writes nothing (route.PrimaryOnly) is sent to
// a healthy replica of each data source it reaches, unless the Conn wrote
// or changed its session, or the context asks for the primary
// (WithPrimary).
//
// The hazard is the stale read: a replica applies the primary's writes
// some time after they commit, so a read right after a write would miss
// it. shardsql does not guess with a timer. After every write through the
// connector it reads the primary's binary log position
// (@@gtid_binlog_pos, which covers the write once it has returned) and
// keeps, per data source, the position every later read must see: need.
// A replica serves a read only when its applied position
// (@@gtid_slave_pos, cached and refreshed) covers need and any token the
// context carries (ReadAfter); otherwise the primary answers. A position
// that could not be read after a write sends reads to the primary until
// the probe has read it (unknown).

// replicaSet is the connector's replicas for one topology version.
type replicaSet struct {
	version uint64
	byDS    map[string]*dsReplicas // only data sources with replicas
}

// dsReplicas is one data source's replicas and its write position.
type dsReplicas struct {
	ds   string
	reps []*replica

	rr atomic.Uint64 // round robin counter

	w *writes // replica_writes.go: shared with the data source's other versions

	mu      sync.Mutex
	current []int // smooth weighted round robin state, per replica
}

// replica is one replica server and what the connector knows of it.
type replica struct {
	name   string
	key    string // gateKey, built once
	ds     string
	db     *sql.DB
	own    bool // opened from a DSN: closed with the connector
	weight int

	// primaryDSN and dsn are the DSNs of the primary and of the replica,
	// "" for a pool given as a *sql.DB; the session check reads the
	// system variables they set.
	primaryDSN, dsn string
	// unchecked: the replica's session is not yet compared with its
	// primary's (replica_session_check.go); it takes no reads until a
	// probe has compared them. sessionBad: they differ, for good.
	unchecked, sessionBad atomic.Bool

	ejected atomic.Bool  // failed a read or a probe: no reads until a probe succeeds
	lagged  atomic.Bool  // beyond WithMaxReplicaLag, or replication stopped
	lag     atomic.Int64 // last Seconds_Behind_Master in ns; -1 unknown or stopped
	reads   atomic.Int64 // reads served

	mu    sync.Mutex
	pos   gtidPos   // applied position, last read
	posAt time.Time // when pos was read (the query's start)
	err   error     // why the replica was last ejected
}

// gateKey is the replica's key among the connector's gates; data source
// names have no ':'.
func (r *replica) gateKey() string {
	if r.key == "" { // a replica built without newReplica (tests)
		return "replica:" + r.name
	}
	return r.key
}

// applied returns the cached applied position and when it was read.
func (r *replica) applied() (gtidPos, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pos, r.posAt
}

// setApplied records an applied position read from the replica by a
// query that started at the time at: the replica's answer replaces the
// cached position unless a query started later has already answered.
//
// The hazard: the cache only grew (merged every answer), on the grounds
// that an applied position only grows. It does not when a replica is
// replaced by an older copy on the same address (restored from a backup,
// re-cloned, gtid_slave_pos set back): the cache went on saying it had
// applied writes it no longer had, and it answered reads that must see
// them (found by TestReplicas, "round 12 faults").
func (r *replica) setApplied(p gtidPos, at time.Time) {
	r.mu.Lock()
	if !at.Before(r.posAt) {
		r.pos, r.posAt = p, at
	}
	r.mu.Unlock()
}

// reached records that the replica has applied p (MASTER_GTID_WAIT said
// so at the time at): merged into the cached position, which may hold
// other domains.
func (r *replica) reached(p gtidPos, at time.Time) {
	r.mu.Lock()
	r.pos = r.pos.merge(p)
	if at.After(r.posAt) {
		r.posAt = at
	}
	r.mu.Unlock()
}

// eject takes the replica out of reads until a probe re-admits it.
func (c *Connector) eject(r *replica, err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	if !r.ejected.Swap(true) && c.opts.logger != nil {
		c.opts.logger.Warn("shardsql: replica ejected", "data_source", r.ds, "replica", r.name, "error", err)
	}
}

// replicas returns the replica set of the topology's current version. The
// hot path, a topology that has not changed, is two atomic loads.
func (c *Connector) replicas() *replicaSet {
	v := c.topo.Version()
	if rs := c.reps.Load(); rs != nil && rs.version == v {
		return rs
	}
	return c.rebuildReplicas(v)
}

// rebuildReplicas makes the replica set of topology version v, keeping
// the state and pools of replicas it already knew, and starts the probe
// when there are replicas.
func (c *Connector) rebuildReplicas(v uint64) *replicaSet {
	c.repMu.Lock()
	defer c.repMu.Unlock()
	old := c.reps.Load()
	if old != nil && old.version == v {
		return old
	}
	rs := &replicaSet{version: v, byDS: make(map[string]*dsReplicas)}
	for _, ds := range c.topo.DataSources() {
		if len(ds.Replicas) == 0 {
			continue
		}
		var prev *dsReplicas
		if old != nil {
			prev = old.byDS[ds.Name]
		}
		d := &dsReplicas{ds: ds.Name, w: &writes{}}
		switch {
		case prev != nil:
			d.w = prev.w
		case old != nil:
			// The data source gets replicas while the connector runs:
			// its writes so far recorded no position (it had no
			// replicas), and a new replica may not have applied them
			// yet. Its primary answers until the probe has read the
			// primary's position, which covers them.
			d.w.markUnknown()
		}
		for _, spec := range ds.Replicas {
			var r *replica
			if prev != nil {
				for _, pr := range prev.reps {
					if pr.name == spec.Name {
						r = pr
					}
				}
			}
			if r == nil {
				r = &replica{name: spec.Name, key: "replica:" + spec.Name, ds: ds.Name, db: spec.DB, weight: spec.Weight, primaryDSN: ds.DSN, dsn: spec.DSN}
				// Every replica's session is compared on the servers
				// before it takes a read (replica_session_check.go).
				//
				// Hazard (round 16): only pools the caller opened were
				// compared; two DSNs with the same parameters were taken
				// to give the same session. They do not when the servers'
				// defaults differ: a replica started with
				// --default-time-zone=+05:00 (or another old_mode,
				// default_regex_flags, div_precision_increment in its
				// my.cnf) answered SELECT CAST(ts AS CHAR) five hours
				// off its primary. The first probe runs when the
				// connector starts, so the primary answers only until
				// then.
				r.unchecked.Store(true)
				r.lag.Store(-1)
				// Under a lag bound a replica serves no reads until a
				// probe has read its lag. The hazard: starting as within
				// the bound, a replica stopped or hours behind answered
				// every read of a new connector until its first probe
				// (found by TestReplicas, "round 12 faults"). The probe
				// loop looks at once when it starts.
				r.lagged.Store(c.opts.replica.maxLag > 0)
				if r.db == nil {
					db, check, err := c.openReplica(ds.DSN, spec.DSN) // replica_session.go
					if check {
						r.unchecked.Store(true)
					}
					if err != nil {
						// An invalid DSN, or a session other than its
						// primary's: the replica takes no reads, and says
						// why in ReplicaStatus.
						r.err = err
						r.ejected.Store(true)
					} else {
						r.db, r.own = db, true
					}
				}
			}
			d.reps = append(d.reps, r)
		}
		d.current = make([]int, len(d.reps))
		rs.byDS[ds.Name] = d
	}
	c.reps.Store(rs)
	if len(rs.byDS) > 0 && c.probeStop == nil && !c.repClosed {
		c.probeStop = make(chan struct{})
		c.probeDone = make(chan struct{})
		go c.probeLoop(c.probeStop, c.probeDone)
	}
	return rs
}

// openReplica opens a pool for a replica DSN with the connector's pool
// settings and its primary's session settings (primary is the primary's
// DSN, empty for a pool given with AddDB; replica_session.go).
func (c *Connector) openReplica(primary, dsn string) (*sql.DB, bool, error) {
	cfg, check, err := replicaConfig(primary, dsn)
	if err != nil {
		return nil, false, err
	}
	conn, err := c.nodeDriverConnector(cfg, "", false) // cut_conn.go
	if err != nil {
		return nil, false, fmt.Errorf("shardsql: replica: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(c.opts.maxIdle)
	db.SetMaxOpenConns(c.opts.maxOpen)
	db.SetConnMaxLifetime(c.opts.connMaxLifetime)
	db.SetConnMaxIdleTime(c.opts.connMaxIdleTime)
	return db, check, nil
}

// closeReplicas stops the probe and closes the replica pools the
// connector opened. Connector.Close calls it.
func (c *Connector) closeReplicas() error {
	c.repMu.Lock()
	stop, done := c.probeStop, c.probeDone
	c.probeStop, c.repClosed = nil, true
	rs := c.reps.Load()
	c.repMu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	if rs == nil {
		return nil
	}
	var first error
	for _, d := range rs.byDS {
		for _, r := range d.reps {
			if r.own {
				if err := r.db.Close(); err != nil && first == nil {
					first = fmt.Errorf("shardsql: closing replica %s: %w", r.name, err)
				}
			}
		}
	}
	return first
}

// needOf returns the position a read of data source d must see: the
// connector's writes and the context's token. unknown: a write's position
// could not be read, so only the primary is sure to have it.
func (d *dsReplicas) needOf(token map[string]gtidPos, ryw bool) (need gtidPos, at time.Time, unknown bool) {
	if ryw {
		need, at, unknown = d.w.snapshot()
	}
	if t := token[d.ds]; len(t) > 0 {
		need = need.merge(t)
		at = time.Now()
	}
	return need, at, unknown
}

// recordWrite merges the primary's position after a write into need.
func (d *dsReplicas) recordWrite(p gtidPos) { d.w.record(p) }

// order returns the replicas to try for one read, the balancer's pick
// first; ejected and lagging replicas are left out. They are appended to
// buf (a caller's array on its stack: no allocation per read).
func (d *dsReplicas) order(b Balancer, maxLag bool, buf []*replica) []*replica {
	usable := func(r *replica) bool {
		return !r.ejected.Load() && !r.unchecked.Load() && !(maxLag && r.lagged.Load())
	}
	first := -1
	switch b {
	case Weighted:
		d.mu.Lock()
		total, best := 0, -1
		for i, r := range d.reps {
			if !usable(r) {
				continue
			}
			d.current[i] += r.weight
			total += r.weight
			if best < 0 || d.current[i] > d.current[best] {
				best = i
			}
		}
		if best >= 0 {
			d.current[best] -= total
		}
		d.mu.Unlock()
		first = best
	default:
		n := uint64(len(d.reps))
		start := d.rr.Add(1) - 1
		for k := uint64(0); k < n; k++ {
			if i := int((start + k) % n); usable(d.reps[i]) {
				first = i
				break
			}
		}
	}
	if first < 0 {
		return nil
	}
	out := append(buf[:0], d.reps[first])
	for k := 1; k < len(d.reps); k++ {
		if r := d.reps[(first+k)%len(d.reps)]; usable(r) {
			out = append(out, r)
		}
	}
	return out
}

// posStale is how old a replica's cached position may be before a read it
// does not cover reads it again.
const posStale = 5 * time.Millisecond

// pick returns the replica that serves a read of d needing position need,
// or nil for the primary, with the reason the primary answers.
func (c *Connector) pick(ctx context.Context, d *dsReplicas, need gtidPos, needAt time.Time, unknown bool) (*replica, string) {
	if unknown {
		return nil, "the position of a write is not known yet"
	}
	o := &c.opts.replica
	var buf [4]*replica
	cands := d.order(o.balancer, o.maxLag > 0, buf[:0])
	if len(cands) == 0 {
		return nil, "no healthy replica"
	}
	if len(need) == 0 {
		return cands[0], ""
	}
	for _, r := range cands {
		if pos, _ := r.applied(); pos.covers(need) {
			return r, ""
		}
	}
	// The balancer's pick may have applied the writes since its position
	// was read: look again (or wait, WithReplicaWait), once.
	r := cands[0]
	_, at := r.applied()
	if o.wait == 0 && !at.Before(needAt) && time.Since(at) <= posStale {
		return nil, "the replicas are behind the writes this read must see"
	}
	done, ok := c.spareConn(r)
	if !ok {
		return nil, "the replica's connections are all in use; its position cannot be read now"
	}
	defer done()
	// The look is bounded (lookBound): a replica that does not answer it
	// in time is ejected, and the primary answers the read.
	lctx, cancel := context.WithTimeout(ctx, o.wait+c.lookBound())
	defer cancel()
	var covered bool
	var err error
	if o.wait > 0 {
		covered, err = c.waitFor(lctx, r, need, o.wait)
	} else {
		var pos gtidPos
		pos, err = c.readApplied(lctx, r)
		covered = err == nil && pos.covers(need)
	}
	if covered {
		return r, ""
	}
	if err != nil && ctx.Err() == nil && !serverAnswered(err) {
		c.eject(r, fmt.Errorf("looking at its position: %w", err))
		return nil, "the replica did not answer a look at its position"
	}
	return nil, "the replicas are behind the writes this read must see"
}

// lookBound bounds a read's look at a replica's position (beyond
// WithReplicaWait's wait): the probe interval, at most a second.
//
// The hazard: the look ran under the read's context alone, so a replica
// that accepted the query and never answered (a stalled process, a
// partitioned network) held the read until its context ended — forever
// without a deadline — although its primary could answer at once (found
// by TestReplicas, "round 12 faults"). A replica that does not answer a
// look in time is ejected, as the probe ejects one that does not answer
// within its interval.
func (c *Connector) lookBound() time.Duration {
	return min(c.opts.replica.probeEvery, time.Second)
}

// spareConn takes one of replica r's connections for a look at its
// position (pick, probe) if its pool has one to spare now, counted by the
// replica's gate like a read's; done gives it back.
//
// The hazard: the look asked r's pool directly, and a limited pool whose
// connections were all held — by open rows the caller has not read yet, a
// long scan — made it wait inside database/sql: a read that the primary
// could have answered at once waited for the caller's own rows (until its
// context ended, forever without a deadline), and the probe's look timed
// out and ejected a replica that was only busy (found by TestReplicas,
// "round 12 faults"). A read does not wait for a replica's connection to
// learn where it is: without one, the primary answers. The probe waits
// for one through the gate, and a busy replica is not ejected
// (probeOne).
func (c *Connector) spareConn(r *replica) (done func(), ok bool) {
	g := c.gateFor(r.gateKey(), r.db)
	if g == nil {
		return func() {}, true
	}
	if !g.take(1) {
		return nil, false
	}
	return func() { g.release(1) }, true
}

// readApplied reads a replica's applied position and caches it.
func (c *Connector) readApplied(ctx context.Context, r *replica) (gtidPos, error) {
	at := time.Now()
	var s sql.NullString
	if err := r.db.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_slave_pos").Scan(&s); err != nil {
		return nil, err
	}
	p, err := parseGTIDPos(s.String)
	if err != nil {
		return nil, err
	}
	r.setApplied(p, at)
	return p, nil
}

// waitFor waits up to d for replica r to apply need (MASTER_GTID_WAIT);
// err is a failure to ask.
func (c *Connector) waitFor(ctx context.Context, r *replica, need gtidPos, d time.Duration) (bool, error) {
	var res sql.NullInt64
	if err := r.db.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", need.String(), d.Seconds()).Scan(&res); err != nil {
		return false, err
	}
	if res.Valid && res.Int64 == 0 {
		r.reached(need, time.Now())
		return true, nil
	}
	return false, nil
}

// readPrimaryPos reads a primary's binary log position on conn.
func readPrimaryPos(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (gtidPos, error) {
	var s sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&s); err != nil {
		return nil, err
	}
	return parseGTIDPos(s.String)
}
