package driver

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// DefaultMaxParallel is how many units of one statement run at once unless
// WithMaxParallel says otherwise.
const DefaultMaxParallel = 8

// Defaults of the connection pools shardsql opens from data source DSNs.
// A MariaDB or MySQL server accepts 151 connections unless configured
// otherwise (max_connections): 32 per data source leaves room for several
// data sources per server and for other clients.
const (
	DefaultMaxOpenConns = 4 * DefaultMaxParallel
	DefaultMaxIdleConns = 2 * DefaultMaxParallel
	// DefaultConnWaitTimeout bounds a wait for a connection of a full
	// pool (HikariCP's default connectionTimeout).
	DefaultConnWaitTimeout = 30 * time.Second
)

// Option configures a Connector.
type Option func(*options) error

type options struct {
	maxParallel     int
	maxIdle         int
	maxOpen         int
	connMaxLifetime time.Duration
	connMaxIdleTime time.Duration
	connWait        time.Duration
	maxMemoryRows   int
	maxMemoryBytes  int64 // WithMaxMemoryBytes
	noQueryKill     bool  // WithoutQueryKill (kill_query.go)
	joinBatch       int   // WithJoinBatch (options_join.go)
	deepPageKeys    route.DeepPageKeys
	noDeepHints     bool // WithDeepPageHints(false)
	cacheSize       int
	logger          *slog.Logger
	slow            time.Duration // WithSlowThreshold; 0: no statement is slow
	xa              bool
	xaLogDS         string
	xaHook          func(stage string) // WithXAStageHook
	catalogRefresh  time.Duration      // WithCatalogRefresh (catalog_reload.go); 0: none
	commitTimeout   time.Duration      // 0: DefaultCommitTimeout (tx_options.go)
	cleanupTimeout  time.Duration      // 0: DefaultCleanupTimeout (tx_options.go)
	xaLogRetention  time.Duration      // 0: DefaultXALogRetention (tx_options.go)
	replica         replicaOptions     // read/write splitting (replica_options.go)

	// adaptiveParallel: WithAdaptiveParallel (scatter_adaptive.go)
	adaptiveParallel bool
}

func defaultOptions() options {
	return options{maxParallel: DefaultMaxParallel, maxOpen: DefaultMaxOpenConns, maxIdle: DefaultMaxIdleConns, connWait: DefaultConnWaitTimeout, maxMemoryRows: merge.DefaultMaxRows, maxMemoryBytes: merge.DefaultMaxBytes,
		replica: replicaOptions{probeEvery: DefaultReplicaProbeInterval}, adaptiveParallel: true}
}

// WithMaxParallel bounds how many of one statement's units run at the same
// time (default DefaultMaxParallel). Each running unit holds one connection
// of its data source's pool.
func WithMaxParallel(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("shardsql: WithMaxParallel(%d): the limit must be at least 1", n)
		}
		o.maxParallel = n
		return nil
	}
}

// The pool options below configure the server connections: each data source
// opened from a DSN has its own go-sql-driver pool, and they apply to each
// of them. The *sql.DB that sql.OpenDB(connector) returns has pool settings
// of its own (SetMaxOpenConns, SetMaxIdleConns, SetConnMaxLifetime,
// SetConnMaxIdleTime): those bound shardsql's logical connections, which
// hold no server connection while idle, not the server connections. Pools
// passed in with Topology.AddDB keep the settings their owner gave them.

// WithMaxOpenConns limits the server connections of each pool shardsql
// opens from a DSN (default DefaultMaxOpenConns; 0 means no limit, as
// database/sql). Every connection shardsql takes from a limited pool is
// counted: a *sql.Conn or transaction keeps one per data source it used,
// open rows keep theirs, and a cross-node query takes all the connections
// it needs on a data source at once, or, when they are not free, reads its
// units one after another on one connection per data source. A small limit
// slows big scatters down; it never deadlocks them. When every connection
// of a pool is held by open rows, transactions or *sql.Conn sessions,
// statements wait for one as database/sql does, until their context ends
// or WithConnWaitTimeout has passed.
func WithMaxOpenConns(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("shardsql: WithMaxOpenConns(%d): must not be negative", n)
		}
		o.maxOpen = n
		return nil
	}
}

// WithConnWaitTimeout bounds how long a statement waits for a connection
// of a pool whose WithMaxOpenConns connections are all held (default
// DefaultConnWaitTimeout; 0: as long as the statement's context allows,
// as database/sql). The wait then fails naming the data source and its
// limit. Callers that hold open rows or a transaction while they run
// another statement can each hold a connection and wait for another: with
// as many such callers as the limit, nothing is given back, and this is
// what ends the wait.
func WithConnWaitTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithConnWaitTimeout(%v): must not be negative", d)
		}
		o.connWait = d
		return nil
	}
}

// WithMaxIdleConns sets how many idle server connections each pool that
// shardsql opens from a DSN keeps (default DefaultMaxIdleConns), as
// sql.DB.SetMaxIdleConns; 0 keeps none.
func WithMaxIdleConns(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("shardsql: WithMaxIdleConns(%d): must not be negative", n)
		}
		o.maxIdle = n
		return nil
	}
}

