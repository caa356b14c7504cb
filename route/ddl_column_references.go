package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review20b): a foreign key declared on the column itself (`ADD
// COLUMN c INT REFERENCES t_plain (id)`, `CREATE TABLE t (…, c INT
// REFERENCES p (id))`, which MariaDB turns into a real FOREIGN KEY) is
// kept in the column type's options, and sqlparser.Walk treats a column
// type as a leaf: neither the foreign-key check of sharded tables
// (hasForeignKey, checkShardedDDL) nor the name checks saw it. Such an
// ALTER of a sharded table ran on every node table: where the data source
// held t_plain it added the foreign key, elsewhere it failed — node tables
// with different definitions; the same on a broadcast table's copies; and
// an unsharded table could reference a node table by its physical name.
// The column references are read here and checked like a table's FOREIGN
// KEY. The table option UNION = (t1, t2) of a MERGE table is such a leaf
// too: `CREATE TABLE m (…) ENGINE=MERGE UNION=(t_order_0, t_order_1)`
// would read one data source's node tables only; its tables are checked
// as another table named in the DDL.

// columnReferences returns the REFERENCES clauses of ddl's column
// definitions.
func columnReferences(ddl sqlparser.SQLNode) []*sqlparser.ReferenceDefinition {
	var out []*sqlparser.ReferenceDefinition
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if cd, ok := n.(*sqlparser.ColumnDefinition); ok && cd.Type != nil && cd.Type.Options != nil && cd.Type.Options.Reference != nil {
			out = append(out, cd.Type.Options.Reference)
		}
		return true, nil
	}, ddl)
	return out
}

// unionTables returns the tables of ddl's UNION = (…) table options.
func unionTables(ddl sqlparser.SQLNode) []sqlparser.TableName {
	var out []sqlparser.TableName
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if opts, ok := n.(sqlparser.TableOptions); ok {
			for _, o := range opts {
				if o != nil {
					out = append(out, o.Tables...)
				}
			}
		}
		return true, nil
	}, ddl)
	return out
}

// checkColumnReferences refuses a DDL statement on a broadcast or
// unsharded table whose column REFERENCES, or whose UNION = (…), names a
// sharded table, a node table, or, for a broadcast table, any table that
// is not broadcast (each copy would meet its own data source's table, or
// fail where there is none).
func (s *statement) checkColumnReferences(ddl sqlparser.DDLStatement) error {
	var names []sqlparser.TableName
	for _, ref := range columnReferences(ddl) {
		names = append(names, ref.ReferencedTable)
	}
	names = append(names, unionTables(ddl)...)
	if len(names) == 0 {
		return nil
	}
	broadcast := s.broadcastNames(ddl)
	for _, tn := range names {
		r := s.resolve(tn)
		switch {
		case r.sharded != nil:
			return unsupported(s.sql, "sharded table %s named in a column's REFERENCES or a MERGE table's UNION in %s (%s)", r.sharded.Name, statementName(ddl), foreignKeyAdvice)
		case r.unknown != "":
			return unsupported(s.sql, "%s", r.unknown)
		}
		if what := s.physicalTable(tn); what != "" {
			return s.physicalRefusal(tn, what)
		}
		if len(broadcast) > 0 && r.broadcast == "" {
			return unsupported(s.sql, "%s named in a column's REFERENCES or a MERGE table's UNION in %s of broadcast table %s, which is not on every data source (each copy would meet its own data source's table, or fail where there is none, leaving the copies' definitions different; make the referenced table a broadcast table too, or drop the reference)", fullName(tn), statementName(ddl), broadcast[0])
		}
	}
	return nil
}
