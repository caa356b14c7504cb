package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// fromName reports whether sel's FROM clause gives one of its tables the
// name q (compared lower-cased), and whether that name is an alias (true)
// or a table's own name (false). When several do, the last one counts.
//
// The names are read from the AST when a qualified column asks, not
// collected into a map for every SELECT printed: most SELECTs print no
// qualified column, and a map was two allocations each.
func fromName(sel *sqlparser.Select, q string) (alias, ok bool) {
	var add func(te sqlparser.TableExpr)
	add = func(te sqlparser.TableExpr) {
		switch t := te.(type) {
		case *sqlparser.AliasedTableExpr:
			if !t.As.IsEmpty() {
				if lowerEqual(t.As.String(), q) {
					alias, ok = true, true
				}
				return
			}
			if tn, isName := t.Expr.(sqlparser.TableName); isName && lowerEqual(tn.Name.String(), q) {
				alias, ok = false, true
			}
		case *sqlparser.JoinTableExpr:
			add(t.LeftExpr)
			add(t.RightExpr)
		case *sqlparser.ParenTableExpr:
			for _, x := range t.Exprs {
				add(x)
			}
		}
	}
	for _, te := range sel.From {
		add(te)
	}
	return alias, ok
}

// lowerEqual reports whether a lower-cased is lower (already lower-cased).
func lowerEqual(a, lower string) bool {
	return a == lower || strings.ToLower(a) == lower
}

// qualifierIsAlias reports whether the qualifier q of a column names an
// alias, by the innermost SELECT being printed whose FROM names q (a
// correlated column reads the enclosing SELECT's names). Outside any
// SELECT that names q it falls back to the statement-wide set of aliased
// tables.
//
// Hazard: the statement-wide set alone kept every "t_kind." qualifier
// once t_kind had an alias anywhere (SELECT … FROM t_kind WHERE EXISTS
// (SELECT 1 FROM t_kind i WHERE i.user_id = t_kind.user_id)): the outer
// table, printed as its node table, was then unknown to the node.
func (r *renderer) qualifierIsAlias(q string) bool {
	q = strings.ToLower(q)
	for i := len(r.scopes) - 1; i >= 0; i-- {
		if alias, ok := fromName(r.scopes[i], q); ok {
			return alias
		}
	}
	return r.aliased[q]
}
