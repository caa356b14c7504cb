package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// LeavesState marks a statement that may leave state in its server session
// which the router cannot name from its text: a statement the parser cannot
// read or keeps as opaque text (DO @v := 1, EXECUTE IMMEDIATE, HANDLER … OPEN, CREATE OR REPLACE
// TEMPORARY TABLE, XA …), PREPARE, EXECUTE and DEALLOCATE, CALL (a
// procedure may set variables, take locks, create temporary tables),
// NEXTVAL and NEXT VALUE FOR (they set the session's LASTVAL), FLUSH TABLES … WITH READ LOCK
// or FOR EXPORT. Changes reports it, so the driver never hands the server
// connection to another session (parked or pooled: it closes it when the
// session ends), and the Conn refuses later statements that read the
// session on another data source (the state exists on one only). It is
// not a dependence on the session (Depends ignores it): such a statement
// routes as before.
//
// The hazard (found by TestReview10ParkedSessionState): such statements
// were passed through as session-neutral, so their clean-looking session's
// connection was parked and the next caller's session inherited the
// prepared statement, the open handler, the variable, the temporary
// table, the named lock, the sequence's LASTVAL.
const LeavesState SessionUses = 1 << 17

// leavesStateNode reports whether a statement node leaves session state the
// rest of the walk does not record (sessionWalk.node).
func leavesStateNode(n sqlparser.SQLNode) bool {
	switch n := n.(type) {
	case *sqlparser.PrepareStmt, *sqlparser.ExecuteStmt, *sqlparser.DeallocateStmt, *sqlparser.CallProc,
		// The parser keeps DO (and REPAIR, OPTIMIZE, …) as opaque text:
		// DO @v := 1 and DO GET_LOCK('l', 0) leave state.
		*sqlparser.OtherAdmin,
		// NEXT VALUE FOR s, as the parser reads it: LASTVAL's state.
		*sqlparser.Nextval:
		return true
	case *sqlparser.Flush:
		return n.WithLock || n.ForExport
	case *sqlparser.FuncExpr:
		return n.Name.Lowered() == "nextval"
	}
	return false
}

// xaStart reports whether sql, which the parser cannot read, starts an XA
// transaction (XA START or XA BEGIN): transaction control in SQL text,
// refused like BEGIN. The other XA commands act on a transaction this
// session started (refused here) or on prepared branches, as an
// administrator's recovery does, and leave nothing behind.
func (r *Router) xaStart(sql string) bool {
	words := r.firstWords(sql, 2)
	return len(words) == 2 && words[0] == "xa" && (words[1] == "start" || words[1] == "begin")
}

// unparsedSet reports whether sql, which the parser cannot read, is a SET
// statement other than MariaDB's SET STATEMENT … FOR …, whose settings last
// for its one statement (that statement runs where it is routed, the
// settings with it).
func (r *Router) unparsedSet(sql string) bool {
	words := r.firstWords(sql, 2)
	return len(words) >= 1 && words[0] == "set" && (len(words) < 2 || words[1] != "statement")
}
