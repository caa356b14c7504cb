package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// Metadata says how the rows of a metadata statement (SHOW TABLES, SHOW
// CREATE TABLE, DESCRIBE, information_schema lookups) about node tables
// become the rows one unsharded database would return about the logical
// tables: a logical table is described by its first node, under its
// logical name; the other nodes' tables are hidden.
//
// Hazard: migrators (gorm's HasTable, ent, goose, golang-migrate) ask the
// server whether a table exists before creating it. Sent unchanged, the
// question is about a physical name the server lacks (t_order) and the
// listing shows names the caller never created (t_order_0, t_order_1):
// the migrator creates the table again on every start. The statement is
// therefore rewritten to ask about the first node's table, on its data
// source, and the answer is renamed back.
type Metadata struct {
	// NameColumns are the result columns holding table names, matched
	// without regard to case; a name ending in "*" matches the columns it
	// prefixes ("Tables_in_*").
	NameColumns []string
	// TextColumns hold CREATE TABLE text, whose table name is renamed.
	TextColumns []string
	// SchemaColumns hold database names (TABLE_SCHEMA, …), renamed from
	// the node's database to the home data source's.
	SchemaColumns []string
	// Sort orders the rows by the first name column, as the server lists
	// tables, once the units' rows are put together.
	Sort bool
	// Order, when set, sorts the rows again by these result columns once
	// the units' rows are renamed and put together (see MetadataOrder).
	Order []MetadataOrder
	// Hidden is the number of trailing result columns the units select for
	// Order only, dropped once the rows are sorted.
	Hidden int
	// Units holds, for each unit of the plan, how its rows are rewritten.
	Units []MetadataUnit
	// Broadcast are the broadcast tables the statement describes, asked
	// about as the home data source's copy: the driver first checks that
	// every data source's copy has the same definition (compat14).
	Broadcast []string
}

// MetadataUnit is how the rows of one unit of a metadata plan are rewritten.
type MetadataUnit struct {
	// Rename maps lower-cased physical table names to the logical name
	// their rows are shown under.
	Rename map[string]string
	// Hide holds lower-cased physical table names whose rows are dropped.
	Hide map[string]bool
	// Only keeps just the rows whose table was renamed (a listing on a
	// data source other than the home one, asked for a first node only).
	Only bool
	// Database and Home are the node's database and the home data
	// source's: SchemaColumns values equal to Database show as Home.
	Database, Home string
}

// metadataTables are the information_schema tables whose rows are about
// one table each, with the name in TABLE_NAME.
var metadataTables = map[string]bool{
	"tables": true, "columns": true, "statistics": true, "table_constraints": true,
	"key_column_usage": true, "check_constraints": true, "partitions": true,
	"referential_constraints": true, "triggers": false,
}

// schemaColumns are the database-name columns of the information_schema
// tables above.
var schemaColumns = []string{"TABLE_SCHEMA", "INDEX_SCHEMA", "CONSTRAINT_SCHEMA"}

// routeMetadata plans the metadata statements that name a sharded table
// or list tables (see Metadata). ok is false for any other statement.
func (s *statement) routeMetadata(stmt sqlparser.Statement) (p *Plan, ok bool, err error) {
	switch st := stmt.(type) {
	case *sqlparser.ExplainTab:
		return s.metadataOfTable(st.Table, func(phys sqlparser.TableName) sqlparser.Statement {
			c := *st
			c.Table = phys
			return &c
		}, Metadata{})
	case *sqlparser.Show:
		switch in := st.Internal.(type) {
		case *sqlparser.ShowCreate:
			if in.Command != sqlparser.CreateTbl {
				return nil, false, nil
			}
			return s.metadataOfTable(in.Op, func(phys sqlparser.TableName) sqlparser.Statement {
				c := *in
				c.Op = phys
				return &sqlparser.Show{Internal: &c}
			}, Metadata{NameColumns: []string{"Table"}, TextColumns: []string{"Create Table"}})
		case *sqlparser.ShowBasic:
			switch in.Command {
			case sqlparser.Column, sqlparser.Index:
				tn := in.Tbl
				if !in.DbName.IsEmpty() {
					tn.Qualifier = in.DbName
				}
				return s.metadataOfTable(tn, func(phys sqlparser.TableName) sqlparser.Statement {
					c := *in
					c.Tbl = phys
					c.DbName = sqlparser.IdentifierCS{}
					return &sqlparser.Show{Internal: &c}
				}, Metadata{NameColumns: []string{"Table"}})
			case sqlparser.Table, sqlparser.TableStatus:
				return s.metadataListing(in)
			}
		}
	case *sqlparser.Select:
		if p, ok, err := s.metadataSelect(st); ok {
			return p, ok, err
		}
		return s.metadataNested(st, st)
	case *sqlparser.Union, *sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete:
		return s.metadataNested(st, nil)
	}
	return nil, false, nil
}

