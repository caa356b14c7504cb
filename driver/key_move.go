package driver

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// moveBatch is how many rows one INSERT of a move writes.
const moveBatch = 200

// execMove runs an UPDATE that moves rows to the node of their new
// sharding value (route.KeyMove): in the caller's transaction, all-or-
// nothing through the statement savepoint, or else in an internal
// transaction of its own (two-phase when the connector or ctx asks for
// XA). The hazard it avoids: a row deleted on one node and not inserted
// on the other (or both) would be lost or doubled; every step runs in one
// transaction, and any failure rolls all of them back.
func (c *Conn) execMove(ctx context.Context, p *route.Plan, res *result) error {
	if c.tx != nil {
		return c.moveInTx(ctx, p, res)
	}
	tx, err := newTx(c, ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	if err := moveRows(ctx, tx, p, res, c.c.opts.maxMemoryRows); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = fmt.Errorf("%w (%v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: update moving rows of %s: %w", p.Table, err)
	}
	return nil
}

// moveInTx runs a move inside the caller's transaction: every participant
// it reaches gets the statement savepoint first, and a failure rolls each
// back to it, so the transaction goes on as after a failed statement.
func (c *Conn) moveInTx(ctx context.Context, p *route.Plan, res *result) error {
	var marked []*participant
	sources := []string{p.Move.Update.DataSource}
	for _, src := range p.Move.Sources {
		sources = append(sources, src.Select.DataSource)
	}
	for _, ds := range sources {
		part, err := c.tx.participant(ctx, ds)
		if err != nil {
			return c.undoStatement(marked, err)
		}
		if containsPart(marked, part) {
			continue
		}
		if err := part.send(ctx, "SAVEPOINT "+stmtSavepoint); err != nil {
			return c.undoStatement(marked, savepointError(part.ds, err)) // savepoint_engine.go
		}
		marked = append(marked, part)
	}
	if err := moveRows(ctx, c.tx, p, res, c.c.opts.maxMemoryRows); err != nil {
		return c.undoStatement(marked, err)
	}
	return nil
}

// undoStatement rolls the participants a failed statement marked back to
// the statement savepoint and returns cause.
func (c *Conn) undoStatement(marked []*participant, cause error) error {
	if c.tx.aborted != nil {
		return cause // every data source is rolled back already (tx_rolled_back.go)
	}
	cl := c.tx.cleanup()
	defer cl.done()
	for _, part := range marked {
		if err := part.send(cl.context(), "ROLLBACK TO SAVEPOINT "+stmtSavepoint); err != nil {
			// The statement's part on this data source may stay: the
			// transaction cannot commit exactly any more.
			part.broken = true
			return fmt.Errorf("%w (and undoing it on data source %s failed: %v; roll the transaction back)", cause, part.ds, err)
		}
	}
	return cause
}

