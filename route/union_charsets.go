package route

import (
	"slices"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (union22): MariaDB gives each text column of a UNION one
// collation, aggregated from its SELECTs left to right as for any
// function of several strings; two implicit columns of different
// character sets of which neither is Unicode (latin1 and cp1251) cannot
// be aggregated, and the statement fails with error 1267/1270 "Illegal mix
// of collations … for operation 'UNION'" — even a UNION ALL, which
// compares nothing. The Union operator above the nodes only concatenates
// rows (each node sends them converted to the connection's utf8mb4), so
// `SELECT w FROM t_cp1251 UNION ALL SELECT l FROM t_latin1` returned rows
// where one server fails. The router folds the parts' character sets as
// MariaDB does (a Unicode or binary part absorbs the others, string
// literals and numbers defer) and refuses the union when the fold fails
// or depends on a part whose character set is not known here.

// unionCS is what the router knows of a union part's text column: its
// derivation class and character set.
type unionCS struct {
	class int
	cs    string // charset of csImplicit and csExplicit
}

const (
	csCoercible = iota // a literal, NULL, a number: defers to the others
	csAbsorbing        // a Unicode or binary implicit string: converts the others to it
	csImplicit         // a non-Unicode column (latin1, cp1251, …)
	csExplicit         // COLLATE of a non-Unicode collation
	csUnknown          // not known here
)

// unicodeCharset reports whether MariaDB converts the other character
// sets to cs in an aggregation of equal derivation (Unicode, or binary).
func unicodeCharset(cs string) bool {
	switch strings.ToLower(cs) {
	case "utf8", "utf8mb3", "utf8mb4", "ucs2", "utf16", "utf16le", "utf32", "binary":
		return true
	}
	return false
}

// charsetOfCollation is the character set a collation name belongs to.
func charsetOfCollation(coll string) string {
	coll = strings.ToLower(coll)
	if i := strings.IndexByte(coll, '_'); i > 0 {
		return coll[:i]
	}
	return coll
}

// implicitCS is the class of a string of character set cs.
func implicitCS(cs string) unionCS {
	if unicodeCharset(cs) {
		return unionCS{class: csAbsorbing}
	}
	return unionCS{class: csImplicit, cs: strings.ToLower(cs)}
}

// unionPartCS classifies select item e of sel.
func (s *statement) unionPartCS(sel *sqlparser.Select, e sqlparser.Expr) unionCS {
	switch x := minMaxArg(e).(type) {
	case *sqlparser.Literal, *sqlparser.NullVal, *sqlparser.IntroducerExpr, sqlparser.BoolVal:
		return unionCS{class: csCoercible}
	case *sqlparser.ColName:
		return s.columnCS(sel, x)
	case *sqlparser.ConvertUsingExpr:
		return implicitCS(x.Type)
	case *sqlparser.CastExpr:
		return castCS(x.Type)
	case *sqlparser.ConvertExpr:
		return castCS(x.Type)
	case *sqlparser.CollateExpr:
		cs := charsetOfCollation(x.Collation)
		if unicodeCharset(cs) {
			return unionCS{class: csAbsorbing}
		}
		return unionCS{class: csExplicit, cs: cs}
	}
	// Another expression: a function of text columns of one character
	// set has that set (CONCAT, UPPER, LEFT, …; one that returns other
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
	return implicitCS(charsetOfCollation(coll))
}

// castCS classifies CAST(… AS t): text in t's character set, or in the
// connection's (not known here) without one.
func castCS(t *sqlparser.ConvertType) unionCS {
	if t == nil {
		return unionCS{class: csUnknown}
	}
	switch strings.ToLower(t.Type) {
	case "char", "nchar", "varchar":
	case "binary":
		return unionCS{class: csAbsorbing}
	default:
		return unionCS{class: csCoercible} // a number or a temporal value
	}
	if t.Charset.Binary {
		return unionCS{class: csAbsorbing}
	}
	if strings.EqualFold(t.Type, "nchar") {
		return unionCS{class: csAbsorbing} // utf8mb3
	}
	if t.Charset.Name == "" {
		// the connection's character set: utf8mb4 by default, but the
		// DSN may name another (review20a)
		return unionCS{class: csUnknown}
	}
	return implicitCS(t.Charset.Name)
}

// foldUnionCS aggregates part p into cur as MariaDB aggregates two
// strings' collations; ok is false where MariaDB fails (or may fail:
// either side not known here).
func foldUnionCS(cur, p unionCS) (unionCS, bool) {
	switch {
	case p.class == csCoercible:
		return cur, true
	case cur.class == csCoercible:
		return p, true
	case cur.class == csExplicit || p.class == csExplicit:
		// an explicit non-Unicode collation wins over a string of its own
		// character set and fails against any other (a Unicode one too)
		named := func(x unionCS) bool { return x.class == csExplicit || x.class == csImplicit }
		if !named(cur) || !named(p) || cur.cs != p.cs {
			return cur, false
		}
		return unionCS{class: csExplicit, cs: cur.cs}, true
	case cur.class == csAbsorbing || p.class == csAbsorbing:
		return unionCS{class: csAbsorbing}, true
	case cur.class == csUnknown && p.class == csUnknown:
		return cur, true // as before: the parts' own servers decide nothing here
	case cur.class == csUnknown || p.class == csUnknown:
		return cur, false
	}
	return cur, cur.cs == p.cs
}

// unionCharsets refuses union n when MariaDB fails (or may fail) to
// aggregate a text column's character sets across its SELECTs.
func (s *statement) unionCharsets(n *sqlparser.Union) error {
	var leaves []*sqlparser.Select
	var walk func(sqlparser.TableStatement)
	walk = func(t sqlparser.TableStatement) {
		switch t := t.(type) {
		case *sqlparser.Union:
			walk(t.Left)
			walk(t.Right)
		case *sqlparser.Select:
			leaves = append(leaves, t)
		}
	}
	walk(n)
	if len(leaves) < 2 {
		return nil
	}
	width := len(leaves[0].GetColumns())
	for c := 0; c < width; c++ {
		var cur unionCS
		var names []string
		for _, sel := range leaves {
			items := sel.GetColumns()
			p := unionCS{class: csUnknown}
			if c < len(items) {
				if ae, ok := items[c].(*sqlparser.AliasedExpr); ok {
					p = s.unionPartCS(sel, ae.Expr)
					if (p.class == csImplicit || p.class == csExplicit) && !slices.Contains(names, p.cs) {
						names = append(names, p.cs)
					}
				}
			}
			next, ok := foldUnionCS(cur, p)
			if !ok {
				what := "a character set not known here"
				if len(names) >= 2 {
					what = strings.Join(names, " and ")
				}
				return unsupported(s.sql, "UNION across data sources of text column %d in %s (convert the column to one character set in every SELECT, CONVERT(col USING utf8mb4): MariaDB fails with error 1267 Illegal mix of collations for operation 'UNION' where it cannot convert one to the other, as latin1 and cp1251)", c+1, what)
			}
			cur = next
		}
	}
	return nil
}
