package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
)

// A shardsql Conn keeps one server connection per data source it used, a
// pin, for as long as its caller holds it, so that statements reaching one
// data source see one session exactly as with go-sql-driver: SET @v, then
// WHERE … = @v; INSERT, then LAST_INSERT_ID(); GET_LOCK, then RELEASE_LOCK;
// temporary tables; SET SESSION.
//
// database/sql gives a driver connection back to its pool only when the
// caller is done with it: after each statement's rows on a *sql.DB, at
// Close for a *sql.Conn, at Commit or Rollback for a *sql.Tx. On the way it
// calls IsValid, which releases the pins: a pooled shardsql connection
// holds no server connection, and the next caller's session starts on
// whichever server connections it then takes (a session that changed
// variables, temporary tables or locks closes its own: releasePins). No
// rows are open then
// (database/sql waits for them before it releases a *sql.Conn or *sql.Tx,
// and a *sql.DB's connection goes back when its rows close).
//
// Which statements run on the pins:
//   - a statement that reaches one node, and SET (on every data source);
//   - inside a transaction, everything: its participants begin on the pins;
//   - after a SET of session system variables, everything: a statement
//     spanning nodes runs its units one after another on the pins, since
//     pool connections would not have the variables;
//   - a cross-node statement whose connections are not all free in a
//     limited pool (gate.go).
//
// Other cross-node statements run in parallel on pool connections; the
// router refuses those that depend on the session (route.SessionUses).

// pin is the server connection a Conn keeps on one data source.
type pin struct {
	ds   string
	conn *sql.Conn
	gate *gate // the pool's gate; nil for an unlimited pool
	// borrowed: taken from the pool for one statement because the Conn's
	// pin was busy; given back when the statement ends, never a session.
	borrowed bool
	// open counts the rows open on conn. go-sql-driver reads one result at
	// a time per connection: a statement sent while rows are open fails the
	// connection (and database/sql's *sql.Conn then waits for those rows
	// before it can close, which the caller never reaches).
	open int
	// reading is the statement's cursor streaming on conn, if any: a unit
	// a plan builds while it runs (a join's lookups, the statement routed
	// after a subquery is bound) takes the same pin, and reads it into
	// memory before sending its own statement (pinSource.open).
	reading *unitCursor
	// db is the pool conn was taken from, taken the parking list's epoch
	// then (pin_park.go), park that list (looked up once per pin, not again
	// when it is released); unchecked: conn came from the parking list and
	// go-sql-driver's liveness check has not run on it yet.
	db        *sql.DB
	park      *parkList
	taken     uint64
	unchecked bool
	// sock is conn's socket when shardsql dialed it, once sockKnown
	// (Conn.sockOf, asked by the first streaming read on the pin).
	sock      *cutConn
	sockKnown bool
}

// errPinBusy is returned for a statement that needs a session whose
// connection is still reading earlier rows.
var errPinBusy = errors.New("the rows of an earlier statement on this connection are still open (a connection reads one result at a time, as with go-sql-driver: close them first)")

// pin returns the Conn's connection to data source ds, taking one from the
// pool on first use (through the pool's gate).
func (c *Conn) pin(ctx context.Context, ds string) (*pin, error) {
	for _, p := range c.pins {
		if p.ds == ds {
			return p, nil
		}
	}
	p, err := c.take(ctx, ds)
	if err != nil {
		return nil, err
	}
	c.pins = append(c.pins, p)
	return p, nil
}

// newPin returns a pin, reusing one a released session left behind.
func (c *Conn) newPin() *pin {
	if n := len(c.spare); n > 0 {
		p := c.spare[n-1]
		c.spare = c.spare[:n-1]
		return p
	}
	return new(pin)
}

