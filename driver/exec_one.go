package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// execOneUnit runs a plan of one unit outside a transaction on the Conn's
// pin and returns the server connection's own result instead of a result
// of ours (a one-row INSERT, an UPDATE or DELETE by key: the common
// write). It reports false, having run nothing, for a plan it does not
// serve; exec then runs it.
//
// What a result of ours would add, and why none of it applies here:
//   - Several units' results summed, a broadcast write's one copy
//     (result.add): one unit, not a broadcast table.
//   - Keys shardsql generated, reported as LastInsertId (result.genIDs):
//     none (p.GeneratedIDs is empty), so LastInsertId is the server's, as
//     result reports it for one unit.
//   - Plain data, read before the statement returns: database/sql's own
//     result (sql.Conn.ExecContext, taken when the Raw path steps aside)
//     locks the server connection when its methods are called, and by
//     then the pin may be back in its pool serving another caller, so that
//     a RowsAffected would wait for that caller's statement. Only the
//     driver connection's result, read inside Raw (go-sql-driver's is two
//     slices of numbers), is returned as is; database/sql's is folded into
//     a result of ours as before.
//   - RowsAffected's error: result.add fails the statement when the
//     driver cannot say; so does this (the plain go-sql-driver never
//     fails it).
//
// The result of ours was a heap allocation per statement (execParallel's
// goroutines share it); this path has none (issue 16).
func (c *Conn) execOneUnit(ctx context.Context, p *route.Plan) (driver.Result, bool, error) {
	if c.tx != nil || p.Move != nil || len(p.Units) != 1 || p.Broadcast || len(p.GeneratedIDs) > 0 {
		return nil, false, nil
	}
	u := p.Units[0]
	c.deferCheck = true // a parked connection is checked inside the exec's Raw (pin_park.go)
	conns, done, err := c.pinsFor(ctx, p)
	c.deferCheck = false
	if err != nil {
		return nil, true, err
	}
	pn := conns[0]
	sr, raw, err := c.execOnPinRaw(ctx, pn, u.SQL, u.Args) // exec_raw.go
	if errors.Is(err, errFreshRetry) {
		// The parked connection was dead and is gone, nothing was sent:
		// the pin is taken anew (checked in take).
		done()
		if conns, done, err = c.pinsFor(ctx, p); err != nil {
			return nil, true, err
		}
		pn = conns[0]
		sr, raw, err = c.execOnPinRaw(ctx, pn, u.SQL, u.Args)
	}
	defer done()
	if err != nil {
		c.pinFailed(pn, err)
		return nil, true, unitError(u, err)
	}
	if _, err := sr.RowsAffected(); err != nil {
		return nil, true, fmt.Errorf("shardsql: rows affected: %w", err)
	}
	idDS := ""
	if id, err := sr.LastInsertId(); err == nil && id != 0 {
		idDS = u.DataSource
	}
	c.after(p, idDS)
	if raw {
		return sr, true, nil
	}
	res := &result{units: 1}
	if err := res.add(u.DataSource, sr); err != nil {
		return nil, true, err
	}
	return res, true, nil
}
