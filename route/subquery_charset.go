package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// Hazard (review18b): a scalar subquery that selects a string literal,
// `l1 = (SELECT 'å' FROM t …)` (also <, >, <>, <=>), gives text of the
// connection's character set (utf8mb4) whose derivation is coercible but
// which is no constant of the outer statement: MariaDB converts it to a column of another
// character set (latin1) only when its repertoire is ASCII, and fails
// with error 1267 (Illegal mix of collations) otherwise. Bound as the
// literal 'å', it is a constant MariaDB converts, and the statement
// answered. Non-ASCII text bound against such a column is refused. (IN,
// NOT IN and = ANY over the same subquery answer in MariaDB, as the bound
// list does: not refused. Over MIN/MAX of the literal they fail with 1267
// too (diff18, seed 5: `l1 IN (SELECT MAX('ß') FROM y18)`, `l1 = ANY
// (SELECT MAX('é') …)`): refused.)

// literalCharsetClash returns the collation of bs's outer column when
// the scalar subquery selects a string literal (or MIN/MAX of one) and that
// column's character set is neither the literal's (utf8mb4, the
// connection's) nor binary, or is not known here; "" otherwise.
func (s *statement) literalCharsetClash(sel *sqlparser.Select, bs boundSubquery) string {
	if bs.kind != merge.SubqueryScalar && bs.kind != merge.SubqueryIn {
		return ""
	}
	outer, ok := bs.other.(*sqlparser.ColName)
	inner, isSel := bs.sub.Select.(*sqlparser.Select)
	if !ok || !isSel || len(inner.GetColumns()) != 1 {
		return ""
	}
	ae, ok := inner.GetColumns()[0].(*sqlparser.AliasedExpr)
	if !ok {
		return ""
	}
	if lit, ok := minMaxArg(ae.Expr).(*sqlparser.Literal); !ok || lit.Type != sqlparser.StrVal {
		return ""
	}
	if bs.kind == merge.SubqueryIn && minMaxArg(ae.Expr) == ae.Expr {
		// IN (SELECT 'å' …): MariaDB converts the literal and answers
		return ""
	}
	coll, known := s.collationIn(sel, outer)
	if !known {
		coll, known = s.plainColumnCollation(sel, outer) // a broadcast or unsharded table's
	}
	if !known {
		// a broadcast, unsharded or derived table's column: its character
		// set may be latin1 (`z18.l1 = (SELECT 'å' …)` fails as well)
		return "not known above the nodes"
	}
	if coll == "" {
		return "" // not text
	}
	cs, _, _ := strings.Cut(strings.ToLower(coll), "_")
	if cs == "utf8mb4" || cs == "binary" {
		return ""
	}
	return coll
}
