package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RecoveryReport says what RecoverXA resolved.
type RecoveryReport struct {
	// Committed and RolledBack list resolved branches as "gtrid@datasource".
	Committed, RolledBack []string
	// InFlight lists prepared branches left for a later run: their
	// transaction is still deciding (younger than the grace period), or
	// the branch is still attached to a session the server has not yet
	// seen end.
	InFlight []string
	// Forgotten counts the decision log rows removed: 'commit' and
	// 'abort' rows older than the retention (WithXALogRetention) none of
	// whose branches is left. A 'preparing' row older than the grace
	// period with no prepared branch (its coordinator died before
	// preparing, or gave up) is moved to 'abort' and kept.
	Forgotten int
	// NotInLog lists prepared branches with shardsql's gtrid prefix that
	// this decision log has no row for, left untouched: the branches of
	// another shardsql deployment whose servers these data sources share
	// (XA RECOVER lists every prepared branch of a server, whatever its
	// database), which only that deployment's log can decide. A branch
	// of this deployment is listed here only when its row was removed
	// while the branch was out of sight (see forgettable); its row never
	// said 'commit' within the retention, so XA ROLLBACK is its outcome.
	NotInLog []string
}

// RecoverXA resolves the XA branches shardsql left prepared on every data
// source (after a crash between prepare and commit, or a commit whose
// outcome was unknown): a branch whose commit decision is logged is
// committed, one whose transaction was never decided and is older than
// grace is rolled back (the abort is logged first, so a coordinator still
// running cannot decide to commit it afterwards). It then removes the
// decision log rows no branch needs any more, so the log holds only
// transactions in progress or unresolved. It is idempotent and safe to
// run from several processes at once. db must have been opened with the
// shardsql driver.
//
// grace must exceed the time a Commit takes from its start (when it logs
// the transaction as 'preparing') to its commit decision, which
// WithCommitTimeout bounds: a transaction logged longer than grace ago
// that has not decided yet is aborted. Branches a failed Commit left
// prepared hold their row locks until RecoverXA resolves them, so run it
// periodically, not only at start-up.
func RecoverXA(ctx context.Context, db *sql.DB, grace time.Duration) (RecoveryReport, error) {
	var rep RecoveryReport
	err := withConnector(ctx, db, func(c *Connector) error {
		var err error
		rep, err = c.recoverXA(ctx, grace)
		return err
	})
	return rep, err
}

// verdict is what recovery does with a prepared branch.
type verdict int

const (
	verdictWait     verdict = iota // leave it for a later run
	verdictCommit                  // XA COMMIT
	verdictRollback                // XA ROLLBACK
	verdictNotInLog                // not this log's transaction: left alone
)

// recoveryLog is the decision log as recovery reads and writes it; the
// live one is SQL on the log's data source, the model test's in memory.
type recoveryLog interface {
	// rowState returns the row's state ("" when there is none) and
	// whether it is younger than the grace period.
	rowState(gtrid string) (state string, young bool, err error)
	// abortRow moves the row from 'preparing' to 'abort'.
	abortRow(gtrid string) error
}

// recoverVerdict decides a prepared branch of transaction gtrid. Only a
// logged 'commit' commits it. 'abort' cannot become 'commit' (the
// decision is a conditional UPDATE of a 'preparing' row), so the branch is
// rolled back. A 'preparing' row older than the grace is aborted first,
// with the same condition as the decision, so that a coordinator still
// running and recovery cannot both win.
//
// Hazard (review19c): a branch with no row at all was rolled back too.
// XA RECOVER lists the prepared branches of the whole server, so where
// two shardsql deployments (two topologies, two decision logs) share a
// server — one database each — one deployment's RecoverXA rolled back
// the other's prepared branches, even those whose commit its own log had
// decided: the other's transaction ended committed on one server and
// rolled back on another. A branch this log has never seen is not
// decided here (verdictNotInLog); one whose row vanished after it was
// read is this log's, and no longer decidable as 'commit'.
func recoverVerdict(l recoveryLog, gtrid string) (verdict, error) {
	state, young, err := l.rowState(gtrid)
	if err != nil {
		return verdictWait, err
	}
	if state == "" {
		return verdictNotInLog, nil
	}
	if state == "preparing" {
		if young {
			return verdictWait, nil
		}
		if err := l.abortRow(gtrid); err != nil {
			return verdictWait, err
		}
		if state, _, err = l.rowState(gtrid); err != nil {
			return verdictWait, err
		}
	}
	switch state {
	case "commit":
		return verdictCommit, nil
	case "preparing":
		return verdictWait, fmt.Errorf("the decision log row of %s is still 'preparing' after the abort", gtrid)
	}
	return verdictRollback, nil
}

