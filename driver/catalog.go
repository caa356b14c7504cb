package driver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
)

// The schema catalog is what the servers say about the data sources and
// the sharded tables (column types, collations, unique keys), which routing
// needs to convert sharding values as the server does. The hot path is two
// atomic loads (the catalog and the topology version); no statement waits
// for the servers unless its routing needs a fact the catalog lacks:
//
//   - the catalog starts empty (only the DSNs' time zones, which need no
//     I/O) and is loaded when a statement needs a fact it lacks
//     (Plan.SchemaUnknown, route.ErrSchemaUnknown), at most once per
//     catalogRetry for statements it only routes more widely, always
//     for statements it refuses;
//   - a topology change carries the facts over to the new version
//     without I/O (the servers' schema did not change);
//   - a DDL statement the driver runs drops its table's facts, so the next
//     statement that needs them loads them afresh.
//
// The hazard avoided: loading eagerly makes every statement wait for a
// server that hangs, including statements that never touch it. A data
// source that does not answer keeps the facts it gave before, or leaves
// them unknown: routing then takes the conservative path (every node for
// reads, a refusal for writes) only for statements that need them.

// catalogTimeout bounds how long loading the catalog waits for one data
// source (and never longer than the statement's own deadline).
const catalogTimeout = 2 * time.Second

// catalogRetry is the shortest time between two loads for statements that
// the missing facts only route more widely.
const catalogRetry = time.Second

// catalogCache holds the current catalog of a Connector.
type catalogCache struct {
	state atomic.Pointer[catalogState]
	// mu serializes every change of state that reads the servers or
	// drops facts, loads included, so a DDL's invalidation never races
	// with a load that read the old schema (current's rebase, which does
	// neither, swaps without it).
	mu sync.Mutex
}

// catalogState is one catalog and how it was obtained.
type catalogState struct {
	cat      *schema.Catalog
	complete bool      // every data source answered and every sharded table was found
	loaded   time.Time // when the last load started; zero before the first
	// unanswered lists the data sources the load that made this state
	// could not read whole (ReloadCatalog reports them).
	unanswered []string
}

// current returns the catalog for the topology's current version.
//
// Hazard (review13a): the rebase after a topology change took mu, which a
// load holds while it waits for the servers (up to catalogTimeout each): a
// periodic refresh (WithCatalogRefresh) whose data source hung made every
// statement after a table was added wait up to 2 s for a server it never
// reads. A rebase does no I/O, so it is swapped in with a compare-and-swap
// instead: a load, reload or forget that stores over it stores a state it
// computed under mu from what it read, and a state of an older version is
// rebased again by the next statement.
func (cc *catalogCache) current(c *Connector) *schema.Catalog {
	for {
		st := cc.state.Load()
		if st != nil && st.cat.TopologyVersion == c.topo.Version() {
			return st.cat
		}
		if next := c.rebase(st); cc.state.CompareAndSwap(st, next) {
			return next.cat
		}
	}
}

// rebase carries the facts of st (nil for none) over to the topology's
// current version, without I/O.
func (c *Connector) rebase(st *catalogState) *catalogState {
	version := c.topo.Version()
	sources := c.topo.DataSources()
	tables := c.topo.Tables()
	cat := &schema.Catalog{
		TopologyVersion: version,
		Sources:         make(map[string]schema.Source, len(sources)),
		Tables:          make(map[string]*schema.Table, len(tables)),
		Locations:       locations(sources),
	}
	next := &catalogState{cat: cat}
	if st == nil {
		cat.HazardsUnknown = true // not read yet
		cat.UnshardedUnread = true
		return next
	}
	next.loaded, next.complete = st.loaded, st.complete
	// Triggers and foreign keys are the servers' schema, which a topology
	// change does not touch; hazards of a table newly sharded were read
	// under its physical name, which is its logical one.
	cat.WriteHazards, cat.HazardsUnknown = st.cat.WriteHazards, st.cat.HazardsUnknown
	cat.Unsettled = st.cat.Unsettled // never written in place
	// The unsharded tables' columns were read from the data source that
	// was the default then (schema.Catalog.UnshardedColumns checks it).
	cat.Unsharded, cat.UnshardedUnread = st.cat.Unsharded, st.cat.UnshardedUnread
	for _, ds := range sources {
		if src, ok := st.cat.Sources[ds.Name]; ok {
			cat.Sources[ds.Name] = src
		} else {
			next.complete = false
		}
	}
	for _, t := range tables {
		if tbl, ok := st.cat.Table(t.Name); ok {
			cat.Tables[strings.ToLower(t.Name)] = tbl
		} else {
			next.complete = false
		}
	}
	return next
}

