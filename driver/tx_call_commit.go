package driver

import (
	"context"

	"github.com/shardsql/shardsql/route"
)

// A CALL whose procedure ended the transaction.
//
// Hazard (review18d): a procedure's body may COMMIT, ROLLBACK or run DDL
// (route.Plan.MayCommit). Called in a transaction that had written
// nowhere else (allowed: tx_implicit_commit.go), such a procedure left its
// data source in autocommit mode, as one server is after it; shardsql did
// not know: `BEGIN; CALL p(); UPDATE t18 SET n = n + 1; ROLLBACK` — one
// server keeps the UPDATE (it ran in autocommit mode), shardsql took it
// back on every data source. The design: after a CALL, before the
// transaction's next statement (or savepoint), the CALL's data sources are
// asked whether their transaction is still open (@@in_transaction, read
// then: a CALL run with Query may still be returning rows when it ends);
// where it is not, the CALL counts as a statement that committed
// implicitly there (committedOn), and the rules after one apply.

// notedCall records that p, a CALL, is about to run in the transaction.
func (tx *Tx) notedCall(p *route.Plan) {
	if !p.MayCommit || tx.xa || tx.committedOn != nil {
		return // an XA branch refuses COMMIT and DDL; after a commit the rules hold already
	}
	if tx.callOn == nil {
		tx.callOn = make(map[string]bool)
	}
	for _, u := range p.Units {
		tx.callOn[u.DataSource] = true
	}
}

// resolveCalls reads, for the CALLs run since the last statement, whether
// their procedures ended the transaction, and records it (committedOn).
// A data source that cannot be asked (rows still open on it, a failed
// read) counts as ended: later statements elsewhere are refused rather
// than risk the wrong Rollback.
func (tx *Tx) resolveCalls(ctx context.Context) {
	if len(tx.callOn) == 0 {
		return
	}
	on := tx.callOn
	tx.callOn = nil
	ended := false
	for _, part := range tx.parts {
		if !on[part.ds] {
			continue
		}
		if part.busy() != nil || part.broken {
			ended = true
			continue
		}
		var in int
		if err := part.conn.QueryRowContext(ctx, "SELECT @@in_transaction").Scan(&in); err != nil || in == 0 {
			ended = true
		}
	}
	if ended && tx.committedOn == nil {
		tx.committedOn = on
		tx.savepoints = nil
	}
}
