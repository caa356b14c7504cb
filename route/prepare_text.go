package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// SQL-level prepared statements: PREPARE s FROM …, EXECUTE s, EXECUTE
// IMMEDIATE ….
//
// Hazard (found by the round-12 attack, TestAttack12Prepare): they run on
// the default data source as they are, and the statement text inside is
// the server's to read. `PREPARE s FROM 'SELECT COUNT(*) FROM e_int'` was
// passed through (the scan for names read the string as one token), so
// EXECUTE s failed with error 1146 where one server counts the table; a
// text naming a broadcast table would write one copy only. A text shardsql
// cannot read before it runs (`PREPARE s FROM @q`, `EXECUTE IMMEDIATE
// CONCAT(…)`) may name any table. So the text must be one string literal
// that names no table of the topology (sharded, broadcast or node table,
// as a word anywhere in it); the driver's prepared statements (db.Prepare)
// route such statements.

// checkPrepareText refuses a PREPARE whose statement text is not a string
// literal, or names a table of the topology.
func (s *statement) checkPrepareText(ps *sqlparser.PrepareStmt) error {
	if lit, ok := ps.Statement.(*sqlparser.Literal); !ok || lit.Type != sqlparser.StrVal {
		return unsupported(s.sql, "PREPARE from %s, a text shardsql cannot read before the server runs it (it may name sharded or broadcast tables, which the default data source alone would answer): use the driver's prepared statements (db.Prepare), or PREPARE from a string literal naming unsharded tables only", sqlparser.String(ps.Statement))
	}
	if name := s.mentionsPhysical(s.sql); name != "" {
		return unsupported(s.sql, "PREPARE of a statement naming %s (the default data source alone would run it, against its own physical tables): use the driver's prepared statements (db.Prepare)", name)
	}
	return nil
}

// executeImmediateOpaque reports whether sql, which the parser cannot
// read, is EXECUTE IMMEDIATE or PREPARE … FROM of anything but one string
// literal (optionally followed by USING …): MariaDB takes any expression.
func (r *Router) executeImmediateOpaque(sql string) bool {
	tok := r.parser.NewStringTokenizer(sql)
	var words []string
	var types []int
	for len(words) < 6 {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		words, types = append(words, strings.ToLower(val)), append(types, typ)
	}
	text := 0 // where the statement text starts
	switch {
	case len(words) >= 2 && words[0] == "execute" && words[1] == "immediate":
		text = 2
	case len(words) >= 3 && words[0] == "prepare" && words[2] == "from":
		text = 3
	default:
		return false
	}
	if len(words) <= text || types[text] != sqlparser.STRING {
		return true
	}
	return len(words) > text+1 && words[text+1] != "using" && words[text+1] != ";"
}
