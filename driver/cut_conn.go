package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"sync/atomic"
	"syscall"

	"github.com/go-sql-driver/mysql"
)

// Cancelling a statement run inside Raw without go-sql-driver's watcher
// (issue 16).
//
// go-sql-driver cancels a statement whose context can end through a
// goroutine per connection: before the statement it sends the context to
// that goroutine (watchCancel), and after it hands off to it again on an
// unbuffered channel (finish). Two goroutine wake-ups per statement, each
// a thread wake-up when the client is otherwise idle: with a cancellable
// context (every HTTP request's is) a one-row statement at concurrency 1
// cost the client more than twice the CPU it did with
// context.Background(), in the plain driver as in shardsql.
//
// On the pools shardsql opens from a DSN, shardsql dials the socket itself
// (dialCut) and keeps it (nodeConn.sock); a statement that runs on the
// driver connection inside Raw (a bounded read, rows_raw.go; a one-unit
// Exec, exec_raw.go) gives go-sql-driver context.Background() — no watcher
// — and registers context.AfterFunc(ctx, cut) instead: a callback kept in
// the context's children, no goroutine unless the context ends, removed
// when the statement's answer is read (cutWatch.end). A Conn's statements
// that run one at a time under a context its previous statement ran under
// share one registration instead (cut_keep.go).
//
// The hazards, and how each is kept as go-sql-driver's own cancel has it:
//   - The context ends mid-statement: cut closes the socket, go-sql-driver's
//     read or write fails and it closes the connection (as its watcher's
//     cancel does); end replaces its error (ErrInvalidConn, or ErrBadConn
//     when nothing was written) with the context's error, as go-sql-driver
//     answers its own cancel. Never driver.ErrBadConn: a statement whose
//     context ended is not retried. An error the server sent (a
//     *mysql.MySQLError read before the cut) is kept.
//   - The context ends after the answer was read whole (the race end
//     loses): the answer stands (an Exec's OK packet, every row and the
//     end of a bounded read), and the connection is dead: nodeConn's
//     IsValid and ResetSession report it, so database/sql closes it, a
//     parked pin fails its liveness check with nothing sent, and a
//     session's next statement on it fails as after go-sql-driver's own
//     cancel.
//   - A context already done, a connection shardsql did not dial (AddDB
//     pools, logged wrappers of others), a DSN whose net is neither tcp
//     nor unix (a dial registered with mysql.RegisterDialContext under its
//     own name), or a dial registered for "tcp" or "unix" themselves
//     (registered_dial.go): go-sql-driver dials and gets the context and
//     watches it as before.
//   - go-sql-driver logs a failed read or write (its own cancel logs
//     nothing): the pool's logger drops the lines carrying errSocketCut.
//   - What go-sql-driver's dial does besides dialing: TCP keep-alive is
//     set the same way; its liveness check (connCheck) reads the socket
//     through syscall.Conn, which cutConn forwards (without it the check
//     would pass without looking).
//   - A context that is not one of the standard library's (no cancelCtx
//     beneath): AfterFunc then waits for it in a goroutine per statement,
//     which costs what go-sql-driver's watcher did.

// errSocketCut is what a cut socket's reads and writes return.
var errSocketCut = errors.New("shardsql: the statement's context ended: its connection was closed")

// cutSlot is the context key under which nodeConnector.Connect passes
// dialCut the place for the socket it makes.
type cutSlot struct{}

// cutNet reports whether shardsql dials a DSN's net itself.
func cutNet(n string) bool {
	switch n {
	case "tcp", "tcp4", "tcp6", "unix":
		return true
	}
	return false
}

