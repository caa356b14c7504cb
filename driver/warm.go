package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// warmDials is how many connections Warm opens at once per data source: a
// burst of hundreds of simultaneous connects overflows a server's listen
// backlog and fails or stalls some of them.
const warmDials = 8

// Warm opens up to n server connections on each data source's pool that
// shardsql opened from a DSN, checks them, and leaves them idle in their
// pools (and on each replica's pool shardsql opened from a DSN), so that
// the first statements after start-up (or after a burst
// the pools had shrunk from) do not pay for connection setup. n is capped
// at WithMaxOpenConns and WithMaxIdleConns (a pool keeps no more idle
// connections than that); pools given with Topology.AddDB are the
// caller's and are left alone.
//
// Warm then waits (two seconds at most) for the first probe to compare
// every replica's session with its primary's: a replica takes no reads
// before (replica_session_check.go), so reads made right after a
// connector opens go to the primaries unless Warm ran. With n ≤ 0 Warm
// opens nothing and only waits.
func (c *Connector) Warm(ctx context.Context, n int) error {
	defer c.waitSessionsCompared(ctx)
	n = min(n, c.opts.maxIdle)
	if c.opts.maxOpen > 0 {
		n = min(n, c.opts.maxOpen)
	}
	if n <= 0 {
		return nil
	}
	var errs []error
	for _, ds := range c.topo.DataSources() {
		if ds.DB != nil {
			continue
		}
		db, err := c.db(ds.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done := c.unparked(ds.Name) // outside the gate (pin_park.go)
		err = WarmPool(ctx, db, n)
		done()
		if err != nil {
			errs = append(errs, fmt.Errorf("shardsql: warming data source %s: %w", ds.Name, err))
		}
	}
	// The replicas' pools shardsql opened from a DSN (AddReplica): reads
	// go there, so they pay for connection setup as the primaries' would.
	// An ejected replica (an invalid DSN, a failed probe) is skipped: it
	// takes no reads until the probe brings it back.
	for _, d := range c.replicas().byDS {
		for _, r := range d.reps {
			if !r.own || r.ejected.Load() {
				continue
			}
			if err := WarmPool(ctx, r.db, n); err != nil {
				errs = append(errs, fmt.Errorf("shardsql: warming replica %s of data source %s: %w", r.name, r.ds, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Warm is Connector.Warm for the shardsql connector behind db.
func Warm(ctx context.Context, db *sql.DB, n int) error {
	return withConnector(ctx, db, func(c *Connector) error { return c.Warm(ctx, n) })
}

// WarmPool opens n connections of any database/sql pool at once, eight
// dialing at a time, pings each and gives them all back to the pool (which
// keeps as many idle as its SetMaxIdleConns allows): for pools given with
// Topology.AddDB, or any other. It returns the first error.
func WarmPool(ctx context.Context, db *sql.DB, n int) error {
	conns := make([]*sql.Conn, 0, n)
	sem := make(chan struct{}, warmDials)
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			conn, err := db.Conn(ctx)
			if err == nil {
				err = conn.PingContext(ctx)
			}
			mu.Lock()
			defer mu.Unlock()
			if conn != nil {
				conns = append(conns, conn)
			}
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	for _, conn := range conns {
		_ = conn.Close()
	}
	return first
}

// waitSessionsCompared waits until no replica that the probe can reach
// waits for its session comparison, ctx ends, or the probe interval (at
// most a second) and a second have passed (a primary that does not answer keeps its replicas
// unchecked: that is the probe's to report, in ReplicaStatus).
func (c *Connector) waitSessionsCompared(ctx context.Context) {
	rs := c.replicas() // starts the probe
	// Bounded: under WithReplicaProbeInterval(time.Hour) a primary that
	// did not answer the first probe would otherwise hold Warm an hour.
	deadline := time.Now().Add(min(c.opts.replica.probeEvery, time.Second) + time.Second)
	for {
		waiting := false
		for _, d := range rs.byDS {
			for _, r := range d.reps {
				waiting = waiting || r.unchecked.Load() && !r.ejected.Load() && !r.sessionBad.Load()
			}
		}
		if !waiting || ctx.Err() != nil || time.Now().After(deadline) {
			return
		}
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
