package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// xaPrefix starts the global id of every XA transaction shardsql creates,
// so recovery leaves other XA transactions alone.
const xaPrefix = "shardsql-"

// xaLogDDL creates the decision log. state is 'preparing' before the
// branches prepare, then 'commit' (the decision) or 'abort'.
const xaLogDDL = `CREATE TABLE IF NOT EXISTS shardsql_xa_log (
	gtrid VARCHAR(64) NOT NULL PRIMARY KEY,
	state VARCHAR(16) NOT NULL,
	created DATETIME(6) NOT NULL
)`

type xaKey struct{}

// WithXATransaction returns a context under which BeginTx starts an XA
// (two-phase commit) transaction, whatever the connector's default.
func WithXATransaction(ctx context.Context) context.Context {
	return context.WithValue(ctx, xaKey{}, true)
}

func wantXA(ctx context.Context, def bool) bool {
	if v, ok := ctx.Value(xaKey{}).(bool); ok {
		return v
	}
	return def
}

// xaLogName is the data source of the decision log.
func (c *Connector) xaLogName() string {
	if c.opts.xaLogDS != "" {
		return c.opts.xaLogDS
	}
	return c.topo.DefaultDataSource()
}

// xaLog returns the pool of the decision log's data source, creating the
// log table once.
func (c *Connector) xaLog(ctx context.Context) (*sql.DB, error) {
	name := c.xaLogName()
	db, err := c.db(name)
	if err == nil {
		db, err = c.xaLogPool(name, db) // xa_log_pool.go
	}
	if err != nil {
		return nil, fmt.Errorf("shardsql: xa log: %w", err)
	}
	if c.xaLogReady.Load() {
		return db, nil
	}
	// Not a mutex: the DDL waits for a connection of the pool, and a
	// caller waiting behind it must still see its own context end (a
	// transaction cancelled to break a cycle on that pool, xa_log_wait.go).
	select {
	case c.xaLogSem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("shardsql: xa log on data source %s: %w", name, ctx.Err())
	}
	defer func() { <-c.xaLogSem }()
	if !c.xaLogReady.Load() {
		defer c.unparked(name)() // not through the gate (pin_park.go)
		if _, err := db.ExecContext(ctx, xaLogDDL); err != nil {
			return nil, fmt.Errorf("shardsql: xa log on data source %s: %w", name, err)
		}
		c.xaLogReady.Store(true)
	}
	return db, nil
}

// isXANotFound reports MySQL's XAER_NOTA: no such branch (already resolved).
func isXANotFound(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1397
}

// isXABusy reports XAER_NOTA or XAER_RMFAIL for a branch XA RECOVER just
// listed: it belongs to a session that is still attached (the server has
// not yet seen a crashed coordinator's connection end), or another process
// resolved it first.
func isXABusy(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1397 || me.Number == 1399 || me.Number == 1440)
}
