package driver

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
)

// gate counts the connections of one data source's pool that cross-node
// queries hold while they stream. A k-way merge keeps one connection per
// unit open until it ends, so a query takes all the connections it needs on
// a data source at once, or waits: two queries can never each hold part of
// a small pool and wait for the rest.
type gate struct {
	mu   sync.Mutex
	cap  int // the pool's MaxOpenConnections
	used int
	wake chan struct{} // closed when connections are given back
}

func (g *gate) acquire(ctx context.Context, n int) error {
	for {
		g.mu.Lock()
		if g.used+n <= g.cap {
			g.used += n
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
		}
	}
}

func (g *gate) release(n int) {
	g.mu.Lock()
	g.used -= n
	if g.wake != nil {
		close(g.wake)
		g.wake = nil
	}
	g.mu.Unlock()
}

// gateFor returns the gate of a pool with a connection limit, nil for an
// unlimited pool.
func (c *Connector) gateFor(ds string, db *sql.DB) *gate {
	limit := db.Stats().MaxOpenConnections
	if limit <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gates == nil {
		c.gates = make(map[string]*gate)
	}
	g := c.gates[ds]
	if g == nil {
		g = &gate{cap: limit}
		c.gates[ds] = g
	}
	g.mu.Lock()
	g.cap = limit // SetMaxOpenConns may have changed it
	g.mu.Unlock()
	return g
}

// reserve takes, in data source order, the connections a cross-node query
// will hold on each limited pool. When a pool allows fewer connections than
// the query has units there, the query must read its units one after
// another (sequential); it then takes one connection per limited pool. The
// returned release gives them back.
func (c *Connector) reserve(ctx context.Context, units []string) (release func(), sequential bool, err error) {
	need := map[string]int{}
	for _, ds := range units {
		need[ds]++
	}
	names := make([]string, 0, len(need))
	for ds := range need {
		names = append(names, ds)
	}
	sort.Strings(names)
	gates := map[string]*gate{}
	for _, ds := range names {
		db, err := c.db(ds)
		if err != nil {
			return nil, false, err
		}
		if g := c.gateFor(ds, db); g != nil {
			gates[ds] = g
			if need[ds] > g.cap {
				sequential = true
			}
		}
	}
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
	for _, ds := range names {
		g := gates[ds]
		if g == nil {
			continue
		}
		n := need[ds]
		if sequential {
			n = 1
		}
		if err := g.acquire(ctx, n); err != nil {
			release()
			return nil, false, fmt.Errorf("shardsql: waiting for %d connection(s) of data source %s: %w", n, ds, err)
		}
		taken = append(taken, held{g, n})
	}
	return release, sequential, nil
}
