package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// errUnitsDone, returned by a unit's run in underStatementSavepoint,
// ends the statement there with success: the later units do not run, and
// their data sources are not joined.
var errUnitsDone = errors.New("shardsql: the statement's later units are not needed")

// execDeleteLimit runs a DELETE … LIMIT n that reaches several nodes
// (route.DeleteLimit, writes18): node after node in one transaction, each
// with LIMIT set to what is left, stopping when nothing is. RowsAffected
// is the sum: min(n, matching rows), as one table reports.
//
// The transaction is the caller's, under the statement savepoint
// (statement_savepoint.go), or the driver's own outside a transaction and
// after an implicit commit (execAtomic's): the hazard is a later node
// failing (a trigger, a foreign key, a lock wait timeout) after earlier
// nodes deleted their share, which one table's DELETE would not have
// kept. The units run in the plan's node order, the order every
// multi-node write locks its nodes in.
//
// LIMIT 0 deletes nothing but still runs, as LIMIT 0 on the first node
// only: MariaDB resolves and checks the statement before it applies the
// limit, so `DELETE FROM t WHERE nosuch < 2 LIMIT 0` fails with 1054 (an
// unknown function 1305, a missing privilege, a read-only transaction
// likewise). Review18e found it answered 0 rows without running anywhere.
// The loops below stop after that unit, since nothing is left.
func (c *Conn) execDeleteLimit(ctx context.Context, p *route.Plan, res *result) error {
	switch {
	case c.tx != nil && c.tx.committedOn != nil:
		// The data sources run in autocommit mode after an implicit
		// commit (tx_implicit_commit.go): an internal transaction, with
		// the caller's put back after it.
		user, wrote := c.tx, c.txWrote
		defer func() { c.tx, c.txWrote = user, wrote || c.txWrote }()
		c.tx = nil
		return c.deleteLimitOwnTx(ctx, p, res)
	case c.tx != nil:
		left := p.DeleteLimit.N
		return c.underStatementSavepoint(ctx, p, func(i int, part *participant, u route.Unit) error {
			n, err := limitUnit(ctx, part, p, i, u, left, res)
			if err != nil {
				return err
			}
			if left -= n; left == 0 {
				return errUnitsDone
			}
			return nil
		})
	default:
		return c.deleteLimitOwnTx(ctx, p, res)
	}
}

// deleteLimitOwnTx is execDeleteLimit in an internal transaction over the
// data sources it reaches, committed together (as execAtomic).
func (c *Conn) deleteLimitOwnTx(ctx context.Context, p *route.Plan, res *result) error {
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	left := p.DeleteLimit.N
	for i, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		var n uint64
		if err != nil {
			err = unitError(u, err) // never ErrBadConn: database/sql would run the statement again
		} else {
			n, err = limitUnit(ctx, part, p, i, u, left, res)
		}
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = fmt.Errorf("%w (%v)", err, rerr)
			}
			return err
		}
		if left -= n; left == 0 {
			break
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: %s … LIMIT on %s across %d nodes: %w", strings.ToUpper(p.Kind.String()), p.Table, len(p.Units), err)
	}
	return nil
}

// limitUnit runs unit i, u, of a DELETE … LIMIT or (with counts) an
// UPDATE … LIMIT with left rows left, and returns how many of them it
// took.
func limitUnit(ctx context.Context, part *participant, p *route.Plan, i int, u route.Unit, left uint64, res *result) (uint64, error) {
	if p.DeleteLimit.Counts != nil {
		return updateLimitUnit(ctx, part, p, i, u, left, res) // update_limit.go
	}
	return deleteLimitUnit(ctx, part, p, u, left, res)
}

// deleteLimitUnit runs unit u deleting at most left rows and returns how
// many it deleted.
func deleteLimitUnit(ctx context.Context, part *participant, p *route.Plan, u route.Unit, left uint64, res *result) (uint64, error) {
	sr, err := part.ExecContext(ctx, p.DeleteLimit.UnitSQL(u, left), u.Args...)
	if err != nil {
		return 0, unitError(u, err)
	}
	n, err := sr.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("shardsql: rows affected: %w", err)
	}
	if n < 0 || uint64(n) > left {
		// A server deleting more than its LIMIT: nothing here can be
		// trusted, and the transaction is rolled back.
		return 0, fmt.Errorf("shardsql: %s: DELETE … LIMIT %d reported %d rows deleted", u.DataSource, left, n)
	}
	if err := res.add(u.DataSource, sr); err != nil {
		return 0, err
	}
	return uint64(n), nil
}
