package driver

import (
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// A server may end a transaction on its own: InnoDB rolls back the whole
// transaction of a deadlock victim (error 1213), and of a lock wait
// timeout (1205) when the server runs with innodb_rollback_on_timeout.
// One MariaDB then has nothing left of the transaction: its next
// statements run in autocommit mode and COMMIT commits nothing.
//
// The hazard across data sources: only the data source that reported the
// error lost its work. The others still hold theirs, open, with their
// locks, and a Commit would commit them — a half-committed transaction
// (best effort), or a transaction whose later statements on the rolled
// back data source autocommit one by one while the rest waits for a
// COMMIT. So when a participant's server ends the transaction, the Tx
// rolls back every other data source at once (as the one server releases
// all its locks at once), and from then on refuses every statement and
// fails Commit with the server's error; only Rollback succeeds. An
// application that retries deadlocked transactions (errors.As a
// *mysql.MySQLError numbered 1213) sees the same error as from one server.

// failed records what a caller's statement that failed on p says about
// p's connection and transaction.
func (p *participant) failed(err error) {
	if !answered(err) {
		p.broken = true
		return
	}
	if p.tx == nil || p.tx.aborted != nil || !p.tx.endedByServer(p, err) {
		return
	}
	p.tx.abortAll(p, err)
}

// endedByServer reports an error after which p's server no longer holds
// the transaction: a deadlock always, a lock wait timeout when the
// server rolled the whole transaction back (asked on p's connection).
//
// Hazard (round 16): in XA mode the lock wait timeout was not asked
// about, since the branch, rollback-only, fails its XA END at Commit,
// which then rolls everything back. Nothing half committed, but until
// Commit the transaction ran on: the other data sources took writes and
// answered reads with work certain to be rolled back, where one MariaDB
// refuses every statement of a rollback-only XA transaction (1399). A
// rollback-only branch answers @@in_transaction = 0, as a rolled back
// local transaction does, so the same question serves both modes.
func (t *Tx) endedByServer(p *participant, err error) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1213: // ER_LOCK_DEADLOCK
		return true
	case 1205: // ER_LOCK_WAIT_TIMEOUT
		if p.busy() != nil {
			return false // (rows open on p: asking would wait for them)
		}
		cl := t.cleanup()
		defer cl.done()
		var in int
		if qerr := p.conn.QueryRowContext(cl.context(), "SELECT @@in_transaction").Scan(&in); qerr != nil {
			if !answered(qerr) {
				p.broken = true // Commit then rolls everything back
			}
			return false
		}
		return in == 0
	}
	return false
}

// abortAll rolls back every participant after p's server ended the
// transaction with err, and marks the Tx aborted.
func (t *Tx) abortAll(p *participant, err error) {
	t.aborted = fmt.Errorf("shardsql: the transaction was rolled back on every data source after data source %s rolled it back (roll it back and run it again): %w", p.ds, err)
	cl := t.cleanup()
	defer cl.done()
	s := &txSteps{t: t, parts: t.parts, ctx: cl.context(), cl: cl}
	for i := range t.parts {
		// A rollback that fails marks its participant broken: its
		// connection is closed at the end, and the server rolls back.
		_ = s.rollback(i)
	}
}
