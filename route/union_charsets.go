package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (union22): MariaDB gives each text column of a UNION one
// collation, aggregated from its SELECTs left to right as for any
// function of several strings, and fails where it cannot — even a UNION
// ALL, which compares nothing: two implicit columns of different
// character sets of which neither is Unicode (latin1 and cp1251: error
// 1267/1270 "Illegal mix of collations … for operation 'UNION'"), or of
// one character set and two collations of which neither is binary
// (utf8mb4_general_ci and utf8mb4_unicode_ci: error 1271). The Union
// operator above the nodes only concatenates rows (each node sends them
// converted to the connection's utf8mb4), so `SELECT w FROM t_cp1251
// UNION ALL SELECT l FROM t_latin1` returned rows where one server fails.
// The router folds the parts' collations as MariaDB does (a Unicode
// character set absorbs the others, a _bin collation the others of its
// character set, an explicit COLLATE wins over implicit ones of its
// character set, string literals and numbers defer) and refuses the union
// when the fold fails or depends on a part whose collation is not known
// here.

// unionCS is what the router knows of a union part's text column: its
// derivation class and collation.
type unionCS struct {
	class int
	coll  string // lower case, for csImplicit and csExplicit
}

const (
	csCoercible = iota // a literal, NULL, a number: defers to the others
	csImplicit         // a column (or a function of columns of one collation)
	csExplicit         // COLLATE
	csUnknown          // text whose collation is not known here
)

// cs is the character set of x's collation.
func (x unionCS) cs() string {
	if i := strings.IndexByte(x.coll, '_'); i > 0 {
		return x.coll[:i]
	}
	return x.coll
}

// binSort reports a binary collation (MariaDB's MY_CS_BINSORT): it wins
// over the other collations of its character set.
func (x unionCS) binSort() bool {
	return x.coll == "binary" || strings.HasSuffix(x.coll, "_bin")
}

// unicodeCharset reports whether cs is a Unicode character set.
func unicodeCharset(cs string) bool {
	switch cs {
	case "utf8", "utf8mb3", "utf8mb4", "ucs2", "utf16", "utf16le", "utf32":
		return true
	}
	return false
}

// supersetOf reports whether MariaDB converts b to a's character set
// where both have one derivation (left_is_superset): a Unicode set over
// another, utf8mb4 over utf8mb3, binary over anything.
func supersetOf(a, b unionCS) bool {
	ac, bc := a.cs(), b.cs()
	switch {
	case ac == "binary":
		return true
	case !unicodeCharset(ac):
		return false
	case !unicodeCharset(bc):
		return true
	}
	return (ac == "utf8mb4" || ac == "utf32") && bc != ac
}

// implicitColl is the class of a column of collation coll.
func implicitColl(coll string) unionCS {
	return unionCS{class: csImplicit, coll: strings.ToLower(coll)}
}

// unionPartCS classifies select item e of sel.
func (s *statement) unionPartCS(sel *sqlparser.Select, e sqlparser.Expr) unionCS {
	switch x := minMaxArg(e).(type) {
	case *sqlparser.Literal, *sqlparser.NullVal, *sqlparser.IntroducerExpr, sqlparser.BoolVal:
		return unionCS{class: csCoercible}
	case *sqlparser.ColName:
		return s.columnCS(sel, x)
	case *sqlparser.CollateExpr:
		return unionCS{class: csExplicit, coll: strings.ToLower(x.Collation)}
	case *sqlparser.ConvertUsingExpr:
		if coll, ok := defaultCollation[strings.ToLower(x.Type)]; ok {
			return implicitColl(coll)
		}
		return unionCS{class: csUnknown}
	case *sqlparser.CastExpr, *sqlparser.ConvertExpr:
		// text in a character set's default collation, or the
		// connection's: not known here (a number or a temporal CAST is
		// not text, but a union of it with text is refused by type)
		if c, ok := x.(*sqlparser.CastExpr); ok && !castsToText(c.Type) {
			return unionCS{class: csCoercible}
		}
		if c, ok := x.(*sqlparser.ConvertExpr); ok && !castsToText(c.Type) {
			return unionCS{class: csCoercible}
		}
		return unionCS{class: csUnknown}
	}
	// Another expression: a function of text columns of one collation
	// has that collation (CONCAT, UPPER, LEFT, …; one that returns other
	// text, HEX, is refused where it need not be); an expression of no
	// text column is a number or a constant string.
	out := unionCS{class: csCoercible}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		var c unionCS
		switch x := n.(type) {
		case *sqlparser.ColName:
			c = s.columnCS(sel, x)
		case *sqlparser.ConvertUsingExpr, *sqlparser.CastExpr, *sqlparser.ConvertExpr, *sqlparser.CollateExpr,
			*sqlparser.Subquery, *sqlparser.IntroducerExpr:
			c = unionCS{class: csUnknown}
		default:
			return true, nil
		}
		switch {
		case c.class == csCoercible:
		case out.class == csCoercible:
			out = c
		case c != out:
			out = unionCS{class: csUnknown}
		}
		return out.class != csUnknown, nil
	}, e)
	return out
}

// defaultCollation is MariaDB 10.11's default collation of a few
// character sets (CONVERT(x USING cs) has it).
var defaultCollation = map[string]string{
	"utf8mb4": "utf8mb4_general_ci", "utf8mb3": "utf8mb3_general_ci", "utf8": "utf8mb3_general_ci",
	"latin1": "latin1_swedish_ci", "cp1251": "cp1251_general_ci", "ascii": "ascii_general_ci", "binary": "binary",
}

