package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// xaPrefix starts the global id of every XA transaction shardsql creates,
// so recovery leaves other XA transactions alone.
const xaPrefix = "shardsql-"

// xaLogDDL creates the decision log. state is 'preparing' before the
// branches prepare, then 'commit' (the decision) or 'abort'.
const xaLogDDL = `CREATE TABLE IF NOT EXISTS shardsql_xa_log (
	gtrid VARCHAR(64) NOT NULL PRIMARY KEY,
	state VARCHAR(16) NOT NULL,
	created DATETIME(6) NOT NULL
)`

type xaKey struct{}

// WithXATransaction returns a context under which BeginTx starts an XA
// (two-phase commit) transaction, whatever the connector's default.
func WithXATransaction(ctx context.Context) context.Context {
	return context.WithValue(ctx, xaKey{}, true)
}

func wantXA(ctx context.Context, def bool) bool {
	if v, ok := ctx.Value(xaKey{}).(bool); ok {
		return v
	}
	return def
}

// xaLog returns the pool of the decision log's data source, creating the
// log table once.
func (c *Connector) xaLog(ctx context.Context) (*sql.DB, error) {
	name := c.opts.xaLogDS
	if name == "" {
		name = c.topo.DefaultDataSource()
	}
	db, err := c.db(name)
	if err != nil {
		return nil, fmt.Errorf("shardsql: xa log: %w", err)
	}
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if !c.xaLogReady {
		if _, err := db.ExecContext(ctx, xaLogDDL); err != nil {
			return nil, fmt.Errorf("shardsql: xa log on data source %s: %w", name, err)
		}
		c.xaLogReady = true
	}
	return db, nil
}

