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
	// Forgotten counts the decision log rows removed: decided rows none
	// of whose branches is left, and 'preparing' rows older than the
	// grace period with no prepared branch (their coordinator died before
	// preparing, or gave up).
	Forgotten int
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
// logged 'commit' commits it. No row, or 'abort', cannot become 'commit'
// (the decision is a conditional UPDATE of a 'preparing' row), so the
// branch is rolled back. A 'preparing' row older than the grace is
// aborted first, with the same condition as the decision, so that a
// coordinator still running and recovery cannot both win.
func recoverVerdict(l recoveryLog, gtrid string) (verdict, error) {
	state, young, err := l.rowState(gtrid)
	if err != nil {
		return verdictWait, err
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
// prepared branch on some data source: 'abort' rows with no branch, and
// 'commit' rows with none older than the retention (a decided transaction
// prepares no more branches), and 'preparing' rows
// older than the grace with none. Each is removed only if its state is
// still the one read: a 'preparing' row that became 'commit' meanwhile
// may have branches prepared after the listing. A coordinator whose
// 'preparing' row is removed can no longer decide to commit (its decision
// UPDATE finds no row) and rolls back.
func forgettable(rows map[string]logRowSeen, branches map[string]bool) map[string]string {
	out := map[string]string{}
	for g, r := range rows {
		if branches[g] || (r.state == "preparing" && !r.old) || (r.state == "commit" && !r.expired) {
			// A 'commit' row with no branch in sight may still have one
			// attached to a dead coordinator's connection, which XA
			// RECOVER does not list until the server notices the
			// connection is gone: it is kept for the retention period.
			continue
		}
		out[g] = r.state
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
	rows, err := conn.QueryContext(ctx, "XA RECOVER")
	if err != nil {
		return err
	}
	type branch struct{ gtrid, bqual string }
	var branches []branch
	for rows.Next() {
		var format, glen, blen int
		var data string
		if err := rows.Scan(&format, &glen, &blen, &data); err != nil {
			rows.Close()
			return err
		}
		if glen+blen <= len(data) && strings.HasPrefix(data, xaPrefix) {
			branches = append(branches, branch{data[:glen], data[glen : glen+blen]})
			seen[data[:glen]] = true
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, b := range branches {
		xid := fmt.Sprintf("'%s','%s'", b.gtrid, b.bqual)
		label := b.gtrid + "@" + name
		v, err := recoverVerdict(l, b.gtrid)
		if err != nil {
			return err
		}
		verb := "XA ROLLBACK "
		switch v {
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
