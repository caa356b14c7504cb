package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// probeLoop checks the replicas every probe interval until stop is
// closed: see probe.
func (c *Connector) probeLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	every := c.opts.replica.probeEvery
	t := time.NewTicker(every)
	defer t.Stop()
	// Closing stop ends a probe under way. The hazard: a probe waiting
	// for a busy replica's connection, or for an answer, under a long
	// interval, held Connector.Close (db.Close) for as long (found by
	// TestReplicas, "round 12 faults").
	base, stopped := context.WithCancel(context.Background())
	defer stopped()
	go func() {
		select {
		case <-stop:
			stopped()
		case <-base.Done():
		}
	}()
	for {
		// The first probe runs at once: under a lag bound, replicas serve
		// no reads until it has read their lag.
		ctx, cancel := context.WithTimeout(base, every)
		c.probe(ctx)
		cancel()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// probe checks every replica once, in parallel: an ejected replica that
// answers a ping is re-admitted; a healthy one has its applied position
// read again and, with WithMaxReplicaLag, its lag; one that does not
// answer is ejected. A data source whose write position is unknown has it
// read from its primary.
func (c *Connector) probe(ctx context.Context) {
	rs := c.reps.Load()
	if rs == nil {
		return
	}
	done := make(chan struct{})
	n := 0
	for _, d := range rs.byDS {
		for _, r := range d.reps {
			if r.db == nil || r.sessionBad.Load() {
				continue // invalid DSN, another session than the primary's: stays ejected
			}
			n++
			go func() {
				defer func() { done <- struct{}{} }()
				c.probeOne(ctx, r, d.w)
			}()
		}
		if unknown, lost := d.w.unknownSince(); unknown {
			if db, err := c.db(d.ds); err == nil {
				unpark := c.unparked(d.ds) // not through the gate (pin_park.go)
				pos, err := readPrimaryPos(ctx, db)
				unpark()
				if err == nil {
					d.w.resolve(lost, pos) // replica_writes.go
				}
			}
		}
	}
	for ; n > 0; n-- {
		<-done
	}
}

// probeOne checks one replica; w is its data source's writes.
func (c *Connector) probeOne(ctx context.Context, r *replica, w *writes) {
	// A connection counted by the replica's gate, waited for up to half
	// the interval, at most a second (spareConn, replica.go): a replica
	// whose connections are all held by reads is busy, not failed, and is
	// not ejected. Its lag cannot be read, so under a lag bound it takes
	// no new reads until a probe has read it.
	if g := c.gateFor(r.gateKey(), r.db); g != nil {
		wait := min(c.opts.replica.probeEvery/2, time.Second)
		if err := g.acquire(ctx, 1, wait); err != nil {
			if c.opts.replica.maxLag > 0 {
				r.lag.Store(-1)
				r.lagged.Store(true)
			}
			return
		}
		defer g.release(1)
	}
	var applied gtidPos
	check := func() (err error) { applied, err = c.readApplied(ctx, r); return err }
	if c.opts.replica.noRYW {
		check = func() error { return r.db.PingContext(ctx) } // no GTIDs needed (MySQL replicas)
	}
	if err := check(); err != nil {
		c.eject(r, err) // a replica that does not answer in a probe interval serves no reads
		return
	}
	if err := c.checkSource(ctx, r, w, applied); err != nil { // replica_source.go
		c.eject(r, err)
		return
	}
	if r.unchecked.Load() {
		// replica_session_check.go: no reads before the sessions are
		// compared; a session that could not be read is tried again at
		// the next probe.
		if err := c.checkReplicaSession(ctx, r); err != nil {
			if errors.Is(err, ErrUnsupported) {
				r.sessionBad.Store(true)
				c.eject(r, fmt.Errorf("shardsql: replica: %w", err))
			}
			return
		}
		r.unchecked.Store(false)
	}
	if c.opts.replica.maxLag > 0 {
		lag, err := replicaLag(ctx, r.db)
		switch {
		case err != nil:
			r.lag.Store(-1)
			r.lagged.Store(true)
		case lag < 0:
			r.lag.Store(-1)
			r.lagged.Store(true) // replication stopped
		default:
			r.lag.Store(int64(lag))
			r.lagged.Store(lag > c.opts.replica.maxLag)
		}
	}
	if r.ejected.Swap(false) && c.opts.logger != nil {
		c.opts.logger.Info("shardsql: replica re-admitted", "data_source", r.ds, "replica", r.name)
	}
}

// replicaLag reads Seconds_Behind_Master from SHOW SLAVE STATUS; -1 when
// replication is not running (the server reports NULL).
func replicaLag(ctx context.Context, db *sql.DB) (time.Duration, error) {
	rows, err := db.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("SHOW SLAVE STATUS is empty: the server is not a replica")
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return 0, err
	}
	for i, col := range cols {
		if strings.EqualFold(col, "Seconds_Behind_Master") {
			if vals[i] == nil {
				return -1, nil
			}
			var secs int64
			if _, err := fmt.Sscan(string(vals[i]), &secs); err != nil {
				return 0, fmt.Errorf("Seconds_Behind_Master %q: %w", vals[i], err)
			}
			return time.Duration(secs) * time.Second, nil
		}
	}
	return 0, errors.New("SHOW SLAVE STATUS has no Seconds_Behind_Master")
}
