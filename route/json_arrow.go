package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard: the SQL parser reads MySQL's JSON operators (col->'$.a',
// col->>'$.a') and prints them as JSON_EXTRACT(…) and
// JSON_UNQUOTE(JSON_EXTRACT(…)), so the AST no longer shows them. MariaDB
// has neither operator and fails the statement with error 1064; through
// shardsql it was answered. The operators are found in the caller's text
// once per parse (cached with it), and RouteWith refuses them when the
// catalog says the servers are MariaDB (MySQL users keep them).

// jsonArrow returns the JSON operator sql uses outside strings, comments
// and quoted names ("->" or "->>"), or "".
func (r *Router) jsonArrow(sql string) string {
	if !strings.Contains(sql, "->") {
		return ""
	}
	tok := r.parser.NewStringTokenizer(sql)
	for {
		typ, _ := tok.Scan()
		switch typ {
		case 0, eofChar:
			return ""
		case sqlparser.JSON_EXTRACT_OP:
			return "->"
		case sqlparser.JSON_UNQUOTE_EXTRACT_OP:
			return "->>"
		}
	}
}
