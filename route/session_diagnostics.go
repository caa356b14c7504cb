package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// UsesDiagnostics reads the previous statement's diagnostics area: SHOW
// WARNINGS, SHOW ERRORS, SHOW COUNT(*) WARNINGS/ERRORS, @@warning_count
// and @@error_count. Like ROW_COUNT() they answer for the previous
// statement on their session, so a statement carrying it carries
// UsesStatementHistory and UsesRowCount too and the driver sends it where
// that statement ran, or refuses it (driver/session.go checkSession).
//
// Hazard (found by the round-15 attack): a statement naming no table went
// to the default data source, whose session answered for an older
// statement. On a *sql.Conn, after `SELECT CAST(s AS SIGNED) FROM t WHERE
// id = 2` (a node of ds1, warning '2x'), SHOW WARNINGS showed ds0's
// earlier warning '1x'; after a scatter over four nodes @@warning_count
// was 1 where one server counts 4; after a duplicate key error on ds1,
// SHOW ERRORS was empty.
const UsesDiagnostics SessionUses = 1 << 18

// diagnosticsUses is what reading the diagnostics area records.
const diagnosticsUses = UsesDiagnostics | UsesStatementHistory | UsesRowCount

// diagnosticsNode reports the uses of n when it reads the diagnostics
// area: SHOW WARNINGS/ERRORS, or @@[session.]warning_count/error_count.
func diagnosticsNode(n sqlparser.SQLNode) SessionUses {
	switch n := n.(type) {
	case *sqlparser.ShowBasic:
		if n.Command == sqlparser.Warnings || n.Command == sqlparser.Errors {
			return diagnosticsUses
		}
	case *sqlparser.Variable:
		if n.Scope == sqlparser.SessionScope || n.Scope == sqlparser.NoScope {
			if name := n.Name.Lowered(); name == "warning_count" || name == "error_count" {
				return diagnosticsUses
			}
		}
	}
	return 0
}

// diagnosticsText reports whether sql, a statement the parser cannot
// read, is SHOW COUNT(*) WARNINGS or SHOW COUNT(*) ERRORS.
//
// Hazard (review15a): read as whitespace-separated words, the statement
// with a comment (`/* app */ SHOW COUNT(*) WARNINGS`, as ORMs and tracing
// tag statements, or one after it) was not recognised and went to the
// default data source, which answered for an older statement (0 where
// the previous statement's server counted 1). Its tokens are read with
// the parser's tokenizer, comments skipped.
func (r *Router) diagnosticsText(sql string) bool {
	tok := r.parser.NewStringTokenizer(sql)
	var words []string
	for len(words) < 8 {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		if val == "" && typ > 0 && typ < 128 {
			val = string(rune(typ)) // ( * ) ;
		}
		words = append(words, strings.ToLower(val))
	}
	for len(words) > 0 && words[len(words)-1] == ";" {
		words = words[:len(words)-1]
	}
	return len(words) == 6 && words[0] == "show" && words[1] == "count" && words[2] == "(" && words[3] == "*" && words[4] == ")" &&
		(words[5] == "warnings" || words[5] == "errors")
}
