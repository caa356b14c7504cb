package shardtest

import (
	"context"
	"strings"
	"sync"

	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
)

// serialHandler wraps go-mysql-server's connection handler so that
// statements which may write run one at a time on a server.
//
// go-mysql-server's memory storage does not support concurrent writers:
// each autocommit statement copies the table it changes and stores it back on
// commit, so concurrent INSERTs on different connections lose rows, and
// writers mutate table data that concurrent readers may be scanning (a data
// race under -race). serialHandler takes a per-server write lock around every
// command that is not plainly read-only (SELECT, SHOW, DESCRIBE, EXPLAIN) and
// a read lock around read-only ones, so reads still run in parallel.
type serialHandler struct {
	mysql.Handler
	mu *sync.RWMutex
}

// lockFor locks mu for query and returns the matching unlock function.
func (h serialHandler) lockFor(query string) func() {
	if readOnly(query) {
		h.mu.RLock()
		return h.mu.RUnlock
	}
	h.mu.Lock()
	return h.mu.Unlock
}

// ComQuery implements mysql.Handler.
func (h serialHandler) ComQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) error {
	defer h.lockFor(query)()
	return h.Handler.ComQuery(ctx, c, query, callback)
}

// ComMultiQuery implements mysql.Handler. It runs the first statement of
// query and returns the rest, so the first statement decides the lock.
func (h serialHandler) ComMultiQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) (string, error) {
	defer h.lockFor(query)()
	return h.Handler.ComMultiQuery(ctx, c, query, callback)
}

// ComPrepare implements mysql.Handler.
func (h serialHandler) ComPrepare(ctx context.Context, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.Handler.ComPrepare(ctx, c, query, prepare)
}

// ComStmtExecute implements mysql.Handler.
func (h serialHandler) ComStmtExecute(ctx context.Context, c *mysql.Conn, prepare *mysql.PrepareData, callback func(*sqltypes.Result) error) error {
	defer h.lockFor(prepare.PrepareStmt)()
	return h.Handler.ComStmtExecute(ctx, c, prepare, callback)
}

// ComInitDB implements mysql.Handler.
func (h serialHandler) ComInitDB(c *mysql.Conn, schemaName string) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.Handler.ComInitDB(c, schemaName)
}

// ComResetConnection implements mysql.Handler; it may roll back a transaction.
func (h serialHandler) ComResetConnection(c *mysql.Conn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.Handler.ComResetConnection(c)
}

// ConnectionClosed implements mysql.Handler; it may roll back a transaction.
func (h serialHandler) ConnectionClosed(c *mysql.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Handler.ConnectionClosed(c)
}

// readOnly reports whether query plainly only reads: its first keyword, after
// comments, white space and opening parentheses, is SELECT, SHOW, DESCRIBE,
// DESC or EXPLAIN. Everything else, WITH included, counts as a write.
func readOnly(query string) bool {
	q := skipNoise(query)
	end := strings.IndexFunc(q, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	})
	if end >= 0 {
		q = q[:end]
	}
	switch strings.ToUpper(q) {
	case "SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN":
		return true
	}
	return false
}

// skipNoise drops leading white space, comments and opening parentheses.
func skipNoise(q string) string {
	for {
		q = strings.TrimLeft(q, " \t\r\n(")
		switch {
		case strings.HasPrefix(q, "/*"):
			end := strings.Index(q[2:], "*/")
			if end < 0 {
				return ""
			}
			q = q[2+end+2:]
		case strings.HasPrefix(q, "#"), strings.HasPrefix(q, "-- "), strings.HasPrefix(q, "--\t"), strings.HasPrefix(q, "--\n"):
			end := strings.IndexByte(q, '\n')
			if end < 0 {
				return ""
			}
			q = q[end+1:]
		default:
			return q
		}
	}
}
