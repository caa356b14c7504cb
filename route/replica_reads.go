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

// primaryOnlyOf reports PrimaryOnly for a statement that must run on a
// primary, 0 otherwise. It walks the statement once, at parse time (the
// result is cached with the parse).
func primaryOnlyOf(stmt sqlparser.Statement) SessionUses {
	var u SessionUses
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.Select:
			if n.Lock != sqlparser.NoLock || (n.Into != nil && len(n.Into.VarList) == 0) {
				u = PrimaryOnly
			}
		case *sqlparser.Union:
			if n.Lock != sqlparser.NoLock || (n.Into != nil && len(n.Into.VarList) == 0) {
				u = PrimaryOnly
			}
		case *sqlparser.FuncExpr:
			if primaryOnlyFuncs[n.Name.Lowered()] {
				u = PrimaryOnly
			}
		}
		return u == 0, nil
	}, stmt)
	return u
}
