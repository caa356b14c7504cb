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
	for {
		typ, val := tkn.Scan()
		if typ == 0 {
			items = append(items, sql[start:])
			return matchItems(items, sel)
		}
		if typ == sqlparser.LEX_ERROR {
			return nil
		}
		if typ == sqlparser.COMMENT {
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
			items = append(items, sql[start:tkn.Pos-1])
			return matchItems(items, sel)
		case typ == ')':
			depth--
		case depth == 0 && typ == ',':
			items = append(items, sql[start:tkn.Pos-1])
			start = tkn.Pos
		case depth == 0 && (typ == sqlparser.FROM || typ == sqlparser.INTO || typ == ';'):
			end := tkn.Pos - len(val)
			if typ == ';' {
				end = tkn.Pos - 1
			}
			if end < start {
				return nil
			}
			items = append(items, sql[start:end])
			return matchItems(items, sel)
		}
	}
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
		out[ae] = strings.TrimSpace(items[i])
	}
	return out
}
