package driver

import (
	"context"
	"database/sql/driver"
	"time"
)

// nodeLogConnector times the node statements of a pool shardsql opens
// itself, for WithLogger: each ExecContext and QueryContext on a server
// connection is logged with its data source and duration (a query's until
// the server answered, before its rows are read). Pools given with
// Topology.AddDB are the user's: trace them with the user's own wrapper
// (otelsql, …; see docs/observability.md).
//
// The wrapper is used only when a logger is set. It forwards every
// interface go-sql-driver's connection implements (statements, prepared
// statements, transactions, pings, session reset, validity, argument
// checking), so database/sql treats it as it treats the connection
// itself; Raw sees the wrapper, which shardsql only uses to return
// driver.ErrBadConn.
type nodeLogConnector struct {
	inner driver.Connector
	c     *Connector
	ds    string
}

func (n *nodeLogConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := n.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &nodeLogConn{inner: conn, n: n}, nil
}

func (n *nodeLogConnector) Driver() driver.Driver { return n.inner.Driver() }

// nodeLogConn is one timed server connection.
type nodeLogConn struct {
	inner driver.Conn
	n     *nodeLogConnector
}

var (
	_ driver.ConnBeginTx        = (*nodeLogConn)(nil)
	_ driver.ConnPrepareContext = (*nodeLogConn)(nil)
	_ driver.ExecerContext      = (*nodeLogConn)(nil)
	_ driver.QueryerContext     = (*nodeLogConn)(nil)
	_ driver.Pinger             = (*nodeLogConn)(nil)
	_ driver.SessionResetter    = (*nodeLogConn)(nil)
	_ driver.Validator          = (*nodeLogConn)(nil)
	_ driver.NamedValueChecker  = (*nodeLogConn)(nil)
	_ driver.Connector          = (*nodeLogConnector)(nil)
)

func (l *nodeLogConn) Prepare(q string) (driver.Stmt, error) { return l.inner.Prepare(q) }

func (l *nodeLogConn) Close() error { return l.inner.Close() }

// Begin starts a transaction.
//
// Deprecated: database/sql calls BeginTx.
func (l *nodeLogConn) Begin() (driver.Tx, error) {
	return l.BeginTx(context.Background(), driver.TxOptions{})
}

func (l *nodeLogConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	if b, ok := l.inner.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, o)
	}
	return l.inner.Begin() //nolint:staticcheck // database/sql's own fallback
}

func (l *nodeLogConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if p, ok := l.inner.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, q)
	}
	return l.inner.Prepare(q)
}

func (l *nodeLogConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := l.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := time.Now()
	res, err := e.ExecContext(ctx, q, args)
	if err != driver.ErrSkip {
		l.n.c.logNode(ctx, l.n.ds, q, time.Since(start), err)
	}
	return res, err
}

func (l *nodeLogConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := l.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := time.Now()
	rows, err := qc.QueryContext(ctx, q, args)
	if err != driver.ErrSkip {
		l.n.c.logNode(ctx, l.n.ds, q, time.Since(start), err)
	}
	return rows, err
}

func (l *nodeLogConn) Ping(ctx context.Context) error {
	if p, ok := l.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (l *nodeLogConn) ResetSession(ctx context.Context) error {
	if r, ok := l.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (l *nodeLogConn) IsValid() bool {
	if v, ok := l.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (l *nodeLogConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := l.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