// logRowSeen is a decision log row as recovery read it before listing the
// branches.
type logRowSeen struct {
	state   string
	old     bool // older than the grace period
	expired bool // older than the retention of 'commit' decisions (WithXALogRetention)
}

// forgettable returns the log rows recovery may remove, given the rows
// read before the branches were listed and the transactions with a
// prepared branch on some data source: 'commit' and 'abort' rows older
// than the retention (WithXALogRetention) with no branch in sight. Each is
// removed only if its state is still the one read. 'preparing' rows are
// never removed: an old one with no branch is moved to 'abort' first
// (abortable), and kept as such.
//
// A 'commit' row with no branch in sight may still have one attached to a
// dead coordinator's connection, which XA RECOVER does not list until the
// server notices the connection is gone: it is kept for the retention.
//
// Hazard (review19c): 'abort' rows with no branch, and 'preparing' rows
// older than the grace with none, were removed at once. A branch with no
// row is no longer rolled back (recoverVerdict: it may be another
// deployment's), and such a branch could still appear: prepared after the
// listing by a coordinator slower than the grace, or attached to a dead
// coordinator's connection the server had not yet seen end. So an
// undecided row becomes an 'abort' tombstone kept for the retention, as a
// 'commit' decision is, and the branch that appears later is rolled back
// by it. (A coordinator still running finds 'abort' at its decision and
// rolls back, as it did when it found no row.)
func forgettable(rows map[string]logRowSeen, branches map[string]bool) map[string]string {
	out := map[string]string{}
	for g, r := range rows {
		if branches[g] || r.state == "preparing" || !r.expired {
			continue
		}
		out[g] = r.state
	}
	return out
}

// abortable returns the 'preparing' rows older than the grace with no
// branch in sight: their coordinator died before preparing, or gave up.
// Recovery moves them to 'abort' (the decision's condition, so a
// coordinator still running and recovery cannot both win).
func abortable(rows map[string]logRowSeen, branches map[string]bool) []string {
	var out []string
	for g, r := range rows {
		if r.state == "preparing" && r.old && !branches[g] {
			out = append(out, g)
		}
	}
	return out
}

// sqlRecoveryLog is the live decision log.
type sqlRecoveryLog struct {
	ctx   context.Context
	db    *sql.DB
	grace time.Duration
}

func (l sqlRecoveryLog) rowState(gtrid string) (string, bool, error) {
	var state string
	var young bool
	err := l.db.QueryRowContext(l.ctx, "SELECT state, created > NOW(6) - INTERVAL ? MICROSECOND FROM shardsql_xa_log WHERE gtrid = ?", l.grace.Microseconds(), gtrid).Scan(&state, &young)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return state, young, err
}

func (l sqlRecoveryLog) abortRow(gtrid string) error {
	_, err := l.db.ExecContext(l.ctx, "UPDATE shardsql_xa_log SET state = 'abort' WHERE gtrid = ? AND state = 'preparing'", gtrid)
	return err
}

