package driver

import (
	"database/sql/driver"
	"sync"

	"github.com/shardsql/shardsql/route"
)

// oneUnitInline is how many columns a one-unit statement's scan buffers
// hold without an allocation of their own (a point select reads a few;
// the report's reads five, an ORM's SELECT * often more: wider rows'
// buffers are kept with the struct, see wide).
const oneUnitInline = 8

// oneUnit is everything the rows of a statement that reaches one node
// need, in one allocation: the rows, their executor, the unit's cursor and
// its pin source, the cursor list the query modes fill, and the scan
// buffers for a row of up to oneUnitInline columns. A point select is the
// most frequent statement, and each of these was an allocation of its own.
//
// The hazard: the parts point at each other (the rows at the executor, the
// executor at the cursor list, the cursor at its source and buffers), so
// the struct must never be copied once built — it is only ever used
// through the pointer Conn.query allocates, and it lives as long as the
// rows database/sql holds.
//
// Conn.queryOne takes it from its Conn's slot or the Connector's pool
// (takeOne, oneUnits) and the rows give it back when they close
// (Rows.Close, recycle); see oneUnits and oneSlot for what makes that
// sound.
type oneUnit struct {
	rows  Rows
	ex    planExec
	units [1]*unitCursor
	cur   unitCursor
	src   pinSource
	scan  [2 * oneUnitInline]any
	// held, vals and meta hold a bounded statement's row, its values (and
	// room to see the end) and column types when it is read inside Raw
	// (rows_raw.go).
	held [1][]driver.Value
	vals [2 * oneUnitInline]driver.Value
	meta [oneUnitInline]colMeta
	// args holds the statement's arguments (Conn.queryOne routes with
	// them before it knows the plan: a scatter's plan keeps them here too).
	args [oneUnitInline]any
	// plan holds the plan of a cached point statement (route.PlanStore),
	// which lives as long as these rows.
	plan route.PlanStore
	// pool is where the rows give the struct back when they close (nil:
	// not pooled, left to the garbage collector); home, when not nil, is
	// the Conn whose spareOne takes it first (oneSlot).
	pool *oneUnits
	home *Conn
	// wideVals and wideMeta are vals and meta for a bounded read of more
	// columns than oneUnitInline, made by the first such read and kept
	// when the struct is recycled (up to wideKeep values), so that a
	// table's SELECT * allocates them once per pooled struct, not per
	// statement. Like vals, nothing the caller receives points into them.
	wideVals []driver.Value
	wideMeta []colMeta
}

// wideKeep bounds the values of the wide buffers a recycled oneUnit keeps:
// a statement of very many columns must not pin its buffers in the pool.
const wideKeep = 512

// oneUnits pools the oneUnit of one-unit queries, per Connector: a point
// select's rows were 1,792 bytes of heap per statement, two thirds of its
// bytes, and the garbage collector's work with them (issue 16).
//
// The hazards of reusing it, and how each is kept:
//   - Two users of one struct. The rows give it back once, from
//     Rows.Close, after Close has made itself idempotent (Rows.done) and
//     as its very last step, touching nothing of it after. database/sql
//     calls a driver Rows' Close once (sql.Rows.close, under its closemu,
//     checks its closed flag first) and never calls the Rows again after
//     (Next, Scan, Columns, ColumnTypes all check that flag under the same
//     lock); only database/sql calls Conn.QueryContext (and our Stmt,
//     which database/sql calls), so nothing else holds these rows. (A
//     caller of the driver's own API that closed them twice would, after
//     another statement took the struct, close that statement's rows:
//     the driver.Rows contract is database/sql's single Close; a second
//     Close while the struct waits in the pool is a no-op, see recycle.)
//     Only the rows built in the struct itself (unitRows: the plan has
//     one unit and no operator tree) that go to database/sql as they are
//     (Conn.lazyTypes; not the rows code of ours reads whole and keeps,
//     as metadata.go keeps a unit's rows for their column types after
//     closing them) give it back; the struct of any other plan — an operator tree over one unit, a scatter whose units
//     keep the arguments stored here — and of a statement that failed is
//     left to the garbage collector, since something may still point
//     into it.
//   - Values handed to the caller. Nothing the caller receives lives in
//     the struct: Rows.Next copies each value into database/sql's own
//     slice (sql.Rows.lastcols), and a []byte value is its own
//     allocation — copied from go-sql-driver's buffer in the Raw callback
//     (rawQuery.read) or by database/sql's Scan into *any on the streamed
//     path — so a sql.RawBytes, *[]byte, *any or *string the caller
//     scanned stays valid after Close, when the struct is cleared and the
//     next statement (on any Conn) overwrites it. TestPooledRows holds
//     values across later statements to prove it.
//   - Retained bytes. The struct is cleared when given back, so the pool
//     keeps none of a result's values, arguments, plan or connections.
//   - Goroutines. Nothing running after Close points into the struct: a
//     one-unit read on the pins or a transaction is synchronous, and one
//     on a replica runs here too (runNow); the query's context watcher is
//     database/sql's, on its own Rows.
type oneUnits struct{ p sync.Pool }

