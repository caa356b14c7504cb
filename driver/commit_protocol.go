package driver

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// The commit protocols, written once over commitSteps: the live
// transaction implements the steps with SQL on its connections
// (tx_steps.go), the model test (commit_model_test.go) in memory, with a
// crash or a cut connection at every message. Every decision below is
// therefore the one the model checks.
//
// The hazard the protocols are built around: a statement whose reply is
// lost (a cut connection, a deadline) may or may not have run. Only an
// error the server answered (answered) proves a statement did not take
// effect; any other error leaves its outcome unknown, and the protocol
// must not act as if it knew.

// commitMode says which commit a step sends.
type commitMode int

const (
	commitLocal    commitMode = iota // COMMIT (best effort)
	commitOnePhase                   // XA END done; XA COMMIT … ONE PHASE
	commitPrepared                   // XA COMMIT of a prepared branch
)

// commitSteps are the messages of the commit protocols. Participant i is
// the i-th in commit order. A step on a participant whose connection
// failed before returns an error without sending anything.
type commitSteps interface {
	end(i int) error     // XA END
	prepare(i int) error // XA PREPARE
	commit(i int, mode commitMode) error
	rollback(i int) error                 // ROLLBACK, or XA END (if active) + XA ROLLBACK; on the cleanup deadline
	logBegin() error                      // INSERT the 'preparing' row
	logDecide() (decided bool, err error) // 'preparing' → 'commit'; decided is whether this call changed it
	logAbort() (aborted bool, err error)  // 'preparing' → 'abort' on a fresh connection and the cleanup deadline
	logState() (string, error)            // the row's state on a fresh connection, "" when there is none
	logForget() error                     // DELETE the row
	stage(name string)                    // test hook: "prepare:<ds>", "decided", "commit:<ds>"
}

// answered reports an error the server sent: the statement was received
// and refused, so it did not take effect; or one that proves the statement
// was never sent (errNotSent, commit_not_sent.go). Any other error (a cut,
// a deadline mid-statement, a connection already broken) leaves the
// outcome unknown.
func answered(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) || errors.Is(err, errNotSent)
}

// fate is what became of one participant's work.
type fate int

const (
	fateOpen       fate = iota // not resolved yet (never in a returned outcome)
	fateCommitted              // committed
	fateRolledBack             // rolled back, or certain to be: by the server when its connection ends, or by RecoverXA
	fatePending                // XA commit decided and logged, not yet applied: RecoverXA commits it
	fateUnknown                // the outcome is not known to the coordinator
)

// outcome collects the fate of every participant and builds Commit's error.
type outcome struct {
	names []string
	fates []fate
	errs  map[string]error
	cause error
	xa    bool
	notes []error // failures that do not change a fate (an unlogged abort)
}

func newOutcome(names []string, xa bool) *outcome {
	return &outcome{names: names, fates: make([]fate, len(names)), errs: map[string]error{}, xa: xa}
}

func (o *outcome) set(i int, f fate, err error) {
	o.fates[i] = f
	if err != nil {
		o.errs[o.names[i]] = noRetry(err)
	}
}

// noRetry keeps an error's text but not driver.ErrBadConn's identity:
// database/sql runs a statement again when its error is ErrBadConn, and a
// broadcast write whose commit failed must not be run twice.
//
// Hazard (round 14): it turned the whole error into text, so a commit
// whose cause joined its deadline with a note of a closed branch
// connection no longer answered errors.Is(err, context.DeadlineExceeded).
// The rest of the chain is kept (badConnHidden).
func noRetry(err error) error {
	if err != nil && errors.Is(err, driver.ErrBadConn) {
		return badConnHidden{err}
	}
	return err
}

// badConnHidden is err with the same text and chain, but without
// driver.ErrBadConn in it.
type badConnHidden struct{ err error }

func (h badConnHidden) Error() string { return h.err.Error() }

