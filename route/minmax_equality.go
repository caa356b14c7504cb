package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review22): MariaDB answers MIN or MAX of a key's column under an
// equality on the key's earlier columns by one index lookup as well, of
// the constant converted to the earlier column's type: with KEY (d) on a
// DECIMAL(6,2) d (InnoDB appends the primary key k), MAX(k), COUNT(*) …
// WHERE d = 1.005 looked up d = 1.01, found one row and said 5, 1 on one
// table, where no row equals 1.005; through shardsql each node's lookup
// counted its own row (5, 2). An equality with a value the column does
// not hold exactly, on an integer, DECIMAL or time column other than the
// sharding column, under any MIN or MAX without GROUP BY, is refused. On
// the sharding column it is not: every row of the converted value lives
// on the one node table the value routes to, whose lookup is the one
// table's.

// equalityOf returns the value side of an equality cmp (col = v, or
// col IN (v) with one value, which MariaDB reads as an equality): for
// =, the right side (checkMinMaxInexact tries both sides).
func equalityOf(cmp *sqlparser.ComparisonExpr) (sqlparser.Expr, bool) {
	switch cmp.Operator {
	case sqlparser.EqualOp:
		return cmp.Right, true
	case sqlparser.InOp:
		if t, ok := cmp.Right.(sqlparser.ValTuple); ok && len(t) == 1 {
			return t[0], true
		}
	}
	return nil, false
}
