package route

import (
	"regexp"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// Hazard (round 16): ALTER TABLE of a sharded table that adds an
// AUTO_INCREMENT column (`ADD COLUMN c INT AUTO_INCREMENT UNIQUE`), or
// makes an existing column one (`MODIFY n INT NOT NULL AUTO_INCREMENT`),
// ran on every node table, and each numbered its own rows from 1: the
// values repeated across nodes (1, 1, 2, 2, 3), where one database numbers
// every row once (1 … 5) — different table contents, reported as success.
// (An INSERT that leaves AUTO_INCREMENT to the servers is refused for the
// same reason: uniquekeys.go.) Such an ALTER is refused on a table of
// several node tables; a MODIFY or CHANGE of a column the catalog knows
// is AUTO_INCREMENT already (widening INT to BIGINT) numbers nothing and
// runs.
//
// Hazard (review16a): SERIAL (BIGINT UNSIGNED NOT NULL AUTO_INCREMENT
// UNIQUE) and the attribute SERIAL DEFAULT VALUE (NOT NULL AUTO_INCREMENT
// UNIQUE) are AUTO_INCREMENT by another name. The parser reads neither, so
// such an ALTER takes the partly-read path (ddl_partial.go), whose text
// check looked for the word AUTO_INCREMENT only: `ADD COLUMN s SERIAL`
// numbered each node table's rows from 1 again. The partial path refuses
// an unquoted SERIAL word as well.

// checkAutoIncrementDDL refuses alter of sharded table st when it gives a
// column AUTO_INCREMENT that it does not have.
func (s *statement) checkAutoIncrementDDL(alter *sqlparser.AlterTable, st *shard.ShardedTable) error {
	if len(st.Nodes) < 2 {
		return nil
	}
	auto := func(d *sqlparser.ColumnDefinition) bool {
		return d != nil && d.Type != nil && d.Type.Options != nil && d.Type.Options.Autoincrement
	}
	already := func(name string) bool {
		t, ok := s.catalog.Table(st.Name)
		if !ok {
			return false
		}
		c, ok := t.Column(name)
		return ok && c.AutoIncrement
	}
	for _, o := range alter.AlterOptions {
		var col string
		switch o := o.(type) {
		case *sqlparser.AddColumns:
			for _, d := range o.Columns {
				if auto(d) {
					col = d.Name.String()
				}
			}
		case *sqlparser.ModifyColumn:
			if auto(o.NewColDefinition) && !already(o.NewColDefinition.Name.String()) {
				col = o.NewColDefinition.Name.String()
			}
		case *sqlparser.ChangeColumn:
			if auto(o.NewColDefinition) && (o.OldColumn == nil || !already(o.OldColumn.Name.String())) {
				col = o.NewColDefinition.Name.String()
			}
		}
		if col != "" {
			return unsupported(s.sql, "ALTER TABLE that makes %s an AUTO_INCREMENT column of sharded table %s (each of its %d node tables would number its own rows from 1, repeating values across nodes: add the column without AUTO_INCREMENT and give the rows their values, and let shard.Table.KeyGenerator generate new ones)", col, st.Name, len(st.Nodes))
		}
	}
	return nil
}

// autoIncrementColumn finds AUTO_INCREMENT as a column attribute (not the
// table option AUTO_INCREMENT = n) in text the parser could not read.
var autoIncrementColumn = regexp.MustCompile(`(?i)\bauto_increment\b\s*([^=\s]|$)`)