func (h badConnHidden) Unwrap() []error {
	var inner []error
	switch u := h.err.(type) {
	case interface{ Unwrap() error }:
		if x := u.Unwrap(); x != nil {
			inner = []error{x}
		}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	out := make([]error, 0, len(inner))
	for _, x := range inner {
		switch {
		case x == driver.ErrBadConn:
		case errors.Is(x, driver.ErrBadConn):
			out = append(out, badConnHidden{x})
		default:
			out = append(out, x)
		}
	}
	return out
}

// err returns nil when every participant committed and nothing failed,
// otherwise a *CommitError describing every participant.
func (o *outcome) err() error {
	ok := o.cause == nil && len(o.errs) == 0
	e := &CommitError{Failed: o.errs, Cause: noRetry(o.cause), XA: o.xa}
	for i, f := range o.fates {
		ds := o.names[i]
		switch f {
		case fateCommitted:
			e.Committed = append(e.Committed, ds)
		case fateRolledBack:
			e.RolledBack = append(e.RolledBack, ds)
			ok = false
		case fatePending:
			e.Pending = append(e.Pending, ds)
			ok = false
		default:
			e.Unknown = append(e.Unknown, ds)
			ok = false
		}
	}
	if ok {
		return nil
	}
	return e
}

// commitOne commits participant i and records its fate: a commit the
// server refused did not happen (the work is rolled back); one whose reply
// was lost may have.
func commitOne(s commitSteps, o *outcome, i int, mode commitMode) {
	err := s.commit(i, mode)
	switch {
	case err == nil:
		o.set(i, fateCommitted, nil)
		s.stage("commit:" + o.names[i])
	case answered(err):
		_ = s.rollback(i) // the server refused the commit: nothing committed either way
		o.set(i, fateRolledBack, err)
	default:
		o.set(i, fateUnknown, err)
	}
}

// runBestEffort commits the participants one by one. After the first one
// that does not commit, the others are rolled back: they never received a
// COMMIT, so they cannot have committed (a rollback that fails leaves the
// server to roll back when the connection, which is then closed, ends).
func runBestEffort(s commitSteps, names []string) error {
	o := newOutcome(names, false)
	failed := false
	for i := range names {
		if failed {
			o.set(i, fateRolledBack, nil)
			_ = s.rollback(i)
			continue
		}
		commitOne(s, o, i, commitLocal)
		failed = o.fates[i] != fateCommitted
	}
	return o.err()
}

// runXA is two-phase commit with a logged decision; one participant
// commits in one phase.
//
// The decision is the conditional UPDATE 'preparing' → 'commit' of the
// log row; RecoverXA and an aborting coordinator only ever write
// 'preparing' → 'abort' with the same condition, so the row lock orders
// them and exactly one wins, even when a lost or delayed decision reaches
// the server after the coordinator gave up on it. Until the decision is
// known to have failed, no branch may be rolled back: when its outcome is
// unknown the coordinator re-reads the row (and tries to abort it) on a
// fresh connection, and if that fails too it leaves every branch prepared
// for RecoverXA, which follows the row.
func runXA(s commitSteps, names []string) error {
	o := newOutcome(names, true)
	switch len(names) {
	case 0:
		return nil
	case 1:
		o.xa = false // one phase: nothing is left prepared
		if err := s.end(0); err != nil {
			o.cause = fmt.Errorf("shardsql: xa: end on data source %s: %w", names[0], err)
			_ = s.rollback(0) // not prepared: rolled back by XA ROLLBACK or when the connection ends
			o.set(0, fateRolledBack, nil)
			return o.err()
		}
		commitOne(s, o, 0, commitOnePhase)
		return o.err()
	}
	if err := s.logBegin(); err != nil {
		// Nothing is prepared: the branches cannot commit. A row the
		// INSERT may have left is removed by RecoverXA after the grace.
		return abortXA(s, o, rowUnknown, fmt.Errorf("shardsql: xa: logging the transaction: %w", err))
	}
	for i, ds := range names {
		if err := s.end(i); err != nil {
			return abortXA(s, o, rowPreparing, fmt.Errorf("shardsql: xa: end on data source %s: %w", ds, err))
		}
		if err := s.prepare(i); err != nil {
			return abortXA(s, o, rowPreparing, fmt.Errorf("shardsql: xa: prepare on data source %s: %w", ds, err))
		}
		s.stage("prepare:" + ds)
	}
	decided, err := s.logDecide()
	if err != nil {
		known := false
		cause := fmt.Errorf("shardsql: xa: logging the commit decision: %w", err)
		decided, known, err = resolveDecision(s)
		if !known {
			// The branches stay prepared; closing their connections
			// detaches them for RecoverXA.
			for i := range names {
				o.set(i, fateUnknown, nil)
			}
			o.cause = fmt.Errorf("%w; re-reading the decision: %w", cause, err)
			return o.err()
		}
		if !decided {
			return abortXA(s, o, rowAborted, cause)
		}
	} else if !decided {
		return abortXA(s, o, rowAborted, errors.New("shardsql: xa: the transaction was aborted by recovery before its commit decision"))
	}
	s.stage("decided")
	commitDecided(s, o)
	if len(o.errs) == 0 {
		// Hygiene only: RecoverXA removes a decided row once no branch of
		// it is left, so a failure here changes nothing.
		_ = s.logForget()
	}
	return o.err()
}

// concurrentCommits is implemented by steps whose XA COMMITs of prepared
// branches may be sent at the same time, one per branch (the live
// transaction: each branch has its own connection). concurrentCommits
// readies what the goroutines share and reports whether they may.
type concurrentCommits interface {
	concurrentCommits() bool
}

// commitDecided sends the XA COMMIT of every prepared branch once the
// decision is logged, and records each branch's fate: committed, or
// pending (the decision is durable; RecoverXA applies it, whatever became
// of a COMMIT whose reply was lost).
//
// Hazard (round 15): sent one after the other, a branch whose server froze
// (SIGSTOP, a stalled disk) held every later branch's XA COMMIT until the
// cleanup deadline ran out, and those branches — healthy servers — stayed
// prepared, holding their row locks, until an operator ran RecoverXA. The
// decision is already logged, so no COMMIT depends on another's outcome:
// they are sent at once, and a frozen server delays only its own branch.
// The model test (commit_model_test.go) runs them in order: each fate
// depends only on its own reply, which the model checks either way.
func commitDecided(s commitSteps, o *outcome) {
	errs := make([]error, len(o.names))
	one := func(i int) {
		errs[i] = s.commit(i, commitPrepared)
		if errs[i] == nil {
			s.stage("commit:" + o.names[i])
		}
	}
	if c, ok := s.(concurrentCommits); ok && len(o.names) > 1 && c.concurrentCommits() {
		var wg sync.WaitGroup
		for i := range o.names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				one(i)
			}()
		}
		wg.Wait()
	} else {
		for i := range o.names {
			one(i)
		}
	}
	for i, err := range errs {
		if err != nil {
			o.set(i, fatePending, err)
			continue
		}
		o.set(i, fateCommitted, nil)
	}
}

