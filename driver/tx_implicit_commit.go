package driver

import (
	"fmt"

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

// implicitCommitRefusal is the refusal of p, which commits implicitly,
// when the transaction wrote on a data source p does not run on; nil
// when p may run.
func (tx *Tx) implicitCommitRefusal(p *route.Plan) error {
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
