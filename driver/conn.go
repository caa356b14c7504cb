package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shardsql/shardsql/route"
)

// Conn is one shardsql connection. While its caller holds it (a *sql.Conn,
// a *sql.Tx, or a *sql.DB statement until its rows close) it keeps one
// server connection per data source it used, so that the statements
// reaching a data source share one session (session.go); back in
// database/sql's pool it holds none.
type Conn struct {
	c  *Connector
	tx *Tx // the open transaction, if any

	pins  []*pin // one server connection per data source used, in first-use order
	spare []*pin // released pins, reused
	// spareOne is the oneUnit the Conn's last pooled rows gave back when
	// they closed, taken by its next statement before the Connector's
	// pool (rows_one_unit.go: oneSlot).
	spareOne *oneUnit
	// traceMu orders a scatter's units' retries writing the read trace
	// (retrace).
	traceMu sync.Mutex
	// deferCheck: the pins taken next are checked in the statement's own
	// Raw callback (pin_park.go); checkFn and checkCtx make checkPin's.
	deferCheck bool
	checkFn    func(any) error
	checkCtx   context.Context
	// sockFn and sockOut make sockOf's Raw callback (cut_conn.go).
	sockFn  func(any) error
	sockOut *cutConn
	names   []string
	conns   []*pin // scratch space of pinsFor
	sticky  bool   // a SET changed session system variables, or a temporary table was created or dropped: every statement runs on the pins
	temps   bool   // a temporary table was created or dropped: route.Options.SessionTemporary
	dirty   bool   // the session holds variables, temporary tables or locks: its connections are closed, not pooled
	genIDs  bool   // an INSERT's keys were generated: the servers' LAST_INSERT_ID() is not its answer
	// lazyTypes is set while Query runs a statement whose rows go to
	// database/sql (queryPlan): a one-unit statement's column types are
	// then read only if asked for.
	lazyTypes bool
	// lastDS is the data source the previous statement ran on, insertDS
	// the one whose server generated the last id: "" none yet, "*" several.
	lastDS, insertDS string
	// lastSelectDS is the data source the previous SELECT ran on, which
	// FOUND_ROWS() answers for.
	lastSelectDS string
	// opaqueDS is the data source whose session a statement changed in
	// ways shardsql cannot read (route.LeavesState: CALL, DO, EXECUTE
	// IMMEDIATE, …): "" none, "*" several (session_opaque.go).
	opaqueDS string
	// lent: the statement running borrowed a connection because a pin
	// was busy (pinsFor); after records its outcome as out of reach.
	lent bool
	// lost: a pin's connection failed, and the session state it held
	// (variables, locks, temporary tables) with it.
	lost bool
	// wrote: the session ran a statement that may have written, so its
	// reads go to the primaries; txWrote: the open transaction did
	// (replica_query.go).
	wrote, txWrote bool
	// evalOther: the session variables that change what the operators
	// above the nodes compute which the session set to another value than
	// their defaults (route/session_eval.go).
	evalOther route.EvalVars
	// evalSet: those variables the session SET at all; evalGlobal: those
	// it SET to DEFAULT, the servers' globals (session_server.go).
	evalSet, evalGlobal route.EvalVars
	// sqlModeSet: the session SET sql_mode, to sqlMode, or to DEFAULT
	// (sqlModeDefault: the servers' global mode).
	sqlModeSet, sqlModeDefault bool
	sqlMode                    string
	// execArgs is the arguments of the Exec running, reused by the next:
	// an Exec's plan and its units' arguments are done with when it
	// returns (its units run before, even in parallel), unlike a query's,
	// whose rows start units later and keep theirs in their oneUnit.
	execArgs []any
	// raw and rawFn run an Exec's unit on a pin's driver connection
	// (exec_raw.go); rawFn is raw.run, bound once.
	raw   rawExec
	rawFn func(any) error
	// rawQ and rawQFn read a bounded one-unit query inside Raw
	// (rows_raw.go); rawQFn is rawQ.run, bound once.
	rawQ   rawQuery
	rawQFn func(any) error
	// one is the storage queryOne allocated for a one-unit statement's
	// rows (with the statement's arguments), for query to take.
	one *oneUnit
	// execPlan holds the plan of a cached point statement run by Exec,
	// reused by the next Exec (as execArgs: the plan is done with when
	// the Exec returns) and cleared after each.
	execPlan route.PlanStore
	// memo is the Conn's memo of the last statement text routing found in
	// the plan cache (route.ParseMemo): an application's connection runs
	// the same few statements again and again.
	memo route.ParseMemo
	// statsAt is the stripe of the Connector's counters the Conn's
	// statements add to, drawn when it was opened (stats.go, stripeAt).
	statsAt uint8
	// watch is the context registration the Conn's statements run inside
	// Raw share while their context is the same (cut_keep.go).
	watch connWatch
	// takeMemo is take's lookups for the data source last taken (take_memo.go).
	takeMemo takeMemo
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
)

