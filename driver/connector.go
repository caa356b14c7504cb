package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// Connector opens shardsql connections over one topology. It owns the
// connection pools it opens from data source DSNs and closes them in Close;
// pools the user registered with Topology.AddDB are left alone.
type Connector struct {
	topo   *shard.Topology
	router *route.Router
	opts   options

	mu    sync.Mutex
	pools map[string]*sql.DB // pools shardsql opened, by data source name
	// opened is a copy of pools, replaced whole under mu when a pool
	// opens and cleared by Close, that db reads without the lock: it runs
	// for every statement, and one mutex shared by all of them was a
	// point of contention (issue 16).
	opened atomic.Pointer[map[string]*sql.DB]
	gates  sync.Map // data source name → *gate, for pools with a limit
	parks  sync.Map // data source name → *parkList (pin_park.go)
	// parksClosed: Close ran, nothing is parked any more; parkDiscards
	// counts parked connections that failed their liveness check, and
	// staleReads those of them a read found dead by its own failure
	// (stale_read.go).
	parksClosed  atomic.Bool
	parkDiscards atomic.Int64
	staleReads   atomic.Int64
	// parkTickFor, when set (tests: SetParkTick), replaces parkTick.
	parkTickFor atomic.Int64
	closed      bool

	probeMu       sync.Mutex
	probed        atomic.Bool // weightStrings is known
	weightStrings bool        // the servers have WEIGHT_STRING(); set once before probed
	// probedModes is the default data source's session and global
	// sql_mode, read with weightStrings (nil when it did not say): the
	// dialect check's answer before the catalog is loaded
	// (session_server.go).
	probedModes *schema.Source
	// xaLogReady: the XA decision log table exists; xaLogSem (one
	// token) is held while a caller creates it, taken as ctx allows
	// (xa.go).
	xaLogReady atomic.Bool
	xaLogSem   chan struct{}
	// autocommits: data source name → *autocommitCheck, what the first
	// use of its pool read of @@autocommit (pool_autocommit.go).
	autocommits sync.Map
	// pinWaits are the sessions waiting at a gate for a pin
	// (gate_cycle.go).
	pinWaits pinWaits

	catalog catalogCache // the servers' schema, for routing
	dialect dialectMemo  // checkDialect's words of the current catalog (dialect_memo.go)
	// interp caches interpolates (interpolate.go) per topology version.
	interp atomic.Pointer[interpolation]
	// refresh is the periodic catalog reload (WithCatalogRefresh), nil
	// when off; stopped by Close (catalog_reload.go).
	refresh *catalogRefresher

	// Read replicas (replica.go): the set of the current topology version,
	// and the background probe, started with the first replica.
	reps      atomic.Pointer[replicaSet]
	repMu     sync.Mutex
	probeStop chan struct{}
	probeDone chan struct{}
	repClosed bool          // Close ran: no probe starts again
	stats     statsCounters // what Stats reports (stats.go)
	// scattering counts the statements starting their units in parallel
	// (scatter_adaptive.go).
	scattering atomic.Int64
	// deepScratch pools deep pages' bound buffers (merge/deep_scratch.go).
	deepScratch merge.DeepScratch
	// deepHints keeps deep pages' position hints (merge/deep_hints.go);
	// nil when WithDeepPageHints(false).
	deepHints *merge.DeepHints
	// rawBufs pools the row storage of scatters' bounded reads
	// (rows_raw_scatter.go, rawBuf).
	rawBufs sync.Pool
	// ones pools the rows of one-unit queries (rows_one_unit.go).
	ones oneUnits
}

// xaHook calls the test hook for an XA commit stage, if one is set.
func (c *Connector) xaHook(stage string) {
	if c.opts.xaHook != nil {
		c.opts.xaHook(stage)
	}
}

var _ driver.Connector = (*Connector)(nil)

