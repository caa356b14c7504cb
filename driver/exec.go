package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/shardsql/shardsql/route"
)

// runner is what a unit runs on: a data source's pool or a shard transaction.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// target returns what a plan's units run on: the bound transaction when one
// is open, the unit's pool otherwise. ctx is the statement's context: it
// bounds joining a data source to the transaction.
func (c *Conn) target(ctx context.Context, u route.Unit) (runner, error) {
	if c.tx != nil {
		part, err := c.tx.participant(ctx, u.DataSource)
		if err != nil {
			return nil, err
		}
		return part.runner(), nil
	}
	return c.c.db(u.DataSource)
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
	return fmt.Errorf("shardsql: %s: %w", where, err)
}

// exec runs a plan's units, at most maxParallel at once (one at a time in a
// transaction, whose shard connection runs one statement at a time).
func (c *Conn) exec(ctx context.Context, p *route.Plan) (driver.Result, error) {
	if p.Broadcast && c.tx == nil && len(p.Units) > 1 {
		return c.execBroadcast(ctx, p)
	}
	res := &result{units: len(p.Units), genIDs: p.GeneratedIDs, oneCopy: p.Broadcast}
	if dst, ok := ctx.Value(genIDsKey{}).(*[]int64); ok && dst != nil {
		*dst = append((*dst)[:0], p.GeneratedIDs...)
	}
	if len(p.Units) == 1 || c.tx != nil {
		for _, u := range p.Units {
			r, err := c.target(ctx, u)
			if err != nil {
				return nil, err
			}
			sr, err := r.ExecContext(ctx, u.SQL, u.Args...)
			if err != nil {
				return nil, unitError(u, err)
			}
			if err := res.add(sr); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	sem := make(chan struct{}, c.c.opts.maxParallel)
	results := make([]sql.Result, len(p.Units))
	errs := make([]error, len(p.Units))
	var wg sync.WaitGroup
	for i, u := range p.Units {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, err := c.target(ctx, u)
			if err == nil {
				results[i], err = r.ExecContext(ctx, u.SQL, u.Args...)
			}
			if err != nil {
				errs[i] = unitError(u, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, sr := range results {
		if err := res.add(sr); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// query runs a plan's units and returns their merged rows. Outside a
// transaction the units start in parallel, at most maxParallel at once, in
// unit order; each unit's rows are read only as the caller asks for them.
// In a transaction each unit starts when the previous one is exhausted,
// and closing the rows early drains them instead of cancelling.
func (c *Conn) query(ctx context.Context, p *route.Plan) (driver.Rows, error) {
	cursors := make([]*unitCursor, len(p.Units))
	cancel, release := func() {}, func() {}
	if c.tx != nil {
		// No cancellable context here: go-sql-driver closes the connection
		// when a query's context ends, which would end the transaction too.
		// A merge that reads several units at once cannot share one
		// connection per data source: each unit is read whole first.
		buffer := p.Merge.Kind == route.MergeCombine && len(p.Units) > 1
		// Every data source joins the transaction now, so one that is
		// down fails the query before any row is returned.
		for _, u := range p.Units {
			if _, err := c.target(ctx, u); err != nil {
				return nil, err
			}
		}
		for i, u := range p.Units {
			cursors[i] = &unitCursor{unit: u, buffer: buffer, maxRows: c.c.opts.maxMemoryRows, open: func() (*sql.Rows, error) {
				r, err := c.target(ctx, u)
				if err != nil {
					return nil, err
				}
				return r.QueryContext(ctx, u.SQL, u.Args...)
			}}
		}
	} else {
		if len(p.Units) == 1 {
			// One unit: the caller's context as is (go-sql-driver watches
			// a cancellable context with an extra goroutine hand-off per
			// query), and closing early drains like the plain driver.
			u := p.Units[0]
			cursors[0] = &unitCursor{unit: u, open: func() (*sql.Rows, error) {
				db, err := c.c.db(u.DataSource)
				if err != nil {
					return nil, err
				}
				return db.QueryContext(ctx, u.SQL, u.Args...)
			}}
		} else {
			sources := make([]string, len(p.Units))
			for i, u := range p.Units {
				sources[i] = u.DataSource
			}
			var sequential bool
			var err error
			if release, sequential, err = c.c.reserve(ctx, sources); err != nil {
				return nil, err
			}
			ctx, cancel = context.WithCancel(ctx)
			if sequential {
				// The pool is smaller than the query: read the units one
				// after another, each whole when the merge needs them all.
				buffer := p.Merge.Kind == route.MergeCombine
				for i, u := range p.Units {
					cursors[i] = &unitCursor{unit: u, buffer: buffer, maxRows: c.c.opts.maxMemoryRows, open: func() (*sql.Rows, error) {
						db, err := c.c.db(u.DataSource)
						if err != nil {
							return nil, err
						}
						return db.QueryContext(ctx, u.SQL, u.Args...)
					}}
				}
			} else {
				c.scatter(ctx, cancel, p, cursors)
			}
		}
	}
	rows, err := newRows(p, cursors, cancel, c.c.opts.maxMemoryRows)
	if err != nil {
		cancel()
		release()
		return nil, err
	}
	rows.release = release
	return rows, nil
}

// scatter starts every unit's query, at most maxParallel executing at once,
// in unit order so the first units (read first) start first. A unit frees
// its slot when its query has answered; its rows are then read as the merge
// asks for them. The first unit whose query fails cancels the others (ctx)
// and is recorded in every cursor's firstFailed.
func (c *Conn) scatter(ctx context.Context, cancel context.CancelFunc, p *route.Plan, cursors []*unitCursor) {
	sem := make(chan struct{}, c.c.opts.maxParallel)
	firstFailed := new(atomic.Pointer[unitCursor])
	for i, u := range p.Units {
		cur := &unitCursor{unit: u, started: make(chan struct{}), firstFailed: firstFailed}
		cur.open = func() (*sql.Rows, error) { <-cur.started; return cur.pendingRows, cur.pendingErr }
		cursors[i] = cur
	}
	go func() {
		for i, cur := range cursors {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, rest := range cursors[i:] {
					rest.pendingErr = ctx.Err()
					close(rest.started)
				}
				return
			}
			go func() {
				defer close(cur.started)
				defer func() { <-sem }()
				db, err := c.c.db(cur.unit.DataSource)
				if err == nil {
					cur.pendingRows, err = db.QueryContext(ctx, cur.unit.SQL, cur.unit.Args...)
				}
				cur.pendingErr = err
				if err != nil && firstFailed.CompareAndSwap(nil, cur) {
					cancel()
				}
			}()
		}
	}()
}