func (c *Connector) recoverXA(ctx context.Context, grace time.Duration) (RecoveryReport, error) {
	var rep RecoveryReport
	for _, ds := range c.topo.DataSources() {
		// The log and every data source's XA RECOVER are read from the
		// pools, not through the gate (pin_park.go).
		defer c.unparked(ds.Name)()
	}
	logDB, err := c.xaLog(ctx)
	if err != nil {
		return rep, err
	}
	// The log, read before the branches: a row found here with no branch
	// on any data source afterwards may be removed (forgettable).
	rows, err := logDB.QueryContext(ctx, "SELECT gtrid, state, created <= NOW(6) - INTERVAL ? MICROSECOND, created <= NOW(6) - INTERVAL ? MICROSECOND FROM shardsql_xa_log",
		grace.Microseconds(), c.opts.xaRetention().Microseconds())
	if err != nil {
		return rep, fmt.Errorf("shardsql: xa recovery: reading the log: %w", err)
	}
	before := map[string]logRowSeen{}
	for rows.Next() {
		var g string
		var r logRowSeen
		if err := rows.Scan(&g, &r.state, &r.old, &r.expired); err != nil {
			rows.Close()
			return rep, err
		}
		before[g] = r
	}
	if err := rows.Close(); err != nil {
		return rep, err
	}
	l := sqlRecoveryLog{ctx: ctx, db: logDB, grace: grace}
	seen := map[string]bool{}
	var errs []error
	for _, ds := range c.topo.DataSources() {
		db, err := c.db(ds.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := c.recoverSource(ctx, ds.Name, db, l, &rep, seen); err != nil {
			errs = append(errs, fmt.Errorf("shardsql: xa recovery on data source %s: %w", ds.Name, err))
		}
	}
	if len(errs) > 0 {
		return rep, errors.Join(errs...) // a data source not listed may hold branches: remove nothing
	}
	for _, g := range abortable(before, seen) {
		if err := l.abortRow(g); err != nil {
			return rep, fmt.Errorf("shardsql: xa recovery: aborting log row %s: %w", g, err)
		}
	}
	for g, state := range forgettable(before, seen) {
		res, err := logDB.ExecContext(ctx, "DELETE FROM shardsql_xa_log WHERE gtrid = ? AND state = ?", g, state)
		if err != nil {
			return rep, fmt.Errorf("shardsql: xa recovery: removing log row %s: %w", g, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			rep.Forgotten++
		}
	}
	return rep, nil
}

// recoverSource lists the prepared branches of one data source and
// resolves shardsql's.
func (c *Connector) recoverSource(ctx context.Context, name string, db *sql.DB, l sqlRecoveryLog, rep *RecoveryReport, seen map[string]bool) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	branches, err := listBranches(ctx, conn)
	if err != nil {
		return err
	}
	for _, b := range branches {
		seen[b.gtrid] = true
	}
	var foreign []string
	defer func() {
		if len(foreign) == 0 {
			return
		}
		// A branch listed before another recoverer resolved it and
		// removed its row is not foreign: only those still prepared are
		// reported.
		still, err := listBranches(ctx, conn)
		if err != nil {
			rep.NotInLog = append(rep.NotInLog, foreign...)
			return
		}
		for _, label := range foreign {
			for _, b := range still {
				if b.gtrid+"@"+name == label {
					rep.NotInLog = append(rep.NotInLog, label)
					break
				}
			}
		}
	}()
	for _, b := range branches {
		xid := fmt.Sprintf("'%s','%s'", b.gtrid, b.bqual)
		label := b.gtrid + "@" + name
		v, err := recoverVerdict(l, b.gtrid)
		if err != nil {
			return err
		}
		verb := "XA ROLLBACK "
		switch v {
		case verdictNotInLog:
			foreign = append(foreign, label)
			continue
		case verdictWait:
			rep.InFlight = append(rep.InFlight, label)
			continue
		case verdictCommit:
			verb = "XA COMMIT "
		}
		if _, err := conn.ExecContext(ctx, verb+xid); err != nil {
			if isXABusy(err) {
				// Still attached to a session the server has not seen
				// end yet (or resolved meanwhile by another recoverer).
				rep.InFlight = append(rep.InFlight, label)
				continue
			}
			return err
		}
		if v == verdictCommit {
			rep.Committed = append(rep.Committed, label)
		} else {
			rep.RolledBack = append(rep.RolledBack, label)
		}
	}
	return nil
}

// xaBranch is a prepared branch XA RECOVER listed.
type xaBranch struct{ gtrid, bqual string }

// listBranches lists the prepared branches with shardsql's gtrid prefix
// on conn's server.
func listBranches(ctx context.Context, conn *sql.Conn) ([]xaBranch, error) {
	rows, err := conn.QueryContext(ctx, "XA RECOVER")
	if err != nil {
		return nil, err
	}
	var out []xaBranch
	for rows.Next() {
		var format, glen, blen int
		var data string
		if err := rows.Scan(&format, &glen, &blen, &data); err != nil {
			rows.Close()
			return nil, err
		}
		if glen+blen <= len(data) && strings.HasPrefix(data, xaPrefix) {
			out = append(out, xaBranch{data[:glen], data[glen : glen+blen]})
		}
	}
	return out, rows.Close()
}
