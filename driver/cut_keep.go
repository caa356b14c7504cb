package driver

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
)

// A Conn's watch of its statements' context, kept across statements under
// one context (issue 16, round 14).
//
// A statement run inside Raw registers context.AfterFunc(ctx, cut) and
// stops it when its answer is read (cut_conn.go). The registration and its
// stop lock the context's mutex and insert into and delete from its
// children map, with two allocations: 0.4–0.9 µs per statement measured,
// and at concurrency 16 every statement of an application's shared context
// (a server's, a report cell's) contends for that one mutex. A Conn that
// runs its statements one after another under the same context needs one
// registration, which cuts whatever socket the Conn's statement in flight
// uses: connWatch keeps it.
//
// The hazards, and how each is kept:
//   - A context used for one statement only (a per-call timeout: ctx,
//     cancel := context.WithTimeout(…); db.QueryContext(ctx, …); cancel())
//     would end with the registration still in place, and AfterFunc runs
//     its callback in a goroutine of its own: a goroutine per statement
//     where stopping cost none. The registration is kept only when the
//     Conn's previous statement ran under the same context (last): a
//     context seen for the first time is stopped at the statement's end,
//     as the statement's own watch was.
//   - The callback runs while no statement is in flight (the context
//     ended between statements) or while another of the Conn's statements
//     is: it cuts only the socket in the slot (cur), which holds the socket
//     of the statement in flight and nil between statements. It takes the
//     socket with Swap, so a statement whose end takes it back first knows
//     the callback will never cut it, and one that finds the slot empty
//     knows the cut is made or under way (end then cuts itself before
//     returning, as cutWatch.end does when stop loses).
//   - The context ends after the statement checked it but before the
//     socket is in the slot: the callback found the slot empty and will not
//     run again, and the statement would run uncut. begin checks the
//     context after filling the slot and, when it ended, takes the socket
//     back and hands go-sql-driver the ended context (nothing is sent); if
//     the callback took it first, the socket is cut and end reports the
//     context's error. The context's error is set before its AfterFunc
//     callbacks start (context.cancelCtx.cancel; for other contexts Err is
//     non-nil once Done is closed), so a nil Err read after the slot was
//     filled means the callback, when it runs, finds the socket.
//   - A registration whose callback ran (or is running) may still read its
//     slot: the next registration gets a slot of its own (drop).
//   - Retention: the kept registration holds only the slot (no Conn, no
//     socket between statements); the Conn holds the context it is
//     registered on and the last one it ran under until its next statement
//     or Close — an idle pooled Conn keeps one context reachable.
//   - Only the Conn's one-at-a-time paths use it (rawQuery and rawExec of
//     the Conn: a bounded read, a replica point read, a one-unit Exec); the
//     windows of a deep page run in parallel and streaming rows outlive
//     their statement, and keep a watch each.
type connWatch struct {
	ctx  context.Context // the context registered; nil: none
	stop func() bool
	slot *watchSlot
	// last is the context of the Conn's previous watched statement.
	last context.Context
}

// watchSlot is what a registration's callback reads: the socket of the
// Conn's statement in flight.
type watchSlot struct {
	cur    atomic.Pointer[cutConn]
	fireFn func() // fire, bound once
}

// fire is the AfterFunc callback: it cuts the socket of the statement in
// flight, if any.
func (s *watchSlot) fire() {
	if sock := s.cur.Swap(nil); sock != nil {
		sock.cutFn()
	}
}

// watch is watchCut for the Conn's one-at-a-time statements: cw nil (a
// deep page's windows) watches the statement alone.
func (cw *connWatch) watch(ctx context.Context, dc any) (context.Context, cutWatch) {
	if cw == nil || ctx.Done() == nil || ctx.Err() != nil {
		return watchCut(ctx, dc)
	}
	nc, ok := dc.(*nodeConn)
	if !ok || nc.sock == nil {
		return ctx, cutWatch{ctx: ctx}
	}
	return cw.begin(ctx, nc.sock)
}

// begin watches ctx (which can end and had not) for a statement on sock.
func (cw *connWatch) begin(ctx context.Context, sock *cutConn) (context.Context, cutWatch) {
	if cw.ctx != ctx {
		cw.drop()
		if cw.slot == nil {
			s := &watchSlot{}
			s.fireFn = s.fire
			cw.slot = s
		}
		cw.ctx, cw.stop = ctx, context.AfterFunc(ctx, cw.slot.fireFn)
	}
	cw.slot.cur.Store(sock)
	w := cutWatch{ctx: ctx, sock: sock, cw: cw}
	if ctx.Err() != nil && cw.slot.cur.CompareAndSwap(sock, nil) {
		// Ended meanwhile, and the callback did not take the socket:
		// go-sql-driver answers the ended context with nothing sent.
		cw.drop()
		return ctx, cutWatch{ctx: ctx}
	}
	return context.Background(), w
}

// drop stops the registration, if any; a slot its callback may still read
// is left to it.
func (cw *connWatch) drop() {
	if cw.ctx == nil {
		return
	}
	if !cw.stop() {
		cw.slot = nil
	}
	cw.ctx, cw.stop = nil, nil
}

// close ends the watch for good (Conn.Close).
func (cw *connWatch) close() {
	cw.drop()
	cw.last = nil
}

// end is cutWatch.end for a watch through cw.
func (cw *connWatch) end(w cutWatch, err error) error {
	if !cw.slot.cur.CompareAndSwap(w.sock, nil) {
		// The callback took the socket: cut, or about to be. Cut it here
		// before returning (cutWatch.end's hazard).
		cw.drop()
		cw.last = nil
		w.sock.close()
		var se *mysql.MySQLError
		if err == nil || errors.As(err, &se) {
			return err
		}
		return w.ctx.Err()
	}
	if cw.last != w.ctx || w.ctx.Err() != nil {
		cw.drop() // a context seen once, or ended: stopped now
	}
	cw.last = w.ctx
	return ctxBadConn(w.ctx, err)
}
