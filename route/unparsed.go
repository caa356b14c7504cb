package route

import (
	"strings"
)

// parseError is a statement the SQL parser cannot read.
type parseError struct {
	sql string
	err error
}

func (e *parseError) Error() string {
	return "shardsql: cannot parse " + `"` + quote(e.sql) + `": ` + e.err.Error()
}

func (e *parseError) Unwrap() error { return e.err }

// reason is the parser's complaint, one line ("syntax error at position 12
// near 'x'"), without its error-code header.
func (e *parseError) reason() string {
	for _, line := range strings.Split(e.err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "Code:") {
			return line
		}
	}
	return "syntax error"
}

// routeUnparsed plans a statement the parser cannot read (MariaDB-only
// syntax the parser does not know, or a mistake the server will report).
//
// Hazard: such a statement may write to or read a sharded table, and sent
// to one data source it would touch only that data source's node table —
// or a node table by its physical name. Its tables cannot be read from a
// parse, so its text is scanned with the parser's tokenizer instead: every
// identifier, string and comment is checked for a name of the topology,
// logical or physical (by mentionsLogical's rules for logical names, and
// without regard to case for physical ones, erring on the side of
// refusing). A statement that names none goes unchanged to the default
// data source (or the WithDataSource hint), where the server reads it as
// one database would; one that names any is refused with the parser's
// one-line complaint, never its dump.
func (r *Router) routeUnparsed(pe *parseError, args []any, opts Options) (*Plan, error) {
	sql := pe.sql
	s := &statement{router: r, sql: sql, args: args, topo: r.topo, hintDS: opts.DataSource, version: r.topo.Version(), catalog: opts.Catalog}
	if opts.DataSource != "" {
		if _, ok := r.topo.DataSource(opts.DataSource); !ok {
			return nil, pe
		}
	}
	switch r.txControlText(sql) {
	case "":
	case "lock", "unlock":
		return nil, unsupported(sql, "LOCK/UNLOCK TABLES in a spelling the SQL parser cannot read (%s) (table locks cannot be held across pooled shard connections, and would run on one data source only: for a migration lock use SELECT GET_LOCK(name, timeout) … RELEASE_LOCK(name); to lock rows, SELECT … FOR UPDATE in a transaction)", pe.reason())
	default:
		// tx_control_text.go
		return nil, unsupported(sql, "transaction control in SQL text the SQL parser cannot read (%s) (it would run on one data source only: use db.BeginTx, tx.Commit and tx.Rollback, and SAVEPOINT name, ROLLBACK TO SAVEPOINT name, RELEASE SAVEPOINT name)", pe.reason())
	}
	name, err := s.mentionsLogical(r.parser, sql)
	if err != nil {
		return nil, err
	}
	if name == "" {
		for _, c := range versionedComments(sql) {
			if name, err = s.mentionsLogical(r.parser, commentBody(c)); err != nil || name != "" {
				break
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if name == "" {
		name = s.mentionsPhysical(sql)
	}
	if name != "" {
		return nil, unsupported(sql, "statement the SQL parser cannot read (%s) naming table %s (write it in syntax the parser reads, or run it on the data source's own connection)", pe.reason(), name)
	}
	if r.unparsedSet(sql) {
		// A SET whose variable the parser takes for a keyword (SET
		// timestamp = …, SET SESSION sql_buffer_result = 1, SET
		// last_insert_id = 5) went to the default data source alone:
		// the session's statements on the other data sources then ran
		// without it (found by the round-11 attack: NOW() answered the
		// real time on ds1 after SET timestamp, the fixed one on ds0).
		return nil, unsupported(sql, "SET statement the SQL parser cannot read (%s): shardsql could run it on one data source only, so the session's statements on the others would not see it (write the variable as @@SESSION.name, which it reads and runs on every data source)", pe.reason())
	}
	if r.executeImmediateOpaque(sql) || r.executeImmediateOpaque(r.mariaText(sql)) { // first_words.go
		// Its text may name any table (prepare_text.go).
		return nil, unsupported(sql, "EXECUTE IMMEDIATE or PREPARE of a text shardsql cannot read before the server runs it (it may name sharded or broadcast tables, which the default data source alone would answer): use the driver's statements, or EXECUTE IMMEDIATE a string literal naming unsharded tables only")
	}
	if words := r.firstWords(sql, 2); len(words) == 2 && words[0] == "get" && len(r.topo.DataSources()) > 1 &&
		(words[1] == "diagnostics" || words[1] == "current" || words[1] == "stacked") {
		// It reads the previous statement's diagnostics and assigns
		// user variables, both on the one data source it would run on
		// (round 15: GET DIAGNOSTICS @n = NUMBER after a scatter gave
		// ds0's 1 where one server counts 4; @n was then set on ds0
		// only). session_diagnostics.go reads them where they are.
		return nil, unsupported(sql, "GET DIAGNOSTICS (it would read one data source's diagnostics and set the variables there only): read SHOW WARNINGS, SHOW COUNT(*) WARNINGS or @@warning_count, which shardsql sends where the previous statement ran")
	}
	if r.xaStart(sql) {
		// An XA transaction started in text would hold the session's
		// later statements (sharded or not) on one data source only,
		// uncommitted until an XA COMMIT the other data sources never see.
		return nil, unsupported(sql, "XA START in SQL text (shardsql runs transactions itself: use db.BeginTx, with driver.WithXA for two-phase commit)")
	}
	p, err := s.passthrough(KindOther)
	if err == nil {
		p.ImplicitCommit = r.implicitCommitText(sql) // implicit_commit_text.go
		p.MayCommit = r.isCall(sql)
	}
	switch {
	case err != nil:
	case r.diagnosticsText(sql):
		// It reads the previous statement's diagnostics, where that
		// statement ran (session_diagnostics.go), and changes nothing.
		p.Session |= diagnosticsUses | TableFree
	default:
		// Its effect on the session cannot be read: the connection is not
		// handed to another session (LeavesState).
		p.Session |= LeavesState
	}
	return p, err
}

// mentionsPhysical returns a name of the topology — a node table, a
// sharded or a broadcast table — that sql holds as a whole word anywhere
// (identifiers, strings, comments; without regard to case), or "".
func (s *statement) mentionsPhysical(sql string) string {
	phys := s.physicalNames()
	isWord := func(c byte) bool {
		return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	for i := 0; i < len(sql); {
		if !isWord(sql[i]) {
			i++
			continue
		}
		j := i
		for j < len(sql) && isWord(sql[j]) {
			j++
		}
		w := sql[i:j]
		if phys[strings.ToLower(w)] {
			return w
		}
		if _, ok := s.topo.Table(w); ok {
			return w
		}
		if b, ok := s.topo.BroadcastName(w); ok {
			return b
		}
		i = j
	}
	return ""
}