// NewConnector returns a Connector for topo. Every data source's DSN is
// checked now; pools open lazily, so data sources added to the topology
// later are picked up on first use.
func NewConnector(topo *shard.Topology, opts ...Option) (*Connector, error) {
	if topo == nil {
		return nil, errors.New("shardsql: NewConnector: nil topology")
	}
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	r, err := route.NewWithConfig(topo, route.Config{CacheSize: o.cacheSize})
	if err != nil {
		return nil, err
	}
	for _, ds := range topo.DataSources() {
		if ds.DB == nil {
			if _, err := mysql.ParseDSN(ds.DSN); err != nil {
				return nil, fmt.Errorf("shardsql: data source %s: invalid DSN: %w", ds.Name, err)
			}
			if err := checkAutocommit(ds.Name, ds.DSN); err != nil { // tx_autocommit.go
				return nil, err
			}
		}
	}
	if err := checkLocations(topo); err != nil {
		return nil, err
	}
	c := &Connector{topo: topo, router: r, opts: o, pools: make(map[string]*sql.DB), xaLogSem: make(chan struct{}, 1)}
	if !o.noDeepHints {
		c.deepHints = merge.NewDeepHints(merge.DefaultDeepHints)
	}
	c.startRefresh() // catalog_reload.go: no goroutine unless WithCatalogRefresh
	return c, nil
}

// Connect returns a new connection. It does not dial: shard connections
// are taken from the pools per statement.
func (c *Connector) Connect(context.Context) (driver.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("shardsql: connector is closed")
	}
	return &Conn{c: c, statsAt: uint8(rand.Uint32() % statsStripes)}, nil
}

// Driver returns the shardsql driver.
func (c *Connector) Driver() driver.Driver { return Driver{} }

// Close closes the pools the connector opened. sql.DB.Close calls it.
func (c *Connector) Close() error {
	c.stopRefresh()             // catalog_reload.go: before the pools close
	repErr := c.closeReplicas() // replica.go: the probe stops first
	c.closeParked()             // pin_park.go: before the pools close; nothing is parked after
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.opened.Store(nil) // db takes the lock, and sees closed
	errs := []error{repErr}
	for name, db := range c.pools {
		if err := db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("shardsql: closing data source %s: %w", name, err))
		}
		delete(c.pools, name)
	}
	return errors.Join(errs...)
}

// Topology returns the topology the connector routes by.
func (c *Connector) Topology() *shard.Topology { return c.topo }

// db returns the pool of a data source, opening it on first use; a pool
// found with autocommit off is refused (pool_autocommit.go).
func (c *Connector) db(name string) (*sql.DB, error) {
	db, err := c.pool(name)
	if err != nil {
		return nil, err
	}
	if err := c.knownAutocommit(name, db); err != nil {
		return nil, err
	}
	return db, nil
}

