package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (attack10): the SQL parser forgets two things about a function
// call that MariaDB does not.
//
//   - Backquotes. MariaDB reads `year`(d) — a keyword-function's name in
//     backquotes — as a call of a stored function named year (errors
//     1305/1630 without one), and YEAR(d) as the built-in. The parser drops
//     the quotes and prints year(d), so the nodes computed the built-in
//     where one database calls the stored function (on one node too), and
//     a cross-node SELECT merged it as a built-in. The names whose meaning
//     the quotes change are builtins_quoted.go's.
//   - Aliases MariaDB does not have. ST_NUMINTERIORRING (MySQL's alias) is
//     read as ST_NUMINTERIORRINGS and printed so; MariaDB 10.11 has no such
//     built-in and calls a stored function of that name (error 1305 without
//     one). The same for ST_GEOMCOLLFROMTXT.
//
// Both are found in the caller's text once per parse (cached with it, as
// the JSON operators are) and refused wherever the statement runs: the
// SQL shardsql sends would call another function.

// renamedCalls are names the parser reads as a built-in it prints under
// another name, which MariaDB 10.11 does not define (a stored function's
// name there): the printed call would reach the built-in instead.
var renamedCalls = map[string]string{
	"st_numinteriorring": "ST_NUMINTERIORRINGS",
	"st_geomcollfromtxt": "ST_GEOMETRYCOLLECTIONFROMTEXT",
}

// callSpelling returns a description of the first function call in sql
// whose spelling the parser loses (a backquoted keyword-function name, or
// an alias printed as another built-in), or "". stmt, the parse of sql,
// decides whether a backquoted name followed by "(" is a call (and not,
// say, a table or an index followed by its column list).
func (r *Router) callSpelling(sql string, stmt sqlparser.Statement) string {
	if !quotedParen(sql) && !containsFold(sql, "interiorring") && !containsFold(sql, "collfromtxt") {
		return "" // the common case, without a scan
	}
	tok := r.parser.NewStringTokenizer(sql)
	var quoted map[string]bool
	prevDot := false
	var pendingName, pendingRenamed string
	pendingQuoted := false
	for {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR {
			break
		}
		if typ == sqlparser.COMMENT {
			continue // between a name and its "(" as between any tokens
		}
		if typ == '(' && pendingName != "" {
			if pendingQuoted && quotedCallNames[pendingName] {
				if quoted == nil {
					quoted = make(map[string]bool)
				}
				quoted[pendingName] = true
			} else if !pendingQuoted && pendingRenamed != "" {
				return "call of " + pendingName + ", which the SQL parser reads as the built-in " + pendingRenamed +
					" and sends under that name (MariaDB has no built-in " + pendingName + ": it calls a stored function of that name, or fails with error 1305): write " +
					pendingRenamed + " for the built-in, or call the stored function with its schema (db." + pendingName + "(…))"
			}
		}
		pendingName, pendingRenamed, pendingQuoted = "", "", false
		if !prevDot && val != "" && tok.Pos > 0 && tok.Pos <= len(sql) {
			name := strings.ToLower(val)
			if typ == sqlparser.ID && sql[tok.Pos-1] == '`' {
				pendingName, pendingQuoted = name, true
			} else if to, ok := renamedCalls[name]; ok && sql[tok.Pos-1] != '`' {
				pendingName, pendingRenamed = name, to
			}
		}
		prevDot = typ == '.'
	}
	if len(quoted) == 0 {
		return ""
	}
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if f, ok := n.(*sqlparser.FuncExpr); ok && f.Qualifier.IsEmpty() && quoted[strings.ToLower(f.Name.String())] {
			found = f.Name.String()
		}
		return found == "", nil
	}, stmt)
	if found == "" {
		return ""
	}
	return "call of `" + found + "` in backquotes, which MariaDB resolves to a stored function named " + found +
		" while the SQL parser drops the quotes and would send the built-in " + strings.ToUpper(found) +
		" (or other syntax): call the stored function with its schema (db." + found + "(…)), or write the built-in without backquotes"
}

// quotedParen reports whether a closing backquote in sql is followed, past
// blanks, by "(" or by what may start a comment: a text that may hold a
// backquoted call.
func quotedParen(sql string) bool {
	for i := strings.IndexByte(sql, '`'); i >= 0; {
		j := i + 1
		for j < len(sql) && (sql[j] == ' ' || sql[j] == '\t' || sql[j] == '\n' || sql[j] == '\r') {
			j++
		}
		if j < len(sql) && (sql[j] == '(' || sql[j] == '/' || sql[j] == '-' || sql[j] == '#') {
			return true
		}
		k := strings.IndexByte(sql[i+1:], '`')
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}
