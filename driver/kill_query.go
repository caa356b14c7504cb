package driver

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Stopping a node query whose statement was abandoned (review19d).
//
// Hazard: a cancelled context or an early Rows.Close (which cancels the
// units it does not read to their end, rows.go) ends a node query by
// closing its socket, as go-sql-driver's own cancel does. The server
// notices only when it next writes to the socket: a node statement still
// computing before its first row (an aggregate, a filesort, a WHERE over
// an unindexed expression) ran to its end — `SELECT COUNT(*) … WHERE
// BENCHMARK(…)` cancelled after 300 ms ran on every node for minutes, and
// a client retrying on its timeout piled up one such query per node per
// retry.
//
// A query run through a pool shardsql dialed (nodeConn.QueryContext,
// under a context that can end) is watched until its rows end: when the
// context ends first, KILL QUERY <thread id> is sent on a connection of
// its own (dialed through the same DSN, off the caller's path, at most
// maxKills at once per pool; best effort: a failure is dropped).
//   - The thread id is the server's handshake's (cutConn.sniff), read as
//     the connection is made: no round trip.
//   - The kill must never reach another statement: the connection is
//     marked (nodeConn.killed) before the kill is sent, and a marked
//     connection is never reused (ResetSession and IsValid report it bad,
//     so database/sql closes it).
//   - killedConn: a connection a *sql.Conn holds (a session's pin, a
//     transaction's participant) is not checked out again, so ResetSession
//     never runs for it; every statement on a marked connection fails
//     with driver.ErrBadConn before anything is sent (nodeConn's Query,
//     Exec, Prepare and BeginTx). The pin fails as a cut socket's does (the
//     session is lost, and said so) rather than running its next statement
//     where a late KILL could interrupt it (TestCutStreamSession: once the
//     kill ended the stream before go-sql-driver's watcher cut the socket,
//     the session's next statement ran on the marked connection). A query whose rows ended first is not
//     killed (killWatch's state: ended or killing, whichever comes first).
//   - Pools given with AddDB, prepared statements and Execs are not
//     watched (a write that was sent may be meant to finish; its cancel
//     still closes the socket).
//   - Behind a proxy (ProxySQL, MaxScale) the handshake's id is the
//     proxy's session id, and a KILL sent through the proxy may reach
//     another client's query: WithoutQueryKill turns the kills off.
//   - The connection is flagged before the watch's state says "killing"
//     (review19f): flagged after, rows ending in between would hand the
//     connection back unflagged, and the late KILL could stop the next
//     statement on it. A flag set when the rows won the race only costs
//     that connection (it is closed, not reused).

// WithoutQueryKill turns off KILL QUERY of abandoned node queries: a
// cancelled statement's node queries are then only cut off by closing their
// sockets, as go-sql-driver does, and a query already computing runs to its
// end on the server. Use it behind a proxy (ProxySQL, MaxScale), whose
// session ids are not the servers' thread ids, or for a user without the
// privilege to kill its own queries.
func WithoutQueryKill() Option {
	return func(o *options) error {
		o.noQueryKill = true
		return nil
	}
}

// maxKills bounds the KILL QUERY connections of one pool in flight.
const maxKills = 4

// killTimeout bounds a kill's dial and statement.
const killTimeout = 5 * time.Second

// sniff reads the thread id from the server's handshake as it arrives
// (the first packet: a 4-byte header, protocol version 10, the server's
// version ending with a zero byte, then the id, 4 bytes little-endian).
func (c *cutConn) sniff(b []byte) {
	c.hs = append(c.hs, b...)
	if len(c.hs) < 5 {
		return
	}
	if c.hs[4] != 10 {
		c.hsDone, c.hs = true, nil // not a handshake shardsql knows
		return
	}
	for i := 5; i < len(c.hs); i++ {
		if c.hs[i] == 0 {
			if len(c.hs) >= i+5 {
				c.threadID.Store(binary.LittleEndian.Uint32(c.hs[i+1:]))
				c.hsDone, c.hs = true, nil
			}
			return
		}
	}
	if len(c.hs) > 512 {
		c.hsDone, c.hs = true, nil
	}
}

// killWatch states.
const (
	killRunning int32 = iota
	killEnded
	killSent
)

// watchKill watches a query on l under ctx until end is called (done:
// the query ended by itself, its rows read to their end or its error
// the server's); nil when the query cannot be watched (no socket of ours,
// no thread id, a context that cannot end).
//
// go-sql-driver's own watcher sees the context end too, and may fail the
// query (closing its socket) before the AfterFunc runs: end of a query
// that did not end by itself under an ended context kills it as well.
func (l *nodeConn) watchKill(ctx context.Context) (end func(done bool)) {
	if l.sock == nil || l.sock.kill == nil || ctx.Done() == nil || ctx.Err() != nil {
		return nil
	}
	id := l.sock.threadID.Load()
	if id == 0 {
		return nil
	}
	var state atomic.Int32
	stop := context.AfterFunc(ctx, func() {
		if state.Load() != killRunning {
			return
		}
		l.killed.Store(true) // never reused: the kill may land later (flagged first: see above)
		if state.CompareAndSwap(killRunning, killSent) {
			l.n.killQuery(id)
		}
	})
	return func(done bool) {
		if state.CompareAndSwap(killRunning, killEnded) {
			stop()
			if !done && ctx.Err() != nil {
				l.killed.Store(true)
				l.n.killQuery(id)
			}
		}
	}
}

// killQuery sends KILL QUERY id to the pool's server on a connection of
// its own, in the background.
func (n *nodeConnector) killQuery(id uint32) {
	if n.kills.Add(1) > maxKills {
		n.kills.Add(-1)
		return
	}
	go func() {
		defer n.kills.Add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), killTimeout)
		defer cancel()
		conn, err := n.inner.Connect(ctx)
		if err != nil {
			return
		}
		defer conn.Close()
		if e, ok := conn.(driver.ExecerContext); ok {
			_, _ = e.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id), nil)
		}
	}()
}

// killRows are a watched query's rows: their end (io.EOF, an error,
// Close) ends the watch. They forward every interface go-sql-driver's
// rows implement.
type killRows struct {
	driver.Rows
	end func(done bool)
}

func (r *killRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != nil {
		var se *mysql.MySQLError
		r.end(err == io.EOF || errors.As(err, &se))
	}
	return err
}

func (r *killRows) Close() error {
	r.end(false)
	return r.Rows.Close()
}

func (r *killRows) HasNextResultSet() bool {
	if x, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return x.HasNextResultSet()
	}
	return false
}

func (r *killRows) NextResultSet() error {
	if x, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return x.NextResultSet()
	}
	return fmt.Errorf("shardsql: no next result set")
}

func (r *killRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *killRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *killRows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *killRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *killRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeOf(new(any)).Elem()
}
