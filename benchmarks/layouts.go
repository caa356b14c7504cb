package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// Layout names, in report order.
const (
	layoutPlain    = "plain-single"
	layoutSingle   = "shardsql-single"
	layoutOneBy8   = "shardsql-1x8"
	layoutTwoBy8   = "shardsql-2x8"
	benchDBPrefix  = "shardsql_bench_"
	tablesPerSever = 8 // t_order tables per server in the sharded layouts
)

// env is the servers the run uses.
type env struct {
	servers  []*shardtest.Server // started by the command; nil with -dsn
	dsns     []string            // one per server, as given or from the servers
	started  bool                // the command started the servers
	versions []string            // SELECT VERSION() per server
	settings []string            // server settings the command changed
	poolSize int                 // MaxOpenConns = MaxIdleConns of every pool
	opts     []driver.Option     // of every shardsql pool of the layouts
}

func (e *env) close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
}

// openEnv starts or connects to the servers and prepares them.
func openEnv(ctx context.Context, cfg config) (*env, error) {
	e := &env{}
	if cfg.NoDeepHints {
		e.opts = append(e.opts, driver.WithDeepPageHints(false))
	}
	switch len(cfg.DSNs) {
	case 0:
		if !shardtest.HaveMariaDB() {
			return nil, errors.New("mariadbd not found: install mariadb-server or give -dsn twice")
		}
		fmt.Fprintln(cfg.Stderr, "starting 2 throwaway MariaDB servers")
		servers, err := shardtest.StartMariaDB(2, "shardsql_bench")
		if err != nil {
			return nil, err
		}
		e.servers, e.started = servers, true
		for _, s := range servers {
			e.dsns = append(e.dsns, s.DSN())
		}
	case 1:
		fmt.Fprintln(cfg.Stderr, "one -dsn given: the 2-server layout uses two databases on that server")
		e.dsns = []string{cfg.DSNs[0], cfg.DSNs[0]}
	default:
		if len(cfg.DSNs) > 2 {
			fmt.Fprintf(cfg.Stderr, "using the first 2 of %d -dsn values\n", len(cfg.DSNs))
		}
		e.dsns = cfg.DSNs[:2]
	}

	// Every pool gets the same settings, large enough that a scatter query
	// over a server's 8 tables at the highest concurrency never waits for a
	// connection (a k-way merge holds every node's cursor open).
	maxConc := slices.Max(append(slices.Clone(cfg.Concurrency), cfg.OverheadConc...))
	e.poolSize = maxConc * tablesPerSever
	needConns := 4*e.poolSize + 50

	for i, dsn := range e.dsns {
		if i == 1 && e.dsns[1] == e.dsns[0] {
			e.versions = append(e.versions, e.versions[0])
			break
		}
		db, err := openPool(dsn, "", 2)
		if err != nil {
			return nil, err
		}
		var version string
		err = db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version)
		if err == nil && e.started {
			// Throwaway servers start with a 32 MB buffer pool and 151
			// connections; give them room for the data and the pools.
			for _, set := range []string{
				"SET GLOBAL innodb_buffer_pool_size = 512*1024*1024",
				fmt.Sprintf("SET GLOBAL max_connections = %d", needConns),
			} {
				if _, err = db.ExecContext(ctx, set); err != nil {
					break
				}
				if i == 0 {
					e.settings = append(e.settings, strings.TrimPrefix(set, "SET GLOBAL "))
				}
			}
		}
		if err == nil && !e.started {
			var name string
			var maxConns int
			if db.QueryRowContext(ctx, "SHOW VARIABLES LIKE 'max_connections'").Scan(&name, &maxConns) == nil && maxConns < needConns {
				fmt.Fprintf(cfg.Stderr, "warning: server %d allows %d connections; the pools may open up to %d\n", i+1, maxConns, needConns)
			}
		}
		_ = db.Close()
		if err != nil {
			return nil, fmt.Errorf("server %d: %w", i+1, err)
		}
		e.versions = append(e.versions, version)
	}
	return e, nil
}

// withDB returns dsn with its database replaced and parseTime on.
func withDB(dsn, dbName string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("bad DSN: %w", err)
	}
	cfg.DBName = dbName
	cfg.ParseTime = true
	return cfg.FormatDSN(), nil
}

// openPool opens a plain go-sql-driver pool on database dbName of dsn's server.
func openPool(dsn, dbName string, size int) (*sql.DB, error) {
	d, err := withDB(dsn, dbName)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", d)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	return db, nil
}