// take takes a connection of data source ds from its pool, through the
// pool's gate, waiting as long as ctx allows: a parked one first
// (pin_park.go). A parked connection's liveness check is made here, unless
// the Conn's next use of it makes the check in its own Raw callback
// (c.deferCheck: the bounded read and the one-unit exec).
func (c *Conn) take(ctx context.Context, ds string) (*pin, error) {
	db, g, park, err := c.takeTargets(ctx, ds) // take_memo.go
	if err != nil {
		return nil, err
	}
	for {
		pc, ok := park.pop(db, g)
		if !ok {
			break
		}
		p := c.newPin()
		*p = pin{ds: ds, conn: pc.conn, gate: g, db: db, park: park, taken: pc.taken, unchecked: true}
		if c.deferCheck {
			return p, nil
		}
		if err := c.checkPin(ctx, p); err != nil {
			c.discardFresh(p) // closed by Raw; another is taken, nothing was sent
			continue
		}
		return p, nil
	}
	if g != nil && !g.take(1) && !(c.c.evictParked(ds) > 0 && g.take(1)) {
		g.setCap(db.Stats().MaxOpenConnections)
		wctx, leave := c.c.pinWaits.enter(ctx, c, g) // gate_cycle.go
		err := g.acquire(wctx, 1, c.c.opts.connWait)
		if cycle := leave(); cycle && err != nil {
			err = errWaitCycle // (a wait served as it was ended keeps its slot)
		}
		if err != nil {
			return nil, g.waitError(ds, err)
		}
	}
	taken := park.epoch.Load()
	conn, err := db.Conn(ctx)
	if err != nil {
		if g != nil {
			g.release(1)
		}
		return nil, endedBy(ctx, err) // ctx_ended.go
	}
	p := c.newPin()
	*p = pin{ds: ds, conn: conn, gate: g, db: db, park: park, taken: taken}
	return p, nil
}

// takeChecked is take with the liveness check of a parked connection made
// now (a borrowed connection is given back by its loan, never discarded by
// a raw path's check).
func (c *Conn) takeChecked(ctx context.Context, ds string) (*pin, error) {
	deferred := c.deferCheck
	c.deferCheck = false
	p, err := c.take(ctx, ds)
	c.deferCheck = deferred
	return p, err
}

// noRelease is the release of a statement that borrowed nothing.
func noRelease() {}

// pinsFor returns the connection each data source of p's units runs on,
// in data source name order (every Conn takes pins in that order, so two
// cannot each hold one and wait for the other's): the Conn's pin, or, when
// the pin is still reading earlier rows and the statement does not depend
// on the session, a connection borrowed for this statement, which release
// gives back.
func (c *Conn) pinsFor(ctx context.Context, p *route.Plan) (conns []*pin, release func(), err error) {
	// c.names and c.conns are scratch space reused by every statement:
	// the cursors keep the pins themselves, not these slices.
	names := c.names[:0]
	for _, u := range p.Units {
		seen := false
		for _, n := range names {
			if n == u.DataSource {
				seen = true
				break
			}
		}
		if !seen {
			names = append(names, u.DataSource)
		}
	}
	c.names = names
	if len(names) > 1 {
		sort.Strings(names)
	}
	var lent *loan // nil unless a pin was busy: no allocation on the hot path
	c.lent = false
	conns = c.conns[:0]
	for _, ds := range names {
		pn, err := c.pin(ctx, ds)
		if err == nil && pn.open > 0 {
			if c.sticky || p.Session.Depends() || p.Session.Changes() {
				// A statement that changes the session never runs on a
				// borrowed connection, which goes back to the pool with
				// what it changed (TestReview10BorrowedOpaque: DO @v := 1
				// reached the next session through the pool).
				err = errPinBusy
			} else if pn.gate != nil && pn.gate.cap.Load() <= 1 {
				// The pool's only connection is this pin: a borrow would
				// wait for the Conn itself to give it back, which it
				// cannot while its rows are open — every other caller of
				// the data source then waited behind it until
				// WithConnWaitTimeout (found by TestReview10PoolStress).
				// One server's connection refuses the statement at once.
				err = errPinBusy
			} else if pn, err = c.takeChecked(ctx, ds); err == nil {
				pn.borrowed = true
				if lent == nil {
					lent = &loan{}
				}
				lent.pins = append(lent.pins, pn)
			}
		}
		if err != nil {
			lent.giveBack()
			return nil, nil, unitError(firstUnitOn(p, ds), err)
		}
		conns = append(conns, pn)
	}
	c.conns = conns
	if lent == nil {
		return conns, noRelease, nil
	}
	c.lent = true // after: the statement's outcome is in the borrowed sessions
	return conns, lent.giveBack, nil
}

