package driver

import (
	"context"
	"database/sql/driver"
	"fmt"

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
	for _, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		if err != nil {
			err = unitError(u, err) // never ErrBadConn: database/sql would run the statement again
		} else {
			sr, xerr := part.ExecContext(ctx, u.SQL, u.Args...)
			if xerr == nil {
				if err = res.add(u.DataSource, sr); err == nil {
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
