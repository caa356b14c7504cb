package route

import "vitess.io/vitess/go/vt/sqlparser"

// PrimaryOnly marks a SELECT that only a data source's primary may answer,
// though it depends on no session: a locking read (FOR UPDATE, FOR SHARE,
// LOCK IN SHARE MODE), which must lock the rows a writer would see; SELECT
// … INTO OUTFILE or DUMPFILE, which writes a file on the server; and calls
// of NEXTVAL or SETVAL, which change a sequence. The driver never sends
// such a statement to a replica. It is not a session dependence (Depends
// ignores it).
const PrimaryOnly SessionUses = 1 << 15

// primaryOnlyFuncs are the functions that write although they are called
// in a SELECT.
var primaryOnlyFuncs = map[string]bool{"nextval": true, "setval": true}

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
		return primaryOnlyFuncs[n.Name.Lowered()]
	}
	return false
}
