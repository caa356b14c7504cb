package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// resolved is what one table name written in a statement refers to.
//
// Hazard: the topology knows logical names only ("t_order"), while the
// server resolves a name by schema and, on Linux, case-sensitively. Matching
// by bare name case-insensitively made `DROP TABLE archive.t_order` (another
// schema's unsharded table) drop every physical table of the sharded
// t_order, and made `T_ORDER` (a different table to a server with
// lower_case_table_names = 0) the sharded one. Every place that asks "is this
// name a sharded or broadcast table?" goes through statement.resolve, which
// answers as the server would, or says it cannot tell.
type resolved struct {
	// sharded is the logical sharded table the name is, or nil.
	sharded *shard.ShardedTable
	// broadcast is the broadcast table the name is (as added), or "".
	broadcast string
	// unknown, when set, says why the name cannot be told apart from a
	// sharded or broadcast table without the servers' catalog: the
	// statement must be refused.
	unknown string
	// needsCatalog reports an answer that the home data source's entry in
	// the catalog, which is missing, would decide (see ErrSchemaUnknown).
	needsCatalog bool
}

// logical reports whether the name is a table of the topology.
func (r resolved) logical() bool { return r.sharded != nil || r.broadcast != "" }

// homeDataSource is where statements on tables the topology does not know
// go: the WithDataSource hint, or the default data source. Its server's
// database and lower_case_table_names decide what names mean.
func (s *statement) homeDataSource() string {
	if s.hintDS != "" {
		return s.hintDS
	}
	return s.topo.DefaultDataSource()
}

// homeSource is the catalog's entry for homeDataSource, false when the
// catalog is nil or lacks it.
func (s *statement) homeSource() (schema.Source, bool) {
	return s.catalog.Source(s.homeDataSource())
}

// sameName compares two table or database names as a server with the given
// lower_case_table_names does: 0 compares bytes, 1 and 2 ignore case.
func sameName(a, b string, lowerCaseTableNames int) bool {
	if lowerCaseTableNames == 0 {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// resolve says what table name tn refers to:
//
//   - a name spelled like a sharded or broadcast table, unqualified or
//     qualified with the home data source's own database, is that table;
//   - a name qualified with another schema is another table (the statement
//     goes unchanged to the home data source, where that schema lives),
//     unless the schema is another data source's own database, which is
//     refused: on the home server it would name something else;
//   - with lower_case_table_names = 0, a name whose case differs from the
//     registered one is another table;
//   - without a catalog (or without the home data source in it), names
//     compare case-insensitively as before, and a qualified name spelled
//     like a sharded or broadcast table cannot be decided: refused.
func (s *statement) resolve(tn sqlparser.TableName) resolved {
	r := s.resolveName(tn)
	if r.needsCatalog {
		s.lacksFact()
	}
	return r
}

// resolveName is resolve without marking the statement.
func (s *statement) resolveName(tn sqlparser.TableName) resolved {
	name := tn.Name.String()
	if name == "" {
		return resolved{}
	}
	var r resolved
	registered := ""
	if st, ok := s.topo.Table(name); ok {
		r.sharded, registered = st, st.Name
	} else if b, ok := s.topo.BroadcastName(name); ok {
		r.broadcast, registered = b, b
	} else {
		return resolved{}
	}
	src, known := s.homeSource()
	if known && !sameName(name, registered, src.LowerCaseTableNames) {
		return resolved{} // another table to a case-sensitive server
	}
	if !known && (name != registered || !tn.Qualifier.IsEmpty()) {
		// The answer depends on the server's database and name case: the
		// driver loads them and routes the statement again.
		r.needsCatalog = true
	}
	if tn.Qualifier.IsEmpty() {
		return r
	}
	q := tn.Qualifier.String()
	if !known {
		return resolved{needsCatalog: true, unknown: "schema-qualified name " + sqlparser.String(tn) + ", which shardsql cannot tell from " +
			kindOf(r) + " table " + registered + " without the servers' catalog (write " + registered +
			" unqualified for the logical table; for another schema's table the driver must be able to read each server's database and lower_case_table_names)"}
	}
	if sameName(q, src.Database, src.LowerCaseTableNames) {
		return r
	}
	for _, ds := range s.topo.DataSources() {
		if other, ok := s.catalog.Source(ds.Name); ok && ds.Name != s.homeDataSource() && sameName(q, other.Database, src.LowerCaseTableNames) {
			return resolved{unknown: "schema-qualified name " + sqlparser.String(tn) + ": " + q + " is the database of data source " + ds.Name +
				", not of " + s.homeDataSource() + " where the statement would run (write " + registered + " unqualified for the logical table)"}
		}
	}
	return resolved{} // another schema's table
}

// lacksFact records that routing needed a fact the catalog lacks, so the
// driver loads the catalog and routes the statement again (see
// ErrSchemaUnknown). A Router used without a catalog never asks.
func (s *statement) lacksFact() {
	if s.catalog != nil {
		s.schemaMissing = true
	}
}

// kindOf names the kind of logical table r is, for messages.
func kindOf(r resolved) string {
	if r.sharded != nil {
		return "sharded"
	}
	return "broadcast"
}

// fullName prints a table name with its qualifier, for messages.
func fullName(tn sqlparser.TableName) string {
	if tn.Qualifier.IsEmpty() {
		return tn.Name.String()
	}
	return tn.Qualifier.String() + "." + tn.Name.String()
}

// qualifies reports whether the qualifier of a column (a table name, maybe
// schema-qualified, or an alias) names ref. An empty qualifier is left to
// the caller.
func (s *statement) qualifies(q sqlparser.TableName, ref tableRef) bool {
	if !q.Qualifier.IsEmpty() {
		// A schema-qualified column qualifier names a table, never an alias.
		if ref.expr != nil && !ref.expr.As.IsEmpty() {
			return false
		}
		r := s.resolve(q)
		return r.sharded != nil && ref.sharded != nil && r.sharded.Name == ref.sharded.Name
	}
	return strings.EqualFold(q.Name.String(), ref.qualifier())
}

// checkNames refuses a statement whose table names (or executable
// comments) shardsql cannot read as the server would. The unknown-data-
// source check of a WithDataSource hint follows it: an unknown hint is
// missing from the catalog, so a qualified name is refused for that reason
// first.
func (s *statement) checkNames(stmt sqlparser.Statement, p *sqlparser.Parser) error {
	sh := s.shapeOf(stmt)
	if sh.needsCatalog {
		s.lacksFact() // the shape may come from the cache
	}
	if sh.unresolved != nil {
		return sh.unresolved
	}
	return s.checkComments(stmt, p)
}
