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
		if w == "serial" && strings.EqualFold(strings.TrimSpace(rest[before:rt.Pos]), val) {
			serial = true // the bare word: not `serial`, nor a string
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
	if s.mentionsPhysical(rest) != "" {
		return refuse()
	}
	if err := s.checkShardedDDL(alter, alter.Table, table); err != nil {
		return nil, err
	}
	if len(table.Nodes) > 1 && (autoIncrementColumn.MatchString(rest) || serial) {
		return nil, unsupported(s.sql, "ALTER TABLE that the SQL parser could not read in full, naming AUTO_INCREMENT or SERIAL for a column of sharded table %s (each node table would number its own rows: write it in syntax the parser reads, which shardsql checks; a column named serial: quote it as `serial`)", table.Name)
	}
	p := &Plan{SQL: s.sql, Kind: KindDDL, Table: table.Name, Units: make([]Unit, 0, len(table.Nodes))}
	for _, n := range table.Nodes {
		p.Units = append(p.Units, Unit{DataSource: n.DataSource, Node: n,
			SQL: head + "`" + n.Table + "`" + rest, Args: s.args})
	}
	return p, nil
}
