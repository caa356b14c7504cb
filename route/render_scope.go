package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// fromScope maps the names a SELECT's FROM gives its tables (lower case)
// to whether the name is an alias (true) or a table's own name (false).
type fromScope map[string]bool

// scopeOfFrom collects the names sel's FROM clause gives its tables.
func scopeOfFrom(sel *sqlparser.Select) fromScope {
	sc := fromScope{}
	var add func(te sqlparser.TableExpr)
	add = func(te sqlparser.TableExpr) {
		switch t := te.(type) {
		case *sqlparser.AliasedTableExpr:
			if !t.As.IsEmpty() {
				sc[strings.ToLower(t.As.String())] = true
				return
			}
			if tn, ok := t.Expr.(sqlparser.TableName); ok {
				sc[strings.ToLower(tn.Name.String())] = false
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
	return sc
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
		if alias, ok := r.scopes[i][q]; ok {
			return alias
		}
	}
	return r.aliased[q]
}
