package driver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Tx is a transaction over any number of data sources. A data source joins
// at the first statement that reaches it (its own transaction, or XA branch,
// begins then), and later statements reuse it, so reads see the
// transaction's writes.
//
// In the default mode Commit commits the data sources one by one in
// topology order: atomic on one data source, best effort across several.
// In XA mode (WithXA, or WithXATransaction on BeginTx's context) Commit
// runs two-phase commit with a logged decision, and RecoverXA resolves
// what a crash or a lost reply leaves prepared. Either way a failed Commit
// returns a *CommitError saying, per data source, what the servers did or
// that it is unknown. Commit is bounded by BeginTx's deadline (not by its
// cancellation, as go-sql-driver's Commit) and WithCommitTimeout, its cleanup and Rollback by WithCleanupTimeout; a
// connection whose state is unknown after a failure is closed, never
// pooled.
type Tx struct {
	conn  *Conn
	ctx   context.Context
	opts  driver.TxOptions
	xa    bool
	gtrid string         // XA global transaction id
	parts []*participant // in first-use order
	// wrote are the data sources a write of this transaction reached
	// (exec.go): a statement that commits implicitly is refused unless it
	// runs on each of them.
	wrote map[string]bool
	// committedOn, once a statement that commits implicitly ran in the
	// transaction, are the data sources it ran on: their servers ended
	// the transaction there and run later statements in autocommit mode,
	// as one server would; a later statement reaching any other data
	// source is refused (tx_implicit_commit.go).
	committedOn map[string]bool
	// callOn are the data sources of CALLs run since the last statement,
	// whose procedure may have ended the transaction there
	// (tx_call_commit.go).
	callOn map[string]bool
	// savepoints are the caller's savepoints, oldest first
	// (tx_savepoint.go).
	savepoints []string
	// aborted is why a data source's server ended the transaction on its
	// own (a deadlock, tx_rolled_back.go): every participant is rolled
	// back, later statements and Commit fail with it.
	aborted error
}

var _ driver.Tx = (*Tx)(nil)

// newTx returns a transaction on c, XA when ctx or the connector asks for
// it; no data source has joined yet.
func newTx(c *Conn, ctx context.Context, opts driver.TxOptions) (*Tx, error) {
	// Hazard (review 12): setTxOptions sends the levels MariaDB has and
	// nothing for the others, so a transaction asking for Snapshot,
	// Linearizable or WriteCommitted ran at the server's default
	// (REPEATABLE READ) with no word. go-sql-driver refuses them at
	// BeginTx; so does shardsql, before anything is taken.
	if l := sql.IsolationLevel(opts.Isolation); l != sql.LevelDefault && isolationSQL(l) == "" {
		return nil, fmt.Errorf("%w: isolation level %s (MariaDB has READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ and SERIALIZABLE: ask for one of them)", ErrUnsupported, l)
	}
	tx := &Tx{conn: c, ctx: ctx, opts: opts, xa: wantXA(ctx, c.c.opts.xa)}
	if tx.xa {
		var err error
		if tx.gtrid, err = newGtrid(); err != nil {
			return nil, err
		}
	}
	return tx, nil
}

// participant is a transaction's work on one data source: a connection
// of the data source's pool, held from the first statement that reaches
// it to Commit or Rollback, inside START TRANSACTION or an XA branch.
// (Not a *sql.Tx: its Commit and Rollback take no context, so a server
// that hangs at COMMIT would hold them until the connection fails.)
type participant struct {
	ds   string
	tx   *Tx
	conn *sql.Conn
	// owner and pin: conn is owner's session connection on ds, which
	// stays with the Conn after the transaction unless its state is
	// unknown.
	owner *Conn
	pin   *pin

	// What the protocol knows of the connection. A connection goes back
	// to its pool only when its transaction is known to be over
	// (finished) and no statement on it has an unknown outcome (broken);
	// any other is closed, so the server rolls back what is not prepared
	// and detaches a prepared branch for RecoverXA.
	ended     bool // XA END answered
	preparing bool // XA PREPARE sent: the branch may be prepared
	finished  bool // committed or rolled back
	broken    bool // a statement's outcome is unknown, or the connection failed
}

