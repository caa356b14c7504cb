package route

// CallsSequence marks a statement calling NEXTVAL, SETVAL or LASTVAL (a
// MariaDB sequence's functions; the parser does not read NEXT VALUE FOR).
//
// Hazard (review18f): a sequence is a table of one server — CREATE
// SEQUENCE, which shardsql does not parse, runs on the default data
// source — and each node evaluates the function on its own server. A
// statement over a sharded table that reaches other data sources failed
// there with 1146 (no such table), or, were a sequence of that name on
// every server, would draw from several sequences, and SETVAL set some
// of them; nodes of one server draw values in node order. Such a
// statement is refused unless it runs on one node of the default data
// source (checkSequence). It does not depend on the session (NEXTVAL
// changes the sequence, which every session sees): Depends ignores it.
const CallsSequence SessionUses = 1 << 19

// sequenceFuncs are the sequence functions, lower-cased.
var sequenceFuncs = map[string]bool{"nextval": true, "setval": true, "lastval": true}

// checkSequence refuses a plan calling a sequence function that runs
// anywhere but on one node of the default data source.
func (s *statement) checkSequence(p *Plan, uses SessionUses) error {
	if uses&CallsSequence == 0 || uses&TableFree != 0 {
		return nil
	}
	def := s.topo.DefaultDataSource()
	if len(p.Units) == 1 && p.Units[0].DataSource == def {
		return nil
	}
	where := "another data source than the default"
	if len(p.Units) > 1 {
		where = "several nodes"
	}
	return unsupported(s.sql, "a sequence function (NEXTVAL, SETVAL, LASTVAL) in a statement that reaches %s (a sequence lives on the default data source %s; each node would call it on its own server: call it in a statement naming no table, SELECT NEXTVAL(s), and pass the value as a ? argument)", where, def)
}
