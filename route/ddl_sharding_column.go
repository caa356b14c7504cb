package route

import (
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// Hazard (compat14): ALTER TABLE of a sharded table ran on every node table
// whatever it did to the columns the topology names. Renaming or dropping
// the sharding column (gorm's Migrator().RenameColumn, a hand-written
// CHANGE) succeeded on every node, after which no statement could name
// the rows' node: an INSERT by the new name was refused, one by the old
// name failed on the server, and reads scanned every node. Changing the
// sharding column's type changes how shardsql converts its values before
// the algorithm sees them (route/convert.go: an integer column hashes the
// decimal text of the integer, a text column the bytes, a DATETIME its
// canonical form), so rows placed under the old type would be looked for
// on other nodes under the new one — silently. Renaming or dropping the
// key column left shardsql generating ids for a column no longer there.
//
// So an ALTER TABLE that drops or renames the sharding column or the key
// column, or changes the sharding column's type class (as the catalog
// knows it: integer, text, or the same type otherwise) or its collation
// (CONVERT TO CHARACTER SET, an explicit COLLATE/CHARACTER SET), is
// refused before any node runs it. Widening an integer or a VARCHAR,
// NULL/NOT NULL, a default or a comment keep the conversion and run.

// checkShardingColumnDDL refuses alter (of sharded table st) when it
// renames or drops st's sharding or key column, or changes the sharding
// column's type class or collation.
func (s *statement) checkShardingColumnDDL(alter *sqlparser.AlterTable, st *shard.ShardedTable) error {
	// The column as the catalog knows it, read only for a change of it: a
	// table the catalog lacks (created a moment ago) marks the statement,
	// and the driver loads the catalog and routes it again (keys.go).
	column := func() *schema.Column {
		t, ok := s.tableFacts(st)
		if !ok {
			return nil
		}
		c, _ := t.Column(st.Column)
		return c
	}
	named := func(c *sqlparser.ColName, which string) bool {
		return c != nil && which != "" && strings.EqualFold(c.Name.String(), which)
	}
	refuse := func(what, column, role string) error {
		return unsupported(s.sql, "ALTER TABLE that %s %s, the %s of sharded table %s (every row's node was chosen by it under its current name and type: add a new column and copy the values instead, or move the rows to a new sharded table)", what, column, role, st.Name)
	}
	for _, opt := range alter.AlterOptions {
		for _, c := range []struct{ column, role string }{{st.Column, "sharding column"}, {st.KeyColumn, "key column shardsql generates"}} {
			switch o := opt.(type) {
			case *sqlparser.DropColumn:
				if named(o.Name, c.column) {
					return refuse("drops", c.column, c.role)
				}
			case *sqlparser.RenameColumn:
				if named(o.OldName, c.column) {
					return refuse("renames", c.column, c.role)
				}
			case *sqlparser.ChangeColumn:
				if named(o.OldColumn, c.column) && !strings.EqualFold(o.NewColDefinition.Name.String(), c.column) {
					return refuse("renames", c.column, c.role)
				}
			}
		}
		var def *sqlparser.ColumnDefinition
		switch o := opt.(type) {
		case *sqlparser.ChangeColumn:
			if named(o.OldColumn, st.Column) {
				def = o.NewColDefinition
			}
		case *sqlparser.ModifyColumn:
			if o.NewColDefinition != nil && strings.EqualFold(o.NewColDefinition.Name.String(), st.Column) {
				def = o.NewColDefinition
			}
		case *sqlparser.AlterCharset:
			if col := column(); col == nil || col.IsText() {
				return refuse("converts the character set of", st.Column, "sharding column")
			}
		}
		if def == nil {
			continue
		}
		if why := typeChange(column(), def.Type); why != "" {
			return refuse("changes "+why+" of", st.Column, "sharding column")
		}
	}
	return nil
}

// typeChange says how new changes the conversion of values of column col
// (nil: unknown to the catalog, so any type is a change), or "".
func typeChange(col *schema.Column, new *sqlparser.ColumnType) string {
	if col == nil || new == nil {
		return "the type (the catalog does not know the column's)"
	}
	nt := strings.ToLower(new.Type)
	probe := schema.Column{DataType: nt}
	switch {
	case col.IsInteger():
		if !probe.IsInteger() {
			return fmt.Sprintf("the type (%s to %s)", col.ColumnType, nt)
		}
		// ZEROFILL makes the column UNSIGNED as well (review16a: `MODIFY
		// k INT ZEROFILL` of a signed key clamped its negative keys to 0).
		unsigned := bool(new.Unsigned) || bool(new.Zerofill)
		if !intHolds(nt, unsigned, col.DataType, col.Unsigned) {
			return fmt.Sprintf("the range (%s to %s%s: the server clamps keys outside it, or fails on some node tables)", col.ColumnType, nt, map[bool]string{true: " unsigned"}[unsigned])
		}
		return ""
	case col.IsText():
		if !probe.IsText() {
			return fmt.Sprintf("the type (%s to %s)", col.ColumnType, nt)
		}
		if !textHolds(nt, new.Length, col) {
			return fmt.Sprintf("the length (%s to %s: the server cuts longer keys, or fails on some node tables)", col.ColumnType, sqlparser.String(new))
		}
		cs := strings.ToLower(new.Charset.Name)
		coll := ""
		if new.Options != nil {
			coll = strings.ToLower(new.Options.Collate)
		}
		// Hazard (review14): a definition without COLLATE does not keep
		// the column's collation. MODIFY/CHANGE replaces the whole
		// definition: without CHARACTER SET the column takes the table's
		// default collation, with CHARACTER SET alone that character
		// set's default (utf8mb4_general_ci, or what
		// character_set_collations says) — a utf8mb4_bin sharding column
		// widened by MODIFY name VARCHAR(80) became utf8mb4_general_ci
		// on every node, silently. Neither default is in the catalog: a
		// text sharding column's new definition must name its collation.
		if coll == "" {
			return fmt.Sprintf("the collation (a definition without COLLATE gives the column the table's or the character set's default collation, which may not be %s: repeat COLLATE %s in the definition)", col.Collation, col.Collation)
		}
		if coll != col.Collation || cs != "" && !strings.HasPrefix(col.Collation, cs+"_") || new.Charset.Binary {
			return "the collation"
		}
		return ""
	}
	got := nt
	if new.Length != nil {
		got += fmt.Sprintf("(%d", *new.Length)
		if new.Scale != nil {
			got += fmt.Sprintf(",%d", *new.Scale)
		}
		got += ")"
	}
	if have := strings.TrimSuffix(col.ColumnType, " unsigned"); got != have {
		return fmt.Sprintf("the type (%s to %s)", col.ColumnType, got)
	}
	return ""
}

// Hazard (round 16): a MODIFY of the sharding column within its class
// ran whatever it did to the range: INT to TINYINT, signed to unsigned,
// VARCHAR(10) to VARCHAR(2). Outside strict mode each node table clamped
// or cut its keys (300 to 127, 'abcdef' to 'ab'), which then route to
// other nodes — rows no point read finds; in strict mode the ALTER failed
// on the node tables holding such keys only. A new type must hold every
// value of the old one.

// intRank orders the integer types by range.
var intRank = map[string]int{"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 5}

// intHolds reports whether integer type nt (unsigned: nu) holds every
// value of ot (ou).
func intHolds(nt string, nu bool, ot string, ou bool) bool {
	n, o := intRank[nt], intRank[ot]
	if n == 0 || o == 0 {
		return false
	}
	switch {
	case ou && nu, !ou && !nu:
		return n >= o
	case ou && !nu:
		return n > o
	default: // signed to unsigned: the negatives
		return false
	}
}

// textBytes are the largest lengths in bytes of the TEXT types.
var textBytes = map[string]int64{"tinytext": 255, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295}

// textHolds reports whether text type nt (length n, nil for TEXT types)
// holds every value of column col: as many characters for CHAR and
// VARCHAR, and for a TEXT type at least four bytes for each of col's
// characters (the longest a character takes in utf8mb4).
func textHolds(nt string, n *int, col *schema.Column) bool {
	old := textLength(col.ColumnType)
	if old < 0 {
		return false // unknown: refuse
	}
	if b, ok := textBytes[nt]; ok {
		if b2, ok := textBytes[col.DataType]; ok {
			return b >= b2
		}
		return b >= 4*old
	}
	if _, ok := textBytes[col.DataType]; ok || n == nil {
		return false
	}
	return int64(*n) >= old
}

// textLength reads the length of a CHAR or VARCHAR column type
// ("varchar(10)"), or the byte length of a TEXT type; -1 when unknown.
func textLength(ct string) int64 {
	if b, ok := textBytes[strings.Fields(ct + " ")[0]]; ok {
		return b
	}
	open, end := strings.IndexByte(ct, '('), strings.IndexByte(ct, ')')
	if open < 0 || end < open {
		return -1
	}
	var n int64
	if _, err := fmt.Sscanf(ct[open+1:end], "%d", &n); err != nil {
		return -1
	}
	return n
}
