package driver

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// cleanup is the context of a transaction's cleanup: its own deadline,
// started at first use, and not the caller's context (which may have
// ended: a ROLLBACK sent under it would never leave, and the transaction
// would stay open on its connection, holding its locks). It keeps the
// caller's values.
type cleanup struct {
	parent context.Context
	d      time.Duration
	ctx    context.Context
	cancel context.CancelFunc
}

func (t *Tx) cleanup() *cleanup {
	return &cleanup{parent: t.ctx, d: t.conn.c.opts.cleanupBound()}
}

func (c *cleanup) context() context.Context {
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithTimeout(context.WithoutCancel(c.parent), c.d)
	}
	return c.ctx
}

func (c *cleanup) done() {
	if c.cancel != nil {
		c.cancel()
	}
}

// txSteps are the commit protocols' steps (commitSteps) on a live
// transaction: SQL on the participants' connections and on the decision
// log's pool. Commit's own statements run under ctx; rollbacks, the abort
// and the re-read of the log, and the XA COMMITs that follow a logged
// decision run on the cleanup deadline.
type txSteps struct {
	t     *Tx
	parts []*participant // in commit order
	ctx   context.Context
	cl    *cleanup
	logDB *sql.DB
}

var _ commitSteps = (*txSteps)(nil)

func (s *txSteps) end(i int) error {
	p := s.parts[i]
	if err := p.send(s.ctx, "XA END "+s.t.xid(p)); err != nil {
		return err
	}
	p.ended = true
	return nil
}

func (s *txSteps) prepare(i int) error {
	p := s.parts[i]
	p.preparing = true
	return p.send(s.ctx, "XA PREPARE "+s.t.xid(p))
}

func (s *txSteps) commit(i int, mode commitMode) error {
	p := s.parts[i]
	var err error
	switch mode {
	case commitLocal:
		err = p.send(s.ctx, "COMMIT")
	case commitOnePhase:
		err = p.send(s.ctx, "XA COMMIT "+s.t.xid(p)+" ONE PHASE")
	case commitPrepared:
		err = p.send(s.cl.context(), "XA COMMIT "+s.t.xid(p))
	}
	if err == nil {
		p.finished = true
	}
	return err
}

// concurrentCommits: each participant's XA COMMIT runs on its own
// connection and touches only its participant's flags; the cleanup
// context, which they share, is made here, before they start (made
// lazily, it would be made by two goroutines at once).
func (s *txSteps) concurrentCommits() bool {
	_ = s.cl.context()
	return true
}

// errLeftPrepared reports a branch that may be prepared and whose
// connection failed: RecoverXA rolls it back.
var errLeftPrepared = errors.New("the branch may be left prepared: its connection failed")

func (s *txSteps) rollback(i int) error {
	p := s.parts[i]
	if p.finished {
		return nil
	}
	if p.broken {
		// The server ends the connection's transaction when it sees the
		// connection close; a prepared branch survives for RecoverXA.
		if p.preparing {
			return errLeftPrepared
		}
		return nil
	}
	ctx := s.cl.context()
	if !s.t.xa {
		if err := p.send(ctx, "ROLLBACK"); err != nil {
			return err
		}
		p.finished = true
		return nil
	}
	if !p.ended {
		// Refused when the branch is already idle or prepared: the
		// rollback below decides.
		if err := p.send(ctx, "XA END "+s.t.xid(p)); err == nil {
			p.ended = true
		} else if !answered(err) {
			return err
		}
	}
	if err := p.send(ctx, "XA ROLLBACK "+s.t.xid(p)); err != nil && !isXANotFound(err) {
		if answered(err) {
			p.broken = true // a branch in a state we cannot end: close the connection
		}
		return err
	}
	p.finished = true
	return nil
}

// log returns the decision log's pool, and done, which ends the use of it
// without the gate that log announced (Connector.unparked: nothing of the
// log's data source is parked meanwhile, pin_park.go).
func (s *txSteps) log(ctx context.Context) (*sql.DB, func(), error) {
	c := s.t.conn.c
	if s.logDB == nil {
		db, err := c.xaLog(ctx)
		if err != nil {
			return nil, nil, err
		}
		s.logDB = db
	}
	return s.logDB, c.unparked(c.xaLogName()), nil
}

func (s *txSteps) logBegin() error {
	ctx, leave, err := s.enterLog(s.ctx, true) // xa_log_wait.go; before the log table's DDL, which waits for the pool too
	if err != nil {
		return err
	}
	db, done, err := s.log(ctx)
	if err != nil {
		return leave(err)
	}
	defer done()
	_, err = db.ExecContext(ctx, "INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, 'preparing', NOW(6))", s.t.gtrid)
	return leave(err)
}

func (s *txSteps) logDecide() (bool, error) {
	return s.logTransition(s.ctx, "commit")
}

func (s *txSteps) logAbort() (bool, error) {
	return s.logTransition(s.cl.context(), "abort")
}

// logTransition moves the row from 'preparing' to state and reports
// whether this statement did. The pool gives a fresh connection: one whose
// statement failed without an answer is closed by go-sql-driver and
// dropped by database/sql.
func (s *txSteps) logTransition(ctx context.Context, state string) (bool, error) {
	ctx, leave, err := s.enterLog(ctx, false)
	if err != nil {
		return false, err
	}
	db, done, err := s.log(ctx)
	if err != nil {
		return false, leave(err)
	}
	defer done()
	res, err := db.ExecContext(ctx, "UPDATE shardsql_xa_log SET state = ? WHERE gtrid = ? AND state = 'preparing'", state, s.t.gtrid)
	if err = leave(err); err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *txSteps) logState() (string, error) {
	ctx, leave, err := s.enterLog(s.cl.context(), false)
	if err != nil {
		return "", err
	}
	db, done, err := s.log(ctx)
	if err != nil {
		return "", leave(err)
	}
	defer done()
	var state string
	err = db.QueryRowContext(ctx, "SELECT state FROM shardsql_xa_log WHERE gtrid = ?", s.t.gtrid).Scan(&state)
	err = leave(err)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return state, err
}

func (s *txSteps) logForget() error {
	ctx, leave, err := s.enterLog(s.cl.context(), false)
	if err != nil {
		return err
	}
	db, done, err := s.log(ctx)
	if err != nil {
		return leave(err)
	}
	defer done()
	_, err = db.ExecContext(ctx, "DELETE FROM shardsql_xa_log WHERE gtrid = ?", s.t.gtrid)
	return leave(err)
}

func (s *txSteps) stage(name string) { s.t.conn.c.xaHook(name) }
