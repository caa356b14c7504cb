package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// callerName returns the text the caller wrote for an unaliased item of
// the statement's select list: the column name MySQL gives it
// ("COUNT(*)", not the parser's "count(*)"). Node statements alias such
// items with it, so the caller sees the names one server would give
// (sqlx's db:"COUNT(*)" tags depend on it).
func (s *statement) callerName(ae *sqlparser.AliasedExpr) (string, bool) {
	if v, ok := stringLiteralValue(ae.Expr); ok && plainName(v) {
		return v, true // MariaDB names a string's column after its value
	}
	if !s.namesDone {
		s.namesDone = true
		// a union's columns are named by its first SELECT
		if ts, ok := s.ps.stmt.(sqlparser.TableStatement); ok {
			if sel := firstSelect(ts); sel != nil {
				s.names = callerNames(s.ps.sql, sel)
			}
		}
	}
	name, ok := s.names[ae]
	return name, ok
}

// tokenParser splits statement text; only its tokenizer is used.
var tokenParser = sqlparser.NewTestParser()

// selectModifiers may follow SELECT before the first item.
var selectModifiers = map[string]bool{
	"ALL": true, "DISTINCT": true, "DISTINCTROW": true, "HIGH_PRIORITY": true, "STRAIGHT_JOIN": true,
	"SQL_SMALL_RESULT": true, "SQL_BIG_RESULT": true, "SQL_BUFFER_RESULT": true, "SQL_NO_CACHE": true,
	"SQL_CACHE": true, "SQL_CALC_FOUND_ROWS": true,
}

// callerNames splits the select list of sql at its top-level commas and
// maps each unaliased item of sel to its text (sel may be in
// parentheses: a union's first part). It returns nil when the text does
// not split into sel's items (comments): the parser's rendering is used
// then.
func callerNames(sql string, sel *sqlparser.Select) map[*sqlparser.AliasedExpr]string {
	if sel.SelectExprs == nil {
		return nil
	}
	tkn := tokenParser.NewStringTokenizer(sql)
	typ, _ := tkn.Scan()
	open := 0 // "(SELECT …) UNION …": the first SELECT in parentheses
	for typ == '(' {
		open++
		typ, _ = tkn.Scan()
	}
	if typ != sqlparser.SELECT {
		return nil
	}
	var items []string
	start, depth, first := tkn.Pos, 0, true
	// A comment before the first item or after an item (before the comma
	// or FROM) is not part of its name, as in MySQL ("COUNT(*) /* c */" is
	// named COUNT(*)); one inside an item, or after the comma before a
	// later item, is, as written: MariaDB names SUM(g /* c */),
	// MAX(g) /* x */ + 1 and `, /* x */ MAX(g)` so.
	//
	// Hazard (found by review17b): a comment inside an item made the
	// split give up, and the parser's rendering named the column
	// (sum(g), max(g) + 1, lag(g) over (order by id asc)) — on one node
	// too, where the rendering aliases the item.
	commentAt := -1
	for {
		pos := tkn.Pos
		typ, val := tkn.Scan()
		if typ == sqlparser.COMMENT {
			if depth != 0 {
				continue // inside the item: part of its text
			}
			if strings.TrimSpace(sql[start:pos]) == "" {
				// before the item: not part of the first item's name; the
				// name of a later one starts after the comma, comment and
				// all (MariaDB names `, /* x */ MAX(g)` /* x */ MAX(g))
				if len(items) == 0 {
					start = tkn.Pos
				}
			} else if commentAt < 0 {
				commentAt = pos
			}
			continue
		}
		if commentAt >= 0 {
			boundary := typ == 0 || typ == ',' || typ == ';' || typ == sqlparser.FROM || typ == sqlparser.INTO ||
				(typ == ')' && depth == 0 && open > 0)
			if !boundary {
				commentAt = -1 // the item goes on: the comment is inside it
			}
		}
		if typ == 0 {
			items = append(items, sql[start:itemEnd(len(sql), commentAt)])
			return matchItems(items, sel)
		}
		if typ == sqlparser.LEX_ERROR {
			return nil
		}
		if first {
			first = false
			if selectModifiers[strings.ToUpper(val)] {
				start = tkn.Pos
				first = true
				continue
			}
		}
		switch {
		case typ == '(':
			depth++
		case typ == ')' && depth == 0 && open > 0:
			// the end of a parenthesized first SELECT without FROM
			items = append(items, sql[start:itemEnd(tkn.Pos-1, commentAt)])
			return matchItems(items, sel)
		case typ == ')':
			depth--
		case depth == 0 && typ == ',':
			items = append(items, sql[start:itemEnd(tkn.Pos-1, commentAt)])
			start, commentAt = tkn.Pos, -1
		case depth == 0 && (typ == sqlparser.FROM || typ == sqlparser.INTO || typ == ';'):
			end := tkn.Pos - len(val)
			if typ == ';' {
				end = tkn.Pos - 1
			}
			end = itemEnd(end, commentAt)
			if end < start {
				return nil
			}
			items = append(items, sql[start:end])
			return matchItems(items, sel)
		}
	}
}

