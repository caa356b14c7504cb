package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/shardsql/shardsql/route"
)

// queryMulti runs the statements of a multi-statement string as a query,
// as go-sql-driver with multiStatements=true does on one server: each
// statement that returns rows is a result set, read one after another with
// NextResultSet; statements that return none (INSERT, UPDATE, SET, DDL)
// run in their turn and add no result set (go-sql-driver skips their empty
// results); the first statement that fails stops the rest, and its error
// surfaces where the reader reaches it: from Query when no result set
// comes before it, else from NextResultSet (rows.Err) or Close.
//
// Hazard: running every statement up front would hold several statements'
// rows open at once on the session's pinned connections or the
// transaction's, which serve one statement at a time, and would run later
// writes before the caller read the rows they follow. So a statement runs
// only when the previous result set is done: lazily on NextResultSet, and
// on Close for the ones the caller did not reach (the server runs them all
// for go-sql-driver too).
func (c *Conn) queryMulti(ctx context.Context, pieces []route.Piece, args []driver.NamedValue) (driver.Rows, error) {
	own, err := pieceArgs(pieces, args)
	if err != nil {
		return nil, err
	}
	m := &multiRows{c: c, ctx: ctx, pieces: pieces, args: own}
	if err := m.advance(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return m, nil
}

// multiRows is the result of a multi-statement Query: the current
// statement's rows, and the statements still to run.
type multiRows struct {
	c      *Conn
	ctx    context.Context // the Query's, for the statements run later
	pieces []route.Piece
	args   [][]driver.NamedValue
	next   int         // the next statement to run
	cur    driver.Rows // the current result set; nil before the first and when none is left
	done   bool        // a statement failed or Close ran: nothing more runs
}

// advance closes the current result set and runs statements until one
// returns rows (nil: it is current), none is left (io.EOF) or one fails.
func (m *multiRows) advance() error {
	if m.cur != nil {
		err := m.cur.Close()
		m.cur = nil
		if err != nil {
			m.done = true
			return fmt.Errorf("shardsql: statement %d of %d: %w", m.next, len(m.pieces), err)
		}
	}
	for !m.done && m.next < len(m.pieces) {
		i := m.next
		if err := m.ctx.Err(); err != nil {
			// The Query's context ended (database/sql then closes the
			// rows): the statements not yet run stay unrun, as they
			// stop when go-sql-driver drops its connection.
			m.done = true
			return fmt.Errorf("shardsql: statement %d of %d not run: %w", i+1, len(m.pieces), err)
		}
		m.next++
		rows, err := m.c.queryPiece(m.ctx, m.pieces[i].SQL, m.args[i])
		if err != nil {
			m.done = true
			return pieceError(i+1, len(m.pieces), err)
		}
		if rows == nil {
			continue
		}
		if len(rows.Columns()) == 0 { // e.g. SET run as a query: no result set
			if err := rows.Close(); err != nil {
				m.done = true
				return fmt.Errorf("shardsql: statement %d of %d: %w", i+1, len(m.pieces), err)
			}
			continue
		}
		m.cur = rows
		return nil
	}
	return io.EOF
}

// queryPiece routes and runs one statement of a multi-statement Query:
// its rows when it returns rows, nil rows when it is a statement that
// returns none, run as Exec runs it.
func (c *Conn) queryPiece(ctx context.Context, query string, args []driver.NamedValue) (_ driver.Rows, err error) {
	start := time.Now()
	var p *route.Plan
	defer func() { c.c.observe(ctx, c.statsAt, query, p, start, err) }() // stats.go
	if p, err = c.routeNamed(ctx, query, args); err != nil {
		return nil, err
	}
	defer c.c.afterExec(p)
	switch {
	case p.Savepoint != nil:
		_, err = c.savepoint(ctx, p.Savepoint)
		return nil, err
	case p.Move != nil, p.Session&(route.SetsUserVars|route.SetsSystemVars) != 0,
		p.Returning == nil && p.Metadata == nil && p.Kind != route.KindSelect && p.Kind != route.KindOther:
		// Writes, DDL and SET run as Exec runs them (SET on every data
		// source's session); a query returning rows is the rest.
		_, err = c.exec(ctx, p)
		return nil, err
	}
	return c.queryPlan(ctx, query, p)
}

// Columns returns the current result set's column names (none when no
// statement returned rows).
func (m *multiRows) Columns() []string {
	if m.cur == nil {
		return nil
	}
	return m.cur.Columns()
}

// Next copies the current result set's next row into dest.
func (m *multiRows) Next(dest []driver.Value) error {
	if m.cur == nil {
		return io.EOF
	}
	return m.cur.Next(dest)
}

// HasNextResultSet reports whether statements are left to run. As
// go-sql-driver's, it is true even when they will return no rows.
func (m *multiRows) HasNextResultSet() bool {
	return !m.done && m.next < len(m.pieces)
}

// NextResultSet runs the statements up to the next that returns rows;
// io.EOF when none does.
func (m *multiRows) NextResultSet() error {
	return m.advance()
}

// Close ends the current result set and runs the statements not reached,
// as the server runs them for go-sql-driver; the first error is returned.
func (m *multiRows) Close() error {
	var err error
	for !m.done {
		if err = m.advance(); err != nil {
			break
		}
	}
	m.done = true
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return err
}

// ColumnTypeDatabaseTypeName returns the database type name of column i
// of the current result set.
func (m *multiRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := m.cur.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeNullable reports whether column i of the current result set
// may be NULL.
func (m *multiRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := m.cur.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

// ColumnTypeScanType returns the Go type column i of the current result
// set scans into.
func (m *multiRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := m.cur.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeOf(new(any)).Elem()
}

// ColumnTypeLength returns the length of variable-length column i of the
// current result set.
func (m *multiRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := m.cur.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

// ColumnTypePrecisionScale returns the precision and scale of decimal
// column i of the current result set.
func (m *multiRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := m.cur.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
