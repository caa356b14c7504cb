package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (ddl22): a column DEFAULT that takes a SEQUENCE's value
// (`ADD COLUMN n BIGINT DEFAULT NEXTVAL(s)`, `NEXT VALUE FOR s`) is
// evaluated by each node table's server against the sequence of its own
// database. CREATE SEQUENCE goes to the default data source only, so the
// ALTER of a sharded table applied there and failed on the other data
// sources' node tables (1146), and with a sequence of that name on each
// data source (made through a hint or by hand) it ran everywhere and
// each data source gave the same numbers to different rows, where one
// database numbers every row once — AUTO_INCREMENT's hazard
// (ddl_auto_increment.go) under another spelling; a broadcast table's
// copies took different values for the same row. Such DDL of a sharded
// table of several node tables, or of a broadcast table, is refused
// before any server runs it, whichever way the parser reads it (the
// parser does not read `DEFAULT NEXTVAL(s)` without parentheses: the
// caller's text is scanned).

// sequenceCall returns the first call of a SEQUENCE function in the
// statement's text outside strings, comments and quoted names
// ("NEXTVAL()", "NEXT VALUE FOR", …), or "".
func (s *statement) sequenceCall() string {
	tok := s.router.parser.NewStringTokenizer(s.sql)
	var words []string // bare words lower-cased, "(" for an opening parenthesis, "" for anything else
	for {
		before := tok.Pos
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		switch {
		case typ == '(':
			words = append(words, "(")
		case val != "" && strings.EqualFold(strings.TrimSpace(s.sql[before:tok.Pos]), val):
			words = append(words, strings.ToLower(val))
		default:
			words = append(words, "")
		}
	}
	for i, w := range words {
		switch w {
		case "nextval", "lastval", "setval":
			if i+1 < len(words) && words[i+1] == "(" {
				return strings.ToUpper(w) + "()"
			}
		case "next", "previous":
			if i+2 < len(words) && words[i+1] == "value" && words[i+2] == "for" {
				return strings.ToUpper(w) + " VALUE FOR"
			}
		}
	}
	return ""
}

// checkSequenceDDL refuses a DDL of sharded table names[0] (of several
// node tables) or of a broadcast table that calls a SEQUENCE function.
func (s *statement) checkSequenceDDL(ddl sqlparser.DDLStatement, names []string) error {
	what := ""
	if len(names) > 0 {
		if st, ok := s.topo.Table(names[0]); ok && len(st.Nodes) > 1 {
			what = "sharded table " + st.Name + " (each node table's server would take values from the sequence of its own database, giving the same numbers to different rows"
		}
	} else if b := s.broadcastNames(ddl); len(b) > 0 && len(s.topo.DataSources()) > 1 {
		what = "broadcast table " + b[0] + " (each data source's copy would take values from the sequence of its own database, giving one row different values"
	}
	if what == "" {
		return nil
	}
	call := s.sequenceCall()
	if call == "" {
		return nil
	}
	return unsupported(s.sql, "%s of a SEQUENCE in a DDL of %s, where one database numbers every row once: leave the DEFAULT out, and let shard.Table.KeyGenerator generate the values or pass them as arguments)", call, what)
}
