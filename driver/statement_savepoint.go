package driver

import (
	"context"

	"github.com/shardsql/shardsql/route"
)

// stmtSavepoint names the savepoint that makes one multi-node write inside
// a transaction all-or-nothing.
const stmtSavepoint = "shardsql_stmt"

// execAtomicInTx runs a write that reaches several nodes inside a
// transaction as one statement: MySQL rolls back a statement that fails
// (a key conflict, a value out of range) and the transaction goes on; run
// node by node, the nodes before the failing one would keep their part,
// and COMMIT would commit it. Each participant the statement reaches gets
// a savepoint first, and a failure rolls every one of them back to it.
func (c *Conn) execAtomicInTx(ctx context.Context, p *route.Plan, res *result) error {
	var ids copyIDs // atomic_write.go
	return c.underStatementSavepoint(ctx, p, func(_ int, part *participant, u route.Unit) error {
		sr, err := part.ExecContext(ctx, ids.sql(p, u), u.Args...)
		if err != nil {
			return unitError(u, err)
		}
		if err := ids.note(ctx, p, part, sr); err != nil {
			return err
		}
		return res.add(u.DataSource, sr)
	})
}

// underStatementSavepoint runs each unit of p with run on its participant
// of the transaction, each participant taking the statement savepoint
// before its first unit; a failure rolls every marked participant back to
// it, so the statement applies everywhere or nowhere (execAtomicInTx,
// returningInTx).
func (c *Conn) underStatementSavepoint(ctx context.Context, p *route.Plan, run func(i int, part *participant, u route.Unit) error) error {
	var marked []*participant
	undo := func(cause error) error { return c.undoStatement(marked, cause) }
	for i, u := range p.Units {
		part, err := c.tx.participant(ctx, u.DataSource)
		if err != nil {
			return undo(unitError(u, err))
		}
		if !containsPart(marked, part) {
			if err := part.send(ctx, "SAVEPOINT "+stmtSavepoint); err != nil {
				return undo(savepointError(part.ds, err)) // savepoint_engine.go
			}
			marked = append(marked, part)
		}
		if err := run(i, part, u); err != nil {
			if err == errUnitsDone {
				return nil // the later units are not needed (delete_limit.go)
			}
			return undo(err)
		}
	}
	return nil
}

func containsPart(parts []*participant, p *participant) bool {
	for _, q := range parts {
		if q == p {
			return true
		}
	}
	return false
}
