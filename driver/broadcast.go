package driver

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// execBroadcast runs a write to a broadcast table outside a transaction:
// the same statement on every data source, as one internal transaction
// committed on all of them together (two-phase when the connector or ctx
// asks for XA). Run as independent statements, a write that fails on one
// data source (a key conflict only its copy has, a server down) would be
// kept on the others, and the copies would no longer be identical. Inside
// a transaction the units simply join it.
func (c *Conn) execBroadcast(ctx context.Context, p *route.Plan) (driver.Result, error) {
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	res := &result{units: len(p.Units), oneCopy: true}
	for _, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		if err == nil {
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
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("shardsql: write to broadcast table %s: %w", p.Table, err)
	}
	return res, nil
}