// loan is the connections a statement borrowed from the pools because its
// Conn's pins were busy.
type loan struct{ pins []*pin }

// giveBack returns the borrowed connections; a nil loan has none.
func (l *loan) giveBack() {
	if l == nil {
		return
	}
	for _, b := range l.pins {
		_ = b.conn.Close()
		if b.gate != nil {
			b.gate.release(1)
		}
	}
	l.pins = nil
}

// pinOf returns the connection of data source ds among conns.
func pinOf(conns []*pin, ds string) *pin {
	for _, p := range conns {
		if p.ds == ds {
			return p
		}
	}
	panic("shardsql: no connection for data source " + ds) // pinsFor covers every unit
}

// firstUnitOn returns p's first unit on data source ds, to name it in errors.
func firstUnitOn(p *route.Plan, ds string) route.Unit {
	for _, u := range p.Units {
		if u.DataSource == ds {
			return u
		}
	}
	return route.Unit{DataSource: ds}
}

// drop closes a pin whose connection failed and forgets it. The session it
// held is gone: the Conn is lost (see Conn.lost).
func (c *Conn) drop(p *pin) {
	c.closePin(p)
	c.lost = true
}

// closePin removes pin p from the Conn's pins, closes its connection and
// gives its slot back to the gate.
func (c *Conn) closePin(p *pin) {
	for i, q := range c.pins {
		if q == p {
			c.pins = append(c.pins[:i], c.pins[i+1:]...)
			break
		}
	}
	_ = p.conn.Close()
	if p.gate != nil {
		p.gate.release(1)
	}
}

// releasePins gives every pin back to its pool and forgets the session:
// the Conn is going back to database/sql's pool, or closing.
//
// The hazard: go-sql-driver does not reset a connection's session when it
// goes back to its pool, so variables, temporary tables and locks would
// pass to whoever takes it next, and a cross-node statement could then run
// some units with them and some without. A session that changed such state
// (dirty) closes its server connections instead.
func (c *Conn) releasePins() {
	for _, p := range c.pins {
		switch {
		case c.dirty:
			_ = p.conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql then closes it
			_ = p.conn.Close()
			if p.gate != nil {
				p.gate.release(1)
			}
		case p.park != nil && !c.c.parksClosed.Load() && p.park.park(p):
			// Parked, with its gate slot (pin_park.go).
		default:
			_ = p.conn.Close()
			if p.gate != nil {
				p.gate.release(1)
			}
		}
		*p = pin{}
		c.spare = append(c.spare, p)
	}
	c.dirty = false
	clear(c.pins)
	c.pins = c.pins[:0]
	c.sticky, c.temps, c.genIDs, c.wrote, c.evalOther, c.evalSet, c.evalGlobal = false, false, false, false, 0, 0, 0
	c.sqlModeSet, c.sqlModeDefault, c.sqlMode = false, false, ""
	c.lastDS, c.lastSelectDS, c.insertDS, c.opaqueDS = "", "", "", ""
}

// pinFailed drops p when err says its connection is gone, so the caller's
// next statement on this Conn fails with driver.ErrBadConn instead of
// silently running on a fresh session. A context that ends mid-query makes
// go-sql-driver close the connection, so it counts too.
func (c *Conn) pinFailed(p *pin, err error) {
	if err == nil || p.borrowed {
		return
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		c.drop(p)
	}
}

// onPin reports whether a statement's units run on the pins: everything
// after a SET of session system variables or a temporary table's CREATE or
// DROP, statements that depend on or change the session (pool connections
// would carry the change to other sessions), and statements reaching one
// node (the common case: the session is then as the caller left it).
func (c *Conn) onPin(p *route.Plan) bool {
	return c.sticky || p.Session.Depends() || p.Session.Changes() || len(p.Units) == 1
}

// several marks state that several data sources' sessions hold.
const several = "*"

