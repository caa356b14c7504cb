package driver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/ctxflag"
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// planExec runs the node statements of a plan's operator tree
// (merge.Executor). Conn.query prepares one cursor per plan unit, in unit
// order, on the connections it chose (the scatter, the transaction's
// participants, the Conn's pins); the tree's route leaves take them in
// that order, each checking that its units are the prepared ones. A unit
// an operator builds during execution runs on the transaction's
// participant or a pool connection.
type planExec struct {
	c        *Conn
	prepared []*unitCursor
	next     int // the first prepared cursor no leaf has taken
	// bufferAll: the tree has several route leaves, opened together, so
	// units sharing a connection (a transaction's, a pin) are read whole
	// at open: one connection cannot stream two results at once.
	bufferAll bool
	// opened are every cursor handed out, for Rows.Close.
	opened []*unitCursor
	// alone: the statements the current Query call builds could not take
	// their slots of a limited pool at once; each runs alone
	// (decideLater, scatter_slots.go).
	alone bool
	// cols and types are the columns of the first units opened: the
	// result's columns (MySQL names a UNION's columns by its first part).
	cols  []string
	types []*sql.ColumnType
	// meta, instead of types, when those units were read inside Raw
	// (rows_raw_scatter.go).
	meta []colMeta
}

var _ merge.Executor = (*planExec)(nil)

// DeepScratch implements merge.DeepScratchExecutor: deep pages' bound
// buffers are pooled in the Connector (plans are routed per statement, so
// the pool cannot live in one).
func (e *planExec) DeepScratch() *merge.DeepScratch { return &e.c.c.deepScratch }

// DeepHints implements merge.DeepHintExecutor: the Connector's position
// hints, nil when they are off.
func (e *planExec) DeepHints() *merge.DeepHints { return e.c.c.deepHints }

// Query implements merge.Executor. It waits for the units' queries to
// answer (a scatter's, all of them), so that an error of the statement is
// returned by Query rather than by the first Next: a node that is down,
// hangs or fails the statement fails the query before any row is returned.
func (e *planExec) Query(ctx context.Context, units []merge.Unit, interleaved bool) ([]merge.Cursor, []merge.Column, error) {
	if len(units) == 0 {
		return nil, nil, fmt.Errorf("shardsql: a route without units")
	}
	e.decideLater(units)
	curs := make([]*unitCursor, len(units))
	for i, u := range units {
		curs[i] = e.take(ctx, u)
		curs[i].buffer = curs[i].buffer || ((interleaved || e.bufferAll) && curs[i].shared())
	}
	out := make([]merge.Cursor, len(curs))
	for i, u := range curs {
		out[i] = u
	}
	fail := func(err error) ([]merge.Cursor, []merge.Column, error) {
		for _, u := range curs {
			_ = u.Close()
		}
		return nil, nil, err
	}
	first := curs[0]
	if isScattered(first) {
		var err error
		for _, u := range curs {
			if uerr := u.load(); uerr != nil && err == nil {
				err = uerr
			}
		}
		if err != nil {
			if f := firstFailedOf(first); f != nil {
				err = f.err // the cause; the others were cancelled
			}
			return fail(err)
		}
	}
	if err := first.load(); err != nil {
		return fail(err)
	}
	if e.types == nil && e.meta == nil && !ctxflag.IsAuxiliary(ctx) {
		// A subquery's rows (merge.BindSubqueries) run first but are not
		// the result: its columns are not the result's.
		e.cols, e.types, e.meta = first.cols, first.types, first.meta
	}
	n := len(first.types)
	if first.types == nil {
		n = len(first.meta) // read inside Raw (rows_raw_scatter.go)
	}
	cols := make([]merge.Column, n)
	for i := range cols {
		var t columnType
		if first.types != nil {
			t = first.types[i]
		} else {
			t = &first.meta[i]
		}
		cols[i].Type, cols[i].Meta = t.DatabaseTypeName(), t
		if i < len(first.cols) {
			cols[i].Name = first.cols[i]
		}
		if _, scale, ok := t.DecimalSize(); ok && (coltype.Of(cols[i].Type) == coltype.Decimal || coltype.FractionalTime(cols[i].Type)) {
			cols[i].Scale = scale
		} else if ok && coltype.Of(cols[i].Type) == coltype.Float && scale < 31 {
			// a DOUBLE the server writes with fixed decimals (MariaDB's
			// PERCENT_RANK: 10); 31 and more: the shortest form
			cols[i].Scale = scale
		}
	}
	return out, cols, nil
}

// take returns the prepared cursor of unit u, or a new one for a unit the
// plan did not list.
func (e *planExec) take(ctx context.Context, u merge.Unit) *unitCursor {
	if e.next < len(e.prepared) {
		if p := e.prepared[e.next]; p.unit.SQL == u.SQL && p.unit.DataSource == u.DataSource {
			e.next++
			e.opened = append(e.opened, p)
			return p
		}
	}
	ru := route.Unit{DataSource: u.DataSource, SQL: u.SQL, Args: u.Args, RowBound: u.RowBound}
	cur := e.later(ctx, ru)
	e.opened = append(e.opened, cur)
	return cur
}