// metadataOfTable plans a statement about one table: for a sharded table,
// the statement rewrite makes for its first node, on that node's data
// source.
func (s *statement) metadataOfTable(tn sqlparser.TableName, rewrite func(sqlparser.TableName) sqlparser.Statement, md Metadata) (*Plan, bool, error) {
	r := s.resolve(tn)
	if r.broadcast != "" && r.unknown == "" {
		// Every data source holds a copy under the logical name (compat14:
		// SHOW CREATE TABLE, SHOW COLUMNS/INDEX and DESCRIBE of a broadcast
		// table were refused, as statements naming it; information_schema
		// lookups already asked the home copy as written).
		p, err := s.passthrough(KindOther)
		if err != nil {
			return nil, false, err
		}
		p.Metadata = &Metadata{Units: []MetadataUnit{{}}, Broadcast: []string{r.broadcast}}
		return p, true, nil
	}
	st := r.sharded
	if st == nil || len(st.Nodes) == 0 {
		return nil, false, nil
	}
	node := st.Nodes[0]
	phys := sqlparser.TableName{Name: sqlparser.NewIdentifierCS(node.Table)}
	sql := sqlparser.String(rewrite(phys))
	md.Units = []MetadataUnit{s.metadataUnit(node, st.Name)}
	md.SchemaColumns = schemaColumns
	return &Plan{SQL: s.sql, Kind: KindOther, Table: st.Name,
		Units:    []Unit{{DataSource: node.DataSource, Node: node, SQL: sql}},
		Metadata: &md}, true, nil
}

// metadataUnit is the rewrite of rows about node, shown as logical table
// name.
func (s *statement) metadataUnit(node shard.Node, name string) MetadataUnit {
	mu := MetadataUnit{Rename: map[string]string{strings.ToLower(node.Table): name}}
	if src, ok := s.catalog.Source(node.DataSource); ok {
		mu.Database = src.Database
	}
	if home, ok := s.homeSource(); ok {
		mu.Home = home.Database
	}
	return mu
}

// physicalNames are the lower-cased names of every node table of the
// topology's sharded tables.
func (s *statement) physicalNames() map[string]bool {
	out := make(map[string]bool)
	for _, st := range s.topo.Tables() {
		for _, n := range st.Nodes {
			out[strings.ToLower(n.Table)] = true
		}
	}
	return out
}

// metadataListing plans SHOW [FULL] TABLES and SHOW TABLE STATUS: the home
// data source's listing without the node tables, and each logical table
// under its name, from its first node's listing.
func (s *statement) metadataListing(in *sqlparser.ShowBasic) (*Plan, bool, error) {
	tables := s.topo.Tables()
	if len(tables) == 0 {
		return nil, false, nil
	}
	if !in.DbName.IsEmpty() {
		src, ok := s.homeSource()
		if !ok || !sameName(in.DbName.String(), src.Database, src.LowerCaseTableNames) {
			return nil, false, nil // another schema's tables (or unknown: left as before)
		}
	}
	if in.Filter != nil && in.Filter.Filter != nil {
		return nil, true, unsupported(s.sql, "SHOW TABLES/TABLE STATUS … WHERE over a topology with sharded tables (use LIKE, or query information_schema.TABLES by table_name)")
	}
	home := s.homeDataSource()
	hide := s.physicalNames()
	md := &Metadata{Sort: true, SchemaColumns: schemaColumns}
	if in.Command == sqlparser.Table {
		md.NameColumns = []string{"Tables_in_*"}
	} else {
		md.NameColumns = []string{"Name"}
	}
	render := func(like string, keep bool) string {
		c := *in
		c.DbName = sqlparser.IdentifierCS{}
		if keep {
			c.Filter = in.Filter
		} else if like != "" {
			c.Filter = &sqlparser.ShowFilter{Like: like}
		}
		return sqlparser.String(&sqlparser.Show{Internal: &c})
	}
	p := &Plan{SQL: s.sql, Kind: KindOther, Metadata: md}
	homeSQL := s.sql // the listing as written, but for the node tables it shows
	if !in.DbName.IsEmpty() {
		homeSQL = render("", true)
	}
	p.Units = append(p.Units, Unit{DataSource: home, SQL: homeSQL, Args: s.args})
	homeUnit := MetadataUnit{Hide: hide}
	if src, ok := s.homeSource(); ok {
		homeUnit.Database, homeUnit.Home = src.Database, src.Database
	}
	md.Units = append(md.Units, homeUnit)
	for _, st := range tables {
		if len(st.Nodes) == 0 {
			continue
		}
		if in.Filter != nil {
			m, exact := likeMatch(in.Filter.Like, st.Name)
			if !m {
				continue
			}
			if !exact {
				return nil, true, unsupported(s.sql, "LIKE pattern %q that matches sharded table %s only without regard to case (spell the pattern in the table's case)", in.Filter.Like, st.Name)
			}
		}
		node := st.Nodes[0]
		p.Units = append(p.Units, Unit{DataSource: node.DataSource, Node: node, SQL: render(likeEscape(node.Table), false)})
		mu := s.metadataUnit(node, st.Name)
		mu.Only = true
		md.Units = append(md.Units, mu)
	}
	return p, true, nil
}

// likeEscape writes a LIKE pattern matching exactly name.
func likeEscape(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// likeMatch reports whether pattern (LIKE, with % _ and \ escapes) matches
// name without regard to ASCII case, and whether it also matches with it.
func likeMatch(pattern, name string) (match, exact bool) {
	if !like(strings.ToLower(pattern), strings.ToLower(name)) {
		return false, false
	}
	return true, like(pattern, name)
}

// like is LIKE over bytes.
func like(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if p == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if like(p, s[i:]) {
					return true
				}
			}
			return false
		case '_':
			if s == "" {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			c := p[0]
			if c == '\\' && len(p) > 1 {
				p = p[1:]
				c = p[0]
			}
			if s == "" || s[0] != c {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}