// borrowedSession marks state that a connection borrowed for one statement
// held (pinsFor): no session of the Conn has it.
const borrowedSession = "borrowed "

// refusedHere marks that the previous statement was refused (or failed to
// route) before any server ran it (afterRefused).
const refusedHere = "refused "

// afterRefused records that a statement ran nowhere: shardsql refused it
// or could not route it.
//
// Hazard (review15a): the Conn kept the statement before as the latest,
// so SHOW WARNINGS, @@warning_count or ROW_COUNT() right after a refused
// `SET @v = CAST('6q' AS SIGNED)` answered for an older statement (its
// warning '5q') where one server reports the statement's own outcome. No
// session holds that outcome: they are refused until a statement runs.
//
// Hazard (review20c): FOUND_ROWS() reads the previous SELECT's count
// (lastSelectDS), which a refusal left as it was: after a refused SELECT
// SQL_CALC_FOUND_ROWS it answered for the SELECT before. The refused
// statement may have been that SELECT, so FOUND_ROWS() is refused too
// until a SELECT runs.
func (c *Conn) afterRefused() {
	c.lastDS, c.lastSelectDS = refusedHere, refusedHere
}

// checkSession refuses what the Conn cannot answer exactly, before anything
// runs, and sends a statement that names no table and reads the previous
// statement's outcome to the data source whose session holds it.
//
// The hazard: each data source has its own session. FOUND_ROWS() and
// ROW_COUNT() answer for the last statement on their session, and
// LAST_INSERT_ID() for the last id generated on it; a statement naming no
// table goes to the default data source, which may not be where that
// statement ran. So the Conn remembers where the last statement ran and
// where the last id was generated; where that is several data sources, or
// not where the reading statement must run, it refuses.
func (c *Conn) checkSession(ctx context.Context, p *route.Plan) error {
	if c.lost {
		// The server connection holding this session failed: its state
		// (variables, locks, temporary tables) is gone. database/sql
		// discards a connection that returns ErrBadConn, and retries the
		// statement on another when it can: nothing ran here.
		return driver.ErrBadConn
	}
	if err := c.checkDialect(p); err != nil {
		return err
	}
	if p.GeneratedDefault && c.noAutoZero(ctx) {
		// MariaDB stores 0 for DEFAULT in an AUTO_INCREMENT column under
		// NO_AUTO_VALUE_ON_ZERO; shardsql would fill a generated id (found
		// by the grown TestAttackDMLGenerated: the oracle held id 0).
		return fmt.Errorf("%w: DEFAULT for the generated key of table %s under sql_mode NO_AUTO_VALUE_ON_ZERO in %q (the server would store 0, shardsql would generate an id): omit the column or give NULL to have an id generated, or write 0", route.ErrUnsupported, p.Table, p.SQL)
	}
	if err := c.checkEval(ctx, p); err != nil {
		return err
	}
	c.lent = false // set again by this statement's pinsFor, if it borrows
	uses := p.Session
	if uses.Changes() {
		c.dirty = true // before it runs: it may change some sessions and fail on others
	}
	if c.opaqueDS != "" && uses.Depends() && uses&route.SetsUserVars == 0 { // a SET reads nothing and runs everywhere
		if err := c.checkOpaque(p); err != nil {
			return err
		}
	}
	if uses&(route.UsesLastInsertID|route.UsesStatementHistory) == 0 {
		return nil
	}
	if uses&route.UsesLastInsertID != 0 && c.genIDs {
		return fmt.Errorf("%w: LAST_INSERT_ID() after an INSERT whose keys shardsql generated (the servers never saw them) in %q: use Result.LastInsertId or driver.WithGeneratedIDs", route.ErrUnsupported, p.SQL)
	}
	var want, why string
	if uses&route.UsesStatementHistory != 0 && c.lastDS != "" {
		want, why = c.lastDS, "the previous statement ran"
	}
	if uses&route.UsesFoundRows != 0 {
		// FOUND_ROWS() answers for the previous SELECT, which may have run
		// elsewhere than the previous statement (an UPDATE leaves it).
		switch {
		case c.lastSelectDS == "":
			want = ""
		case want != "" && want != c.lastSelectDS && uses&route.UsesRowCount != 0:
			return fmt.Errorf("%w: FOUND_ROWS() together with ROW_COUNT() in %q: the previous SELECT and the previous statement ran on different data sources; read them one at a time", route.ErrUnsupported, p.SQL)
		default:
			want, why = c.lastSelectDS, "the previous SELECT ran"
		}
	}
	if uses&route.UsesLastInsertID != 0 && c.insertDS != "" {
		if want != "" && want != c.insertDS {
			return fmt.Errorf("%w: LAST_INSERT_ID() together with FOUND_ROWS() or ROW_COUNT() in %q: the last id and the previous statement are on different data sources; read them one at a time", route.ErrUnsupported, p.SQL)
		}
		want, why = c.insertDS, "the last id was generated"
	}
	switch {
	case want == "":
		return nil
	case want == readOnReplica:
		return fmt.Errorf("%w: %s after a SELECT that a replica answered in %q: no session on the primaries holds its outcome; run that SELECT with driver.WithPrimary(ctx)", route.ErrUnsupported, sessionReadName(uses), p.SQL)
	case want == refusedHere:
		return fmt.Errorf("%w: %s after a statement shardsql refused or could not route in %q: no server ran that statement, so no session holds its outcome (one server would report its error); read it after a statement that ran", route.ErrUnsupported, sessionReadName(uses), p.SQL)
	case want == borrowedSession:
		return fmt.Errorf("%w: %s after a statement that ran while this connection's rows were open in %q: shardsql ran that statement on another server connection (one MariaDB connection would have refused it: commands out of sync), whose session holds its outcome; close the rows before that statement, or use its Result", route.ErrUnsupported, sessionReadName(uses), p.SQL)
	case want == several:
		return fmt.Errorf("%w: %s reads state that several node statements left (%s on several nodes) in %q: run the statement it reads after on one node, or use its Result", route.ErrUnsupported, sessionReadName(uses), why, p.SQL)
	case len(p.Units) == 1 && p.Units[0].DataSource == want:
		return nil
	case len(p.Units) == 1 && uses&route.TableFree != 0 && hintsFrom(ctx).ds == "":
		p.Units[0].DataSource = want // a statement naming no table runs anywhere
		return nil
	}
	return fmt.Errorf("%w: %s in a statement on another data source than the one where %s (%s) in %q: read it with a statement naming no table and pass the value as a ? argument", route.ErrUnsupported, sessionReadName(uses), why, want, p.SQL)
}

