package driver

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shardsql/shardsql/merge"
)

// DefaultMaxParallel is how many units of one statement run at once unless
// WithMaxParallel says otherwise.
const DefaultMaxParallel = 8

// Option configures a Connector.
type Option func(*options) error

type options struct {
	maxParallel    int
	maxIdle        int
	maxOpen        int
	maxMemoryRows  int
	cacheSize      int
	logger         *slog.Logger
	xa             bool
	xaLogDS        string
	xaHook         func(stage string) // tests: called at each XA commit stage
	commitTimeout  time.Duration      // 0: DefaultCommitTimeout (tx_options.go)
	cleanupTimeout time.Duration      // 0: DefaultCleanupTimeout (tx_options.go)
}

func defaultOptions() options {
	return options{maxParallel: DefaultMaxParallel, maxIdle: 2 * DefaultMaxParallel, maxMemoryRows: merge.DefaultMaxRows}
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

// WithMaxIdleConns sets how many idle connections each pool that shardsql
// opens from a DSN keeps (default 2×DefaultMaxParallel). Pools passed in
// with Topology.AddDB keep their own settings.
func WithMaxIdleConns(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("shardsql: WithMaxIdleConns(%d): must not be negative", n)
		}
		o.maxIdle = n
		return nil
	}
}

// WithMaxOpenConns limits the connections of each pool shardsql opens from
// a DSN (default: no limit, as database/sql). A cross-node query holds one
// connection per node it reads while it streams; shardsql takes them all at
// once per query, and reads the nodes one after another when a query needs
// more than the limit, so a small limit slows big scatters down but never
// deadlocks them. Pools passed in with Topology.AddDB keep their own
// settings, and are treated the same way.
func WithMaxOpenConns(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("shardsql: WithMaxOpenConns(%d): must not be negative", n)
		}
		o.maxOpen = n
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

// WithXALog names the data source holding the XA decision log table
// shardsql_xa_log (default: the first data source). The table is created
// on first use.
func WithXALog(dataSource string) Option {
	return func(o *options) error {
		o.xaLogDS = dataSource
		return nil
	}
}

// WithLogger logs each routed statement and its plan at debug level.
// Logging is off when no logger is given.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		o.logger = l
		return nil
	}
}
