package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// A subquery's text values are bound as string literals (literal), whose
// coercibility lets the outer column's collation decide the comparison.
// That is MariaDB's comparison only when the two columns share a
// collation, or when MariaDB would compare in the outer column's anyway.
//
// Two columns of different character sets are both IMPLICIT: MariaDB
// converts the one whose character set the other's contains (latin1,
// cp1251, … into utf8mb4) and compares by the utf8mb4 column's
// collation; two single-byte character sets (latin1 and cp1251), or two
// collations of one character set, are an error (1267). So (charset21,
// TestCharset21SubqueryCharsets):
//   - outer utf8mb4 column, subquery text of a non-Unicode character set:
//     the plain literal, converted to utf8mb4 and compared by the outer
//     column's collation, as one server;
//   - outer column of a non-Unicode character set, subquery text utf8mb4,
//     compared by a scalar subquery (=, <, …): the plain literal would be converted into the outer column's
//     character set (failing, 1271, for 'Ж' against latin1) and compared
//     by its collation (latin1_swedish_ci: 'u' and 'ü' differ, where
//     utf8mb4_general_ci matches them). The value is written
//     convert('…' using utf8mb4) collate <the subquery column's
//     collation>: EXPLICIT, so the server converts the outer column to
//     utf8mb4 and compares by that collation, as one server;
//   - the same under IN, NOT IN, = ANY, <> ALL stays refused: MariaDB
//     compares by utf8mb4_general_ci where it runs `l IN (SELECT u …)` as
//     a semi-join (a conjunct of WHERE), but by latin1_swedish_ci under
//     NOT IN, <> ALL, in the select list or under OR ('y' matched 'ü'
//     there, not in the semi-join): no one literal answers both;
//   - anything else (both non-Unicode, other Unicode character sets, one
//     character set with two collations) stays refused.
// These collations were read from the catalog (collationClash); the text
// of the value was read through the connection, which the literal is
// written in again.

// unicodeCharsets are the character sets holding every character.
var unicodeCharsets = map[string]bool{"utf8mb4": true, "utf8mb3": true, "utf8": true, "ucs2": true, "utf16": true, "utf16le": true, "utf32": true}

// crossCharsetLiteral is the literal of text compared with a column of
// collation outer when the subquery's column has collation inner (they
// differ), or false when no literal compares as MariaDB does.
func crossCharsetLiteral(text, outer, inner string, scalar bool) (sqlparser.Expr, bool) {
	oc, _, _ := strings.Cut(strings.ToLower(outer), "_")
	ic, _, _ := strings.Cut(strings.ToLower(inner), "_")
	plainName := strings.Trim(strings.ToLower(inner), "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
	switch {
	case oc == "utf8mb4" && ic != "" && !unicodeCharsets[ic]:
		return sqlparser.NewStrLiteral(text), true
	case scalar && ic == "utf8mb4" && oc != "" && !unicodeCharsets[oc] && plainName:
		return &sqlparser.CollateExpr{
			Expr:      &sqlparser.ConvertUsingExpr{Expr: sqlparser.NewStrLiteral(text), Type: "utf8mb4"},
			Collation: strings.ToLower(inner),
		}, true
	}
	return nil, false
}