// castsToText reports a CAST/CONVERT to a string type.
func castsToText(t *sqlparser.ConvertType) bool {
	if t == nil {
		return true
	}
	switch strings.ToLower(t.Type) {
	case "char", "nchar", "varchar", "binary":
		return true
	}
	return false
}

// columnCS classifies a column of sel by the catalog.
func (s *statement) columnCS(sel *sqlparser.Select, col *sqlparser.ColName) unionCS {
	coll, known := s.collationIn(sel, col)
	if !known {
		coll, known = s.plainColumnCollation(sel, col)
	}
	switch {
	case !known:
		return unionCS{class: csUnknown}
	case coll == "":
		return unionCS{class: csCoercible} // not text
	}
	return implicitColl(coll)
}

// foldUnionCS aggregates part p into cur as MariaDB aggregates two
// strings' collations (DTCollation::aggregate; a result without a
// collation fails the UNION); ok is false where MariaDB fails, or may
// (a side not known here).
func foldUnionCS(cur, p unionCS) (unionCS, bool) {
	switch {
	case p.class == csCoercible:
		return cur, true
	case cur.class == csCoercible:
		return p, true
	case cur.class == csUnknown && p.class == csUnknown:
		return cur, true // as before: nothing is known of either
	case cur.class == csUnknown || p.class == csUnknown:
		return cur, false
	case cur.coll == p.coll:
		if p.class == csExplicit {
			return p, true
		}
		return cur, true
	case cur.cs() == p.cs():
		switch {
		case cur.class != p.class: // the explicit one wins
			if p.class == csExplicit {
				return p, true
			}
			return cur, true
		case cur.class == csExplicit:
			return cur, false // two explicit collations
		case cur.binSort() && !p.binSort():
			return cur, true
		case p.binSort() && !cur.binSort():
			return p, true
		}
		return cur, false // no collation: error 1271
	}
	// different character sets
	switch {
	case cur.class == p.class && supersetOf(cur, p):
		return cur, true
	case cur.class == p.class && supersetOf(p, cur):
		return p, true
	case cur.class == csExplicit && p.class == csImplicit && unicodeCharset(cur.cs()):
		return cur, true
	case p.class == csExplicit && cur.class == csImplicit && unicodeCharset(p.cs()):
		return p, true
	}
	return cur, false
}

// unionCharsets refuses union n when MariaDB fails (or may fail) to
// aggregate a text column's collations across its SELECTs.
func (s *statement) unionCharsets(n *sqlparser.Union) error {
	leaves := unionLeaves(n)
	if len(leaves) < 2 {
		return nil
	}
	width := len(leaves[0].GetColumns())
	for c := 0; c < width; c++ {
		var cur unionCS
		nonASCII := false // a coercible part spells text outside ASCII
		for _, sel := range leaves {
			items := sel.GetColumns()
			p := unionCS{class: csUnknown}
			if c < len(items) {
				if ae, ok := items[c].(*sqlparser.AliasedExpr); ok {
					p = s.unionPartCS(sel, ae.Expr)
					if p.class == csCoercible && nonASCIIString(ae.Expr) {
						nonASCII = true
					}
				}
			}
			next, ok := foldUnionCS(cur, p)
			if !ok {
				what := "a collation not known here"
				if p.class != csUnknown && cur.class != csUnknown {
					what = cur.coll + " and " + p.coll
				}
				return unsupported(s.sql, "UNION across data sources of text column %d in %s (convert or collate the column to one collation in every SELECT, CONVERT(col USING utf8mb4) COLLATE utf8mb4_bin: MariaDB fails with error 1267/1271 Illegal mix of collations for operation 'UNION' where it cannot convert one to the other, as latin1_swedish_ci and cp1251_general_ci, or utf8mb4_general_ci and utf8mb4_unicode_ci)", c+1, what)
			}
			cur = next
		}
		if nonASCII && (cur.class == csImplicit || cur.class == csExplicit) && !unicodeCharset(cur.cs()) {
			return unsupported(s.sql, "UNION across data sources of text column %d in %s beside a string literal outside ASCII (MariaDB converts the literal to the column's character set and fails with error 1267 Illegal mix of collations where it cannot, as 'Ж' beside latin1; write the literal in the column's character set with an introducer and COLLATE, or convert the column with CONVERT(col USING utf8mb4) in every SELECT)", c+1, cur.coll)
		}
	}
	return nil
}

// nonASCIIString reports a string literal in e holding a byte outside
// ASCII.
//
// Hazard (review22): the fold lets a literal defer to the other parts'
// collation, as MariaDB does, but MariaDB then converts the literal into
// that collation's character set and fails the UNION (error 1267) when a
// character has no place there: SELECT l FROM t_latin1 UNION ALL SELECT
// 'Ж' failed on one server and returned both rows through shardsql.
// ASCII converts into every character set this fold knows; a literal
// outside it beside a non-Unicode column is refused.
func nonASCIIString(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if lit, ok := n.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal {
			for i := 0; i < len(lit.Val); i++ {
				if lit.Val[i] >= 0x80 {
					found = true
				}
			}
		}
		return !found, nil
	}, e)
	return found
}
