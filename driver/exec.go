package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"
	"github.com/shardsql/shardsql/route"
)

// runner is what a unit runs on: a data source's pool or a shard transaction.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// target returns the transaction's participant on a unit's data source.
// ctx is the statement's context: it bounds joining a data source to the
// transaction.
func (c *Conn) target(ctx context.Context, u route.Unit) (runner, error) {
	part, err := c.tx.participant(ctx, u.DataSource)
	if err != nil {
		return nil, err
	}
	return part.runner(), nil
}

// unitError names the node a unit failed on.
func unitError(u route.Unit, err error) error {
	where := u.DataSource
	if u.Node.Table != "" {
		where = u.Node.String()
	}
	if errors.Is(err, driver.ErrBadConn) {
		// database/sql runs a statement again when its error is
		// ErrBadConn; the statement's other units may have written, so it
		// must not be: the error keeps its text but not its identity.
		return fmt.Errorf("shardsql: %s: %v", where, err)
	}
	if readSubqueryRows(u, err) {
		return fmt.Errorf("%w: a node's statement failed with error 1242 (a scalar subquery returned more than 1 row) on %s; MariaDB raises it only when it evaluates the subquery for some row, and one server may skip it where a node's statement does not (a derived table's unused column, a condition or branch not taken): make the subquery return one row (LIMIT 1, an aggregate or a narrower WHERE): %w",
			ErrUnsupported, where, err)
	}
	return fmt.Errorf("shardsql: %s: %w", where, err)
}

// readSubqueryRows reports a read unit that failed with MySQL's error
// 1242. Hazard (diff18): a node's statement is the caller's rewritten
// (a derived table's columns kept, a bound or pinned subquery), so it may
// evaluate a scalar subquery of two rows that one server skips: `SELECT
// id FROM (SELECT id, (SELECT s FROM z18 WHERE g = 3) AS k FROM x18) t
// WHERE id = 1` answers on one server (the derived table is merged, k
// never read) and failed with the node's 1242. A refusal that wraps the
// 1242 (as merge's tooManyRows does for a bound subquery); only for
// reads, whose failure leaves nothing done.
func readSubqueryRows(u route.Unit, err error) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1242 {
		return false
	}
	word, _, _ := strings.Cut(strings.TrimLeft(u.SQL, " \t\n(/"), " ")
	switch strings.ToUpper(word) {
	case "SELECT", "WITH":
		return true
	}
	return false
}

// sourcesOf lists the data source of each unit.
func sourcesOf(p *route.Plan) []string {
	out := make([]string, len(p.Units))
	for i, u := range p.Units {
		out[i] = u.DataSource
	}
	return out
}

