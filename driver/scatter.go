package driver

import (
	"context"
	"database/sql"
	"sync/atomic"

	"github.com/shardsql/shardsql/route"
)

// scatterSource is a unit whose query a scatter started before the cursor
// is read: open waits for the query to answer.
type scatterSource struct {
	started chan struct{} // closed when the query has answered (or will not run)
	rows    *sql.Rows     // set before started is closed
	err     error
	first   firstRow // what a replica read peeked (replica_first_row.go)
	// firstFailed is shared by a scatter's units: the unit whose query
	// failed first (the others may then fail because it cancelled them).
	firstFailed *atomic.Pointer[unitCursor]
	// run is how the scatter ran the unit (on a pool, on a replica): a
	// unit an operator builds later on the same data source runs the same
	// way (planExec.take).
	run func(context.Context, route.Unit) (*sql.Rows, firstRow, error)
	// use is the slot of a limited pool the unit runs on, given back to
	// the query when its rows end (scatter_slots.go); nil otherwise.
	use *slotUse
}

func (s *scatterSource) open(route.Unit) (*sql.Rows, error) {
	<-s.started
	return s.rows, s.err
}

func (s *scatterSource) ended(err error) error { s.use.end(); return err }
func (*scatterSource) shared() bool            { return false }
func (*scatterSource) eager() bool             { return true }

// firstFailedOf returns the cursor of the scatter unit whose query failed
// first, or nil (no failure, or a cursor no scatter started).
func firstFailedOf(u *unitCursor) *unitCursor {
	if s, ok := u.src.(*scatterSource); ok {
		return s.firstFailed.Load()
	}
	return nil
}

// isScattered reports whether a scatter started u's query.
func isScattered(u *unitCursor) bool {
	_, ok := u.src.(*scatterSource)
	return ok
}

// scatter starts every unit's query with run, at most parallel executing
// at once, in unit order so the first units (read first) start first. A
// unit frees its slot when its query has answered; its rows are then read
// as the merge asks for them. The first unit whose query fails cancels the
// others (ctx) and is recorded as their firstFailed. cursors receives one
// cursor per unit.
//
// run may read the rows up to their first row before returning; it then
// returns what it read as a firstRow with peeked set, and the cursor takes
// the columns and the current row from it.
func scatter(ctx context.Context, cancel context.CancelFunc, units []route.Unit, cursors []*unitCursor, parallel int, run func(context.Context, route.Unit) (*sql.Rows, firstRow, error)) {
	scatterThen(ctx, cancel, units, cursors, parallel, run, nil)
}

// scatterThen is scatter, calling done (when not nil) once every unit's
// query has answered or will not run (scatter_adaptive.go counts the
// scatters starting their units with it).
//
// Hazard (round 22): done used to be called by the launching goroutine
// after it had taken every slot of the semaphore back — one more wake-up
// of that goroutine per unit, and a count that fell only after the
// caller had read the answers, so at concurrency 1 the next statement
// often saw two scatters in flight and started half its units (adaptive
// measured 15–25% slower than the static bound with one statement at a
// time). The units now count themselves down: the last one to answer, or
// the launcher for the units it will not start, calls done, before the
// unit's answer is handed to the cursor.
func scatterThen(ctx context.Context, cancel context.CancelFunc, units []route.Unit, cursors []*unitCursor, parallel int, run func(context.Context, route.Unit) (*sql.Rows, firstRow, error), done func()) {
	firstFailed := new(atomic.Pointer[unitCursor])
	srcs := make([]scatterSource, len(units)) // one allocation for every unit's source
	for i, u := range units {
		srcs[i] = scatterSource{started: make(chan struct{}), firstFailed: firstFailed, run: run}
		cursors[i] = &unitCursor{unit: u, src: &srcs[i]}
	}
	var left atomic.Int64 // units not yet answered or given up
	left.Store(int64(len(units)))
	countDown := func(n int) {
		if left.Add(-int64(n)) == 0 && done != nil {
			done()
		}
	}
	if len(units) == 0 {
		countDown(0)
		return
	}
	sem := make(chan struct{}, parallel)
	go func() {
		for i, cur := range cursors {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for j := range srcs[i:] {
					srcs[i+j].err = ctx.Err()
				}
				countDown(len(srcs) - i)
				for j := range srcs[i:] {
					close(srcs[i+j].started)
				}
				return
			}
			src := &srcs[i]
			go func() {
				src.rows, src.first, src.err = run(ctx, cur.unit)
				if src.err != nil && firstFailed.CompareAndSwap(nil, cur) {
					cancel()
				}
				<-sem
				countDown(1)
				close(src.started)
			}()
		}
	}()
}

// runNow runs a one-unit read's query here and gives its cursor the
// answer, as scatter would from a goroutine. Only for a unit whose
// connection the read has already reserved (queryReplicas takes every
// gate count before it starts): run must not wait for a connection that
// only the caller's later reads would free. A goroutine, a semaphore and
// a context of its own cost more than such a read's own client work.
func runNow(ctx context.Context, u route.Unit, cursors []*unitCursor, run func(context.Context, route.Unit) (*sql.Rows, firstRow, error)) {
	src := &scatterSource{started: make(chan struct{}), firstFailed: new(atomic.Pointer[unitCursor]), run: run}
	cursors[0] = &unitCursor{unit: u, src: src}
	src.rows, src.first, src.err = run(ctx, u)
	if src.err != nil {
		src.firstFailed.Store(cursors[0])
	}
	close(src.started)
}