// Prepare returns a statement that is routed each time it runs.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns a statement that is routed each time it runs, with
// that run's arguments.
func (c *Conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return &Stmt{conn: c, query: query}, nil
}

// Close ends the connection; an open transaction is rolled back and the
// server connections go back to their pools.
func (c *Conn) Close() error {
	var err error
	if c.tx != nil {
		err = c.tx.Rollback()
	}
	c.releasePins()
	c.watch.close()
	c.memo = route.ParseMemo{} // the last text and its parse
	return err
}

// Begin starts a transaction.
//
// Deprecated: database/sql calls BeginTx.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction; see Tx. The data sources join lazily.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.tx != nil {
		return nil, errors.New("shardsql: a transaction is already open on this connection")
	}
	tx, err := newTx(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	return tx, nil
}

// ExecContext routes and runs a statement that returns no rows, or each
// statement of a multi-statement string (multistatement.go).
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // see QueryContext
	}
	pieces, err := c.c.router.Split(query)
	if err != nil {
		return nil, err
	}
	if pieces != nil {
		return c.execMulti(ctx, pieces, args)
	}
	return c.execOne(ctx, query, args)
}

// execOne routes and runs one statement that returns no rows.
func (c *Conn) execOne(ctx context.Context, query string, args []driver.NamedValue) (_ driver.Result, err error) {
	start := c.c.clock()
	var p *route.Plan
	defer func() { c.execPlan = route.PlanStore{} }()                    // last: observe reads the plan, which may be this
	defer func() { c.c.observe(ctx, c.statsAt, query, p, start, err) }() // stats.go
	if cap(c.execArgs) < len(args) {
		c.execArgs = make([]any, len(args)) // once per connection, for its widest Exec
	}
	defer clear(c.execArgs[:len(args)]) // the caller's values are not kept past the Exec
	if p, err = c.routeInto(ctx, query, args, c.execArgs[:0], &c.execPlan); err != nil {
		return nil, err
	}
	defer c.c.afterExec(p)
	if p.Savepoint != nil {
		return c.savepoint(ctx, p.Savepoint)
	}
	return c.exec(ctx, p)
}

// QueryContext routes and runs a statement that returns rows, or the
// statements of a multi-statement string one result set after another
// (multistatement_query.go).
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		// Done before anything is sent (a *sql.Conn passes such a context
		// on): answer as go-sql-driver does, with nothing sent and the
		// session kept. Sent to a pin, the context's error would drop
		// the pin and lose the session (pinFailed), failing every later
		// statement on the Conn with driver.ErrBadConn.
		return nil, err
	}
	pieces, err := c.c.router.Split(query)
	if err != nil {
		return nil, err
	}
	if pieces != nil {
		return c.queryMulti(ctx, pieces, args)
	}
	return c.queryOne(ctx, query, args)
}

// queryOne routes and runs one statement that returns rows.
func (c *Conn) queryOne(ctx context.Context, query string, args []driver.NamedValue) (_ driver.Rows, err error) {
	start := c.c.clock()
	var p *route.Plan
	defer func() { c.c.observe(ctx, c.statsAt, query, p, start, err) }() // stats.go
	one := c.takeOne()                                                   // the rows of a one-unit statement, and the arguments (rows_one_unit.go)
	if p, err = c.routeInto(ctx, query, args, one.args[:0], &one.plan); err != nil {
		return nil, err
	}
	defer c.c.afterExec(p)
	c.one = one
	defer func() { c.one = nil }()
	return c.queryPlan(ctx, query, p)
}