// errBroken is the error of a step on a participant whose connection
// failed earlier: nothing is sent on it.
var errBroken = errors.New("the connection failed earlier in the transaction")

// send runs one statement of the transaction's own protocol on p.
func (p *participant) send(ctx context.Context, query string) error {
	if p.broken {
		return errBroken
	}
	if err := p.busy(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return notSent(err) // commit_not_sent.go
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		// Hazard (round 16): a deadline's timer fires late on a loaded
		// machine; a COMMIT sent past the deadline before it fired was
		// then cut by it mid-statement — an unknown outcome where not
		// sending it gives a certain one (TestXA13CommitNotSent failed
		// 2 runs in 5 at load 11).
		return notSent(context.DeadlineExceeded)
	}
	_, err := p.conn.ExecContext(ctx, query)
	if err != nil && !answered(err) {
		p.broken = true
	}
	return ctxBadConn(ctx, err) // ctx_bad_conn.go
}

// busy reports rows of an earlier statement still open on p's
// connection. go-sql-driver reads one result at a time per connection: a
// statement sent now fails with driver.ErrBadConn, and database/sql then
// closes the *sql.Conn, which waits for those rows to close — a hang
// until the context ends. So nothing is sent, and the transaction goes
// on, as one server's would.
func (p *participant) busy() error {
	if p.pin != nil && p.pin.open > 0 {
		return fmt.Errorf("data source %s: %w", p.ds, errPinBusy)
	}
	return nil
}

// ExecContext runs a statement of the caller's in the transaction.
func (p *participant) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.busy(); err != nil {
		return nil, err
	}
	if p.broken && p.tx != nil {
		return nil, p.tx.lost(p, nil) // tx_conn_lost.go
	}
	res, err := p.conn.ExecContext(ctx, query, args...)
	if err != nil {
		p.failed(err) // tx_rolled_back.go
		err = p.statementFailed(ctx, err)
	}
	return res, err
}

// QueryContext runs a query of the caller's in the transaction.
func (p *participant) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := p.busy(); err != nil {
		return nil, err
	}
	if p.broken && p.tx != nil {
		return nil, p.tx.lost(p, nil) // tx_conn_lost.go
	}
	rows, err := p.conn.QueryContext(ctx, query, args...)
	if err != nil {
		p.failed(err) // tx_rolled_back.go
		err = p.statementFailed(ctx, err)
	}
	return rows, err
}

func (p *participant) runner() runner { return p }

// release ends the transaction's hold on p's connection. A connection
// whose state is known clean stays the Conn's session connection; any
// other is discarded (database/sql closes a connection whose Raw callback
// returns driver.ErrBadConn instead of pooling it) and the Conn's session
// is lost, so its next statement fails with driver.ErrBadConn rather than
// run on a connection in an unknown transaction state.
func (p *participant) release() {
	if p.finished && !p.broken {
		return
	}
	_ = p.conn.Raw(func(any) error { return driver.ErrBadConn })
	if p.owner != nil && p.pin != nil {
		p.owner.drop(p.pin)
		return
	}
	_ = p.conn.Close()
}

// xid is the XA id of the participant's branch: the global id and the data
// source name.
func (t *Tx) xid(p *participant) string {
	return fmt.Sprintf("'%s','%s'", t.gtrid, p.ds)
}

func newGtrid() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("shardsql: xa: %w", err)
	}
	return xaPrefix + hex.EncodeToString(b[:]), nil
}