// afterFailed records that a statement failed where it ran: its error is
// the session's diagnostics there (SHOW WARNINGS, SHOW ERRORS,
// @@error_count) and ROW_COUNT() answers -1 for it. Without it the Conn
// kept the statement before as the latest, and a diagnostic naming no
// table was read on that one's data source (round 15: SHOW ERRORS after a
// duplicate key error on ds1 was read on ds0, empty). A failed read that
// may have run on a replica (read is true, replicas are configured and no
// transaction holds it) is taken as read there: refused, as after any
// SELECT a replica answered.
func (c *Conn) afterFailed(p *route.Plan, read bool) {
	if len(p.Units) == 0 {
		return
	}
	hist := p.Units[0].DataSource
	if len(p.Units) > 1 {
		hist = several
	}
	if read && c.tx == nil && len(c.c.replicas().byDS) > 0 {
		hist = readOnReplica
	}
	if c.lent { // it ran on a borrowed connection (see after)
		c.lent = false
		hist = borrowedSession
	}
	c.lastDS = hist
	if p.Kind == route.KindSelect {
		c.lastSelectDS = hist
	}
}

// sessionReadName names the outcome-reading function a statement calls.
func sessionReadName(u route.SessionUses) string {
	if u&route.UsesLastInsertID != 0 {
		return "LAST_INSERT_ID()"
	}
	if u&route.UsesDiagnostics != 0 {
		return "SHOW WARNINGS, SHOW ERRORS, @@warning_count or @@error_count"
	}
	return "FOUND_ROWS() or ROW_COUNT()"
}