// later returns the cursor of a unit an operator built during execution
// (a deep page's later phases, a subquery's outer statement). It runs
// where the statement's prepared units of its data source run, so that it
// sees the same session and server: in a transaction on its participant
// (read whole: the statement's other units share the connection), on the
// Conn's pin when they ran on it, on the replica or pool a scatter chose
// for them; otherwise on a pool connection of its own.
//
// A unit with a RowBound (a deep page's phase 2, counts and fetch) is read
// whole inside Raw exactly where the scatter's units are
// (rows_raw_scatter.go): on pool connections, by the scatter's run
// (runOnPool), with the same hazards kept. A transaction's participant,
// the Conn's pin and a replica (the replica read's run) ignore the bound
// and keep their paths; so does a unit of a limited pool run alone
// (slotSource takes no rows read ahead: its bound is dropped).
func (e *planExec) later(ctx context.Context, u route.Unit) *unitCursor {
	maxRows, maxBytes := e.c.c.opts.maxMemoryRows, e.c.c.opts.maxMemoryBytes
	if e.c.tx != nil {
		return &unitCursor{unit: u, src: &txSource{ctx: ctx, c: e.c}, maxRows: maxRows, maxBytes: maxBytes, buffer: true}
	}
	sl := e.slots()
	for _, p := range e.prepared {
		if p.unit.DataSource != u.DataSource {
			continue
		}
		switch s := p.src.(type) {
		case *pinSource:
			return &unitCursor{unit: u, src: &pinSource{ctx: ctx, c: e.c, pn: s.pn}, maxRows: maxRows, maxBytes: maxBytes}
		case *scatterSource:
			if s.run != nil && sl == nil {
				one := make([]*unitCursor, 1)
				scatter(ctx, noCancel, []route.Unit{u}, one, 1, s.run)
				one[0].maxRows, one[0].maxBytes = maxRows, maxBytes
				return one[0]
			}
		}
	}
	if sl != nil {
		// A limited pool: on the query's slots (scatter_slots.go).
		if e.alone {
			u.RowBound = 0 // streamed on its slot (slotSource)
			return &unitCursor{unit: u, src: &slotSource{ctx: ctx, use: slotUse{sl: sl, ds: u.DataSource}, run: e.c.runOnPool}, maxRows: maxRows, maxBytes: maxBytes, buffer: true}
		}
		one := make([]*unitCursor, 1)
		scatter(ctx, noCancel, []route.Unit{u}, one, 1, e.c.runOnPool)
		one[0].src.(*scatterSource).use = &slotUse{sl: sl, ds: u.DataSource}
		one[0].maxRows, one[0].maxBytes = maxRows, maxBytes
		return one[0]
	}
	return &unitCursor{unit: u, src: &poolSource{ctx: ctx, c: e.c}, maxRows: maxRows, maxBytes: maxBytes}
}

// slots returns the limited pools' slots of a query run in parallel on
// pool connections (scatter_slots.go), nil in any other mode.
func (e *planExec) slots() *slots {
	if e.c.tx != nil {
		return nil
	}
	for _, p := range e.prepared {
		if s, ok := p.src.(*scatterSource); ok && s.use != nil {
			return s.use.sl
		}
	}
	return nil
}

// decideLater takes the slots of the statements a Query call builds
// (units no prepared cursor matches), all at once; when they are not all
// free, each of them runs alone, read whole (alone).
func (e *planExec) decideLater(units []merge.Unit) {
	e.alone = false
	sl := e.slots()
	if sl == nil {
		return
	}
	var later []route.Unit
	next := e.next
	for _, u := range units {
		if next < len(e.prepared) && e.prepared[next].unit.SQL == u.SQL && e.prepared[next].unit.DataSource == u.DataSource {
			next++
			continue
		}
		later = append(later, route.Unit{DataSource: u.DataSource})
	}
	if len(later) > 0 {
		e.alone = !sl.takeGroup(later)
	}
}

// units returns every unit cursor of the statement: those the tree took or
// made, and prepared ones no leaf took (closed with the rest).
func (e *planExec) units() []*unitCursor {
	if e == nil {
		return nil
	}
	return append(e.opened[:len(e.opened):len(e.opened)], e.prepared[e.next:]...)
}

// routeLeaves counts the route leaves of a tree. A deep page's fallback
// stream is built only when used (route/deep_stream.go): it is counted as
// the one route leaf its tree has, without building it.
func routeLeaves(op merge.Operator) int {
	switch x := op.(type) {
	case *merge.Route:
		return 1
	case *merge.DeepPageScan:
		return routeLeaves(x.Phase1) + 1
	}
	n := 0
	for _, in := range op.Inputs() {
		n += routeLeaves(in)
	}
	return n
}
