package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// SavepointOp is what a savepoint statement does.
type SavepointOp int

const (
	// SavepointSet is SAVEPOINT name.
	SavepointSet SavepointOp = iota
	// SavepointRollback is ROLLBACK TO SAVEPOINT name.
	SavepointRollback
	// SavepointRelease is RELEASE SAVEPOINT name.
	SavepointRelease
)

// Savepoint is a savepoint statement of the caller's. It has no units: the
// driver sends it to every data source of the transaction, and to those
// that join later (driver/tx_savepoint.go).
type Savepoint struct {
	Op SavepointOp
	// Name is the savepoint's name as written; MySQL compares savepoint
	// names case-insensitively.
	Name string
}

// SQL returns the statement to send to a data source.
func (sp *Savepoint) SQL() string {
	name := sqlparser.String(sqlparser.NewIdentifierCI(sp.Name))
	switch sp.Op {
	case SavepointRollback:
		return "ROLLBACK TO SAVEPOINT " + name
	case SavepointRelease:
		return "RELEASE SAVEPOINT " + name
	}
	return "SAVEPOINT " + name
}

// ReservedSavepoint is the name of the savepoint the driver takes before a
// write that reaches several nodes inside a transaction; the caller's
// savepoints may not use it.
const ReservedSavepoint = "shardsql_stmt"

// routeSavepoint plans SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE
// SAVEPOINT.
func (s *statement) routeSavepoint(op SavepointOp, name sqlparser.IdentifierCI) (*Plan, error) {
	if strings.EqualFold(name.String(), ReservedSavepoint) {
		return nil, unsupported(s.sql, "savepoint name %s, which shardsql uses itself (choose another name)", ReservedSavepoint)
	}
	return &Plan{SQL: s.sql, Kind: KindOther, Savepoint: &Savepoint{Op: op, Name: name.String()}}, nil
}
