package route

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// A broadcast write runs once per data source, and each server evaluates
// it on its own: anything in it that is not a function of the statement
// and the copy's rows — the time, a random number, a connection's id or
// variables, which rows a LIMIT picks — gives each copy its own value,
// and the copies drift apart silently. Such writes are refused; the
// application computes the value once and passes it as an argument.

// nonDeterministicFuncs are the functions whose value differs from server
// to server (or from call to call) for the same arguments.
var nonDeterministicFuncs = map[string]bool{
	"rand": true, "uuid": true, "uuid_short": true, "sys_guid": true, "random_bytes": true,
	"now": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
	"sysdate": true, "curdate": true, "current_date": true, "curtime": true, "current_time": true,
	"utc_date": true, "utc_time": true, "utc_timestamp": true, "unix_timestamp": true,
	"connection_id": true, "last_insert_id": true, "row_count": true, "found_rows": true,
	"user": true, "current_user": true, "session_user": true, "system_user": true, "current_role": true,
	"database": true, "schema": true, "version": true,
	"get_lock": true, "release_lock": true, "is_free_lock": true, "is_used_lock": true, "release_all_locks": true,
	"sleep": true, "benchmark": true, "nextval": true, "lastval": true, "setval": true,
}

// nonDeterministic describes the first part of a broadcast write whose
// value may differ between the copies, or returns "".
func (s *statement) nonDeterministic(stmt sqlparser.SQLNode) string {
	var what string
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.FuncExpr:
			name := n.Name.Lowered()
			if name == "unix_timestamp" && len(n.Exprs) > 0 {
				return true, nil // of its argument: deterministic
			}
			if name == "last_insert_id" && len(n.Exprs) == 1 {
				// LAST_INSERT_ID(expr) is expr (walked on), and sets the
				// session's value to it: ent's upsert (ON DUPLICATE KEY
				// UPDATE id = LAST_INSERT_ID(t.id)) and the counter idiom.
				// The copies hold the same rows, so each copy's value
				// is the same. Hazard (compat15): refused with the
				// argument-less call, every ent upsert of a broadcast
				// table failed. The first copy's result may then report
				// expr instead of a generated id (copyIDs): only when the
				// statement generated none, which the other copies, being
				// equal, do not either.
				return true, nil
			}
			if nonDeterministicFuncs[name] {
				what = strings.ToUpper(name) + "()"
			} else if userCall(n) != "" && s.catalog != nil {
				if s.catalog.HazardsUnknown {
					s.schemaMissing = true // the catalog loads them, and the statement is routed again
				}
				if h, ok := s.catalog.Hazard(VolatileFunctionKey(n.Name.String()), schema.WriteInsert|schema.WriteUpdate|schema.WriteDelete, nil); ok {
					what = "stored function " + n.Name.String() + " (" + h.Why + ")"
				}
			}
		case *sqlparser.CurTimeFuncExpr:
			what = strings.ToUpper(n.Name.String())
		case *sqlparser.LockingFunc:
			what = "a locking function"
		case *sqlparser.Nextval:
			what = "NEXT VALUE"
		case *sqlparser.Variable:
			if n.Scope == sqlparser.VariableScope {
				what = "user variable @" + n.Name.String()
			} else {
				what = "system variable @@" + n.Name.String()
			}
		case sqlparser.OrderAndLimit:
			if n.GetLimit() != nil && !s.totalOrder(n) {
				what = "LIMIT without an ORDER BY on a unique NOT NULL key"
			}
		}
		return what == "", nil
	}, stmt)
	return what
}

// totalOrder reports whether the ORDER BY of n sorts the rows of its one
// table totally — its columns include those of a unique key whose columns
// are NOT NULL — so that every copy picks the same rows under a LIMIT.
// With a join, a derived table, or without the catalog's word on the
// table's keys it cannot tell, and says no.
func (s *statement) totalOrder(n sqlparser.OrderAndLimit) bool {
	var from []sqlparser.TableExpr
	switch n := n.(type) {
	case *sqlparser.Select:
		from = n.From
	case *sqlparser.Update:
		from = n.TableExprs
	case *sqlparser.Delete:
		from = n.TableExprs
	}
	if len(n.GetOrderBy()) == 0 || s.catalog == nil || len(from) != 1 {
		return false
	}
	ate, ok := from[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return false
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		return false
	}
	var keys [][]string
	if t, ok := s.catalog.Table(tn.Name.String()); ok {
		for _, idx := range t.Indexes {
			whole := true // a key unique by prefixes is unique whole too
			for _, col := range idx.Columns {
				if c, ok := t.Column(col); !ok || c.Nullable {
					whole = false
				}
			}
			if whole {
				keys = append(keys, idx.Columns)
			}
		}
	} else if keys, ok = s.catalog.UnshardedTotalKeys(tn.Name.String()); !ok {
		// Hazard (round 16): the catalog's Tables hold sharded tables
		// only, so every broadcast UPDATE/DELETE … ORDER BY <primary
		// key> LIMIT n was refused. A broadcast table's unique NOT NULL
		// keys come from the default data source's copy (the copies'
		// definitions are compared where they may differ).
		return false
	}
	aliases := map[string]bool{} // ORDER BY names a select alias before a column
	if sel, ok := n.(*sqlparser.Select); ok {
		for _, e := range sel.GetColumns() {
			if ae, ok := e.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() {
				aliases[ae.As.Lowered()] = true
			}
		}
	}
	cols := map[string]bool{}
	for _, o := range n.GetOrderBy() {
		if c, ok := o.Expr.(*sqlparser.ColName); ok && !aliases[c.Name.Lowered()] {
			cols[c.Name.Lowered()] = true
		}
	}
keys:
	for _, key := range keys {
		for _, col := range key {
			if !cols[strings.ToLower(col)] {
				continue keys
			}
		}
		return true
	}
	return false
}

// VolatileFunctionKey is the key of schema.Catalog.WriteHazards under
// which the driver records a stored function whose body calls a function
// whose value differs from server to server (BodyNonDeterministic): a
// broadcast write calling it is refused like one calling RAND().
func VolatileFunctionKey(name string) string { return "volatile function " + strings.ToLower(name) }

// bodyVolatile matches, in a trigger's or routine's body (which the
// parser cannot read), a call of a function of nonDeterministicFuncs or a
// bare keyword of the current time or user.
var bodyVolatile = sync.OnceValue(func() *regexp.Regexp {
	names := slices.Sorted(maps.Keys(nonDeterministicFuncs))
	return regexp.MustCompile(`(?i)\b(?:(` + strings.Join(names, "|") + `)\s*\(|(current_timestamp|current_date|current_time|localtime|localtimestamp|utc_date|utc_time|utc_timestamp|current_user|current_role)\b)`)
})

// BodyNonDeterministic returns the first function a trigger's or stored
// routine's body calls whose value differs from server to server (RAND(),
// UUID(), NOW(), CURRENT_TIMESTAMP, …), in upper case, or "". The body is
// read as words, not parsed: a name in a string literal or comment counts
// too, which can only refuse more. The driver records such a trigger on a
// broadcast table as a write hazard: it fires on every copy, and each
// copy's server computes its own value.
func BodyNonDeterministic(body string) string {
	m := bodyVolatile().FindStringSubmatch(body)
	switch {
	case m == nil:
		return ""
	case m[1] != "":
		return strings.ToUpper(m[1]) + "()"
	}
	return strings.ToUpper(m[2])
}
