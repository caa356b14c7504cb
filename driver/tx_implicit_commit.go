package driver

import (
	"context"
	"fmt"
	"sort"

	"github.com/shardsql/shardsql/route"
)

// Statements that commit implicitly inside a transaction (DDL,
// ANALYZE/OPTIMIZE/REPAIR, FLUSH, GRANT, …: route.Plan.ImplicitCommit).
//
// Hazard (attack10): one server commits the transaction before such a
// statement, so a later Rollback keeps the writes before it. shardsql
// runs it on the data sources it names only, and a Rollback takes the
// writes back on the others (found by TestAttack10DDLInTransaction). DDL
// where the transaction wrote nothing, or on every data source it wrote
// on (a migration's CREATE TABLE then INSERT), commits as one server
// would; anything else is refused.
//
// Hazard (review18a): the check and the record of where the transaction
// wrote were made on the Exec path only. A write run with Query (an
// UPDATE, INSERT … RETURNING, DELETE … RETURNING) was not recorded, and a
// DDL run with Query was not checked: either way `UPDATE t …` (two data
// sources), then `CREATE TABLE x …`, then Rollback kept the default data
// source's rows updated and took back the other's. Both paths now pass
// here (exec.go, conn.go queryPlan).

//
// Hazard (review18a, round 10's left item): after such a statement one
// server runs the rest of the transaction in autocommit mode, so a later
// Rollback keeps what came after it. shardsql's statement ended the
// transaction only on the data sources it ran on: `SELECT … FROM t WHERE
// id = 3` (ds1 joins), `CREATE TABLE x …` (ds0 only: the transaction had
// written nothing), `UPDATE t … WHERE id = 3` (ds1, still inside its
// transaction), Rollback — one server keeps the UPDATE, shardsql took it
// back (a read on ds1 likewise saw the transaction's old snapshot). The
// design: the Tx records where the statement ran (committedOn); there the
// servers are in autocommit mode as one server is, and a later statement
// reaching any other data source is refused. A migration's DDL then its
// version row on the same data source (goose) still runs.

// implicitCommitRefusal is the refusal of p in the transaction: p commits
// implicitly and the transaction wrote on a data source p does not run
// on, or an earlier statement committed implicitly and p reaches a data
// source that statement did not or is a write over several nodes it
// cannot run all-or-nothing (byExec: p runs with Exec); nil when p may
// run.
func (tx *Tx) implicitCommitRefusal(p *route.Plan, byExec bool) error {
	if tx.committedOn != nil {
		for _, u := range p.Units {
			if !tx.committedOn[u.DataSource] {
				return fmt.Errorf("%w: a statement on data source %s after a statement that committed the transaction implicitly on the other data sources only (one server runs the rest of the transaction in autocommit mode; shardsql's transaction is still open on %s, so a Rollback would take back what one server keeps): commit the transaction after the statement that commits implicitly, and run the rest in a new one, in %q", ErrUnsupported, u.DataSource, u.DataSource, p.SQL)
			}
		}
		if p.Move != nil || len(p.Units) > 1 && atomicWrite(p) && (!byExec || p.Returning != nil) {
			// Hazard (review18a): the statement savepoint that makes a
			// write over several nodes all-or-nothing in a transaction
			// (statement_savepoint.go, key_move.go, returning.go) means
			// nothing on a connection in autocommit mode: `ALTER TABLE t
			// …; UPDATE t SET n = 1 / (id - 1); Rollback` kept ds0's
			// rows updated after ds1's node failed (one server's UPDATE
			// changes none). A plain write run with Exec runs as one
			// outside a transaction does instead (exec.go: execAtomic's
			// internal transaction, as goose's seed INSERT after its
			// CREATE TABLE needs); key moves, RETURNING and writes run
			// with Query are refused.
			return fmt.Errorf("%w: a write reaching %d nodes after a statement that committed the transaction implicitly, as a key move, with RETURNING or run with Query (the data sources run the rest in autocommit mode, where shardsql cannot undo the nodes that applied it when another fails): run it with Exec, or commit the transaction after the statement that commits implicitly and run it in a new one, in %q", ErrUnsupported, len(p.Units), p.SQL)
		}
	}
	if p.MayCommit && tx.commitsElsewhere(p) {
		// Hazard (review18d): a procedure's body may COMMIT, ROLLBACK or
		// run DDL (CREATE PROCEDURE p() COMMIT): `UPDATE t18 …` (two data
		// sources), `CALL p()`, Rollback kept the default data source's
		// rows updated and took back the other's, where one server keeps
		// all of it (a body's ROLLBACK likewise undid one part, and
		// Commit committed the rest). Its body is not read here, so a
		// CALL in a transaction that wrote on data sources it does not
		// reach is refused.
		return fmt.Errorf("%w: CALL inside a transaction that wrote on data sources the call does not reach (a procedure may COMMIT, ROLLBACK or run DDL, which one server applies to the whole transaction and shardsql to the call's data source only): call it before the transaction's writes on other data sources, outside the transaction, or after Commit, in %q", ErrUnsupported, p.SQL)
	}
	if !p.ImplicitCommit || !tx.commitsElsewhere(p) {
		return nil
	}
	return fmt.Errorf("%w: a statement that commits implicitly (DDL, ANALYZE/OPTIMIZE/REPAIR/CHECK, FLUSH, CREATE/DROP DATABASE, GRANT/REVOKE, account and server statements) inside a transaction that wrote on data sources it does not reach (one server would commit the transaction first; shardsql would do it on some data sources only: commit the transaction, then run the statement) in %q", ErrUnsupported, p.SQL)
}