// queryPlan runs a routed statement that returns rows.
func (c *Conn) queryPlan(ctx context.Context, query string, p *route.Plan) (driver.Rows, error) {
	if p.Savepoint != nil {
		if _, err := c.savepoint(ctx, p.Savepoint); err != nil {
			return nil, err
		}
		return emptyRows{}, nil
	}
	if p.Session&(route.SetsUserVars|route.SetsSystemVars) != 0 {
		// A SET sent as a query still runs as Exec runs it, on every
		// data source's session of this Conn: run as a query, it would
		// change pool connections the later statements do not use.
		if _, err := c.exec(ctx, p); err != nil {
			return nil, err
		}
		return emptyRows{}, nil
	}
	if p.DeleteLimit != nil || p.Ordered != nil {
		// DELETE/UPDATE … [ORDER BY …] LIMIT across nodes runs as Exec
		// runs it (delete_limit.go, update_limit.go, ordered_write.go);
		// run as a query, every node would apply the whole LIMIT. It
		// returns no rows.
		if _, err := c.exec(ctx, p); err != nil {
			return nil, err
		}
		return emptyRows{}, nil
	}
	if p.Move != nil {
		return nil, fmt.Errorf("%w: UPDATE that moves rows to another node run as a query in %q; run it with Exec", route.ErrUnsupported, query)
	}
	if c.tx != nil {
		// As Exec (tx_implicit_commit.go): a statement that commits
		// implicitly is checked, a write recorded.
		c.tx.resolveCalls(ctx) // tx_call_commit.go
		if err := c.tx.implicitCommitRefusal(p, false); err != nil {
			return nil, err
		}
		if queryWrites(p) {
			c.tx.wroteOn(p)
		}
		c.tx.ranImplicitCommit(p)
		c.tx.notedCall(p)
	}
	switch {
	case p.Metadata != nil:
		return c.queryMetadata(ctx, p) // metadata of logical tables (metadata.go)
	case p.Returning != nil:
		return c.queryReturning(ctx, p) // INSERT/DELETE … RETURNING (returning.go)
	}
	if p.DeepPage == nil {
		// The rows go to database/sql, which asks for column types only
		// while it holds the rows open: a one-unit statement's are read
		// when asked (unitCursor.columnTypes). Code of ours that reads
		// rows whole and then their types (deep pages, metadata) does not
		// pass here.
		c.lazyTypes = true
		defer func() { c.lazyTypes = false }()
	}
	return c.query(ctx, p)
}

// Ping checks every data source of the topology.
func (c *Conn) Ping(ctx context.Context) error {
	if c.probed(ctx) {
		return nil // a lookup of the Connector, not a ping (lookup.go)
	}
	sources := c.c.topo.DataSources()
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, ds := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := c.c.db(ds.Name)
			if err == nil {
				done := c.c.unparked(ds.Name) // not through the gate (pin_park.go)
				err = db.PingContext(ctx)
				done()
			}
			if err != nil {
				errs[i] = fmt.Errorf("shardsql: data source %s: %w", ds.Name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ResetSession is called by database/sql before a connection is reused.
// IsValid has already given the session's server connections back.
func (c *Conn) ResetSession(context.Context) error {
	if c.lost {
		return driver.ErrBadConn
	}
	c.releasePins()
	return nil
}

// IsValid is called by database/sql when the connection goes back to its
// pool: the caller is done with it and no rows are open. The session ends
// here: its server connections go back to their pools. A connection whose
// session was lost, or with a transaction still open, is not reused.
func (c *Conn) IsValid() bool {
	if c.tx != nil {
		return false
	}
	c.releasePins()
	if c.lost {
		return false
	}
	return true
}

// clock returns the time a statement starts, for observe to measure its
// duration, when anything reads that duration (WithSlowThreshold, a
// logger); else the zero time, and no clock read: the counters observe
// keeps do not need one, and two reads of the clock per statement (the
// start and time.Since) were part of the per-statement cost (issue 16).
func (c *Connector) clock() time.Time {
	if c.opts.slow > 0 || c.opts.logger != nil {
		return time.Now()
	}
	return time.Time{}
}

// values turns database/sql's arguments into the router's positional values.
func values(args []driver.NamedValue) ([]any, error) {
	return valuesInto(nil, args)
}

// valuesInto is values, into buf when its capacity holds them.
func valuesInto(buf []any, args []driver.NamedValue) ([]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := buf[:0]
	if cap(out) >= len(args) {
		out = out[:len(args)]
	} else {
		out = make([]any, len(args))
	}
	for i, a := range args {
		if a.Name != "" {
			return nil, fmt.Errorf("shardsql: named argument %q: use positional ? placeholders", a.Name)
		}
		out[i] = a.Value
		if b, ok := a.Value.([]byte); ok && b == nil {
			// Hazard (diff21, seed 31): go-sql-driver sends a nil
			// []byte as NULL, while the router read it as a value
			// (not nil): a lone row's NULL for a NOT NULL column went
			// unseen (insert_lone_row.go), and a sharding value was
			// read as ''. The router gets the NULL the server gets.
			out[i] = nil
		}
	}
	return out, nil
}

// routeNamed routes a statement with the caller's arguments (converted as
// the driver converts them).
func (c *Conn) routeNamed(ctx context.Context, query string, args []driver.NamedValue) (*route.Plan, error) {
	return c.routeInto(ctx, query, args, nil, nil)
}

// routeInto is routeNamed with the values in buf when its capacity holds
// them, and a cached point statement's plan in store when not nil: the
// caller owns buf and store for as long as the plan runs.
func (c *Conn) routeInto(ctx context.Context, query string, args []driver.NamedValue, buf []any, store *route.PlanStore) (*route.Plan, error) {
	vals, err := valuesInto(buf, args)
	if err != nil {
		return nil, err
	}
	p, err := c.c.routeIn(ctx, query, vals, store, &c.memo, c.temps)
	if err != nil {
		c.afterRefused() // session.go
	}
	return p, err
}