// moveRows moves the rows of each source node to the target node
// unchanged, then runs the caller's UPDATE on the target node, where it
// matches them as well as the target's own rows, so MariaDB evaluates
// every SET expression as one table would.
func moveRows(ctx context.Context, tx *Tx, p *route.Plan, res *result, maxRows int) error {
	m := p.Move
	target, err := tx.participant(ctx, m.Update.DataSource)
	if err != nil {
		return unitError(m.Update, err)
	}
	for _, src := range m.Sources {
		part, err := tx.participant(ctx, src.Select.DataSource)
		if err != nil {
			return unitError(src.Select, err)
		}
		cols, rows, err := readRows(ctx, part, src.Select, maxRows)
		if err != nil {
			return err
		}
		// The WHERE clause evaluated as an UPDATE evaluates it: a strict
		// sql_mode error the SELECT only warned about fails the move as
		// it fails one server's UPDATE (route.MoveSource.Check).
		if _, err := part.ExecContext(ctx, src.Check.SQL, src.Check.Args...); err != nil {
			return unitError(src.Check, err)
		}
		if len(rows) == 0 {
			continue
		}
		if err := checkMovable(ctx, part, src.Select.Node.Table, p); err != nil {
			return err
		}
		if err := checkMovable(ctx, target, m.Target.Table, p); err != nil {
			return err
		}
		if err := sameShape(ctx, part, target, src.Select.Node.Table, m.Target.Table, p); err != nil { // key_move_shape.go
			return err
		}
		lax, err := laxCopyMode(ctx, target)
		if err != nil {
			return unitError(m.Update, err)
		}
		for start := 0; start < len(rows); start += moveBatch {
			ins := m.Insert(cols, rows[start:min(start+moveBatch, len(rows))])
			ins.SQL = lax + ins.SQL
			if _, err := target.ExecContext(ctx, ins.SQL, ins.Args...); err != nil {
				return fmt.Errorf("shardsql: moving %d row(s) of %s from %s to %s: %w", len(rows), p.Table, src.Select.Node, m.Target, unitError(ins, err))
			}
		}
		dr, err := part.ExecContext(ctx, src.Delete.SQL, src.Delete.Args...)
		if err != nil {
			return unitError(src.Delete, err)
		}
		if n, err := dr.RowsAffected(); err != nil || n != int64(len(rows)) {
			// The rows were read FOR UPDATE; a different count means
			// the WHERE clause matched rows it did not lock (no index to
			// lock a range by): refuse rather than move a different set.
			return fmt.Errorf("shardsql: moving rows of %s from %s: read %d row(s) but the delete matched %d (%v); nothing was changed, retry the statement", p.Table, src.Select.Node, len(rows), n, err)
		}
	}
	sr, err := target.ExecContext(ctx, m.Update.SQL, m.Update.Args...)
	if err != nil {
		return unitError(m.Update, err)
	}
	return res.add(m.Update.DataSource, sr)
}

// laxCopyMode is the prefix (`SET STATEMENT sql_mode = '…' FOR `) that
// runs a move's INSERT under the target session's sql_mode without
// STRICT_TRANS_TABLES and STRICT_ALL_TABLES, "" when the mode is not
// strict. The hazard (diff19, seed 502): a row may hold a value only a
// non-strict write stores — ENUM's empty error value after INSERT IGNORE of
// a non-member, a zero date or a zero month under NO_ZERO_DATE /
// NO_ZERO_IN_DATE — which the server's UPDATE keeps in place, while the
// copy's INSERT under strict mode refuses it (1265, 1292) and the whole
// UPDATE failed. The copied values come from a node table of the same
// logical table, so they need no conversion; without strict mode the
// INSERT stores each exactly as read (a warning for the error values).
func laxCopyMode(ctx context.Context, target *participant) (string, error) {
	rs, err := target.QueryContext(ctx, "SELECT @@SESSION.sql_mode")
	if err != nil {
		return "", err
	}
	defer rs.Close()
	var mode string
	if rs.Next() {
		if err := rs.Scan(&mode); err != nil {
			return "", err
		}
	}
	if err := rs.Err(); err != nil {
		return "", err
	}
	var kept []string
	strict := false
	for _, w := range strings.Split(mode, ",") {
		switch {
		case w == "STRICT_TRANS_TABLES" || w == "STRICT_ALL_TABLES":
			strict = true
		case w == "TRADITIONAL":
			// Hazard (diff21, seed 32): @@sql_mode lists the combination
			// mode's name beside the modes it stands for, and setting it
			// again turns STRICT_TRANS_TABLES and STRICT_ALL_TABLES back
			// on: under TRADITIONAL a move copying a zero date stored
			// under a lax mode failed (1292) where one server's UPDATE
			// keeps it. Its other modes are listed on their own.
		case strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != "":
			return "", nil // not a mode name: leave the session's mode alone
		case w != "":
			kept = append(kept, w)
		}
	}
	if !strict {
		return "", nil
	}
	return "SET STATEMENT sql_mode = '" + strings.Join(kept, ",") + "' FOR ", nil
}

