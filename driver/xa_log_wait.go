package driver

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// The XA decision log on a pool the branches share: a data source given
// with AddDB (the caller's pool, which shardsql cannot duplicate as it
// does a DSN's, xa_log_pool.go) that is also the log's data source.
//
// The hazard (TestReview11XALogAddDB): a committing transaction holds its
// branch's connection of that pool and asks the same pool for one more to
// write the log. On a pool of one it waited for its own connection until
// the commit timeout; on a pool of n, n transactions each held a branch
// and waited for the log, and every one failed at the timeout.
//
// The cycle is certain, not guessed, when the connections the gate counts
// as held by transactions waiting for the log reach the pool's limit:
// every connection of the pool is then held by a waiter (the gate counts
// what shardsql holds, and a waiter holds its branches for as long as it
// waits), so none is ever given back. Of those waiters at least one is
// still writing the 'preparing' row: the transaction that took the last
// connection took it before its commit began, and no log statement found
// a free connection after that. That one is rolled back at once — nothing
// of it is prepared, so its abort is clean — which gives its connection
// to the others. A waiter past the 'preparing' row is never chosen: a
// decision write cut off would leave its branches prepared for RecoverXA.
// A pool of one can never hold a branch and the log at once: such a
// transaction is refused (ErrUnsupported) instead.
//
// Cycles through other data sources (a transaction holding ds1 while it
// waits for the log on ds0, against a session holding ds0 and waiting for
// ds1) are the crossed-sessions class, still ended by WithConnWaitTimeout
// (docs/faults.md).

// logWaits is the set of transactions using the log through a gated pool
// that holds their branches (one per gate).
type logWaits struct {
	mu    sync.Mutex
	held  int // gate slots held by the members
	waits map[*logWait]struct{}
}

// logWait is one transaction's log statement: the gate slots it holds and
// whether it writes the 'preparing' row (only such a one may be rolled
// back to break a cycle).
type logWait struct {
	held   int
	begin  bool
	cancel context.CancelCauseFunc
}

// errLogCycle is the cause a cycle's victim is cancelled with.
var errLogCycle = errors.New("every connection is held by a transaction waiting for the decision log")

// logCycleError is the error of a transaction rolled back to break a
// cycle, or refused on a pool of one.
func logCycleError(ds string, limit int64) error {
	if limit <= 1 {
		return fmt.Errorf("%w: an XA transaction over several data sources with a branch on data source %s, the decision log's, whose pool (given with AddDB) has 1 connection: the log needs a connection of its own (call SetMaxOpenConns(2) or more on that pool, or WithXALog naming a data source given with a DSN)", ErrUnsupported, ds)
	}
	return fmt.Errorf("shardsql: xa: rolled back while waiting for the decision log on data source %s: each of its pool's %d connections (given with AddDB) is held by a transaction waiting for the log; retry it, and size that pool above the number of concurrent XA transactions, or name a data source given with a DSN with WithXALog", ds, limit)
}

// enterLog registers a log statement of the transaction when the log's
// pool is the gated pool its branches share;
// it returns the context the statement runs under and leave, which ends
// the registration and turns a cancellation that broke a cycle into its
// error. begin marks the 'preparing' row's INSERT; err refuses it at once
// (a pool of one).
func (s *txSteps) enterLog(ctx context.Context, begin bool) (_ context.Context, leave func(error) error, err error) {
	noop := func(err error) error { return err }
	c := s.t.conn.c
	name := c.xaLogName()
	db, err := c.db(name)
	if err != nil {
		return ctx, noop, nil // s.log reports it
	}
	if lp, err := c.xaLogPool(name, db); err != nil || lp != db {
		return ctx, noop, nil // a pool of its own (xa_log_pool.go), or s.log reports the error
	}
	g := c.gateFor(name, db)
	if g == nil {
		return ctx, noop, nil // unlimited
	}
	held := 0
	for _, p := range s.t.conn.pins {
		if p.ds == name && p.gate == g && !p.borrowed {
			held++
		}
	}
	if held == 0 {
		return ctx, noop, nil // holds nothing the log waits for
	}
	limit := g.cap.Load()
	if begin && int64(held) >= limit {
		return nil, nil, logCycleError(name, limit)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	w := &logWait{held: held, begin: begin, cancel: cancel}
	lw := &g.logs
	lw.mu.Lock()
	if lw.waits == nil {
		lw.waits = map[*logWait]struct{}{}
	}
	lw.waits[w] = struct{}{}
	lw.held += held
	if int64(lw.held) >= limit {
		victim := w
		if !begin {
			victim = nil
			for v := range lw.waits {
				if v.begin {
					victim = v
					break
				}
			}
		}
		if victim != nil {
			// Out of the set at once: its connections are as good as
			// given back, and a later waiter must not pick a second
			// victim for the same cycle.
			delete(lw.waits, victim)
			lw.held -= victim.held
			victim.cancel(errLogCycle)
		}
	}
	lw.mu.Unlock()
	return wctx, func(err error) error {
		lw.mu.Lock()
		if _, ok := lw.waits[w]; ok {
			delete(lw.waits, w)
			lw.held -= held
		}
		lw.mu.Unlock()
		cycle := errors.Is(context.Cause(wctx), errLogCycle)
		cancel(nil)
		if cycle && err != nil {
			return fmt.Errorf("%w (%v)", logCycleError(name, limit), err)
		}
		return err
	}, nil
}
