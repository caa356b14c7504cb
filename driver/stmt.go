package driver

import (
	"context"
	"database/sql/driver"
)

// Stmt is a prepared statement. shardsql routes it on every run, since the
// nodes depend on the arguments.
type Stmt struct {
	conn  *Conn
	query string
}

var (
	_ driver.Stmt             = (*Stmt)(nil)
	_ driver.StmtExecContext  = (*Stmt)(nil)
	_ driver.StmtQueryContext = (*Stmt)(nil)
)

// Close releases the statement.
func (s *Stmt) Close() error { return nil }

// NumInput returns -1: the router checks the argument count.
func (s *Stmt) NumInput() int { return -1 }

// Exec runs the statement.
//
// Deprecated: database/sql calls ExecContext.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

// Query runs the statement.
//
// Deprecated: database/sql calls QueryContext.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// ExecContext routes and runs the statement with args.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}

// QueryContext routes and runs the statement with args.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}