// layout is one way of holding the same data, and the *sql.DB the
// workloads run on.
type layout struct {
	name     string
	viaShard bool   // db is a shardsql pool
	driver   string // "go-sql-driver/mysql" or "shardsql"
	orders   string // where t_order lives
	logs     string // where t_log lives
	nodes    int    // physical t_order tables

	db      *sql.DB   // what the workloads use
	physDB  []*sql.DB // go-sql-driver pools under db (closed by closeLayouts)
	loadVia *sql.DB   // where its data is loaded through; nil if it shares another layout's tables
	shares  string    // name of the layout whose tables it uses

	nextOrder *atomic.Int64 // next free order_id in its t_order tables
}

const orderDDL = `CREATE TABLE t_order (
	order_id BIGINT NOT NULL PRIMARY KEY,
	user_id  BIGINT NOT NULL,
	amount   DECIMAL(10,2) NOT NULL,
	status   VARCHAR(16) NOT NULL,
	created  DATETIME NOT NULL,
	KEY idx_user (user_id))`

const logDDL = `CREATE TABLE t_log (
	id         BIGINT NOT NULL PRIMARY KEY,
	created    DATETIME NOT NULL,
	level      VARCHAR(8) NOT NULL,
	latency_ms INT NOT NULL,
	msg        VARCHAR(64) NOT NULL,
	KEY idx_created (created))`

// buildLayouts creates a database per layout (dropping an old one),
// opens the pools, builds the shardsql topologies and creates the tables.
func buildLayouts(ctx context.Context, cfg config, e *env) ([]*layout, error) {
	dbs := []struct {
		server int
		name   string
	}{
		{0, benchDBPrefix + "single"},
		{0, benchDBPrefix + "1x8"},
		{0, benchDBPrefix + "2x8_ds0"},
		{1, benchDBPrefix + "2x8_ds1"},
	}
	for _, d := range dbs {
		admin, err := openPool(e.dsns[d.server], "", 1)
		if err != nil {
			return nil, err
		}
		for _, q := range []string{"DROP DATABASE IF EXISTS " + d.name, "CREATE DATABASE " + d.name} {
			if _, err = admin.ExecContext(ctx, q); err != nil {
				break
			}
		}
		_ = admin.Close()
		if err != nil {
			return nil, fmt.Errorf("server %d: %w", d.server+1, err)
		}
	}

	var layouts []*layout
	fail := func(err error) ([]*layout, error) {
		closeLayouts(layouts)
		return nil, err
	}
	pool := func(l *layout, server int, dbName string) (*sql.DB, error) {
		db, err := openPool(e.dsns[server], dbName, e.poolSize)
		if err == nil {
			l.physDB = append(l.physDB, db)
		}
		return db, err
	}
	// source registers database dbName of a server as data source name by
	// its DSN: shardsql opens the pool (with openShardsql's limits) and
	// dials its connections, as an application registers a data source.
	source := func(topo *shard.Topology, name string, server int, dbName string) error {
		d, err := withDB(e.dsns[server], dbName)
		if err != nil {
			return err
		}
		return topo.AddDataSource(name, d)
	}

	// (a) one table on server 1, through the plain driver ...
	plain := &layout{name: layoutPlain, driver: "go-sql-driver/mysql", orders: "t_order on server 1", logs: "t_log on server 1", nodes: 1, nextOrder: new(atomic.Int64)}
	layouts = append(layouts, plain)
	db, err := pool(plain, 0, benchDBPrefix+"single")
	if err != nil {
		return fail(err)
	}
	plain.db, plain.loadVia = db, db
	for _, ddl := range []string{orderDDL, logDDL} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return fail(fmt.Errorf("%s: %w", plain.name, err))
		}
	}

	// ... and the same table through shardsql, which knows no sharded
	// table and passes every statement through to its only data source.
	single := &layout{name: layoutSingle, viaShard: true, driver: "shardsql", orders: "the same t_order (not sharded: passed through)", logs: "the same t_log", nodes: 1, shares: plain.name, nextOrder: plain.nextOrder}
	layouts = append(layouts, single)
	topo := shard.NewTopology()
	if err := source(topo, "ds0", 0, benchDBPrefix+"single"); err != nil {
		return fail(err)
	}
	if single.db, err = openShardsql(topo, e.poolSize, e.opts...); err != nil {
		return fail(err)
	}

	// (b) 8 tables on server 1; t_log by month, 12 tables.
	oneBy8 := &layout{name: layoutOneBy8, viaShard: true, driver: "shardsql", orders: "ds0.t_order_${0..7}, Hash(user_id)", logs: "ds0.t_log_${2025-01..2025-12|month|200601}", nodes: 8, nextOrder: new(atomic.Int64)}
	layouts = append(layouts, oneBy8)
	topo = shard.NewTopology()
	if err := source(topo, "ds0", 0, benchDBPrefix+"1x8"); err != nil {
		return fail(err)
	}
	if err := addTables(topo, oneBy8.orders, oneBy8.logs); err != nil {
		return fail(err)
	}
	if oneBy8.db, err = openShardsql(topo, e.poolSize, e.opts...); err != nil {
		return fail(err)
	}
	oneBy8.loadVia = oneBy8.db

	// (c) 2 servers × 8 tables; t_log January–June on server 1, July–December on server 2.
	twoBy8 := &layout{name: layoutTwoBy8, viaShard: true, driver: "shardsql", orders: "ds${0..1}.t_order_${0..7}, Hash(user_id)", logs: "ds0.t_log_${2025-01..2025-06|month|200601}, ds1.t_log_${2025-07..2025-12|month|200601}", nodes: 16, nextOrder: new(atomic.Int64)}
	layouts = append(layouts, twoBy8)
	topo = shard.NewTopology()
	for i := range 2 {
		if err := source(topo, fmt.Sprintf("ds%d", i), i, fmt.Sprintf("%s2x8_ds%d", benchDBPrefix, i)); err != nil {
			return fail(err)
		}
	}
	if err := addTables(topo, twoBy8.orders, twoBy8.logs); err != nil {
		return fail(err)
	}
	if twoBy8.db, err = openShardsql(topo, e.poolSize, e.opts...); err != nil {
		return fail(err)
	}
	twoBy8.loadVia = twoBy8.db

	for _, l := range []*layout{oneBy8, twoBy8} {
		for _, ddl := range []string{orderDDL, logDDL} {
			if _, err := l.db.ExecContext(ctx, ddl); err != nil {
				return fail(fmt.Errorf("%s: %w", l.name, err))
			}
		}
	}
	for _, l := range layouts {
		l.nextOrder.Store(int64(cfg.Rows) + 1)
	}
	return layouts, nil
}