// itemEnd is where a select item's text ends: at end, or before the
// comment that follows it (commentAt, -1 for none).
func itemEnd(end, commentAt int) int {
	if commentAt >= 0 && commentAt < end {
		return commentAt
	}
	return end
}

func matchItems(items []string, sel *sqlparser.Select) map[*sqlparser.AliasedExpr]string {
	exprs := sel.SelectExprs.Exprs
	if len(items) != len(exprs) {
		return nil
	}
	out := make(map[*sqlparser.AliasedExpr]string)
	for i, e := range exprs {
		ae, ok := e.(*sqlparser.AliasedExpr)
		if !ok || !ae.As.IsEmpty() {
			continue
		}
		item := strings.TrimSpace(items[i])
		if name, ok := literalName(item); ok {
			item = name
		}
		out[ae] = item
	}
	return out
}

// literalName returns the name MariaDB gives a select item that is a
// number, TRUE, FALSE or NULL behind unary pluses and parentheses: the
// literal's own text (+1, (1), +(1) and + /*c*/ 1.50 are named 1 and 1.50;
// +TRUE and (NULL) TRUE and NULL). MariaDB's parser drops the plus and the
// parentheses and the literal keeps the name it was given when read; a
// minus, a hex or bit literal, or any other item is named by its text.
//
// Hazard (found by review17b): shardsql named such a column by the
// caller's text, +1 and (1), on one node as across nodes.
func literalName(item string) (string, bool) {
	tkn := tokenParser.NewStringTokenizer(item)
	open, wrapped := 0, false
	var lit string
	for {
		typ, val := tkn.Scan()
		switch {
		case typ == sqlparser.COMMENT:
		case typ == 0:
			return lit, wrapped && lit != "" && open == 0
		case lit == "" && (typ == '+' || typ == '('):
			wrapped = true
			if typ == '(' {
				open++
			}
		case lit == "" && (typ == sqlparser.INTEGRAL || typ == sqlparser.FLOAT || typ == sqlparser.DECIMAL ||
			typ == sqlparser.TRUE || typ == sqlparser.FALSE || typ == sqlparser.NULL):
			lit = val
			if typ == sqlparser.TRUE || typ == sqlparser.FALSE || typ == sqlparser.NULL {
				lit = strings.ToUpper(val)
			}
		case lit != "" && typ == ')' && open > 0:
			open--
		default:
			return "", false
		}
	}
}

// shareNames gives the unaliased items of to, a clone of from, the
// caller's names of from's items: callerName keys them by the parsed
// items, which a clone does not share (a semi-join's outer SELECT named
// COUNT(*) as the parser prints it, count(*)).
func (s *statement) shareNames(from, to *sqlparser.Select) {
	if from.SelectExprs == nil || to.SelectExprs == nil || len(from.SelectExprs.Exprs) != len(to.SelectExprs.Exprs) {
		return
	}
	for i, se := range from.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok || stringLiteral(ae.Expr) {
			continue // a string is named by its value, in the clone too
		}
		name, ok := s.callerName(ae)
		if !ok {
			continue
		}
		if to, ok := to.SelectExprs.Exprs[i].(*sqlparser.AliasedExpr); ok {
			s.names[to] = name
		}
	}
}

// stringLiteral reports a string literal select item ('abc', N'abc',
// _binary'abc'): MariaDB names its column after the string's value, not
// the caller's text, and a node names it so itself. An alias of the
// caller's text would name it `'abc'`; an alias of the value could not be
// written for every value (an empty or over-long name, a NUL byte).
func stringLiteral(e sqlparser.Expr) bool {
	_, ok := stringLiteralValue(e)
	return ok
}

// stringLiteralValue returns the value of a string literal (see
// stringLiteral): the name MariaDB gives its column.
func stringLiteralValue(e sqlparser.Expr) (string, bool) {
	switch e := e.(type) {
	case *sqlparser.Literal:
		return e.Val, e.Type == sqlparser.StrVal
	case *sqlparser.UnaryExpr:
		if e.Operator == sqlparser.NStringOp {
			return stringLiteralValue(e.Expr)
		}
	case *sqlparser.IntroducerExpr:
		return stringLiteralValue(e.Expr)
	}
	return "", false
}

// plainName reports a string literal's value that can name a column as
// an alias wherever a node statement writes one: not empty, no NUL, no
// leading or trailing space, at most 64 bytes. Another keeps the caller's
// text (the node names it itself where it is not aliased, render.go).
func plainName(v string) bool {
	return v != "" && len(v) <= 64 && strings.IndexByte(v, 0) < 0 && strings.TrimSpace(v) == v
}