// after records what a statement that ran changed in the session: where it
// ran, where its server generated an id (idDS, from its result), whether it
// set session system variables or had its keys generated by shardsql.
func (c *Conn) after(p *route.Plan, idDS string) {
	if len(p.Units) == 0 {
		return
	}
	ds := p.Units[0].DataSource
	for _, u := range p.Units[1:] {
		if u.DataSource != ds {
			ds = several
			break
		}
	}
	// ROW_COUNT() and FOUND_ROWS() answer for the last statement a
	// session ran: after several node statements, even all on one data
	// source, that is the last node table's part (or the COMMIT of the
	// internal transaction a multi-node write runs in: 0), not the
	// statement's. Found by the round-11 attack: UPDATE d_int … WHERE k IN
	// (1, 2, 3, 4) over the two node tables of one data source, then
	// SELECT ROW_COUNT(): 0 where one table answers 4.
	hist := ds
	if len(p.Units) > 1 {
		hist = several
	}
	c.lastDS = hist
	if p.Kind == route.KindSelect {
		c.lastSelectDS = hist
	}
	switch {
	case p.Session&route.SetsLastInsertID != 0 && len(p.Units) == 1:
		// LAST_INSERT_ID(expr) sets the session's value on the node the
		// statement ran on (the counter idiom UPDATE t SET n =
		// LAST_INSERT_ID(n + 1); SELECT LAST_INSERT_ID(n) FROM …), so
		// LAST_INSERT_ID() is read there next (found by
		// TestReview8LastInsertIDExpr: taken for an explicit id below,
		// SELECT LAST_INSERT_ID() answered 0 from the default data
		// source). It ran where insertDS is, or none was recorded
		// (checkSession).
		idDS = p.Units[0].DataSource
	case p.Table != "":
		// No server generates the ids of a sharded table (route refuses
		// AUTO_INCREMENT left to them): an id a node reports is an
		// explicit value, which changes LAST_INSERT_ID() nowhere. Taken
		// for a generated one, it sent SELECT LAST_INSERT_ID() after
		// shardsql's generated ids to that node, which answered 0 where
		// MariaDB answers the generated id (found by
		// TestAttack8GeneratedIDs).
		idDS = ""
	}
	if c.lent {
		// Hazard (attack9): the statement ran, on some data source, on a
		// connection borrowed because the pin was reading rows: its
		// ROW_COUNT(), FOUND_ROWS() and any id it generated are in that
		// session, which is gone. Read on the pin, they answered for the
		// statement before (SELECT LAST_INSERT_ID() gave the previous
		// INSERT's id, ROW_COUNT() -1): refused until a statement runs
		// on the pins again.
		c.lent = false
		c.lastDS = borrowedSession
		if p.Kind == route.KindSelect {
			c.lastSelectDS = borrowedSession
		}
		if idDS != "" {
			idDS = borrowedSession
		}
	}
	if idDS != "" {
		c.insertDS = idDS // LAST_INSERT_ID() returns the latest generated id
	}
	if p.Session&(route.SetsSystemVars|route.UsesTemporary) != 0 {
		// Hazard (review13a): a temporary table lives in one server
		// connection, the pin. A cross-node statement after it ran its
		// units on pool connections, where the name reads the permanent
		// table it shadows (or none): a join of a sharded table with
		// the temporary one read the permanent table's rows. From then
		// on every statement runs on the pins, as after SET SESSION.
		c.sticky = true
	}
	if p.Session&route.UsesTemporary != 0 {
		c.temps = true
	}
	if p.Session&route.LeavesState != 0 {
		c.recordOpaque(ds)
	}
	c.evalOther = c.evalOther&^p.SetsEval | p.SetsEval&^p.EvalDefault
	c.evalSet |= p.SetsEval
	c.evalGlobal = c.evalGlobal&^p.SetsEval | p.EvalToGlobal
	if p.SetsSQLMode {
		c.sqlModeSet, c.sqlModeDefault, c.sqlMode = true, p.SQLMode == "DEFAULT", p.SQLMode
	}
	if len(p.GeneratedIDs) > 0 {
		c.genIDs = true
	} else if idDS != "" {
		c.genIDs = false // the server generated the latest id
	}
}
