package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// PrimaryOnly marks a SELECT that only a data source's primary may answer,
// though it depends on no session: a locking read (FOR UPDATE, FOR SHARE,
// LOCK IN SHARE MODE), which must lock the rows a writer would see; SELECT
// … INTO OUTFILE or DUMPFILE, which writes a file on the server; calls of
// NEXTVAL or SETVAL, which change a sequence; calls of functions that are
// not built-ins, or of the replication functions (BINLOG_GTID_POS,
// MASTER_GTID_WAIT, …); @@GLOBAL variables; and tables of
// information_schema, performance_schema, mysql and sys. The driver never sends such a
// statement to a replica, and after it records the primary's position as
// after a write. It is not a session dependence (Depends ignores it).
//
// The hazard of the last two (found by TestAttack8Replicas): a stored
// function may write (MODIFIES SQL DATA), and SELECT f() on a replica
// wrote the replica's copy — the primary never saw the row, and the
// replica diverged from it (read_only binds no user with SUPER or READ_ONLY
// ADMIN). A global variable is the server's own: @@GLOBAL.server_id or
// @@GLOBAL.gtid_binlog_pos answered by a replica is another server's.
const PrimaryOnly SessionUses = 1 << 15

// SetsLastInsertID marks a statement calling LAST_INSERT_ID(expr), which
// sets the session's LAST_INSERT_ID() on the node it runs on (the driver
// reads it there next). It comes with UsesLastInsertID.
const SetsLastInsertID SessionUses = 1 << 16

// primaryOnlyFuncs are the functions that write although they are called
// in a SELECT.
var primaryOnlyFuncs = map[string]bool{"nextval": true, "setval": true,
	// The server's own replication state: a replica answers for itself.
	"binlog_gtid_pos": true, "master_gtid_wait": true, "master_pos_wait": true, "source_pos_wait": true}

// serverSchemas hold the state of the server answering (processes, locks,
// transactions, status, grants), not replicated data: a replica's copy
// describes the replica.
var serverSchemas = map[string]bool{"information_schema": true, "performance_schema": true, "mysql": true, "sys": true}

// primaryOnlyNode reports whether node n makes its statement PrimaryOnly.
// sessionUsesOf asks it of every node in its one walk at parse time (the
// result is cached with the parse).
func primaryOnlyNode(n sqlparser.SQLNode) bool {
	switch n := n.(type) {
	case *sqlparser.Select:
		return n.Lock != sqlparser.NoLock || (n.Into != nil && len(n.Into.VarList) == 0)
	case *sqlparser.Union:
		return n.Lock != sqlparser.NoLock || (n.Into != nil && len(n.Into.VarList) == 0)
	case *sqlparser.FuncExpr:
		name := n.Name.Lowered()
		return primaryOnlyFuncs[name] || userCall(n) != "" // builtins_nodes.go
	case *sqlparser.AnyValue, *sqlparser.RegexpLikeExpr, *sqlparser.PerformanceSchemaFuncExpr,
		*sqlparser.GTIDFuncExpr, *sqlparser.JSONSchemaValidFuncExpr,
		*sqlparser.JSONSchemaValidationReportFuncExpr, *sqlparser.JSONStorageFreeExpr,
		*sqlparser.JSONStorageSizeExpr, *sqlparser.GeoHashFromPointExpr,
		*sqlparser.GeoHashFromLatLongExpr, *sqlparser.GeomFromGeoHashExpr, *sqlparser.PointPropertyFuncExpr:
		return userCall(n) != "" // MySQL 8 functions MariaDB lacks (builtins_nodes.go)
	case *sqlparser.Variable:
		return n.Scope == sqlparser.GlobalScope
	case *sqlparser.Nextval:
		// NEXT VALUE FOR s, as the parser reads it: NEXTVAL(s), which
		// changes the sequence (a replica's copy would diverge). Found in
		// round 10: only the function spelling was marked.
		return true
	case *sqlparser.AliasedTableExpr:
		tn, ok := n.Expr.(sqlparser.TableName)
		return ok && serverSchemas[strings.ToLower(tn.Qualifier.String())]
	case sqlparser.TableName:
		return serverSchemas[strings.ToLower(n.Qualifier.String())]
	}
	return false
}
