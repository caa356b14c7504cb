package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (attack10): a sharded table's node tables (t_order_0, t_log_202507)
// live in the data sources' own databases, and an unsharded statement goes
// unchanged to the default data source. A statement naming a node table by
// its physical name therefore reached it there: `DROP TABLE t_order_0`,
// `TRUNCATE t_order_1`, `RENAME TABLE t_order_0 TO x` or `ALTER TABLE
// t_order_0 …` dropped, emptied or changed part of the live sharded table,
// `INSERT INTO t_order_0 …` placed a row where no read by its key looks, and
// a SELECT read one node's rows. One database holding the logical table has
// no such table (SHOW TABLES hides node tables, metadata.go), so it fails
// with "doesn't exist". Statements the parser cannot read were already
// refused for naming a node table (unparsed.go); parsed ones now are too.

// physicalTable returns, when tn names a node table of a sharded table (the
// name unqualified or qualified with the home data source's database,
// compared without regard to case, erring on the side of refusing) and is
// not itself a logical table, a description of it for messages; else "".
func (s *statement) physicalTable(tn sqlparser.TableName) string {
	name := tn.Name.String()
	if name == "" {
		return ""
	}
	if !tn.Qualifier.IsEmpty() {
		home, known := s.homeSource()
		if known && !strings.EqualFold(tn.Qualifier.String(), home.Database) {
			return "" // another schema's table (without the catalog: refused)
		}
	}
	for _, st := range s.topo.Tables() {
		if strings.EqualFold(st.Name, name) {
			return "" // the logical name (resolve decides by case)
		}
		for _, n := range st.Nodes {
			if strings.EqualFold(n.Table, name) {
				return n.DataSource + "." + n.Table + " (a node table of sharded table " + st.Name + ")"
			}
		}
	}
	return ""
}

// physicalRefusal is the refusal of a statement naming node table what.
func (s *statement) physicalRefusal(tn sqlparser.TableName, what string) error {
	return unsupported(s.sql, "table %s, which is %s: one database holding the logical table has no such table, and shardsql would reach that node alone (name the logical table, or run the statement on the data source's own connection)", fullName(tn), what)
}

// mentionsNodeTable returns a node table's name (not also a logical one)
// that text holds as a whole word anywhere, without regard to case or
// qualifier (erring on the side of refusing), or "": the check of the
// statements whose tables the parse keeps opaque (OPTIMIZE, REPAIR, …).
func (s *statement) mentionsNodeTable(text string) string {
	phys := s.physicalNames()
	for _, st := range s.topo.Tables() {
		delete(phys, strings.ToLower(st.Name))
	}
	isWord := func(c byte) bool {
		return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	for i := 0; i < len(text); {
		if !isWord(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isWord(text[j]) {
			j++
		}
		if w := text[i:j]; phys[strings.ToLower(w)] {
			return w
		}
		i = j
	}
	return ""
}