// queryWrites reports whether p, run with Query in a transaction, may
// write: anything but a SELECT (INSERT/DELETE … RETURNING, an UPDATE sent
// as a query, CALL, a statement the parser cannot read).
func queryWrites(p *route.Plan) bool {
	return p.Kind != route.KindSelect && !p.ImplicitCommit && p.Metadata == nil
}

// ranImplicitCommit records that p, which commits implicitly, is about to
// run in the transaction: its data sources' servers end the transaction
// (also when the statement then fails) and the caller's savepoints with
// it.
func (tx *Tx) ranImplicitCommit(p *route.Plan) {
	if !p.ImplicitCommit || tx.xa {
		// In an XA branch the server refuses the statement (error 1399,
		// XAER_RMFAIL) and commits nothing.
		return
	}
	if tx.committedOn == nil { // a later one runs only where the first ran (implicitCommitRefusal)
		tx.committedOn = make(map[string]bool)
		for _, u := range p.Units {
			tx.committedOn[u.DataSource] = true
		}
	}
	tx.savepoints = nil
}

// implicitlyCommitted lists the data sources where a statement committed
// the transaction implicitly.
//
// Hazard (review18a): Rollback dropped the transaction's write mark, so
// after `INSERT …; CREATE TABLE …` (committed there) and Rollback, the
// Conn's next read went to a replica behind the committed row and missed
// it (TestAttack18aReplicaAfterImplicitCommit). Rollback now records the
// primary positions of these data sources as Commit does.
func (tx *Tx) implicitlyCommitted() []string {
	out := make([]string, 0, len(tx.committedOn))
	for ds := range tx.committedOn {
		out = append(out, ds)
	}
	sort.Strings(out)
	return out
}

// execAtomicAfterImplicitCommit runs a write over several nodes after a
// statement committed the transaction implicitly: the data sources are in
// autocommit mode there, so it runs as outside a transaction, in
// execAtomic's internal transaction on the same session connections. The
// internal transaction's Commit and Rollback detach the Conn's
// transaction (c.tx = nil) and its write mark: both are put back, or the
// caller's later statements would run outside the transaction.
func (c *Conn) execAtomicAfterImplicitCommit(ctx context.Context, p *route.Plan, res *result) error {
	user, wrote := c.tx, c.txWrote
	defer func() { c.tx, c.txWrote = user, wrote || c.txWrote }()
	c.tx = nil
	return c.execAtomic(ctx, p, res)
}
