package driver

import (
	"context"
	"errors"
	"sync"
)

// Crossed sessions on limited pools: a *sql.Conn or transaction that holds
// data source ds1's connection (a pin) and waits at ds0's gate, while
// another holds ds0's and waits at ds1's. Pins live as long as the
// session, so they cannot be taken in one order the way a cross-node
// query's are (gate.go). Before, both waited until WithConnWaitTimeout
// (30 s by default) while every other caller of either pool queued behind
// them (TestAttackFaultsCrossedTransactions, TestReview10PoolStress).
//
// Here the sessions waiting for a pin say what pins they hold, and each
// new wait checks whether the waiting sessions now hold, between them,
// every slot of the gates they wait at: repeatedly drop a waiter whose
// gate has a slot its fellow waiters do not hold (that slot is free or
// held by a caller that is not waiting for a pin, assumed to give it back
// some day); the waiters left can never be served, since each waits for
// slots only the others hold and none of them gives anything back while it
// waits. That is certain, not guessed, so one of them — the one that
// closed the cycle — fails at once with the error of a wait that timed
// out (its statement fails; its transaction or *sql.Conn goes on and gives
// its pins back when it ends, as after a timeout). Waits that only might
// never end (a holder reading rows it never closes, a session idle in the
// application, a cross-node query reading units one at a time) are not
// judged: they still end at WithConnWaitTimeout.
//
// A session holds its pins while it waits: database/sql calls nothing
// else on a connection in use, so the pins counted when the wait began are
// the pins it holds until the wait ends.

// pinWaits is the Connector's set of sessions waiting at a gate for a pin.
type pinWaits struct {
	mu    sync.Mutex
	waits map[*pinWait]struct{}
}

// pinWait is one session waiting at gate for one connection while holding
// held (slots per gate).
type pinWait struct {
	gate   *gate
	held   map[*gate]int
	cancel context.CancelCauseFunc
}

// errWaitCycle ends a wait that the other waiting sessions make endless.
var errWaitCycle = errors.New("every connection it could get is held by a session waiting for a connection this one holds (sessions holding connections of several limited data sources, taken in different orders): this statement fails now instead of at WithConnWaitTimeout; end the transaction or *sql.Conn, or raise WithMaxOpenConns")

// enter registers c's wait at g when c holds pins of limited pools; it
// returns the context the wait runs under and leave, which ends the
// registration and reports whether the wait was ended to break a cycle.
func (w *pinWaits) enter(ctx context.Context, c *Conn, g *gate) (context.Context, func() bool) {
	var held map[*gate]int
	for _, p := range c.pins {
		if p.gate != nil && !p.borrowed {
			if held == nil {
				held = map[*gate]int{}
			}
			held[p.gate]++
		}
	}
	if held == nil {
		return ctx, func() bool { return false } // holds nothing another could wait for
	}
	wctx, cancel := context.WithCancelCause(ctx)
	me := &pinWait{gate: g, held: held, cancel: cancel}
	w.mu.Lock()
	if w.waits == nil {
		w.waits = map[*pinWait]struct{}{}
	}
	w.waits[me] = struct{}{}
	if stuck := w.stuck(); len(stuck) > 0 {
		victim := me
		if _, ok := stuck[me]; !ok {
			for v := range stuck {
				victim = v
				break
			}
		}
		delete(w.waits, victim) // its pins are as good as given back: no second victim for this cycle
		victim.cancel(errWaitCycle)
	}
	w.mu.Unlock()
	return wctx, func() bool {
		w.mu.Lock()
		delete(w.waits, me)
		w.mu.Unlock()
		cycle := errors.Is(context.Cause(wctx), errWaitCycle)
		cancel(nil)
		return cycle
	}
}

// stuck returns the waiters that can never be served; w.mu is held.
func (w *pinWaits) stuck() map[*pinWait]struct{} {
	left := make(map[*pinWait]struct{}, len(w.waits))
	for v := range w.waits {
		left[v] = struct{}{}
	}
	for changed := true; changed && len(left) > 0; {
		changed = false
		for v := range left {
			heldByLeft := int64(0)
			for u := range left {
				heldByLeft += int64(u.held[v.gate])
			}
			if v.gate.cap.Load()-heldByLeft >= 1 {
				delete(left, v)
				changed = true
			}
		}
	}
	return left
}
