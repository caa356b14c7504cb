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
// in a SELECT, or that answer for the server's own state.
var primaryOnlyFuncs = map[string]bool{"nextval": true, "setval": true,
	// The server's own replication state: a replica answers for itself.
	"binlog_gtid_pos": true, "master_gtid_wait": true, "master_pos_wait": true, "source_pos_wait": true,
	// A file of the server's file system (a relative path is read from
	// its data directory): a replica reads its own, or none (review19b:
	// SELECT LOAD_FILE('a19r0/f.txt') answered NULL on the replica for a
	// file SELECT … INTO OUTFILE had just written on the primary).
	"load_file": true,
	// A counter of the answering server, whose top byte is its server_id:
	// a replica's values are not the primary's (review19b: SELECT
	// UUID_SHORT() >> 56 answered the replica's server_id), and reads
	// that fall back to the primary and return to the replica made the
	// values go down and up again where one server's only grow.
	"uuid_short": true}

// hiddenFromParser reports whether sql holds an executable comment the SQL
// parser does not read as MariaDB runs it: /*M! … */ (a plain comment to
// the parser, run always by MariaDB) and /*!NNNNN … */ (run or skipped by
// version, where the parser and the server disagree). Such a statement is
// PrimaryOnly, since what decides that — a locking clause, a stored
// function that writes, NEXTVAL, INTO OUTFILE, a server table — may be in
// the comment. Statements on sharded and broadcast tables with such a
// comment are refused (comments.go); the others' text goes to the server
// unchanged, and the primary runs it as one server would.
//
// The hazard (review19b): `SELECT id FROM t /*M! , NEXTVAL(s) */` and
// `SELECT … /*M! FOR UPDATE */` on an unsharded table were plain reads to
// the router and ran on a replica: MariaDB advanced the replica's copy of
// the sequence (the primary's never moved; the replica diverged), and the
// locking read locked nothing on the primary.
func hiddenFromParser(sql string) bool {
	return strings.Contains(sql, "/*") && len(versionedComments(sql)) > 0 // comments.go
}

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
