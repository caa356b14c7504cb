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
				if err = ids.note(ctx, p, part, sr); err == nil {
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
//
// Hazard (review14): insert_id fixes only the first generated value; each
// later one is the next past it that auto_increment_increment and
// auto_increment_offset allow, which are the session's own. Data sources
// that step by their own offsets (Galera's wsrep_auto_increment_control
// sets both per node; multi-primary servers are set so) gave a three-row
// INSERT ids 1, 4, 7 on ds0 and 1, 2, 5 on ds1. A statement-based replica
// replays a statement under its source's increment and offset as well (the
// binlog event carries them): the other copies run under the first copy's
// session values of all three.
type copyIDs struct {
	done        bool
	first       int64
	incr, offst int64 // the first copy's session's auto_increment_increment and _offset
	// prev is the first copy's session's LAST_INSERT_ID() before the
	// statement (before), when read.
	prev     int64
	havePrev bool
}

// before reads the first copy's session's LAST_INSERT_ID() ahead of an
// INSERT … RETURNING (noteSession compares).
//
// Hazard (compat15): an upsert that met its row generated no id and left
// an earlier statement's value in LAST_INSERT_ID(); taken for the first
// generated one, it ran the other copies under SET STATEMENT insert_id =
// <an existing row's id>, so their row met that row by its primary key
// and updated it instead of the row the first copy met: gorm's
// OnConflict{UpdateAll} Create (RETURNING on MariaDB) of an existing
// broadcast row changed another row on ds1 — the copies drifted apart
// silently.
func (c *copyIDs) before(ctx context.Context, p *route.Plan, part *participant) error {
	if !p.BroadcastInsertID || c.done {
		return nil
	}
	c.havePrev = true
	return c.read(ctx, p, part, "SELECT LAST_INSERT_ID()", &c.prev)
}

// sql is unit u's statement: under the first copy's insert_id, increment
// and offset once that copy generated values.
func (c *copyIDs) sql(p *route.Plan, u route.Unit) string {
	if !p.BroadcastInsertID || !c.done || c.first <= 0 {
		return u.SQL
	}
	return "SET STATEMENT insert_id = " + strconv.FormatInt(c.first, 10) +
		", auto_increment_increment = " + strconv.FormatInt(c.incr, 10) +
		", auto_increment_offset = " + strconv.FormatInt(c.offst, 10) + " FOR " + u.SQL
}

// note reads the first copy's generated value from its result, and its
// session's increment and offset from the copy's connection.
func (c *copyIDs) note(ctx context.Context, p *route.Plan, part *participant, sr sql.Result) error {
	if !p.BroadcastInsertID || c.done {
		return nil
	}
	c.done = true
	id, err := sr.LastInsertId()
	if err != nil {
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
	}
	if p.Session&route.SetsLastInsertID != 0 {
		// A one-row INSERT calling LAST_INSERT_ID(expr) (route allows
		// no other) reports expr when its row met an existing one
		// (2 rows affected, or 0 unchanged): no id was generated.
		if n, err := sr.RowsAffected(); err != nil || n != 1 {
			return nil
		}
	}
	c.first = id
	if id <= 0 {
		return nil
	}
	return c.read(ctx, p, part, "SELECT @@SESSION.auto_increment_increment, @@SESSION.auto_increment_offset", &c.incr, &c.offst)
}

// noteSession reads the first copy's generated value of an INSERT …
// RETURNING, whose result carries no insert id, from the copy's session
// (LAST_INSERT_ID() on the participant's one connection), with the
// session's increment and offset. A statement that generated none leaves an
// earlier statement's value there: harmless, as insert_id only fixes values
// a copy generates, and the copies, being equal, generate none either.
func (c *copyIDs) noteSession(ctx context.Context, p *route.Plan, part *participant) error {
	if !p.BroadcastInsertID || c.done {
		return nil
	}
	c.done = true
	if err := c.read(ctx, p, part, "SELECT LAST_INSERT_ID(), @@SESSION.auto_increment_increment, @@SESSION.auto_increment_offset", &c.first, &c.incr, &c.offst); err != nil {
		return err
	}
	if c.havePrev && c.first == c.prev {
		c.first = 0 // nothing generated: the value is an earlier statement's
	}
	return nil
}

// read scans query's one row on the first copy's connection into dest.
func (c *copyIDs) read(ctx context.Context, p *route.Plan, part *participant, query string, dest ...any) error {
	rows, err := part.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
	}
	defer part.rowsRead(rows) // tx_rows_ended.go
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
		}
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: no row", p.Table)
	}
	if err := rows.Scan(dest...); err != nil {
		return fmt.Errorf("shardsql: broadcast write to %s: reading the first copy's insert id: %w", p.Table, err)
	}
	return rows.Close()
}