// reload loads the catalog because a statement that routed with catalog
// used needed facts it lacks. It returns nil when there is nothing newer
// to route with: the catalog is complete and the statement was not refused
// for lack of facts, or it was loaded less than catalogRetry ago. A load
// that finished after used was taken serves the statement without another
// one.
func (cc *catalogCache) reload(ctx context.Context, c *Connector, used *schema.Catalog, refused bool) *schema.Catalog {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st != nil && st.cat.TopologyVersion == c.topo.Version() {
		switch {
		case st.cat != used && !st.loaded.IsZero():
			// Hazard (review13a): a newer catalog that no load made
			// (forget after a DDL, or a rebase of it: loaded is zero)
			// lacks the facts too. Returned, the statement was routed
			// again without them and refused ("unqualified column …")
			// whenever another session's DDL ran between its routing
			// and this reload; it is loaded instead.
			return st.cat
		case st.complete && !refused, time.Since(st.loaded) < catalogRetry && (st.complete || !refused):
			// A complete catalog still lacks what a refused statement
			// needed when the servers changed other than through the
			// driver (an unsharded table created since, a column
			// added): loaded again, at most once per catalogRetry.
			return nil
		}
	}
	next := c.loadCatalog(ctx, st)
	cc.state.Store(next)
	return next.cat
}

// forget drops what the catalog knows of a table, after DDL on it, and
// lets the next statement that needs it load at once.
func (cc *catalogCache) forget(table string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st == nil {
		return
	}
	cat := *st.cat
	cat.HazardsUnknown = true // a DDL may have made or dropped a trigger or foreign key
	// Any DDL may have changed an unsharded table's columns (the driver
	// does not tell which table a statement it passes through changes):
	// the next statement that needs them loads them.
	cat.Unsharded, cat.UnshardedUnread = nil, true
	cat.Tables = make(map[string]*schema.Table, len(st.cat.Tables))
	for k, v := range st.cat.Tables {
		if k != strings.ToLower(table) {
			cat.Tables[k] = v
		}
	}
	cc.state.Store(&catalogState{cat: &cat})
}

// unsettle records that a DDL of sharded table table failed on some of its
// node tables: until a load compares them, a statement merging its rows
// loads its facts first (route/drift.go).
func (cc *catalogCache) unsettle(table string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st == nil {
		return
	}
	cat := *st.cat
	cat.Unsettled = make(map[string]bool, len(st.cat.Unsettled)+1)
	for k := range st.cat.Unsettled {
		cat.Unsettled[k] = true
	}
	cat.Unsettled[strings.ToLower(table)] = true
	next := *st
	next.cat = &cat
	cc.state.Store(&next)
}

// routeCatalog routes a statement with the current catalog and, when the
// plan or refusal depended on facts the catalog lacks, once more after
// loading them.
func (c *Connector) routeCatalog(ctx context.Context, query string, args []any, opts route.Options) (*route.Plan, error) {
	opts.Catalog = c.catalog.current(c)
	p, err := c.router.RouteWith(query, args, opts)
	refused := err != nil && errors.Is(err, route.ErrSchemaUnknown)
	if refused || (err == nil && p.SchemaUnknown) {
		if fresh := c.catalog.reload(ctx, c, opts.Catalog, refused); fresh != nil {
			opts.Catalog = fresh
			p, err = c.router.RouteWith(query, args, opts)
		}
		// Hazard (review 12): the facts are read under the statement's
		// context; one that ended during the read left them unloaded, and
		// the statement was refused as if the servers had not described
		// the table ("is the table created?"). Nothing was sent: the
		// context's error is the statement's.
		if err != nil && errors.Is(err, route.ErrSchemaUnknown) {
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("shardsql: the statement's context ended while the tables' columns and keys were read: %w", cerr)
			}
		}
	}
	return p, err
}

// afterExec forgets the facts of the table a DDL statement changed,
// whatever its outcome (a DDL may have changed some nodes before failing
// on others).
func (c *Connector) afterExec(p *route.Plan) {
	if p != nil && p.Kind == route.KindDDL {
		c.catalog.forget(p.Table) // "" for an unsharded table: its columns only
	}
}
