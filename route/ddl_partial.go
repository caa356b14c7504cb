package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (compat11): MariaDB's ALTER TABLE t ADD COLUMN IF NOT EXISTS …
// (and DROP … IF EXISTS, the idempotent forms hand-written migrations use)
// is read by the parser only up to the table name. Rendered from the parse,
// the rest of the statement would be lost, so such a statement was
// refused. Its text is instead copied for each node with only the table
// name replaced, found with the parser's tokenizer (ALTER [ONLINE|IGNORE]
// TABLE name: the name's bytes, quoted or not). The part the parser could
// not read may name other tables, which each node would meet on its own
// data source (see checkShardedDDL): the rest of the text is scanned, and
// a statement whose rest holds any name of the topology or REFERENCES,
// FOREIGN, EXCHANGE, RENAME, LIKE, SELECT or a second ALTER/TABLE keyword
// stays refused.

// partialAlterWords are the words after the table name of a partly read
// ALTER TABLE that could make it name another table or move it.
var partialAlterWords = map[string]bool{
	"references": true, "foreign": true, "exchange": true, "rename": true,
	"like": true, "select": true, "table": true, "alter": true, "partition": true,
}

// routePartialAlter plans an ALTER TABLE of a sharded table that the
// parser read only up to the table name.
func (s *statement) routePartialAlter(alter *sqlparser.AlterTable) (*Plan, error) {
	refuse := func() (*Plan, error) {
		return nil, unsupported(s.sql, "ALTER TABLE that the SQL parser could not read in full, on sharded table %s (write it in syntax the parser reads, or run it on each node table's own connection)", fullName(alter.Table))
	}
	table := s.resolve(alter.Table).sharded
	if table == nil || len(table.Nodes) == 0 {
		return refuse()
	}
	if alter.Table.Qualifier.NotEmpty() {
		// schema.t: node tables live in their own data source's database.
		return refuse()
	}
	tok := s.router.parser.NewStringTokenizer(s.sql)
	// ALTER [ONLINE] [IGNORE] TABLE name
	start, end := -1, -1
	for step := 0; start < 0; step++ {
		before := tok.Pos
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || step > 4 {
			return refuse()
		}
		switch strings.ToLower(val) {
		case "alter", "online", "ignore", "table":
			if step < 3 {
				continue
			}
		}
		end = tok.Pos
		span := strings.TrimLeft(s.sql[before:end], " \t\r\n")
		if val == "" || (span != val && span != "`"+val+"`") || !strings.EqualFold(val, alter.Table.Name.String()) {
			return refuse()
		}
		start = end - len(span)
	}
	if typ, _ := tok.Scan(); typ == '.' {
		return refuse()
	}
	head, rest := s.sql[:start], s.sql[end:]
	// The rest: no other table, nothing that could name one.
	rt := s.router.parser.NewStringTokenizer(rest)
	changes, names := false, false // ddl_sharding_column.go, for the text the parser did not read
	serial := false                // ddl_auto_increment.go
	convert := false               // CONVERT TO CHARACTER SET: every text column, the sharding column too
	for {
		before := rt.Pos
		typ, val := rt.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		w := strings.ToLower(val)
		if partialAlterWords[w] {
			return refuse()
		}
		bare := strings.EqualFold(strings.TrimSpace(rest[before:rt.Pos]), val) // not `quoted`, nor a string
		if w == "serial" && bare {
			serial = true
		}
		if w == "convert" && bare {
			convert = true
		}
		switch w {
		case "drop", "change", "modify", "convert":
			changes = true
		case strings.ToLower(table.Column), strings.ToLower(table.KeyColumn):
			names = names || w != ""
		}
	}
	if changes && names {
		return nil, unsupported(s.sql, "ALTER TABLE that the SQL parser could not read in full, changing or dropping a column of sharded table %s beside its sharding column %s or key column (write it in syntax the parser reads, which shardsql checks: the sharding column's name and type decide every row's node)", table.Name, table.Column)
	}
	if convert {
		// review20b: `ADD COLUMN IF NOT EXISTS c INT, CONVERT TO CHARACTER
		// SET latin1` names no column, yet converts a text sharding column
		// (its keys then compare and hash under another collation); the
		// fully read form is refused by checkShardingColumnDDL, so ask it.
		probe := &sqlparser.AlterTable{Table: alter.Table, AlterOptions: []sqlparser.AlterOption{&sqlparser.AlterCharset{}}}
		if err := s.checkShardingColumnDDL(probe, table); err != nil {
			return nil, err
		}
	}
	if s.mentionsPhysical(rest) != "" {
		return refuse()
	}
	if err := s.checkShardedDDL(alter, alter.Table, table); err != nil {
		return nil, err
	}
	if len(table.Nodes) > 1 && (autoIncrementColumn.MatchString(rest) || serial) {
		return nil, unsupported(s.sql, "ALTER TABLE that the SQL parser could not read in full, naming AUTO_INCREMENT or SERIAL for a column of sharded table %s (each node table would number its own rows: write it in syntax the parser reads, which shardsql checks; a column named serial: quote it as `serial`)", table.Name)
	}
	p := &Plan{SQL: s.sql, Kind: KindDDL, Table: table.Name, Units: make([]Unit, 0, len(table.Nodes)),
		AddIfNotExists: s.addedIfNotExists(rest)}
	for _, n := range table.Nodes {
		p.Units = append(p.Units, Unit{DataSource: n.DataSource, Node: n,
			SQL: head + "`" + n.Table + "`" + rest, Args: s.args})
	}
	return p, nil
}