// pool returns the pool of a data source, opening it on first use.
func (c *Connector) pool(name string) (*sql.DB, error) {
	ds, ok := c.topo.DataSource(name)
	if !ok {
		return nil, fmt.Errorf("shardsql: unknown data source %q", name)
	}
	if ds.DB != nil {
		return ds.DB, nil
	}
	if m := c.opened.Load(); m != nil {
		if db, ok := (*m)[name]; ok {
			return db, nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("shardsql: connector is closed")
	}
	if db, ok := c.pools[name]; ok {
		return db, nil
	}
	db, err := c.openPool(ds, c.opts.maxIdle, true)
	if err != nil {
		return nil, err
	}
	c.pools[name] = db
	opened := make(map[string]*sql.DB, len(c.pools))
	for n, p := range c.pools {
		opened[n] = p
	}
	c.opened.Store(&opened)
	return db, nil
}

// route plans one statement and logs the plan when logging is on.
func (c *Connector) route(ctx context.Context, query string, args []any) (*route.Plan, error) {
	return c.routeIn(ctx, query, args, nil, nil, false)
}

// routeIn is route with a cached point statement's plan in store (nil:
// an allocation of its own; see route.PlanStore), the Conn's memo of its
// last statement's parse in memo (nil: none); temps says the session
// created temporary tables (route.Options.SessionTemporary).
func (c *Connector) routeIn(ctx context.Context, query string, args []any, store *route.PlanStore, memo *route.ParseMemo, temps bool) (*route.Plan, error) {
	weights, err := c.hasWeightStrings(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := routeOptions(ctx, route.Options{WeightStrings: weights, MaxMemoryRows: c.opts.maxMemoryRows, JoinBatch: c.opts.joinBatch, DeepPageKeys: c.opts.deepPageKeys, Store: store, Memo: memo, SessionTemporary: temps, InterpolatedArgs: c.interpolates()})
	if err != nil {
		return nil, err
	}
	p, err := c.routeCatalog(ctx, query, args, opts)
	if err != nil {
		return nil, err
	}
	if c.opts.logger != nil {
		c.opts.logger.DebugContext(ctx, "shardsql: routed", "sql", query, "units", len(p.Units), "plan", p.String())
	}
	return p, nil
}

// hasWeightStrings reports whether the servers are MariaDB or MySQL (they
// have WEIGHT_STRING(); the embedded shards do not). Cross-node merges then
// fetch hidden COLLATION() columns to compare text by the nodes' collation
// (route.Options.WeightStrings); the embedded shards compare text by bytes,
// as their binary collation does. It asks the default data source once.
func (c *Connector) hasWeightStrings(ctx context.Context) (bool, error) {
	if c.probed.Load() { // the hot path: no lock once known
		return c.weightStrings, nil
	}
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if c.probed.Load() {
		return c.weightStrings, nil
	}
	name := c.topo.DefaultDataSource()
	if name == "" {
		return false, nil
	}
	db, err := c.db(name)
	if err != nil {
		return false, err
	}
	defer c.unparked(name)() // not through the gate (pin_park.go)
	var w []byte
	err = db.QueryRowContext(ctx, "SELECT WEIGHT_STRING('a')").Scan(&w)
	var myErr *mysql.MySQLError
	switch {
	case err == nil:
		c.weightStrings = true
	case errors.As(err, &myErr):
		c.weightStrings = false // the server answered: it has no WEIGHT_STRING
	default:
		return false, fmt.Errorf("shardsql: data source %s: checking for WEIGHT_STRING: %w", name, err)
	}
	var mode, gmode string
	if db.QueryRowContext(ctx, "SELECT @@session.sql_mode, @@global.sql_mode").Scan(&mode, &gmode) == nil {
		probed := &schema.Source{}
		probed.SetSQLModes(mode, gmode, route.DialectModeIn)
		c.probedModes = probed
	}
	c.probed.Store(true)
	return c.weightStrings, nil
}

// CacheStats is the plan cache's hits, misses and entries.
type CacheStats = route.CacheStats

// PlanCacheStats reports the plan cache's hits, misses and entries.
func (c *Connector) PlanCacheStats() CacheStats { return c.router.CacheStats() }

// PlanCacheStats reports the plan cache of the shardsql connector behind db.
func PlanCacheStats(ctx context.Context, db *sql.DB) (CacheStats, error) {
	var st CacheStats
	err := withConnector(ctx, db, func(c *Connector) error {
		st = c.PlanCacheStats()
		return nil
	})
	return st, err
}

// openPool opens a go-sql-driver pool on data source ds's DSN with the
// connector's limit and lifetimes and maxIdle idle connections; logged
// times its node statements when a logger is set (node_conn.go).
func (c *Connector) openPool(ds shard.DataSource, maxIdle int, logged bool) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(ds.DSN)
	if err != nil {
		return nil, fmt.Errorf("shardsql: data source %s: invalid DSN: %w", ds.Name, err)
	}
	conn, err := c.nodeDriverConnector(cfg, ds.Name, logged) // cut_conn.go, node_conn.go
	if err != nil {
		return nil, fmt.Errorf("shardsql: data source %s: %w", ds.Name, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(maxIdle)
	db.SetMaxOpenConns(c.opts.maxOpen)
	db.SetConnMaxLifetime(c.opts.connMaxLifetime)
	db.SetConnMaxIdleTime(c.opts.connMaxIdleTime)
	return db, nil
}
