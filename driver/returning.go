package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"reflect"

	"github.com/shardsql/shardsql/route"
)

// queryReturning runs an INSERT, REPLACE or DELETE … RETURNING
// (route.Returning). On one node it is an ordinary query. Across nodes it
// is one write, as execAtomic and execAtomicInTx make any multi-node write:
// an internal transaction outside a transaction, a savepoint per
// participant inside one. Each unit's rows are read whole before the next
// unit runs (one connection per data source cannot hold two results), and
// an INSERT's rows are put back in VALUES order: each node returns its
// rows in the order of its part of the VALUES list, and the plan says which
// rows each node took (Plan.InsertRows).
func (c *Conn) queryReturning(ctx context.Context, p *route.Plan) (driver.Rows, error) {
	if len(p.Units) == 1 {
		return c.query(ctx, p)
	}
	if err := c.checkSession(ctx, p); err != nil {
		c.afterRefused() // nothing ran (session.go)
		return nil, err
	}
	// Later reads must see the write, as after Exec (replica_query.go).
	// The hazard (review19b): this path ran its units on a transaction
	// of its own (or the caller's, under savepoints) and recorded no
	// primary position — the one-unit path records it when its rows
	// close — so a read right after a RETURNING write that reached
	// several nodes went to a replica that had not applied it, and a
	// caller's transaction whose only write was one committed without
	// recording it either.
	defer c.wroteOn(ctx, p)
	out := &memRows{}
	units := make([][][]driver.Value, len(p.Units))
	read := func(i int, rows *sql.Rows) error {
		defer rows.Close()
		if len(out.cols) == 0 {
			// The first unit with a result set names the columns: a node
			// whose DELETE … RETURNING matched no row may answer with an
			// OK packet and no columns (found by the write attack suite,
			// seed 12: "expected 1 destination arguments in Scan, not 0"
			// for the next node's rows).
			var err error
			if out.cols, err = rows.Columns(); err != nil {
				return err
			}
			if out.types, err = rows.ColumnTypes(); err != nil {
				return err
			}
		}
		for rows.Next() {
			vals := make([]any, len(out.cols))
			ptrs := make([]any, len(vals))
			for j := range vals {
				ptrs[j] = &vals[j]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]driver.Value, len(vals))
			for j, v := range vals {
				row[j] = v
			}
			units[i] = append(units[i], row)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if p.InsertRows != nil && len(units[i]) != len(p.InsertRows[i]) {
			return fmt.Errorf("shardsql: INSERT … RETURNING on %s returned %d rows for %d rows written", p.Units[i].Node, len(units[i]), len(p.InsertRows[i]))
		}
		return nil
	}
	var err error
	if c.tx != nil {
		err = c.returningInTx(ctx, p, read)
	} else {
		err = c.returningAtomic(ctx, p, read)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case p.Returning != nil && p.Returning.OneCopy:
		out.rows = units[0]
	case p.InsertRows != nil && len(p.InsertRows) == len(units):
		n := 0
		for _, u := range units {
			n += len(u)
		}
		out.rows = make([][]driver.Value, n)
		for i, u := range units {
			for j, row := range u {
				out.rows[p.InsertRows[i][j]] = row
			}
		}
	default:
		for _, u := range units {
			out.rows = append(out.rows, u...)
		}
	}
	c.after(p, "")
	return out, nil
}

// returningAtomic runs the units in one internal transaction (execAtomic).
func (c *Conn) returningAtomic(ctx context.Context, p *route.Plan, read func(int, *sql.Rows) error) error {
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	var ids copyIDs // atomic_write.go
	for i, u := range p.Units {
		part, err := tx.participant(ctx, u.DataSource)
		if err == nil {
			err = ids.before(ctx, p, part)
		}
		if err == nil {
			var rows *sql.Rows
			if rows, err = part.QueryContext(ctx, ids.sql(p, u), u.Args...); err == nil {
				err = read(i, rows)
				part.rowsRead(rows) // tx_rows_ended.go
			}
			if err == nil {
				err = ids.noteSession(ctx, p, part)
			}
		}
		if err != nil {
			err = unitError(u, err) // never ErrBadConn: database/sql would run the statement again
			if rerr := tx.Rollback(); rerr != nil {
				err = fmt.Errorf("%w (%v)", err, rerr)
			}
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: write to %s across %d nodes: %w", p.Table, len(p.Units), err)
	}
	return nil
}

// returningInTx runs the units inside the caller's transaction under a
// savepoint per participant (execAtomicInTx).
func (c *Conn) returningInTx(ctx context.Context, p *route.Plan, read func(int, *sql.Rows) error) error {
	var ids copyIDs // atomic_write.go
	return c.underStatementSavepoint(ctx, p, func(i int, part *participant, u route.Unit) error {
		if err := ids.before(ctx, p, part); err != nil {
			return unitError(u, err)
		}
		rows, err := part.QueryContext(ctx, ids.sql(p, u), u.Args...)
		if err == nil {
			err = read(i, rows)
			part.rowsRead(rows) // tx_rows_ended.go
		}
		if err == nil {
			err = ids.noteSession(ctx, p, part)
		}
		if err != nil {
			return unitError(u, err)
		}
		return nil
	})
}

// memRows are rows held in memory, with the column types of the result
// they were read from.
type memRows struct {
	cols  []string
	types []*sql.ColumnType
	rows  [][]driver.Value
	next  int
}

var (
	_ driver.RowsColumnTypeDatabaseTypeName = (*memRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*memRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*memRows)(nil)
	_ driver.RowsColumnTypeLength           = (*memRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*memRows)(nil)
)

func (m *memRows) Columns() []string { return m.cols }

func (m *memRows) Close() error { return nil }

func (m *memRows) Next(dest []driver.Value) error {
	if m.next >= len(m.rows) {
		return io.EOF
	}
	copy(dest, m.rows[m.next])
	m.next++
	return nil
}

// ColumnTypeDatabaseTypeName returns the database type name of column i.
func (m *memRows) ColumnTypeDatabaseTypeName(i int) string { return m.types[i].DatabaseTypeName() }

// ColumnTypeNullable reports whether column i may be NULL.
func (m *memRows) ColumnTypeNullable(i int) (nullable, ok bool) { return m.types[i].Nullable() }

// ColumnTypeScanType returns the Go type column i scans into.
func (m *memRows) ColumnTypeScanType(i int) reflect.Type { return m.types[i].ScanType() }

// ColumnTypeLength returns the length of a variable-length column i.
func (m *memRows) ColumnTypeLength(i int) (int64, bool) { return m.types[i].Length() }

// ColumnTypePrecisionScale returns the precision and scale of decimal column i.
func (m *memRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	return m.types[i].DecimalSize()
}