// participant returns the transaction's participant on data source ds,
// beginning its transaction (or XA branch) on first use. ctx is the
// context of the statement that reaches ds: it bounds the wait for a
// connection and for the begin, so a data source that hangs fails that
// statement at its deadline; the transaction itself lives until Commit or
// Rollback (database/sql calls Rollback when BeginTx's context ends).
func (t *Tx) participant(ctx context.Context, ds string) (*participant, error) {
	if t.aborted != nil {
		return nil, t.aborted
	}
	if p := t.brokenPart(); p != nil {
		return nil, t.lost(p, nil) // tx_conn_lost.go
	}
	for _, p := range t.parts {
		if p.ds == ds {
			return p, nil
		}
	}
	// The transaction runs on the Conn's session connection (session.go),
	// so it sees what the session set before it, and the session what the
	// transaction did.
	pin, err := t.conn.pin(ctx, ds)
	if err == nil && pin.open > 0 {
		err = errPinBusy
	}
	if err != nil {
		return nil, fmt.Errorf("shardsql: begin on data source %s: %w", ds, err)
	}
	p := &participant{ds: ds, tx: t, conn: pin.conn, owner: t.conn, pin: pin}
	if t.xa {
		err = t.startBranch(ctx, p)
	} else {
		err = t.startLocal(ctx, p)
	}
	if err == nil {
		err = t.joinSavepoints(ctx, p)
	}
	if err != nil {
		p.release() // never finished: closed, so the server ends what began
		return nil, err
	}
	t.parts = append(t.parts, p)
	return p, nil
}

// setTxOptions sends the transaction's isolation level and access mode
// for the next transaction on p.
func (t *Tx) setTxOptions(ctx context.Context, p *participant) error {
	if lvl := isolationSQL(sql.IsolationLevel(t.opts.Isolation)); lvl != "" {
		if err := p.send(ctx, "SET TRANSACTION ISOLATION LEVEL "+lvl); err != nil {
			return err
		}
	}
	if t.opts.ReadOnly {
		if err := p.send(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return err
		}
	}
	return nil
}

// startLocal begins p's transaction (default mode).
func (t *Tx) startLocal(ctx context.Context, p *participant) error {
	if err := t.setTxOptions(ctx, p); err != nil {
		return fmt.Errorf("shardsql: begin on data source %s: %w", p.ds, err)
	}
	if err := p.send(ctx, "START TRANSACTION"); err != nil {
		return fmt.Errorf("shardsql: begin on data source %s: %w", p.ds, err)
	}
	return nil
}

// startBranch starts p's XA branch.
func (t *Tx) startBranch(ctx context.Context, p *participant) error {
	if err := t.setTxOptions(ctx, p); err != nil {
		return fmt.Errorf("shardsql: xa: data source %s: %w", p.ds, err)
	}
	if err := p.send(ctx, "XA START "+t.xid(p)); err != nil {
		return fmt.Errorf("shardsql: xa: start on data source %s: %w", p.ds, err)
	}
	return nil
}

func isolationSQL(l sql.IsolationLevel) string {
	switch l {
	case sql.LevelReadUncommitted:
		return "READ UNCOMMITTED"
	case sql.LevelReadCommitted:
		return "READ COMMITTED"
	case sql.LevelRepeatableRead:
		return "REPEATABLE READ"
	case sql.LevelSerializable:
		return "SERIALIZABLE"
	}
	return ""
}

// ordered returns the participants in the topology's data source order, the
// fixed order commits follow.
func (t *Tx) ordered() []*participant {
	rank := make(map[string]int)
	for i, ds := range t.conn.c.topo.DataSources() {
		rank[ds.Name] = i
	}
	out := append([]*participant(nil), t.parts...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].ds] < rank[out[j].ds] })
	return out
}

