package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// nodeConnector opens the server connections of a pool shardsql opens
// itself from a DSN (a data source's, a replica's, the XA decision log's).
// It wraps each connection go-sql-driver makes in a nodeConn, which
//   - knows the connection's socket when shardsql dialed it (cut_conn.go):
//     a statement run inside Raw cancels through it, without go-sql-driver's
//     per-statement watcher handoff;
//   - times node statements for WithLogger (logged): each ExecContext and
//     QueryContext on a server connection is logged with its data source
//     and duration (a query's until the server answered, before its rows
//     are read).
//
// Pools given with Topology.AddDB are the user's and are not wrapped:
// trace them with the user's own wrapper (otelsql, …; see
// docs/observability.md), and their statements cancel through
// go-sql-driver's watcher.
//
// nodeConn forwards every interface go-sql-driver's connection implements
// (statements, prepared statements, transactions, pings, session reset,
// validity, argument checking), so database/sql treats it as it treats the
// connection itself; Raw sees the wrapper.
type nodeConnector struct {
	inner  driver.Connector
	c      *Connector
	ds     string
	logged bool         // time node statements (WithLogger)
	kills  atomic.Int32 // KILL QUERY connections in flight (kill_query.go)
}

// Connect dials through the DSN's configuration; the dial function
// (dialCut) leaves the socket it made in the context's slot.
func (n *nodeConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var sock *cutConn
	conn, err := n.inner.Connect(context.WithValue(ctx, cutSlot{}, &sock))
	if err != nil {
		return nil, err
	}
	if sock != nil && !n.c.opts.noQueryKill {
		sock.kill = n.killQuery // kill_query.go
	}
	return &nodeConn{inner: conn, n: n, sock: sock}, nil
}

func (n *nodeConnector) Driver() driver.Driver { return n.inner.Driver() }

// nodeConn is one server connection of a pool shardsql opened.
type nodeConn struct {
	inner driver.Conn
	n     *nodeConnector
	// sock is the connection's socket when dialCut made it, else nil.
	sock *cutConn
	// killed: a KILL QUERY was sent for the connection's query
	// (kill_query.go); the connection is never reused.
	killed atomic.Bool
}

var (
	_ driver.ConnBeginTx        = (*nodeConn)(nil)
	_ driver.ConnPrepareContext = (*nodeConn)(nil)
	_ driver.ExecerContext      = (*nodeConn)(nil)
	_ driver.QueryerContext     = (*nodeConn)(nil)
	_ driver.Pinger             = (*nodeConn)(nil)
	_ driver.SessionResetter    = (*nodeConn)(nil)
	_ driver.Validator          = (*nodeConn)(nil)
	_ driver.NamedValueChecker  = (*nodeConn)(nil)
	_ driver.Connector          = (*nodeConnector)(nil)
)

func (l *nodeConn) Prepare(q string) (driver.Stmt, error) { return l.inner.Prepare(q) }

func (l *nodeConn) Close() error { return l.inner.Close() }

// Begin starts a transaction.
//
// Deprecated: database/sql calls BeginTx.
func (l *nodeConn) Begin() (driver.Tx, error) {
	return l.BeginTx(context.Background(), driver.TxOptions{})
}

func (l *nodeConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	if l.killed.Load() {
		return nil, driver.ErrBadConn // killedConn
	}
	if b, ok := l.inner.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, o)
	}
	return l.inner.Begin() //nolint:staticcheck // database/sql's own fallback
}

func (l *nodeConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if l.killed.Load() {
		return nil, driver.ErrBadConn // killedConn
	}
	if p, ok := l.inner.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, q)
	}
	return l.inner.Prepare(q)
}

func (l *nodeConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := l.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if l.killed.Load() {
		return nil, driver.ErrBadConn // killedConn
	}
	if !l.n.logged {
		return e.ExecContext(ctx, q, args)
	}
	start := time.Now()
	res, err := e.ExecContext(ctx, q, args)
	if err != driver.ErrSkip {
		l.n.c.logNode(ctx, l.n.ds, q, time.Since(start), err)
	}
	return res, err
}

func (l *nodeConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := l.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if l.killed.Load() {
		return nil, driver.ErrBadConn // killedConn
	}
	end := l.watchKill(ctx) // kill_query.go
	start := time.Now()
	rows, err := qc.QueryContext(ctx, q, args)
	if l.n.logged && err != driver.ErrSkip {
		l.n.c.logNode(ctx, l.n.ds, q, time.Since(start), err)
	}
	if end == nil {
		return rows, err
	}
	if err != nil {
		var se *mysql.MySQLError
		end(errors.As(err, &se) || err == driver.ErrSkip)
		return rows, err
	}
	return &killRows{Rows: rows, end: end}, nil
}

func (l *nodeConn) Ping(ctx context.Context) error {
	if p, ok := l.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession is go-sql-driver's (its liveness check), and
// driver.ErrBadConn once a statement's context cut the socket.
func (l *nodeConn) ResetSession(ctx context.Context) error {
	if l.sock != nil && l.sock.isCut() || l.killed.Load() {
		return driver.ErrBadConn
	}
	if r, ok := l.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid is go-sql-driver's, and false once a statement's context cut
// the socket.
func (l *nodeConn) IsValid() bool {
	if l.sock != nil && l.sock.isCut() || l.killed.Load() {
		return false
	}
	if v, ok := l.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (l *nodeConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := l.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