// get returns a cleared oneUnit that gives itself back to the pool when
// its rows close.
func (o *oneUnits) get() *oneUnit {
	one, _ := o.p.Get().(*oneUnit)
	if one == nil {
		one = new(oneUnit)
	}
	one.pool = o
	return one
}

// oneSlot: a Conn keeps the oneUnit its last pooled rows gave back
// (Conn.spareOne) and its next statement takes it (takeOne), without the
// Connector's sync.Pool: Put and Get were 0.1–0.35 µs of a point select
// in place (perf17; procPin, the per-P list, its cache lines).
//
// The hazards, and how each is kept:
//   - Two users of one struct. The slot is the Conn's and is read and
//     written only by calls database/sql serializes on the Conn: takeOne
//     in Conn.QueryContext (and our Stmt's query, which database/sql
//     calls), recycle in Rows.Close — database/sql closes a driver's Rows
//     under the same driverConn lock it holds for QueryContext
//     (sql.Rows.close: withLock(rs.dc, …)), also when its context watcher
//     goroutine closes them; and rows are only ever built on, and closed
//     under, the Conn that made them (home). A struct taken from the slot
//     is out of it (spareOne nil) until its own rows close, so it is
//     never handed to two statements: TestOneSlotInterleaved keeps one
//     Conn's rows open across its next statements, closes them in
//     another order and from database/sql's context watcher, and checks
//     every value.
//   - The recycled struct is cleared as before (recycle), whichever place
//     it goes to; only pool and home are set again for the slot, and
//     TestOneUnitRecycleClears checks every other field is zero after
//     recycle (a field added later included).
//   - Retention: the slot keeps one struct per open Conn (2.4 KB, its
//     wide buffers up to wideKeep values), released with the Conn; a
//     struct given to the sync.Pool keeps no Conn (home cleared).

// takeOne returns a cleared oneUnit for a statement of c: its spare, or
// one from the Connector's pool (see oneSlot).
func (c *Conn) takeOne() *oneUnit {
	if one := c.spareOne; one != nil {
		c.spareOne = nil
		return one
	}
	one := c.c.ones.get()
	one.home = c
	return one
}

// recycle clears one and gives it back (Rows.Close, last): to its Conn's
// slot when that is empty (oneSlot), else to its pool. The cleared rows
// stay closed (done) until the taker builds new ones, so a second Close
// through a stale pointer, while the struct waits, is the no-op it was
// before pooling.
func (one *oneUnit) recycle() {
	p, home, wv, wm := one.pool, one.home, one.wideVals, one.wideMeta
	*one = oneUnit{}
	if cap(wv) <= wideKeep {
		clear(wv[:cap(wv)]) // no value of the last result stays reachable
		one.wideVals = wv[:0]
	}
	if cap(wm) <= wideKeep {
		clear(wm[:cap(wm)])
		one.wideMeta = wm[:0]
	}
	one.rows.done = true
	if home != nil && home.spareOne == nil {
		one.pool, one.home = p, home
		home.spareOne = one
		return
	}
	p.p.Put(one)
}