// Commit commits the transaction on every data source it touched: one by
// one in topology order (best effort, runBestEffort), or by two-phase
// commit (XA, runXA). Its statements are bounded by BeginTx's deadline and
// the commit timeout (not by the context's cancellation: commitContext),
// its cleanup by the cleanup timeout (tx_options.go).
// Once it has started committing, every failure is a *CommitError; one
// of an XA transaction over several data sources carries its XID.
func (t *Tx) Commit() error {
	err := t.commit()
	if ce, ok := err.(*CommitError); ok && ce.XA {
		ce.XID = t.gtrid
	}
	return err
}

func (t *Tx) commit() error {
	defer t.conn.committed(t.sources()) // replica_query.go: after the connections are back
	t.conn.tx = nil
	cl := t.cleanup()
	defer cl.done()
	defer t.release()
	parts := t.ordered()
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.ds
	}
	ctx, cancel := commitContext(t.ctx, t.conn.c.opts.commitBound())
	defer cancel()
	s := &txSteps{t: t, parts: parts, ctx: ctx, cl: cl}
	if t.aborted != nil {
		// A server ended the transaction (a deadlock): every data source
		// is rolled back already, and one server's COMMIT would commit
		// nothing either.
		o := newOutcome(names, t.xa)
		o.cause = t.aborted
		for i := range parts {
			o.set(i, fateRolledBack, nil)
		}
		return o.err()
	}
	if !t.xa {
		for _, p := range parts {
			p.alive() // tx_alive.go: marks a closed connection broken
		}
	}
	for _, p := range parts {
		if p.broken {
			// A connection failed during the transaction: the server
			// rolled back its work, so nothing may commit.
			o := newOutcome(names, t.xa)
			o.cause = fmt.Errorf("shardsql: the connection to data source %s failed during the transaction", p.ds)
			for i := range parts {
				_ = s.rollback(i)
				o.set(i, fateRolledBack, nil)
			}
			return o.err()
		}
	}
	if t.xa {
		return runXA(s, names)
	}
	return runBestEffort(s, names)
}

// Rollback rolls the transaction back on every data source it touched, on
// the cleanup deadline: BeginTx's context may have ended (database/sql
// calls Rollback when it does). A rollback that fails closes its
// connection, so the server rolls the work back when it sees it end.
func (t *Tx) Rollback() error {
	if t.committedOn != nil {
		// A statement committed implicitly: what it committed stays, as
		// on one server, and later reads must see it like a Commit's
		// (tx_implicit_commit.go).
		defer t.conn.committed(t.implicitlyCommitted())
	} else {
		defer t.conn.rolledBack()
	}
	t.conn.tx = nil
	cl := t.cleanup()
	defer cl.done()
	defer t.release()
	s := &txSteps{t: t, parts: t.parts, ctx: cl.context(), cl: cl}
	var errs []error
	for i, p := range t.parts {
		if err := s.rollback(i); err != nil {
			errs = append(errs, fmt.Errorf("shardsql: rollback on data source %s (its connection is closed; the server rolls the work back): %w", p.ds, err))
		}
	}
	return errors.Join(errs...)
}

// commitContext is the context of Commit's statements: the caller's
// values and deadline, bounded by the commit timeout, but not the
// caller's cancellation. The hazard: go-sql-driver closes a connection
// whose statement's context is cancelled, so a cancel that lands while
// the COMMITs go out (an HTTP request ending, say) would cut one data
// source's COMMIT after another's had committed — a half-committed
// transaction made by the caller, not by a failure. One MariaDB through
// go-sql-driver never does that: its Commit takes no context, and a
// context already cancelled when Commit is called makes database/sql roll
// back instead. A deadline still bounds Commit, as the commit timeout
// does, and ends it with an outcome the *CommitError states.
func commitContext(parent context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), bound)
	if d, ok := parent.Deadline(); ok {
		ctx2, cancel2 := context.WithDeadline(ctx, d)
		return ctx2, func() { cancel2(); cancel() }
	}
	return ctx, cancel
}

// release gives every participant's connection back, or closes it.
func (t *Tx) release() {
	for _, p := range t.parts {
		p.release()
	}
}
