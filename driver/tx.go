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
	"strings"
)

// Tx is a transaction over any number of data sources. A data source joins
// at the first statement that reaches it (its own transaction, or XA branch,
// begins then), and later statements reuse it, so reads see the
// transaction's writes.
//
// In the default mode Commit commits the data sources one by one in
// topology order: atomic on one data source, best effort across several (a
// failure part-way returns a *CommitError saying which committed). In XA
// mode (WithXA, or WithXATransaction on BeginTx's context) Commit runs
// two-phase commit with a logged decision, and RecoverXA resolves what a
// crash leaves prepared.
type Tx struct {
	conn  *Conn
	ctx   context.Context
	opts  driver.TxOptions
	xa    bool
	gtrid string         // XA global transaction id
	parts []*participant // in first-use order
}

var _ driver.Tx = (*Tx)(nil)

// participant is a transaction's work on one data source.
type participant struct {
	ds     string
	tx     *sql.Tx            // default mode
	cancel context.CancelFunc // default mode: ends tx's context once tx is done
	conn   *sql.Conn          // XA mode: the connection holding the branch
}

func (p *participant) runner() runner {
	if p.tx != nil {
		return p.tx
	}
	return p.conn
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
// statement at its deadline; the transaction itself lives as long as
// BeginTx's context.
func (t *Tx) participant(ctx context.Context, ds string) (*participant, error) {
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
	p := &participant{ds: ds}
	if !t.xa {
		if err := t.begin(ctx, pin.conn, p); err != nil {
			t.conn.pinFailed(pin, err)
			return nil, fmt.Errorf("shardsql: begin on data source %s: %w", ds, err)
		}
	} else {
		p.conn = pin.conn
		if err := t.startBranch(ctx, p); err != nil {
			t.conn.pinFailed(pin, err)
			return nil, err
		}
	}
	t.parts = append(t.parts, p)
	return p, nil
}

// begin starts p's transaction on db under a context derived from t.ctx,
// which ctx, the statement's, cancels if it ends before the begin is done.
func (t *Tx) begin(ctx context.Context, db *sql.Conn, p *participant) error {
	bctx, cancel := context.WithCancel(t.ctx)
	stop := context.AfterFunc(ctx, cancel)
	tx, err := db.BeginTx(bctx, &sql.TxOptions{Isolation: sql.IsolationLevel(t.opts.Isolation), ReadOnly: t.opts.ReadOnly})
	if !stop() { // the statement's context ended first
		if err == nil {
			_ = tx.Rollback()
		}
		cancel()
		return ctx.Err()
	}
	if err != nil {
		cancel()
		return err
	}
	p.tx, p.cancel = tx, cancel
	return nil
}

// endParts releases the contexts of the default mode's participants, once
// their transactions are done.
func (t *Tx) endParts() {
	for _, p := range t.parts {
		if p.cancel != nil {
			p.cancel()
		}
	}
}

// startBranch sets the isolation level and starts the XA branch.
func (t *Tx) startBranch(ctx context.Context, p *participant) error {
	if lvl := isolationSQL(sql.IsolationLevel(t.opts.Isolation)); lvl != "" {
		if _, err := p.conn.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL "+lvl); err != nil {
			return fmt.Errorf("shardsql: xa: data source %s: %w", p.ds, err)
		}
	}
	if t.opts.ReadOnly {
		if _, err := p.conn.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return fmt.Errorf("shardsql: xa: data source %s: %w", p.ds, err)
		}
	}
	if _, err := p.conn.ExecContext(ctx, "XA START "+t.xid(p)); err != nil {
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

// CommitError reports a commit that did not complete everywhere.
type CommitError struct {
	// Committed lists the data sources whose work is committed.
	Committed []string
	// Failed maps the data sources whose commit failed to their errors.
	Failed map[string]error
	// RolledBack lists the data sources rolled back after the failure.
	RolledBack []string
	// Pending lists XA branches whose commit was decided and logged but
	// not yet applied: RecoverXA applies them; the transaction is durable.
	Pending []string
}

// Error describes what committed and what did not.
func (e *CommitError) Error() string {
	var b strings.Builder
	b.WriteString("shardsql: commit incomplete:")
	if len(e.Committed) > 0 {
		fmt.Fprintf(&b, " committed on %s;", strings.Join(e.Committed, ", "))
	}
	for _, ds := range sortedKeys(e.Failed) {
		fmt.Fprintf(&b, " failed on %s: %v;", ds, e.Failed[ds])
	}
	if len(e.RolledBack) > 0 {
		fmt.Fprintf(&b, " rolled back on %s;", strings.Join(e.RolledBack, ", "))
	}
	if len(e.Pending) > 0 {
		fmt.Fprintf(&b, " commit decided and logged, pending on %s (RecoverXA completes it);", strings.Join(e.Pending, ", "))
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the per-data-source errors.
func (e *CommitError) Unwrap() []error {
	var out []error
	for _, ds := range sortedKeys(e.Failed) {
		out = append(out, e.Failed[ds])
	}
	return out
}

func sortedKeys(m map[string]error) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Commit commits the transaction on every data source it touched.
func (t *Tx) Commit() error {
	t.conn.tx = nil
	if t.xa {
		return t.commitXA()
	}
	defer t.endParts()
	parts := t.ordered()
	cerr := &CommitError{Failed: map[string]error{}}
	for i, p := range parts {
		if err := p.tx.Commit(); err != nil {
			cerr.Failed[p.ds] = err
			for _, rest := range parts[i+1:] {
				if rest.tx.Rollback() == nil {
					cerr.RolledBack = append(cerr.RolledBack, rest.ds)
				}
			}
			if len(parts) == 1 {
				return fmt.Errorf("shardsql: commit on data source %s: %w", p.ds, err)
			}
			return cerr
		}
		cerr.Committed = append(cerr.Committed, p.ds)
	}
	return nil
}

// Rollback rolls the transaction back on every data source it touched.
func (t *Tx) Rollback() error {
	t.conn.tx = nil
	defer t.endParts()
	var errs []error
	for _, p := range t.parts {
		var err error
		if t.xa {
			err = t.rollbackBranch(p, false)
		} else if err = p.tx.Rollback(); errors.Is(err, sql.ErrTxDone) {
			err = nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("shardsql: rollback on data source %s: %w", p.ds, err))
		}
	}
	return errors.Join(errs...)
}
