package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
)

// The caller's savepoints (SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE
// SAVEPOINT; gorm's nested transactions) span every data source of the
// transaction. The hazard: a data source that joins after a savepoint has
// none, so ROLLBACK TO SAVEPOINT would fail there, or, sent only to the
// data sources that have it, would keep the late joiner's work that one
// database would have undone. The design: the Tx keeps its savepoints in
// order (Tx.savepoints), and a data source that joins takes each of them
// at once, right after its transaction begins, so all of them mark its
// join point there: rolling back to any undoes everything it did since.
// Every participant then holds the same savepoints, and each statement is
// simply sent to all of them.
//
// The driver's own savepoint for a multi-node write (statement_savepoint.go)
// has a reserved name (route.ReservedSavepoint) and is never recorded: it
// is set after the caller's savepoints, and rolling back to it deletes no
// savepoint of the caller's set before it.

// savepoint runs a savepoint statement. Outside a transaction MySQL
// accepts SAVEPOINT (autocommit ends its implicit transaction at once)
// and knows no savepoint to roll back to or release.
func (c *Conn) savepoint(ctx context.Context, sp *route.Savepoint) (driver.Result, error) {
	t := c.tx
	if t == nil {
		if sp.Op == route.SavepointSet {
			return driver.RowsAffected(0), nil
		}
		return nil, noSavepoint(sp.Name)
	}
	if t.aborted != nil {
		return nil, t.aborted // a server ended the transaction (tx_rolled_back.go)
	}
	t.resolveCalls(ctx) // tx_call_commit.go
	if t.committedOn != nil {
		// Hazard (review18d): after a statement that committed the
		// transaction implicitly, one server runs the rest in autocommit
		// mode, where a savepoint lasts no longer than its statement:
		// `CREATE TABLE …; SAVEPOINT a; ROLLBACK TO SAVEPOINT a` fails
		// with 1305 and the session goes on. shardsql sent both to its
		// participants; ds0 (in autocommit) failed the ROLLBACK TO, the
		// Tx was marked broken, and Commit failed where one server
		// commits (and the Conn's next statement got a bad connection).
		// They are answered as outside a transaction, sent nowhere.
		if sp.Op == route.SavepointSet {
			return driver.RowsAffected(0), nil
		}
		return nil, noSavepoint(sp.Name)
	}
	i := t.findSavepoint(sp.Name)
	if sp.Op != route.SavepointSet && i < 0 {
		return nil, noSavepoint(sp.Name)
	}
	for _, p := range t.parts {
		if err := p.busy(); err != nil {
			return nil, fmt.Errorf("shardsql: %s: %w", sp.SQL(), err) // sent nowhere: the transaction goes on
		}
	}
	for i, p := range t.parts {
		if err := p.send(ctx, sp.SQL()); err != nil {
			if i == 0 && errors.Is(err, errNotSent) {
				// Hazard (review19c): nothing was sent anywhere (its
				// deadline had passed, commit_not_sent.go), yet the
				// transaction was marked broken, and Commit rolled
				// everything back saying the connection had failed.
				// One server's transaction goes on after a statement
				// its context kept from being sent; so does this one.
				return nil, noRetry(fmt.Errorf("shardsql: %s (not run on any data source; the transaction goes on): %w", sp.SQL(), err))
			}
			// The data sources before this one ran it: they no longer
			// agree, and the transaction cannot commit exactly.
			p.broken = true
			// noRetry: never ErrBadConn, which database/sql would retry.
			return nil, noRetry(fmt.Errorf("shardsql: %s on data source %s (the transaction can only be rolled back now): %w", sp.SQL(), p.ds, err))
		}
	}
	switch sp.Op {
	case route.SavepointSet:
		// A savepoint of the same name is replaced; later ones stay.
		if i >= 0 {
			t.savepoints = append(t.savepoints[:i:i], t.savepoints[i+1:]...)
		}
		t.savepoints = append(t.savepoints, sp.Name)
	case route.SavepointRollback:
		t.savepoints = t.savepoints[:i+1] // later savepoints are deleted
	case route.SavepointRelease:
		t.savepoints = t.savepoints[:i] // it and later ones are deleted
	}
	return driver.RowsAffected(0), nil
}

// findSavepoint returns the index of the savepoint named name, or -1.
func (t *Tx) findSavepoint(name string) int {
	for i, n := range t.savepoints {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// joinSavepoints gives a data source that joins the transaction every
// savepoint the transaction holds, all at its join point.
func (t *Tx) joinSavepoints(ctx context.Context, p *participant) error {
	for _, name := range t.savepoints {
		sp := route.Savepoint{Op: route.SavepointSet, Name: name}
		if err := p.send(ctx, sp.SQL()); err != nil {
			return fmt.Errorf("shardsql: savepoint %s on data source %s joining the transaction: %w", name, p.ds, err)
		}
	}
	return nil
}

// noSavepoint is MySQL's error for an unknown savepoint.
func noSavepoint(name string) error {
	return &mysql.MySQLError{Number: 1305, SQLState: [5]byte{'4', '2', '0', '0', '0'}, Message: fmt.Sprintf("SAVEPOINT %s does not exist", name)}
}

// emptyRows is the result of a savepoint statement run as a query.
type emptyRows struct{}

func (emptyRows) Columns() []string              { return nil }
func (emptyRows) Close() error                   { return nil }
func (emptyRows) Next(dest []driver.Value) error { return io.EOF }