// exec runs a plan's units: in a transaction on its participants, on the
// Conn's pins one at a time (session.go), or else at most maxParallel at
// once on pool connections, all reserved at once from limited pools.
func (c *Conn) exec(ctx context.Context, p *route.Plan) (driver.Result, error) {
	if c.tx != nil {
		c.tx.resolveCalls(ctx)                                      // tx_call_commit.go
		if err := c.tx.implicitCommitRefusal(p, true); err != nil { // tx_implicit_commit.go
			return nil, err
		}
	}
	if err := c.checkSession(ctx, p); err != nil {
		c.afterRefused() // nothing ran
		return nil, err
	}
	if err := c.addIfNotExistsCheck(ctx, p); err != nil { // ddl_if_not_exists.go
		c.afterRefused() // nothing ran
		return nil, err
	}
	if c.tx != nil && !p.ImplicitCommit {
		c.tx.wroteOn(p)
	}
	if c.tx != nil {
		c.tx.ranImplicitCommit(p) // tx_implicit_commit.go
		c.tx.notedCall(p)         // tx_call_commit.go
	}
	defer c.wroteOn(ctx, p) // replica_query.go: later reads see the write
	if dst, ok := ctx.Value(genIDsKey{}).(*[]int64); ok && dst != nil {
		*dst = append((*dst)[:0], p.GeneratedIDs...)
	}
	if res, ok, err := c.execOneUnit(ctx, p); ok { // exec_one.go
		if err != nil {
			c.afterFailed(p, false)
		}
		return res, err
	}
	res := &result{units: len(p.Units), genIDs: p.GeneratedIDs, genMeet: p.GeneratedMeet, genPartial: p.GeneratedPartial, genAutoInc: p.GeneratedAutoIncrement, genMeetLastID: p.GeneratedMeetLastID, explicit: p.ExplicitLastID, explicitUnknown: p.ExplicitLastUnknown, oneCopy: p.Broadcast}
	var err error
	switch {
	case p.DeleteLimit != nil:
		err = c.execDeleteLimit(ctx, p, res) // DELETE … LIMIT across nodes (delete_limit.go)
	case p.Ordered != nil:
		err = c.execOrdered(ctx, p, res) // … ORDER BY … LIMIT across nodes (ordered_write.go)
	case p.Move != nil:
		err = c.execMove(ctx, p, res)
	case c.tx != nil && c.tx.committedOn != nil && len(p.Units) > 1 && atomicWrite(p):
		// After an implicit commit the data sources run in autocommit
		// mode, as one server would: an internal transaction makes the
		// write all-or-nothing, as outside a transaction
		// (tx_implicit_commit.go).
		err = c.execAtomicAfterImplicitCommit(ctx, p, res)
	case c.tx != nil && len(p.Units) > 1 && atomicWrite(p):
		err = c.execAtomicInTx(ctx, p, res)
	case c.tx != nil:
		err = c.execInTx(ctx, p, res)
	case len(p.Units) > 1 && atomicWrite(p):
		err = c.execAtomic(ctx, p, res)
	case c.onPin(p):
		err = c.execOnPins(ctx, p, res)
	default:
		release, ok, rerr := c.c.reserve(sourcesOf(p))
		switch {
		case rerr != nil:
			err = rerr
		case ok:
			err = c.execParallel(ctx, p, res)
			release()
		default:
			err = c.execOnPins(ctx, p, res)
		}
	}
	if err != nil {
		if err = c.ddlOutcome(ctx, p, err); err != nil { // ddl_complete.go
			if p.Kind == route.KindDDL && p.Table != "" && len(p.Units) > 1 {
				c.c.catalog.unsettle(p.Table) // catalog.go: merging reads compare the node tables first
			}
			c.afterFailed(p, false)
			return nil, err
		}
	}
	c.after(p, res.idDS)
	if err := c.ddlIfExistsOutcome(ctx, p); err != nil { // ddl_complete.go
		return nil, err
	}
	return res, nil
}

// execInTx runs the units one at a time on the transaction's participants.
func (c *Conn) execInTx(ctx context.Context, p *route.Plan, res *result) error {
	var ddlErrs []error
	for i, u := range p.Units {
		r, err := c.target(ctx, u)
		if err != nil {
			return err
		}
		sr, err := r.ExecContext(ctx, u.SQL, u.Args...)
		if err != nil {
			err = ctxBadConn(ctx, err) // ctx_bad_conn.go
			// DDL goes on to the other node tables (ddl_complete.go).
			if ddlGoesOn(p, err) {
				ddlErrs = append(ddlErrs, unitError(u, err))
				continue
			}
			return ddlStopped(p, i, unitError(u, err), ddlErrs) // ddl_complete.go
		}
		if err := res.add(u.DataSource, sr); err != nil {
			return err
		}
	}
	return errors.Join(ddlErrs...)
}

// execOnPins runs the units one at a time on the Conn's pins.
func (c *Conn) execOnPins(ctx context.Context, p *route.Plan, res *result) error {
	conns, done, err := c.pinsFor(ctx, p)
	if err != nil {
		return err
	}
	defer done()
	var ddlErrs []error
	for i, u := range p.Units {
		pn := pinOf(conns, u.DataSource)
		sr, err := c.execOnPin(ctx, pn, u.SQL, u.Args) // exec_raw.go
		if err != nil {
			err = ctxBadConn(ctx, err) // ctx_bad_conn.go: the database/sql path when Raw stepped aside
			// DDL goes on to the other node tables (ddl_complete.go).
			if ddlGoesOn(p, err) {
				ddlErrs = append(ddlErrs, unitError(u, err))
				continue
			}
			c.pinFailed(pn, err)
			if i > 0 && p.Session&(route.SetsUserVars|route.SetsSystemVars) != 0 {
				// The SET changed the sessions before this one: the
				// data sources no longer agree, and nothing can undo it.
				c.lost = true
			}
			return ddlStopped(p, i, unitError(u, err), ddlErrs) // ddl_complete.go
		}
		if err := res.add(u.DataSource, sr); err != nil {
			return err
		}
	}
	return errors.Join(ddlErrs...)
}