// cutConn is a server connection's socket, which a statement whose context
// ended can close.
type cutConn struct {
	net.Conn
	cut    atomic.Bool
	closed atomic.Bool
	cutFn  func() // close, bound once for AfterFunc
	// raw is the socket's syscall.RawConn, asked once at the dial
	// (SyscallConn); rawErr when it could not be had.
	raw    syscall.RawConn
	rawErr error
	// threadID is the server's id of the connection, from its handshake
	// (sniff, kill_query.go); 0 until read. hs collects the handshake's
	// first bytes until hsDone (read by the dialing goroutine only).
	threadID atomic.Uint32
	hs       []byte
	hsDone   bool
	// kill sends KILL QUERY for the connection's thread (set by
	// nodeConnector.Connect before the socket is shared; nil: none).
	kill func(id uint32)
	// wrote, cmd, early: the first read of a reply and what it found
	// (cut_first_read.go), for the stale-read retry.
	wrote, cmd bool
	early      earlyKind
	tcp        bool // a TCP socket (endedBeforeSent reads its state)
	// onWait, when set (tests only), runs when a reply's first read finds
	// nothing yet and waits.
	onWait func()
	// fr is the first read's state, and frFn its attempt bound once at
	// the dial (cut_first_read.go): a closure made per read, capturing
	// its variables, was four allocations per statement.
	fr   firstReadState
	frFn func(fd uintptr) bool
}

// dialCut dials as go-sql-driver's default dial does (net.Dialer, TCP
// keep-alive) and leaves the socket in the context's cutSlot.
//
// A dial registered for network with mysql.RegisterDialContext after the
// pool was opened (nodeDriverConnector saw none) is the one it uses, the
// socket it returns cut as any: go-sql-driver reads its registry at each
// dial, and dialing around a tunnel or proxy registered late would reach
// another server silently (registered_dial.go).
func dialCut(ctx context.Context, network, addr string) (net.Conn, error) {
	var nc net.Conn
	var err error
	if dial, ok := registeredDialFunc(network); ok {
		nc, err = dial(ctx, addr)
	} else {
		var d net.Dialer
		nc, err = d.DialContext(ctx, network, addr)
	}
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetKeepAlive(true)
	}
	c := &cutConn{Conn: nc}
	_, c.tcp = nc.(*net.TCPConn)
	c.cutFn = c.close
	c.frFn = c.firstReadAttempt
	if sc, ok := nc.(syscall.Conn); ok {
		c.raw, c.rawErr = sc.SyscallConn()
	}
	if slot, ok := ctx.Value(cutSlot{}).(**cutConn); ok {
		*slot = c
	}
	if _, ok := nc.(syscall.Conn); !ok {
		// A registered dial's connection without a file descriptor (a
		// tunnel's channel, a pipe): go-sql-driver's liveness check skips
		// a connection that is not a syscall.Conn, and cutConn's
		// SyscallConn would fail it instead — every checkout would close
		// the connection and dial again. Only net.Conn's methods are
		// shown (an embedded interface promotes no others).
		return struct{ net.Conn }{c}, nil
	}
	return c, nil
}

// close cuts the socket.
//
// The cut ends a statement in flight (the watches hold the socket only
// then): its query is killed on the server too (kill_query.go), once.
func (c *cutConn) close() {
	if !c.cut.Swap(true) && c.kill != nil {
		if id := c.threadID.Load(); id != 0 {
			c.kill(id)
		}
	}
	_ = c.Close()
}

// Close closes the socket once: go-sql-driver closing a connection a
// statement's context already cut gets no error (it would log one).
func (c *cutConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		return c.Conn.Close()
	}
	return nil
}

// isCut reports whether a statement's context cut the socket.
func (c *cutConn) isCut() bool { return c.cut.Load() }

func (c *cutConn) Read(p []byte) (int, error) {
	if c.wrote {
		return c.firstRead(p) // cut_first_read.go
	}
	n, err := c.Conn.Read(p)
	if !c.hsDone && n > 0 {
		c.sniff(p[:n])
	}
	if err != nil && c.cut.Load() {
		err = errSocketCut
	}
	return n, err
}

func (c *cutConn) Write(p []byte) (int, error) {
	c.noteWrite(p)
	n, err := c.Conn.Write(p)
	if err != nil && c.cut.Load() {
		err = errSocketCut
	}
	return n, err
}

// SyscallConn is the socket's, for go-sql-driver's liveness check.
//
// It is asked once, at the dial, and kept: go-sql-driver checks a pooled
// connection at every checkout (connCheck), and net's SyscallConn builds
// a RawConn each time — an allocation per statement on a pool connection
// (a replica's point read, a scatter's unit). The kept one is set before
// the socket is shared and never changed (no lock), and after the socket
// is closed it fails its Read as a new one would (the descriptor is
// closed): the check still sees a dead connection.
func (c *cutConn) SyscallConn() (syscall.RawConn, error) {
	if c.raw == nil && c.rawErr == nil {
		return nil, errors.New("shardsql: the connection's socket has no file descriptor")
	}
	return c.raw, c.rawErr
}