// WithConnMaxLifetime closes server connections of the pools shardsql opens
// from a DSN once they are d old, as sql.DB.SetConnMaxLifetime (default 0:
// never). Set it below the server's wait_timeout when something between
// the application and the server drops idle connections.
func WithConnMaxLifetime(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithConnMaxLifetime(%v): must not be negative", d)
		}
		o.connMaxLifetime = d
		return nil
	}
}

// WithConnMaxIdleTime closes server connections of the pools shardsql
// opens from a DSN once they have been idle for d, as
// sql.DB.SetConnMaxIdleTime (default 0: never).
func WithConnMaxIdleTime(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithConnMaxIdleTime(%v): must not be negative", d)
		}
		o.connMaxIdleTime = d
		return nil
	}
}

// WithMaxMemoryRows caps the rows a merge may hold in memory: sorting
// grouped rows by an aggregate needs them all (default 1,000,000). Beyond
// the cap the query fails with an error wrapping merge.ErrTooLarge; streaming
// merges (ORDER BY, GROUP BY on the sort keys, LIMIT) hold one row per node
// and are not capped.
func WithMaxMemoryRows(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("shardsql: WithMaxMemoryRows(%d): the cap must be at least 1", n)
		}
		o.maxMemoryRows = n
		return nil
	}
}

// WithMaxMemoryBytes caps the bytes of the rows one structure of a merge
// holds in memory (default 1 GiB), beside WithMaxMemoryRows's cap on their
// number: a sort in memory, a distinct UNION, a window function's
// partition, a join's build side or batch, a node's rows buffered inside a
// transaction, one group's values of a DISTINCT aggregate or an ordered
// GROUP_CONCAT. A row counts its text and binary values' bytes and 24 bytes
// per value. Beyond the cap the query fails with an error wrapping
// merge.ErrTooLarge that names the cap; rows of MB-wide LONGTEXT or BLOB
// values reach it long before the row cap.
func WithMaxMemoryBytes(n int64) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("shardsql: WithMaxMemoryBytes(%d): the cap must be at least 1", n)
		}
		o.maxMemoryBytes = n
		return nil
	}
}

// WithDeepPageKeys says what the first phases of a deep page read
// (docs/deep-pages.md): route.DeepPageKeysAuto (the default) reads only
// the ORDER BY's columns where that sends markedly fewer bytes or lets the
// servers read the order's index alone, then the page's rows;
// route.DeepPageKeysOnly and route.DeepPageKeysFull force either way;
// route.DeepPageOff never plans a deep page (every such statement streams).
func WithDeepPageKeys(k route.DeepPageKeys) Option {
	return func(o *options) error {
		if k > route.DeepPageOff {
			return fmt.Errorf("shardsql: WithDeepPageKeys(%d): not a route.DeepPageKeys", k)
		}
		o.deepPageKeys = k
		return nil
	}
}

// WithDeepPageHints turns deep pages' position hints on (the default) or
// off (docs/deep-pages.md, "Round 9"): with them, the Connector remembers,
// per shape of statement, where each node's share of the last deep page
// was, and the next page's first phase reads a small window per node
// around the predicted position instead of the common window of
// ⌊offset/k⌋ ± 2√(offset/k). A wrong hint costs a second read, never the
// page. Off, every deep page reads the common windows (to measure them).
func WithDeepPageHints(on bool) Option {
	return func(o *options) error {
		o.noDeepHints = !on
		return nil
	}
}

// WithPlanCache sets how many distinct statement texts keep their parsed
// and analysed form (default route.DefaultCacheSize); a negative size turns
// the cache off. Use ? arguments rather than literals so that one entry
// serves every value.
func WithPlanCache(size int) Option {
	return func(o *options) error {
		o.cacheSize = size
		return nil
	}
}

// WithXA makes every transaction an XA (two-phase commit) transaction:
// atomic across data sources, at the cost of a prepare round trip per data
// source and a logged decision. WithXATransaction picks XA per transaction.
func WithXA() Option {
	return func(o *options) error {
		o.xa = true
		return nil
	}
}

// WithXAStageHook calls f synchronously at each stage of an XA commit:
// "prepare:<data source>" after a branch prepared, "decided" after the
// commit decision is logged, "commit:<data source>" after a branch
// committed. It is for tracing the protocol and for fault-injection tests
// that stop the process at a stage (driver/internal/xacrash); f must not
// use the connection. The branches' XA COMMITs run at the same time, so
// the "commit:<data source>" calls of one transaction may come from
// several goroutines at once, in any order: f must be safe for that.
func WithXAStageHook(f func(stage string)) Option {
	return func(o *options) error {
		o.xaHook = f
		return nil
	}
}

// WithXALog names the data source holding the XA decision log table
// shardsql_xa_log (default: the first data source). The table is created
// on first use.
func WithXALog(dataSource string) Option {
	return func(o *options) error {
		o.xaLogDS = dataSource
		return nil
	}
}

// WithLogger logs each routed statement and its plan, each statement's
// duration and each node statement's (data source, SQL, duration) at debug
// level, refusals at info level, slow statements (WithSlowThreshold) at
// warn level and failed statements at error level. Logging is off when no
// logger is given; see docs/observability.md.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		o.logger = l
		return nil
	}
}

// WithSlowThreshold makes statements that take at least d slow: counted in
// Stats and logged at warn level by the WithLogger logger. 0 (the default)
// turns it off.
func WithSlowThreshold(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithSlowThreshold(%v): the threshold must not be negative", d)
		}
		o.slow = d
		return nil
	}
}