// execParallel runs the units at most maxParallel at once on pool
// connections the caller reserved.
func (c *Conn) execParallel(ctx context.Context, p *route.Plan, res *result) error {
	sem := make(chan struct{}, c.c.opts.maxParallel)
	results := make([]sql.Result, len(p.Units))
	errs := make([]error, len(p.Units))
	var wg sync.WaitGroup
	for i, u := range p.Units {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			db, err := c.c.db(u.DataSource)
			if err == nil {
				results[i], err = db.ExecContext(ctx, u.SQL, u.Args...)
				err = endedBy(ctx, err) // a dial the context cut: ctx_ended.go
			}
			if err != nil {
				errs[i] = unitError(u, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, sr := range results {
		if err := res.add(p.Units[i].DataSource, sr); err != nil {
			return err
		}
	}
	return nil
}

// query runs a plan's units and returns their merged rows. Each way a
// statement runs builds its units' cursors on its own (query_modes.go):
//
// In parallel (a cross-node statement whose connections are all free):
// the units start at once, at most maxParallel at a time, in unit order;
// each unit's rows are read only as the caller asks for them.
//
// One after another (in a transaction, on the Conn's pins): each unit
// starts when the previous one is exhausted, and a merge that reads
// several units at once reads each whole first, since one connection per
// data source cannot stream several results at once. No cancellable
// context here: go-sql-driver closes a connection whose query's context
// ends, which would end the transaction or the session; closing the rows
// early drains them instead.
func (c *Conn) query(ctx context.Context, p *route.Plan) (driver.Rows, error) {
	if err := c.checkSession(ctx, p); err != nil {
		c.afterRefused() // nothing ran
		return nil, err
	}
	if p.DeepPage != nil {
		p = c.c.hintDeepPage(p) // before its units start (deep_hints.go)
	}
	var one *oneUnit // a one-unit statement's rows, cursor and source: one allocation (rows_one_unit.go)
	var cursors []*unitCursor
	if len(p.Units) == 1 {
		if one, c.one = c.one, nil; one == nil {
			one = new(oneUnit)
		}
		cursors = one.units[:]
	} else {
		cursors = make([]*unitCursor, len(p.Units))
	}
	cancel, release := context.CancelFunc(noCancel), noRelease
	rc, rr, onReplicas, err := c.queryReplicas(ctx, p, cursors, one) // replica_query.go
	switch {
	case onReplicas:
		cancel, release = rc, rr
	case err != nil:
	case c.tx != nil:
		err = c.queryInTx(ctx, p, cursors)
	case c.onPin(p):
		release, err = c.queryOnPins(ctx, p, cursors, one)
	default:
		ctx, cancel, release, err = c.queryParallel(ctx, p, cursors)
	}
	if err != nil {
		c.afterFailed(p, true)
		return nil, err
	}
	rows, err := newRows(ctx, c, p, cursors, cancel, one)
	if err != nil {
		cancel()
		release()
		return nil, err
	}
	rows.release = release
	c.after(p, "")
	if onReplicas {
		c.lastDS, c.lastSelectDS = readOnReplica, readOnReplica
	} else if (p.Kind != route.KindSelect || p.Session&route.PrimaryOnly != 0) && len(c.c.replicas().byDS) > 0 {
		rows.release = func() { release(); c.wroteOn(context.Background(), p) }
	}
	return rows, nil
}

// noCancel is the cancel function of a query that made no context.
func noCancel() {}

// wroteOn records the data sources a write of the transaction reaches.
func (tx *Tx) wroteOn(p *route.Plan) {
	for _, u := range p.Units {
		if tx.wrote == nil {
			tx.wrote = make(map[string]bool)
		}
		tx.wrote[u.DataSource] = true
	}
}

// commitsElsewhere reports whether the transaction wrote on a data source
// statement p (which commits implicitly) does not run on.
func (tx *Tx) commitsElsewhere(p *route.Plan) bool {
	for ds := range tx.wrote {
		found := false
		for _, u := range p.Units {
			found = found || u.DataSource == ds
		}
		if !found {
			return true
		}
	}
	return false
}