// quietCut is a go-sql-driver logger that drops the lines a cut socket's
// failed read or write makes.
type quietCut struct{ next mysql.Logger }

func (q quietCut) Print(v ...any) {
	for _, x := range v {
		if err, ok := x.(error); ok && errors.Is(err, errSocketCut) {
			return
		}
	}
	if q.next != nil {
		q.next.Print(v...)
	}
}

// cutWatch is one statement's watch of its context (watchCut).
type cutWatch struct {
	ctx  context.Context
	stop func() bool
	sock *cutConn // cut by end when stop loses
	// cw is the Conn's kept registration the watch goes through (cut_keep.go).
	cw *connWatch
}

// watchCut returns the context to give go-sql-driver for a statement run
// on driver connection dc inside Raw, and the watch, which end must end
// once the statement's answer is read.
func watchCut(ctx context.Context, dc any) (context.Context, cutWatch) {
	if ctx.Done() == nil || ctx.Err() != nil {
		return ctx, cutWatch{ctx: ctx}
	}
	nc, ok := dc.(*nodeConn)
	if !ok || nc.sock == nil {
		return ctx, cutWatch{ctx: ctx}
	}
	return watchSock(ctx, nc.sock)
}

// watchSock is watchCut for a connection whose socket sock is known: ctx
// can end and has not.
func watchSock(ctx context.Context, sock *cutConn) (context.Context, cutWatch) {
	return context.Background(), cutWatch{ctx: ctx, stop: context.AfterFunc(ctx, sock.cutFn), sock: sock}
}

// sockOf returns the socket shardsql dialed for pin p's connection, nil
// when it dialed none (AddDB pools, other nets). It is asked through Raw
// once per pin taken.
func (c *Conn) sockOf(p *pin) *cutConn {
	if !p.sockKnown {
		p.sockKnown = true
		if c.sockFn == nil {
			c.sockFn = func(dc any) error {
				if nc, ok := dc.(*nodeConn); ok {
					c.sockOut = nc.sock
				}
				return nil
			}
		}
		if err := p.conn.Raw(c.sockFn); err == nil {
			p.sock = c.sockOut
		}
		c.sockOut = nil
	}
	return p.sock
}

// end ends the watch and returns the statement's error: err, or the
// context's error when the context ended and cut the socket, unless err is
// nil or the server's own, or when the context ended and err is
// driver.ErrBadConn (nothing sent; ctxBadConn).
//
// Hazard: stop losing means AfterFunc has started cut in a goroutine of
// its own, which may not have run yet. Were end to return then, the
// connection could go back to the pool, pass database/sql's IsValid and
// ResetSession, and be cut in the middle of the next statement, whose
// context never ended (CI saw "invalid connection" so). end cuts the
// socket itself before returning (cut is idempotent), so the connection
// is already dead when the pool next looks at it.
func (w cutWatch) end(err error) error {
	if w.cw != nil {
		return w.cw.end(w, err)
	}
	if w.stop == nil || w.stop() {
		if w.ctx == nil {
			return err
		}
		return ctxBadConn(w.ctx, err) // ctx_bad_conn.go
	}
	w.sock.close()
	var se *mysql.MySQLError
	if err == nil || errors.As(err, &se) {
		return err
	}
	return w.ctx.Err()
}

// nodeDriverConnector returns go-sql-driver's connector for cfg, dialed by
// dialCut when its net is one shardsql dials, wrapped in nodeConnector.
func (c *Connector) nodeDriverConnector(cfg *mysql.Config, ds string, logged bool) (driver.Connector, error) {
	if cfg.DialFunc == nil && cutNet(cfg.Net) && !registeredDial(cfg.Net) { // registered_dial.go
		cfg.DialFunc = dialCut
		cfg.Logger = quietCut{next: cfg.Logger}
	}
	mc, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return &nodeConnector{inner: mc, c: c, ds: ds, logged: logged && c.opts.logger != nil}, nil
}