// readRows reads every row of u's query, at most maxRows (0: no cap).
func readRows(ctx context.Context, part *participant, u route.Unit, maxRows int) ([]string, [][]any, error) {
	rs, done, err := part.queryBinary(ctx, u.SQL, u.Args...) // key_move_binary.go: FLOATs exact
	if err != nil {
		return nil, nil, unitError(u, err)
	}
	defer done() // tx_rows_ended.go
	cols, err := rs.Columns()
	if err != nil {
		return nil, nil, unitError(u, err)
	}
	text, err := textColumns(rs)
	if err != nil {
		return nil, nil, unitError(u, err)
	}
	var out [][]any
	for rs.Next() {
		if maxRows > 0 && len(out) >= maxRows {
			return nil, nil, fmt.Errorf("%w: UPDATE moving more than %d rows of one node (WithMaxMemoryRows) in %q; update fewer rows per statement", route.ErrUnsupported, maxRows, u.SQL)
		}
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, nil, unitError(u, err)
		}
		textValues(row, text)
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, unitError(u, err)
	}
	return cols, out, nil
}

// checkMovable refuses a move that DELETE and INSERT cannot make exact on
// the physical table: a trigger would fire for a DELETE and an INSERT
// where one table fires its UPDATE triggers, a foreign key that
// references the table would act on (or forbid) the DELETE, where one
// table's UPDATE of a non-key column leaves the children alone, and an
// INVISIBLE column's value would be lost (SELECT * leaves it out). Asked only
// when rows are about to move, inside the move's transaction.
func checkMovable(ctx context.Context, part *participant, table string, p *route.Plan) error {
	const q = `SELECT
		(SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?),
		(SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ?),
		(SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND (EXTRA LIKE '%INVISIBLE%' OR EXTRA LIKE '% GENERATED%'))`
	rs, err := part.QueryContext(ctx, q, table, table, table)
	if err != nil {
		return fmt.Errorf("shardsql: checking %s on data source %s before moving rows: %w", table, part.ds, err)
	}
	defer part.rowsRead(rs) // tx_rows_ended.go
	var triggers, refs, hidden int
	if rs.Next() {
		if err := rs.Scan(&triggers, &refs, &hidden); err != nil {
			return fmt.Errorf("shardsql: checking %s on data source %s before moving rows: %w", table, part.ds, err)
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("shardsql: checking %s on data source %s before moving rows: %w", table, part.ds, err)
	}
	switch {
	case triggers > 0:
		return fmt.Errorf("%w: UPDATE moving rows of %s to another node, whose table %s on data source %s has triggers (a move fires DELETE and INSERT triggers, not UPDATE triggers) in %q; move the rows with DELETE and INSERT yourself", route.ErrUnsupported, p.Table, table, part.ds, p.SQL)
	case hidden > 0:
		// The move copies a row with SELECT *, which leaves INVISIBLE
		// columns out (the copy would get their defaults), and an INSERT
		// may not set a generated column.
		return fmt.Errorf("%w: UPDATE moving rows of %s to another node, whose table %s on data source %s has INVISIBLE or generated columns (a move copies the row with SELECT * and INSERT) in %q; move the rows with DELETE and INSERT yourself", route.ErrUnsupported, p.Table, table, part.ds, p.SQL)
	case refs > 0:
		return fmt.Errorf("%w: UPDATE moving rows of %s to another node, whose table %s on data source %s is referenced by a foreign key (a move deletes the row there) in %q; move the rows with DELETE and INSERT yourself", route.ErrUnsupported, p.Table, table, part.ds, p.SQL)
	}
	return nil
}

// writtenSources lists the data sources a plan writes: its units', and
// for a move the sources' too, whose Units hold the target's UPDATE
// alone. Read-your-writes records each one's position: a source left out
// would let a lagging replica return a moved row at its old key after
// the UPDATE returned.
func writtenSources(p *route.Plan) []string {
	out := p.DataSources()
	if p.Move == nil {
		return out
	}
	for _, src := range p.Move.Sources {
		if !slices.Contains(out, src.Delete.DataSource) {
			out = append(out, src.Delete.DataSource)
		}
	}
	return out
}