// Hazard (review20b): the check before `ADD COLUMN IF NOT EXISTS`
// (driver/ddl_if_not_exists.go: refused when some node tables hold the
// column with values and others lack it, as a DROP COLUMN left half done)
// found the columns with a regular expression over the text, which knew
// one spelling: `ADD [COLUMN] IF NOT EXISTS name`. MariaDB also takes
// the list `ADD COLUMN IF NOT EXISTS (c INT, d INT)` and comments between
// the words; those ran unchecked, giving c its DEFAULT on the node tables
// that lacked it beside the old values elsewhere. The columns are now
// read with the parser's tokenizer, comments skipped, list or not.

// addedIfNotExists returns the columns that rest (the text after the
// table name of an ALTER TABLE) adds with ADD [COLUMN] IF NOT EXISTS.
func (s *statement) addedIfNotExists(rest string) []string {
	type token struct {
		typ  int
		word string
	}
	var toks []token
	tok := s.router.parser.NewStringTokenizer(rest)
	for {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR {
			break
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		toks = append(toks, token{typ, val})
	}
	word := func(i int, w string) bool {
		return i < len(toks) && toks[i].typ != sqlparser.STRING && strings.EqualFold(toks[i].word, w)
	}
	name := func(i int) (string, bool) {
		if i >= len(toks) || toks[i].word == "" || toks[i].typ == sqlparser.STRING {
			return "", false
		}
		return toks[i].word, true
	}
	var cols []string
	for i := 0; i < len(toks); i++ {
		if !word(i, "add") {
			continue
		}
		j := i + 1
		if word(j, "column") {
			j++
		}
		if !word(j, "if") || !word(j+1, "not") || !word(j+2, "exists") {
			continue
		}
		j += 3
		if j < len(toks) && toks[j].typ == '(' {
			// (c def, d def, …): a name after the parenthesis and after
			// each comma outside the definitions' own parentheses.
			depth, next := 0, true
			for ; j < len(toks); j++ {
				switch toks[j].typ {
				case '(':
					depth++
					if depth == 1 {
						next = true
						continue
					}
				case ')':
					depth--
				case ',':
					if depth == 1 {
						next = true
						continue
					}
				}
				if depth == 0 {
					break
				}
				if next && depth == 1 {
					if n, ok := name(j); ok {
						cols = append(cols, n)
					}
				}
				next = false
			}
			i = j
			continue
		}
		if n, ok := name(j); ok {
			cols = append(cols, n)
		}
		i = j
	}
	return cols
}