// resolveDecision learns the outcome of a decision write whose reply was
// lost. known is false when the log could not be read, or was read as
// 'preparing' and the abort could not be written: then the decision may
// still take effect, and nothing may be rolled back.
func resolveDecision(s commitSteps) (decided, known bool, err error) {
	for try := 0; try < 2; try++ {
		state, err := s.logState()
		if err != nil {
			return false, false, err
		}
		switch state {
		case "commit":
			return true, true, nil
		case "abort":
			return false, true, nil
		case "":
			// Removed: RecoverXA removes a row only once none of its
			// branches is left, and ours are prepared — unless a
			// recoverer resolved them meanwhile, which it may have done
			// either way.
			return false, false, errors.New("the decision log row is gone")
		}
		aborted, err := s.logAbort()
		if err != nil {
			return false, false, err
		}
		if aborted {
			return false, true, nil
		}
		// The row changed between the read and the abort: read it again.
	}
	return false, false, errors.New("the decision log row keeps changing")
}

// logRow is what abortXA knows of the decision log row.
type logRow int

const (
	rowUnknown   logRow = iota // the INSERT failed: there may be a 'preparing' row, left to RecoverXA
	rowPreparing               // 'preparing': the abort is written first
	rowAborted                 // 'abort' already, or removed
)

// abortXA rolls back every branch of a transaction whose commit was not,
// and can no longer be, decided: no decision write was sent, or the row
// is known to say 'abort'. A branch whose rollback fails
// stays prepared or is rolled back by the server when its connection
// ends; RecoverXA rolls back a prepared one, whose row says 'preparing'
// or 'abort' or is gone, never 'commit'.
func abortXA(s commitSteps, o *outcome, row logRow, cause error) error {
	o.cause = cause
	clean := true
	if row == rowPreparing {
		if _, err := s.logAbort(); err != nil {
			clean = false
			o.notes = append(o.notes, fmt.Errorf("logging the abort: %w", err))
		}
	}
	for i := range o.names {
		o.set(i, fateRolledBack, nil)
		if err := s.rollback(i); err != nil {
			clean = false
			o.notes = append(o.notes, fmt.Errorf("rollback on data source %s: %w (its connection is closed: the server rolls back a branch that is not prepared, RecoverXA one that is)", o.names[i], err))
		}
	}
	if clean && row != rowUnknown {
		_ = s.logForget()
	}
	if len(o.notes) > 0 {
		o.cause = errors.Join(append([]error{cause}, o.notes...)...)
	}
	return o.err()
}
