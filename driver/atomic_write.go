package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/shardsql/shardsql/route"
)

// execAtomic runs a write that reaches several nodes outside a transaction
// as one internal transaction over the data sources it reaches, committed
// on all of them together (two-phase when the connector or ctx asks for
// XA). The hazard: run as independent statements, a write that fails on one
// node — a key conflict, a value out of range, a server down — would be
// kept on the others, where one table would have applied none of it; and
// a write to a broadcast table would leave its copies different. Inside a
// transaction the units simply join it. A broadcast write reports the rows
// affected of one copy.
func (c *Conn) execAtomic(ctx context.Context, p *route.Plan, res *result) error {
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	var ids copyIDs
	for _, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		if err != nil {
			err = unitError(u, err) // never ErrBadConn: database/sql would run the statement again
		} else {
			sr, xerr := part.ExecContext(ctx, ids.sql(p, u), u.Args...)
			if xerr == nil {
				if err = ids.note(p, sr); err == nil {
					err = res.add(u.DataSource, sr)
				}
				if err == nil {
					continue
				}
			} else {
				err = unitError(u, xerr)
			}
		}
		if rerr := tx.Rollback(); rerr != nil {
			err = fmt.Errorf("%w (%v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: write to %s across %d nodes: %w", p.Table, len(p.Units), err)
	}
	return nil
}

// atomicWrite reports a plan whose units must apply together: a write
// (INSERT, UPDATE, DELETE, REPLACE; DDL cannot be transactional) or a
// broadcast write.
func atomicWrite(p *route.Plan) bool {
	switch p.Kind {
	case route.KindInsert, route.KindUpdate, route.KindDelete:
		return true
	}
	return p.Broadcast && p.Kind != route.KindDDL
}

// copyIDs carries the AUTO_INCREMENT values a broadcast INSERT's first
// copy generated to the other copies (route.Plan.BroadcastInsertID): each
// runs under MariaDB's SET STATEMENT insert_id = <the first copy's first
// generated value>, as a statement-based replica replays it, so the copies'
// rows get the same ids whatever other sessions inserted in between.
type copyIDs struct {
	done  bool
	first int64
}

// sql is unit u's statement: under the first copy's insert_id once that
// copy generated values.
func (c *copyIDs) sql(p *route.Plan, u route.Unit) string {
	if !p.BroadcastInsertID || !c.done || c.first <= 0 {
		return u.SQL
	}
	return "SET STATEMENT insert_id = " + strconv.FormatInt(c.first, 10) + " FOR " + u.SQL
}

// note reads the first copy's generated value from its result.
func (c *copyIDs) note(p *route.Plan, sr sql.Result) error {
	if !p.BroadcastInsertID || c.done {
		return nil
	}
	c.done = true
	id, err := sr.LastInsertId()
	if err != nil {
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
	}
	c.first = id
	return nil
}

// noteSession reads the first copy's generated value of an INSERT …
// RETURNING, whose result carries no insert id, from the copy's session
// (LAST_INSERT_ID() on the participant's one connection). A statement that
// generated none leaves an earlier statement's value there: harmless, as
// insert_id only fixes values a copy generates, and the copies, being
// equal, generate none either.
func (c *copyIDs) noteSession(ctx context.Context, p *route.Plan, part *participant) error {
	if !p.BroadcastInsertID || c.done {
		return nil
	}
	c.done = true
	rows, err := part.QueryContext(ctx, "SELECT LAST_INSERT_ID()")
	if err != nil {
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&c.first); err != nil {
			return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
		}
	}
	return rows.Err()
}
