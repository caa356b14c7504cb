package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// gate counts the connections of one data source's limited pool that
// shardsql holds: the connection each *sql.Conn, transaction or open point
// query keeps (a pin, see session.go) and the connections a cross-node
// query streams from. database/sql would make a statement wait inside the
// pool for a connection; shardsql decides before it asks.
//
// The hazard it avoids: a statement that holds connections and waits for
// more can wait forever on connections only its own caller would give
// back (open rows it has not read yet, a transaction it has not ended), or
// on another statement doing the same. So nothing waits while holding part
// of what it needs on a data source: a cross-node query takes all its
// connections of every data source at once without waiting (take), and
// when they are not all free it reads its units one after another on one
// connection per data source, the only kind of wait there is (acquire of
// one connection, the way any query waits for its pool).
//
// Counting is lock-free (every statement takes and gives back its pin's
// connection here, and one mutex per data source shared by all of them
// was a point of contention: issue 16); the mutex only guards the wake
// channel of callers that wait. The hazard of that split is a lost
// wake-up: a waiter that saw the pool full and a release that saw no
// waiter. A waiter counts itself (waiters) before it tries to take, and
// tries under mu; a release gives back before it reads waiters, and
// closes the wake channel under mu. So either the waiter's try sees the
// connections given back, or the release sees the waiter and — taking mu
// after the waiter's try — the channel it waits on.
type gate struct {
	used    atomic.Int64
	cap     atomic.Int64 // the pool's MaxOpenConnections
	waiters atomic.Int64 // callers in acquire
	mu      sync.Mutex
	wake    chan struct{} // closed when connections are given back
	// logs are the XA transactions using the decision log through this
	// pool while they hold its connections (xa_log_wait.go).
	logs logWaits
}

// newGate returns the gate of a pool of limit connections.
func newGate(limit int) *gate {
	g := &gate{}
	g.cap.Store(int64(limit))
	return g
}

// take takes n connections if they are free now, without waiting.
func (g *gate) take(n int) bool {
	for {
		used := g.used.Load()
		if used+int64(n) > g.cap.Load() {
			return false
		}
		if g.used.CompareAndSwap(used, used+int64(n)) {
			return true
		}
	}
}

// errWaitTimeout ends a wait for a connection longer than the connector's
// WithConnWaitTimeout.
var errWaitTimeout = errors.New("no connection was given back in time")

// acquire takes n connections, waiting until they are free, ctx ends, or
// wait has passed (0: no limit but ctx's).
//
// The hazard of waiting at all: when every connection is held by callers
// that are themselves waiting for one (each holding open rows, or a
// transaction, while it runs a statement that needs another connection of
// the same data source), nothing is ever given back. shardsql cannot tell
// such callers from ones that will soon be done, so a wait is bounded, by
// default as HikariCP bounds it, and fails naming the pool.
func (g *gate) acquire(ctx context.Context, n int, wait time.Duration) error {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	g.waiters.Add(1)
	defer g.waiters.Add(-1)
	for {
		g.mu.Lock()
		if g.take(n) {
			g.mu.Unlock()
			return nil
		}
		if g.wake == nil {
			g.wake = make(chan struct{})
		}
		w := g.wake
		g.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return errWaitTimeout
		}
	}
}

func (g *gate) release(n int) {
	g.used.Add(-int64(n))
	if g.waiters.Load() == 0 {
		return
	}
	g.mu.Lock()
	if g.wake != nil {
		close(g.wake)
		g.wake = nil
	}
	g.mu.Unlock()
}

// setCap updates the limit, read again from the pool. A larger limit
// wakes the waiters. A limit of 0 or less is database/sql's "no limit"
// (SetMaxOpenConns(0) on a pool given with Topology.AddDB after its gate
// was made): taken as a limit, it admitted nothing, and every statement
// waited out WithConnWaitTimeout (found by TestReview8GateUnlimited).
func (g *gate) setCap(limit int) {
	if limit <= 0 {
		limit = math.MaxInt32 // no limit; the counts still balance
	}
	g.cap.Store(int64(limit))
	g.release(0)
}

// waitError says why acquire gave up, naming the pool and its limit.
func (g *gate) waitError(ds string, err error) error {
	used, limit := g.used.Load(), g.cap.Load()
	return fmt.Errorf("waiting for a connection of data source %s (%d of %d in use: open rows, transactions and *sql.Conn sessions hold theirs until closed; close them sooner or raise WithMaxOpenConns): %w", ds, used, limit, err)
}

// gateFor returns the gate of a pool with a connection limit, nil for an
// unlimited pool. The limit is read from the pool (SetMaxOpenConns on a
// pool given with Topology.AddDB may change it); a known limit is re-read
// only when a wait begins, to keep the pool's lock off the hot path.
func (c *Connector) gateFor(ds string, db *sql.DB) *gate {
	if v, ok := c.gates.Load(ds); ok {
		return v.(*gate)
	}
	limit := db.Stats().MaxOpenConnections
	if limit <= 0 {
		return nil
	}
	v, _ := c.gates.LoadOrStore(ds, newGate(limit))
	return v.(*gate)
}

// needs counts a plan's units per data source, in data source name order.
type need struct {
	ds string
	n  int
}

func needsOf(units []string) []need {
	var out []need
	for _, ds := range units {
		found := false
		for i := range out {
			if out[i].ds == ds {
				out[i].n++
				found = true
				break
			}
		}
		if !found {
			out = append(out, need{ds, 1})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ds < out[j].ds })
	return out
}

// reserve takes, without waiting, every connection a cross-node statement
// will hold at once on each limited pool. ok is false when they are not all
// free now (nothing is then held): the statement must run its units one
// after another on the connections its Conn keeps (pins). The returned
// release gives the connections back.
func (c *Connector) reserve(units []string) (release func(), ok bool, err error) {
	type held struct {
		g *gate
		n int
	}
	var taken []held
	release = func() {
		for _, h := range taken {
			h.g.release(h.n)
		}
		taken = nil
	}
	for _, nd := range needsOf(units) {
		db, err := c.db(nd.ds)
		if err != nil {
			release()
			return nil, false, err
		}
		g := c.gateFor(nd.ds, db)
		if g == nil {
			continue
		}
		if !g.take(nd.n) && !(c.evictParked(nd.ds) > 0 && g.take(nd.n)) {
			release()
			return func() {}, false, nil
		}
		taken = append(taken, held{g, nd.n})
	}
	return release, true, nil
}
