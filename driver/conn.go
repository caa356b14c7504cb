package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// Conn is one shardsql connection. It holds no shard connection of its
// own: each statement takes connections from the data sources' pools, and
// a transaction holds one on the data source it is bound to.
type Conn struct {
	c  *Connector
	tx *Tx // the open transaction, if any
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
)

// Prepare returns a statement that is routed each time it runs.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns a statement that is routed each time it runs, with
// that run's arguments.
func (c *Conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return &Stmt{conn: c, query: query}, nil
}

// Close ends the connection; an open transaction is rolled back.
func (c *Conn) Close() error {
	if c.tx != nil {
		return c.tx.Rollback()
	}
	return nil
}

// Begin starts a transaction.
//
// Deprecated: database/sql calls BeginTx.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction; see Tx. The data sources join lazily.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.tx != nil {
		return nil, errors.New("shardsql: a transaction is already open on this connection")
	}
	tx, err := newTx(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	return tx, nil
}

// ExecContext routes and runs a statement that returns no rows.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	p, err := c.c.route(ctx, query, vals)
	if err != nil {
		return nil, err
	}
	defer c.c.afterExec(p)
	return c.exec(ctx, p)
}

// QueryContext routes and runs a statement that returns rows.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	p, err := c.c.route(ctx, query, vals)
	if err != nil {
		return nil, err
	}
	defer c.c.afterExec(p)
	return c.query(ctx, p)
}

// Ping checks every data source of the topology.
func (c *Conn) Ping(ctx context.Context) error {
	sources := c.c.topo.DataSources()
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, ds := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := c.c.db(ds.Name)
			if err == nil {
				err = db.PingContext(ctx)
			}
			if err != nil {
				errs[i] = fmt.Errorf("shardsql: data source %s: %w", ds.Name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ResetSession is called by database/sql before a connection is reused.
// A shardsql connection holds no session state between statements.
func (c *Conn) ResetSession(context.Context) error { return nil }

// IsValid reports whether the connection may be reused.
func (c *Conn) IsValid() bool { return c.tx == nil }

// values turns database/sql's arguments into the router's positional values.
func values(args []driver.NamedValue) ([]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, fmt.Errorf("shardsql: named argument %q: use positional ? placeholders", a.Name)
		}
		out[i] = a.Value
	}
	return out, nil
}
