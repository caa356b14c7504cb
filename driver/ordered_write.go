package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// execOrdered runs a DELETE or UPDATE … ORDER BY … LIMIT n that reaches
// several nodes (route.OrderedWrite, writes19): in one transaction, the
// locking scatter read of the first n rows' keys in the order (routed and
// merged as any SELECT, so the order is the one one table's ORDER BY
// gives, collations included), then every node's statement restricted to
// those keys. RowsAffected is the sum of the nodes'.
//
// The transaction is the caller's — the read joins it, the writes run
// under the statement savepoint (statement_savepoint.go), so a failing
// node undoes the others' writes and the transaction goes on — or the
// driver's own outside a transaction and after an implicit commit, as for
// DELETE … LIMIT (delete_limit.go). The read's locks are the
// transaction's: they keep the rows matching until the writes.
func (c *Conn) execOrdered(ctx context.Context, p *route.Plan, res *result) error {
	switch {
	case c.tx != nil && c.tx.committedOn != nil:
		// After an implicit commit the data sources run in autocommit
		// mode (tx_implicit_commit.go): an internal transaction, with the
		// caller's put back after it.
		user, wrote := c.tx, c.txWrote
		defer func() { c.tx, c.txWrote = user, wrote || c.txWrote }()
		c.tx = nil
		return c.orderedOwnTx(ctx, p, res)
	case c.tx != nil:
		rows, err := c.orderedRows(ctx, p)
		if err != nil {
			return err
		}
		return c.underStatementSavepoint(ctx, p, func(i int, part *participant, u route.Unit) error {
			if err := orderedUnit(ctx, part, p, u, rows, res); err != nil {
				return err
			}
			if len(rows) == 0 {
				return errUnitsDone // the first unit checked the statement
			}
			if i == len(p.Units)-1 {
				return orderedCheck(p, rows, res)
			}
			return nil
		})
	default:
		return c.orderedOwnTx(ctx, p, res)
	}
}

// orderedOwnTx is execOrdered in an internal transaction over the data
// sources it reaches, committed together (as execAtomic). The read runs
// in it as the caller's reads run in theirs: c.tx is the internal
// transaction until every row is read.
func (c *Conn) orderedOwnTx(ctx context.Context, p *route.Plan, res *result) error {
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	fail := func(err error) error {
		if rerr := tx.Rollback(); rerr != nil {
			err = fmt.Errorf("%w (%v)", err, rerr)
		}
		return err
	}
	c.tx = tx
	rows, err := c.orderedRows(ctx, p)
	c.tx = nil
	if err != nil {
		return fail(err)
	}
	for _, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		if err != nil {
			return fail(unitError(u, err)) // never ErrBadConn: database/sql would run the statement again
		}
		if err := orderedUnit(ctx, part, p, u, rows, res); err != nil {
			return fail(err)
		}
		if len(rows) == 0 {
			break // the first unit checked the statement
		}
	}
	if len(rows) > 0 {
		if err := orderedCheck(p, rows, res); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: %s … ORDER BY … LIMIT on %s across %d nodes: %w", strings.ToUpper(p.Kind.String()), p.Table, len(p.Units), err)
	}
	return nil
}

// orderedRows runs the plan's locking read in c.tx and returns its rows
// (each the key columns' values), at most N of them.
func (c *Conn) orderedRows(ctx context.Context, p *route.Plan) ([][]any, error) {
	o := p.Ordered
	rp, err := c.c.routeIn(ctx, o.ReadSQL, o.ReadArgs, nil, &c.memo, c.temps)
	if err != nil {
		// A refusal keeps its `shardsql: unsupported: ` start, then says
		// which statement it refused.
		return nil, fmt.Errorf("%w (the locking read %s … ORDER BY … LIMIT across nodes runs first: %s)", err, strings.ToUpper(p.Kind.String()), o.ReadSQL)
	}
	dr, err := c.query(ctx, rp)
	if err != nil {
		return nil, err
	}
	if n := len(dr.Columns()); n != len(o.KeyCols) {
		_ = dr.Close()
		return nil, fmt.Errorf("shardsql: the locking read of %s returned %d columns, not %d", p.Table, n, len(o.KeyCols))
	}
	var out [][]any
	dest := make([]driver.Value, len(o.KeyCols))
	for {
		err = dr.Next(dest)
		if err != nil {
			break
		}
		row := make([]any, len(dest))
		for i, v := range dest {
			if b, ok := v.([]byte); ok {
				// the rows may reuse their buffers; an empty value stays
				// empty and not nil (go-sql-driver sends a nil []byte as
				// NULL: `k IN (NULL)` matched no row, diff21)
				v = append([]byte{}, b...)
			}
			if v == nil {
				err = fmt.Errorf("shardsql: the locking read of %s returned NULL for key column %s", p.Table, o.KeyCols[i])
			}
			row[i] = v
		}
		if err != nil {
			break
		}
		out = append(out, row)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if cerr := dr.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if uint64(len(out)) > o.N {
		return nil, fmt.Errorf("shardsql: the locking read of %s returned %d rows for LIMIT %d", p.Table, len(out), o.N)
	}
	return out, nil
}

// orderedUnit runs unit u restricted to the rows read.
func orderedUnit(ctx context.Context, part *participant, p *route.Plan, u route.Unit, rows [][]any, res *result) error {
	sr, err := part.ExecContext(ctx, p.Ordered.UnitSQL(u, len(rows)), p.Ordered.KeyArgs(u, rows)...)
	if err != nil {
		return unitError(u, err)
	}
	n, err := sr.RowsAffected()
	if err != nil {
		return fmt.Errorf("shardsql: rows affected: %w", err)
	}
	if n < 0 || int(n) > len(rows) {
		return fmt.Errorf("shardsql: %s: %s of %d rows by key reported %d rows affected", u.DataSource, strings.ToUpper(p.Kind.String()), len(rows), n)
	}
	return res.add(u.DataSource, sr)
}

// orderedCheck: a DELETE must have removed every row read (each locked by
// the read, named by its sharding value and primary key, the key
// condition sent to every node the WHERE reaches). Fewer means a key value
// read did not compare back equal to the stored one — what the key column
// types allowed (route.orderedKeyTypes) should exclude — so it is an
// error and the statement is undone, rather than a silently short purge.
// A guard: no test provokes it. (An UPDATE's RowsAffected counts changed
// rows only, so it cannot be checked this way.)
func orderedCheck(p *route.Plan, rows [][]any, res *result) error {
	if p.Kind != route.KindDelete {
		return nil
	}
	if n, err := res.RowsAffected(); err == nil && n != int64(len(rows)) {
		return fmt.Errorf("shardsql: DELETE … ORDER BY … LIMIT on %s read %d rows FOR UPDATE but deleted %d by key (a key value that did not compare back equal): nothing deleted", p.Table, len(rows), n)
	}
	return nil
}
