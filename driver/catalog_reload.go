package driver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Keeping the catalog fresh.
//
// The hazard (docs/attack.md round 12, "Left"): triggers, foreign keys,
// procedures and functions are read when the catalog loads — the first
// write, and after a DDL statement run through shardsql. One created on
// the servers directly afterwards (a migration tool, a DBA's session) is
// not seen, and the writes it turns into a misplaced row run. A DDL
// through shardsql drops what it changed; nothing can see a DDL sent
// elsewhere. So the application says when the servers' schema changed
// (ReloadCatalog, after its migrations), or asks for a periodic reload
// (WithCatalogRefresh) when it cannot know.
//
// Neither adds work to a statement: a reload builds a new catalog and
// swaps it in with one atomic store (catalogCache), and statements keep
// routing with the old one meanwhile. A reload holds the cache's lock, so
// a statement that needs a fact the catalog lacks waits for it as it
// would for its own load.

// ReloadCatalog reads the servers' schema again — every data source's
// version and settings, the sharded tables' columns and unique keys, and
// the triggers, foreign keys, stored procedures and stored functions that
// make writes unsafe — and routes every later statement with what it read.
// Call it after changing the schema on the servers directly (not through
// shardsql, whose DDL statements drop what they change): until then a
// trigger created there is not known, and a write it turns into a
// misplaced row is not refused. Each data source is given at most 2 s
// (and ctx's deadline). A data source that does not answer keeps what an
// earlier load read of it; the error then names it (and is ctx's error
// when ctx ended), and the rest of the catalog is fresh.
func (c *Connector) ReloadCatalog(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := c.catalog.load(ctx, c)
	if len(st.unanswered) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shardsql: reloading the catalog: data sources %s not read: %w", strings.Join(st.unanswered, ", "), err)
	}
	return fmt.Errorf("shardsql: reloading the catalog: data sources %s did not answer (what an earlier load read of them is kept)", strings.Join(st.unanswered, ", "))
}

// ReloadCatalog is Connector.ReloadCatalog for the shardsql connector
// behind db.
func ReloadCatalog(ctx context.Context, db *sql.DB) error {
	return withConnector(ctx, db, func(c *Connector) error { return c.ReloadCatalog(ctx) })
}

// load loads the catalog whatever the current one holds and makes it
// current.
func (cc *catalogCache) load(ctx context.Context, c *Connector) *catalogState {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	next := c.loadCatalog(ctx, cc.state.Load())
	cc.state.Store(next)
	return next
}

// WithCatalogRefresh reloads the catalog every d in the background, as
// ReloadCatalog does, from the connector's creation until Close. It is for
// deployments whose servers' schema changes outside the application
// (triggers, foreign keys, procedures or functions created by a DBA or a
// migration tool that does not call ReloadCatalog): such an object is
// then seen within d.
//
// It is off by default (d = 0, no goroutine): each reload runs seven
// information_schema queries on every data source, which open the
// definitions of the database's tables — work a schema that only changes
// through the application (whose DDL through shardsql is seen at once) or
// through migrations followed by ReloadCatalog never needs. Statements
// never wait for a periodic reload unless they need a fact the catalog
// lacks. d must be at least one second.
func WithCatalogRefresh(d time.Duration) Option {
	return func(o *options) error {
		if d != 0 && d < time.Second {
			return fmt.Errorf("shardsql: WithCatalogRefresh(%v): at least one second, or 0 for none", d)
		}
		o.catalogRefresh = d
		return nil
	}
}

// catalogRefresher is the background reload of WithCatalogRefresh.
type catalogRefresher struct {
	stop context.CancelFunc
	done chan struct{}
}

// startRefresh starts the periodic reload when the options ask for one.
func (c *Connector) startRefresh() {
	d := c.opts.catalogRefresh
	if d <= 0 {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &catalogRefresher{stop: stop, done: make(chan struct{})}
	c.refresh = r
	go func() {
		defer close(r.done)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				// A data source that does not answer keeps its facts;
				// the next tick asks again.
				_ = c.ReloadCatalog(ctx)
			}
		}
	}()
}

// stopRefresh stops the periodic reload and waits for a reload under way
// (cut short: its queries end with the context) before the pools close.
func (c *Connector) stopRefresh() {
	if r := c.refresh; r != nil {
		r.stop()
		<-r.done
	}
}