// addTables adds the sharded t_order and the monthly t_log; orders and logs
// are "<node expression>, Hash(user_id)" and a node expression.
func addTables(topo *shard.Topology, orders, logs string) error {
	err := topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: strings.TrimSuffix(orders, ", Hash(user_id)"), Algorithm: shard.Hash()})
	if err != nil {
		return err
	}
	return topo.AddTable(shard.Table{Name: "t_log", Column: "created",
		Nodes: logs, Algorithm: shard.Interval(shard.Month, "200601")})
}

// openShardsql opens a shardsql pool with the same settings as the plain
// pools: its own and those it opens for the data sources registered by
// DSN.
func openShardsql(topo *shard.Topology, size int, opts ...driver.Option) (*sql.DB, error) {
	opts = append([]driver.Option{driver.WithMaxOpenConns(size), driver.WithMaxIdleConns(size)}, opts...)
	c, err := driver.NewConnector(topo, opts...)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	return db, nil
}

func closeLayouts(layouts []*layout) {
	for _, l := range layouts {
		if l.viaShard && l.db != nil {
			_ = l.db.Close()
		}
		for _, db := range l.physDB {
			_ = db.Close()
		}
	}
}

func layoutByName(layouts []*layout, name string) *layout {
	for _, l := range layouts {
		if l.name == name {
			return l
		}
	}
	return nil
}

// planCacheStats reads each shardsql layout's plan cache counters.
func planCacheStats(ctx context.Context, layouts []*layout) []string {
	var out []string
	for _, l := range layouts {
		if !l.viaShard {
			continue
		}
		st, err := driver.PlanCacheStats(ctx, l.db)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", l.name, err))
			continue
		}
		out = append(out, fmt.Sprintf("%s %d hits, %d misses, %d entries", l.name, st.Hits, st.Misses, st.Entries))
	}
	return out
}

// prefill opens the connections each pool will need before anything is
// measured, a few at a time: a burst of hundreds of simultaneous connects
// (a scatter query at concurrency 32 needs 8 per server each) overflows
// the server's listen backlog and measures connection setup instead of
// queries. Single-table pools get a connection per worker of the highest
// concurrency they run at (the overhead comparison's included), the pools
// under the sharded layouts 8 per worker (driver.Warm: shardsql opens
// those pools itself, from the data sources' DSNs).
func prefill(ctx context.Context, cfg config, layouts []*layout) error {
	for _, l := range layouts {
		want := slices.Max(cfg.Concurrency)
		if l.nodes > 1 {
			want *= tablesPerSever
		} else if l.name == layoutPlain || l.name == layoutSingle {
			want = max(want, slices.Max(cfg.OverheadConc))
		}
		for _, db := range l.physDB {
			if err := driver.WarmPool(ctx, db, want); err != nil {
				return fmt.Errorf("%s: opening %d connections: %w", l.name, want, err)
			}
		}
		if l.viaShard {
			// The pools shardsql opened for its data sources (by DSN).
			if err := driver.Warm(ctx, l.db, want); err != nil {
				return fmt.Errorf("%s: opening %d connections per data source: %w", l.name, want, err)
			}
		}
	}
	return nil
}
