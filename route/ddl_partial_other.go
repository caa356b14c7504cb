package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review20b): a DDL statement the parser reads only up to its
// table's name (MariaDB's `ALTER TABLE … ADD COLUMN IF NOT EXISTS …`,
// `DROP COLUMN IF EXISTS …`) about a broadcast or unsharded table was
// sent as written, its unread rest unchecked, while a sharded table's is
// scanned (ddl_partial.go). On a broadcast table `…, RENAME TO b_new`
// renamed every copy while the topology kept the old name (every later
// statement on it failed), and `… REFERENCES plain (id)` (a table of the
// default data source only) applied on that data source's copy and failed
// on the others: the copies' definitions differed. On an unsharded table
// `…, RENAME TO t_order` put a table under a sharded table's logical name
// on the default data source, and `… REFERENCES t_order_0 (id)` tied it
// to one node table. The rest is now scanned: names of the topology
// (logical, physical, broadcast) are refused on either, and on a broadcast
// table also the words that name or move to another table
// (partialAlterWords), which each data source would resolve alone.

// checkPartialOther refuses a partly read DDL statement ddl about the
// broadcast or unsharded table target whose unread text names a table of
// the topology, or, for a broadcast table, could name any other table.
func (s *statement) checkPartialOther(ddl sqlparser.DDLStatement, target sqlparser.TableName) error {
	if target.Name.IsEmpty() {
		return nil
	}
	broadcast := s.resolve(target).broadcast
	what := "unsharded table"
	if broadcast != "" {
		what = "broadcast table"
	}
	refuse := func(why string) error {
		return unsupported(s.sql, "%s that the SQL parser could not read in full, on %s %s, %s (write it in syntax the parser reads, which shardsql checks, or run it on each data source's own connection)", statementName(ddl), what, fullName(target), why)
	}
	// The rest: the text after the first token naming the table.
	tok := s.router.parser.NewStringTokenizer(s.sql)
	rest := -1
	for step := 0; rest < 0; step++ {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR || step > 12 {
			return refuse("whose table name shardsql could not find in the text")
		}
		if typ != sqlparser.STRING && typ != sqlparser.COMMENT && strings.EqualFold(val, target.Name.String()) {
			rest = tok.Pos
		}
	}
	text := s.sql[rest:]
	// Identifiers and words only: a string or a comment names no table
	// (`COMMENT 'copied from orders'`); /*! … */ content is read as words.
	phys := s.physicalNames()
	rt := s.router.parser.NewStringTokenizer(text)
	for {
		before := rt.Pos
		typ, val := rt.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR {
			return nil
		}
		if typ == sqlparser.STRING || typ == sqlparser.COMMENT || val == "" {
			continue
		}
		if !strings.EqualFold(val, target.Name.String()) {
			name := ""
			if phys[strings.ToLower(val)] {
				name = val
			} else if _, ok := s.topo.Table(val); ok {
				name = val
			} else if b, ok := s.topo.BroadcastName(val); ok {
				name = b
			}
			if name != "" {
				return refuse("naming " + name + ", a table of the topology (a sharded table's name is not a table of any server, a node table is one node's part, a broadcast table has a copy on every data source)")
			}
		}
		if broadcast == "" {
			continue
		}
		w := strings.ToLower(val)
		bare := strings.EqualFold(strings.TrimSpace(text[before:rt.Pos]), val)
		if partialAlterWords[w] && bare {
			if w == "rename" {
				return refuse("with RENAME (every copy would be renamed while the topology keeps the old name: create the new table, copy the rows, and register it with AddBroadcastTable)")
			}
			return refuse("with " + strings.ToUpper(w) + " (each data source's copy would meet that data source's own tables, which may differ or be missing, leaving the copies' definitions different)")
		}
	}
}