// commitXA ends and commits every branch: one phase for one participant,
// otherwise prepare everywhere, log the decision, then commit everywhere.
func (t *Tx) commitXA() error {
	ctx := t.ctx
	parts := t.ordered()
	defer t.release()
	switch len(parts) {
	case 0:
		return nil
	case 1:
		p := parts[0]
		if _, err := p.conn.ExecContext(ctx, "XA END "+t.xid(p)); err != nil {
			_ = t.rollbackBranch(p, false)
			return fmt.Errorf("shardsql: xa: end on data source %s: %w", p.ds, err)
		}
		if _, err := p.conn.ExecContext(ctx, "XA COMMIT "+t.xid(p)+" ONE PHASE"); err != nil {
			return fmt.Errorf("shardsql: xa: one-phase commit on data source %s: %w", p.ds, err)
		}
		return nil
	}
	logDB, err := t.conn.c.xaLog(ctx)
	if err != nil {
		return errors.Join(err, t.Rollback())
	}
	if _, err := logDB.ExecContext(ctx, "INSERT INTO shardsql_xa_log (gtrid, state, created) VALUES (?, 'preparing', NOW(6))", t.gtrid); err != nil {
		return errors.Join(fmt.Errorf("shardsql: xa: logging the transaction: %w", err), t.Rollback())
	}
	for _, p := range parts {
		if _, err := p.conn.ExecContext(ctx, "XA END "+t.xid(p)); err != nil {
			return t.abortXA(logDB, fmt.Errorf("shardsql: xa: end on data source %s: %w", p.ds, err))
		}
		if _, err := p.conn.ExecContext(ctx, "XA PREPARE "+t.xid(p)); err != nil {
			return t.abortXA(logDB, fmt.Errorf("shardsql: xa: prepare on data source %s: %w", p.ds, err))
		}
		t.conn.c.xaHook("prepare:" + p.ds)
	}
	// The decision: it holds only if recovery has not aborted the
	// transaction in the meantime.
	res, err := logDB.ExecContext(ctx, "UPDATE shardsql_xa_log SET state = 'commit' WHERE gtrid = ? AND state = 'preparing'", t.gtrid)
	if err != nil {
		return t.abortXA(logDB, fmt.Errorf("shardsql: xa: logging the commit decision: %w", err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return t.abortXA(logDB, errors.New("shardsql: xa: the transaction was aborted by recovery before its commit decision"))
	}
	t.conn.c.xaHook("decided")
	cerr := &CommitError{Failed: map[string]error{}}
	for _, p := range parts {
		if _, err := p.conn.ExecContext(ctx, "XA COMMIT "+t.xid(p)); err != nil {
			cerr.Failed[p.ds] = err
			cerr.Pending = append(cerr.Pending, p.ds)
			continue
		}
		t.conn.c.xaHook("commit:" + p.ds)
		cerr.Committed = append(cerr.Committed, p.ds)
	}
	if len(cerr.Pending) > 0 {
		return cerr
	}
	_, _ = logDB.ExecContext(ctx, "DELETE FROM shardsql_xa_log WHERE gtrid = ?", t.gtrid)
	return nil
}

// abortXA records the abort and rolls every branch back.
func (t *Tx) abortXA(logDB *sql.DB, cause error) error {
	_, _ = logDB.ExecContext(t.ctx, "UPDATE shardsql_xa_log SET state = 'abort' WHERE gtrid = ? AND state = 'preparing'", t.gtrid)
	var errs []error
	for _, p := range t.parts {
		if err := t.rollbackBranch(p, true); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		_, _ = logDB.ExecContext(t.ctx, "DELETE FROM shardsql_xa_log WHERE gtrid = ?", t.gtrid)
	}
	return errors.Join(append([]error{cause}, errs...)...)
}

// rollbackBranch ends (if still active) and rolls back one branch.
func (t *Tx) rollbackBranch(p *participant, mayBePrepared bool) error {
	ctx := t.ctx
	_, endErr := p.conn.ExecContext(ctx, "XA END "+t.xid(p))
	_, err := p.conn.ExecContext(ctx, "XA ROLLBACK "+t.xid(p))
	if err != nil && (endErr == nil || mayBePrepared) && !isXANotFound(err) {
		return fmt.Errorf("shardsql: xa: rollback on data source %s: %w", p.ds, err)
	}
	return nil
}

// release ends the transaction's hold on the branch connections. They are
// the Conn's session connections (session.go), which stay with the Conn.
func (t *Tx) release() {}

// isXANotFound reports MySQL's XAER_NOTA: no such branch (already resolved).
func isXANotFound(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1397
}

// isXABusy reports XAER_NOTA or XAER_RMFAIL for a branch XA RECOVER just
// listed: it belongs to a session that is still attached (the server has
// not yet seen a crashed coordinator's connection end), or another process
// resolved it first.
func isXABusy(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1397 || me.Number == 1399 || me.Number == 1440)
}

// RecoveryReport says what RecoverXA resolved.
type RecoveryReport struct {
	// Committed and RolledBack list resolved branches as "gtrid@datasource".
	Committed, RolledBack []string
	// InFlight lists prepared branches left for a later run: their
	// transaction is still deciding (younger than the grace period), or
	// the branch is still attached to a session the server has not yet
	// seen end.
	InFlight []string
}

// RecoverXA resolves the XA branches shardsql left prepared on every data
// source (after a crash between prepare and commit): a branch whose commit
// decision is logged is committed, one whose transaction was never decided
// and is older than grace is rolled back (the abort is logged first, so a
// coordinator still running cannot decide to commit it afterwards). It is
// idempotent and safe to run from several processes at once. db must have
// been opened with the shardsql driver.
func RecoverXA(ctx context.Context, db *sql.DB, grace time.Duration) (RecoveryReport, error) {
	var rep RecoveryReport
	err := withConnector(ctx, db, func(c *Connector) error {
		var err error
		rep, err = c.recoverXA(ctx, grace)
		return err
	})
	return rep, err
}

func (c *Connector) recoverXA(ctx context.Context, grace time.Duration) (RecoveryReport, error) {
	var rep RecoveryReport
	logDB, err := c.xaLog(ctx)
	if err != nil {
		return rep, err
	}
	// Decided transactions, read before the branches: one with no branch
	// left on any data source afterwards is finished.
	decided := map[string]bool{}
	rows, err := logDB.QueryContext(ctx, "SELECT gtrid FROM shardsql_xa_log WHERE state IN ('commit', 'abort')")
	if err != nil {
		return rep, fmt.Errorf("shardsql: xa recovery: reading the log: %w", err)
	}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return rep, err
		}
		decided[g] = true
	}
	if err := rows.Close(); err != nil {
		return rep, err
	}
	seen := map[string]bool{}
	var errs []error
	for _, ds := range c.topo.DataSources() {
		db, err := c.db(ds.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := c.recoverSource(ctx, ds.Name, db, logDB, grace, &rep, seen); err != nil {
			errs = append(errs, fmt.Errorf("shardsql: xa recovery on data source %s: %w", ds.Name, err))
		}
	}
	if len(errs) == 0 {
		for g := range decided {
			if !seen[g] {
				_, _ = logDB.ExecContext(ctx, "DELETE FROM shardsql_xa_log WHERE gtrid = ? AND state IN ('commit', 'abort')", g)
			}
		}
	}
	return rep, errors.Join(errs...)
}

func (c *Connector) recoverSource(ctx context.Context, name string, db, logDB *sql.DB, grace time.Duration, rep *RecoveryReport, seen map[string]bool) error {
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
		var state string
		var young bool
		err := logDB.QueryRowContext(ctx, "SELECT state, created > NOW(6) - INTERVAL ? MICROSECOND FROM shardsql_xa_log WHERE gtrid = ?", grace.Microseconds(), b.gtrid).Scan(&state, &young)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			state = "abort" // never logged or already resolved: it cannot have committed
		case err != nil:
			return err
		}
		if state == "preparing" {
			if young {
				rep.InFlight = append(rep.InFlight, label)
				continue
			}
			if _, err := logDB.ExecContext(ctx, "UPDATE shardsql_xa_log SET state = 'abort' WHERE gtrid = ? AND state = 'preparing'", b.gtrid); err != nil {
				return err
			}
			if err := logDB.QueryRowContext(ctx, "SELECT state FROM shardsql_xa_log WHERE gtrid = ?", b.gtrid).Scan(&state); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if state == "preparing" || state == "" {
				state = "abort"
			}
		}
		verb := "XA ROLLBACK "
		if state == "commit" {
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
		if state == "commit" {
			rep.Committed = append(rep.Committed, label)
		} else {
			rep.RolledBack = append(rep.RolledBack, label)
		}
	}
	return nil
}
