package driver

import (
	"context"
	"database/sql"

	"github.com/shardsql/shardsql/route"
)

// The sources of a unit's rows other than a scatter's (scatter.go). Each
// keeps the statement's context: the query starts lazily, on the cursor's
// first read, under the context of the statement that routed it.

// txSource runs a unit on its data source's participant in the Conn's
// transaction, a connection the statement's other units share. Like
// pinSource it counts its rows open on the participant's connection
// (pin.open), so that a statement sent there meanwhile fails clearly
// (participant.busy) instead of making database/sql close the connection,
// which waits for those rows.
type txSource struct {
	ctx    context.Context
	c      *Conn
	pn     *pin // the participant's pin while the rows are open
	part   *participant
	active bool
}

func (s *txSource) open(u route.Unit) (*sql.Rows, error) {
	part, err := s.c.tx.participant(s.ctx, u.DataSource)
	if err != nil {
		return nil, err
	}
	rows, err := part.QueryContext(s.ctx, u.SQL, u.Args...)
	if err == nil {
		s.part = part
		if part.pin != nil {
			s.pn, s.active = part.pin, true
			s.pn.open++
		}
	}
	return rows, ctxBadConn(s.ctx, err) // ctx_bad_conn.go
}

func (s *txSource) ended(err error) error {
	if s.active {
		s.active = false
		s.pn.open--
	}
	if p := s.part; p != nil {
		s.part = nil
		p.rowsEnded(err) // tx_rows_ended.go: after open--, so p may be asked
	}
	return err
}
func (*txSource) shared() bool { return true }
func (*txSource) eager() bool  { return false }

// pinSource runs a unit on the Conn's pin for its data source: the session
// the Conn's other statements on that data source see. The pin counts the
// rows open on it until they end, and is dropped if the error that ended
// them says its connection failed.
type pinSource struct {
	ctx    context.Context
	c      *Conn
	pn     *pin
	active bool // the rows are open on pn
	// watch is the cut of the pin's socket while the rows stream, when
	// shardsql dialed it and the context can end (see open).
	watch cutWatch
}

// The hazard: go-sql-driver reads one result at a time per connection. A
// statement sent while another unit's rows stream on the pin fails the
// connection as bad, and database/sql's *sql.Conn then waits for those
// open rows before it can close it — which the statement reading them
// never reaches: the query hung until its context ended. It happens when
// a plan of one unit (on the pin) builds statements while it runs — the
// join above the nodes routed after a subquery is bound, whose batched
// lookups run while its outer side still streams. So a unit opened on a
// busy pin first reads the streaming cursor's remaining rows into memory
// (at most WithMaxMemoryRows, ErrTooLarge beyond), and refuses to send
// when rows it does not know of are open (the caller's own).

func (s *pinSource) open(u route.Unit) (*sql.Rows, error) {
	if s.pn.open > 0 {
		if r := s.pn.reading; r != nil {
			if err := r.drain(); err != nil {
				return nil, err
			}
		}
		if s.pn.open > 0 {
			return nil, errPinBusy
		}
	}
	// Streaming rows under a context that can end cost two goroutines
	// per statement besides the caller's: database/sql's watch of the
	// *sql.Rows (awaitDone) and go-sql-driver's watcher handoff. On a
	// socket shardsql dialed neither is started: the query gets a context
	// that never ends and the statement's context cuts the socket instead
	// (cut_conn.go), until ended ends the watch. A cut mid-stream then
	// fails the rows with go-sql-driver's invalid connection, which ended
	// turns into the context's error, and drops the pin.
	qctx := s.ctx
	if s.ctx.Done() != nil && s.ctx.Err() == nil {
		if sock := s.c.sockOf(s.pn); sock != nil {
			qctx, s.watch = watchSock(s.ctx, sock)
		}
	}
	rows, err := s.pn.conn.QueryContext(qctx, u.SQL, u.Args...)
	if err != nil {
		err = s.watch.end(err)
		s.watch = cutWatch{}
		s.c.pinFailed(s.pn, err)
		return nil, ctxBadConn(s.ctx, err) // ctx_bad_conn.go
	}
	s.pn.open++
	s.active = true
	return rows, nil
}

func (s *pinSource) ended(err error) error {
	err = s.watch.end(err)
	s.watch = cutWatch{}
	if s.active {
		s.active = false
		s.pn.open--
		if s.pn.open == 0 {
			s.pn.reading = nil
		}
		s.c.pinFailed(s.pn, err)
	}
	return err
}

func (*pinSource) shared() bool { return true }
func (*pinSource) eager() bool  { return false }

// poolSource runs a unit on a pool connection of its own: a unit an
// operator builds during execution outside a transaction.
type poolSource struct {
	ctx context.Context
	c   *Conn
}

func (s *poolSource) open(u route.Unit) (*sql.Rows, error) {
	db, err := s.c.c.db(u.DataSource)
	if err != nil {
		return nil, err
	}
	return db.QueryContext(s.ctx, u.SQL, u.Args...)
}

func (*poolSource) ended(err error) error { return err }
func (*poolSource) shared() bool          { return false }
func (*poolSource) eager() bool           { return false }
