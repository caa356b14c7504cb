// Package schema is the catalog shardsql plans with: what the servers say
// about each data source (its database, how it compares table names) and
// about each logical sharded table (column types, collations, unique keys),
// learned by the driver from one node's information_schema and cached per
// topology version. The package holds data only; it does no I/O.
//
// A nil *Catalog, or a table missing from it, means "unknown": planners must
// then take the conservative path (route to every node that could match, or
// refuse), never guess.
package schema

import (
	"slices"
	"strings"
	"time"
)

// Catalog is one snapshot of what the servers said, for one topology
// version. It is immutable once built: readers share it without locks.
type Catalog struct {
	// TopologyVersion is the shard.Topology version the catalog was built for.
	TopologyVersion uint64
	// Sources describes each data source, by data source name.
	Sources map[string]Source
	// Tables holds the logical sharded tables, by lower-cased logical name.
	// A sharded table missing here is unknown: not yet created when the
	// catalog was loaded, or its first node's server did not answer.
	Tables map[string]*Table
	// Locations is, by data source name, the time zone in which the
	// driver's connections to it write time.Time values (go-sql-driver's
	// loc DSN parameter; UTC for pools registered with AddDB, whose loc
	// cannot be read). It is known without asking the servers, so it is
	// filled even for data sources that are down.
	Locations map[string]*time.Location
	// WriteHazards holds, by lower-cased table name as statements write
	// it (the logical name of a sharded table), the writes after which
	// the server itself would change a sharded table's sharding column in
	// place, leaving the row on the node of its old value: a BEFORE
	// trigger that sets NEW.<key>, a trigger that writes a node table
	// directly, a foreign key whose ON UPDATE or ON DELETE action
	// rewrites a sharding column. Read from every data source's
	// information_schema.TRIGGERS, KEY_COLUMN_USAGE and
	// REFERENTIAL_CONSTRAINTS.
	WriteHazards map[string][]WriteHazard
	// HazardsUnknown reports that triggers and foreign keys were not read
	// yet (the driver's catalog before its first load, or after a DDL);
	// false means WriteHazards holds what the data sources that answered
	// the last load said (a catalog built by hand has none).
	HazardsUnknown bool
	// Unsharded holds the columns of the tables of the default data
	// source's database (unsharded.go); nil when they were not read
	// (before the first load, after a DDL the driver ran on such a table,
	// or when the server did not answer).
	Unsharded *Unsharded
	// UnshardedUnread reports that no load has asked for Unsharded yet
	// (the driver's catalog before its first load, or after a DDL): a
	// statement that could use its facts makes the driver load them. A
	// load that asked sets it false whatever the server answered, so a
	// server that cannot say is not asked again by every statement; a
	// catalog built by hand has it false.
	UnshardedUnread bool
	// Unsettled holds, by lower-cased logical name, the sharded tables
	// whose last DDL through the driver failed on some node tables and
	// whose node tables no load has compared since: a statement merging
	// their rows makes the driver load their facts, and the comparison
	// (Table.Drift), first. Other statements never wait for a load they
	// do not need.
	Unsettled map[string]bool
}

// WriteEvents is a set of the kinds of row change a write makes, as
// triggers and foreign key actions see them.
type WriteEvents uint8

const (
	// WriteInsert is a row inserted (INSERT, REPLACE, LOAD DATA).
	WriteInsert WriteEvents = 1 << iota
	// WriteUpdate is a row updated (UPDATE, ON DUPLICATE KEY UPDATE).
	WriteUpdate
	// WriteDelete is a row deleted (DELETE, and REPLACE of a conflicting row).
	WriteDelete
)

// WriteHazard is one server-side action that a write of a table sets off
// and that changes a sharding column without shardsql seeing it.
type WriteHazard struct {
	// Events are the writes of the table that set it off.
	Events WriteEvents
	// Columns, when not nil, are the lower-case columns an update must
	// set to set it off (a foreign key's referenced columns); nil means
	// any write of Events.
	Columns []string
	// Why names the trigger or foreign key and what it changes.
	Why string
}

// Hazard returns the first of table's write hazards that events set off;
// set are the lower-case columns the write updates (nil: unknown, any).
func (c *Catalog) Hazard(table string, events WriteEvents, set []string) (WriteHazard, bool) {
	if c == nil {
		return WriteHazard{}, false
	}
	for _, h := range c.WriteHazards[strings.ToLower(table)] {
		if h.Events&events == 0 {
			continue
		}
		if h.Events&events&^WriteUpdate != 0 || h.Columns == nil || set == nil {
			return h, true
		}
		for _, col := range h.Columns {
			if slices.Contains(set, col) {
				return h, true
			}
		}
	}
	return WriteHazard{}, false
}

// Source is what one data source's server says about itself.
type Source struct {
	// Database is the data source's default database (SELECT DATABASE()):
	// a table qualified with this name is the data source's own table.
	Database string
	// LowerCaseTableNames is the server's lower_case_table_names: 0 means
	// table names compare case-sensitively (Linux default), 1 and 2 that
	// they compare case-insensitively, -1 that the server did not say
	// (treat as unknown).
	LowerCaseTableNames int
	// TimeZone is the server's session time_zone as reported (for example
	// "SYSTEM" or "+00:00"); "" when the server did not say.
	TimeZone string
	// Version is the server's VERSION() ("10.11.19-MariaDB-0+deb12u1");
	// "" when the server did not say.
	Version string
	// DefaultCharsets lists what SET NAMES/CHARACTER SET/
	// character_set_client/character_set_connection/collation_connection
	// = DEFAULT may set: the global character_set_client,
	// character_set_connection and collation_connection and the
	// database's character_set_database and collation_database, as the
	// server reported them; nil when it did not say.
	DefaultCharsets []string
	// EvalSession and EvalGlobal are div_precision_increment,
	// lc_time_names, default_week_format, time_zone and (of MariaDB)
	// collation_connection and max_sort_length, in that order, as a new
	// connection of the driver's pool has them (the DSN may set them) and
	// as the server's globals (what SET … = DEFAULT restores); nil when
	// the server did not say.
	EvalSession, EvalGlobal []string
	// SessionCharsets are character_set_client, character_set_connection
	// and character_set_results as a new connection of the driver's pool
	// has them (a DSN's charset parameter sets them; "NULL" for no
	// results conversion), of MariaDB; nil when the server did not say.
	SessionCharsets []string
	// SQLModeSession and SQLModeGlobal are sql_mode as a new connection
	// has it and the global one; "" with SQLModeKnown false when the
	// server did not say.
	SQLModeSession, SQLModeGlobal string
	SQLModeKnown                  bool
	// DialectSession and DialectGlobal are the first word of
	// SQLModeSession and SQLModeGlobal that holds a mode changing how the
	// servers parse statements (route.DialectModeIn), "" when none does:
	// found once when the modes are read (SetSQLModes), since every
	// statement shardsql parsed asks (a scan of both strings per
	// statement was 3 µs of a point select's client CPU).
	DialectSession, DialectGlobal string
}

// SetSQLModes records a data source's session and global sql_mode and
// their dialect words; dialect is route.DialectModeIn (passed in: this
// package does not import route).
func (s *Source) SetSQLModes(session, global string, dialect func(string) string) {
	s.SQLModeSession, s.SQLModeGlobal, s.SQLModeKnown = session, global, true
	s.DialectSession, s.DialectGlobal = dialect(session), dialect(global)
}

// MariaDB reports whether the catalog knows a data source whose server is
// MariaDB (its VERSION() says so). MariaDB reads some MySQL syntax the SQL
// parser accepts differently, or not at all (the JSON operators -> and
// ->>).
func (c *Catalog) MariaDB() bool {
	if c == nil {
		return false
	}
	for _, s := range c.Sources {
		if strings.Contains(strings.ToLower(s.Version), "mariadb") {
			return true
		}
	}
	return false
}

// MySQL reports whether the catalog knows every data source's VERSION() and
// none is MariaDB's: only then is MySQL syntax MariaDB lacks known to be
// read as MySQL reads it. A nil catalog, or a data source whose version is
// unknown, is not known to be MySQL.
func (c *Catalog) MySQL() bool {
	if c == nil || len(c.Sources) == 0 {
		return false
	}
	for _, s := range c.Sources {
		if s.Version == "" || strings.Contains(strings.ToLower(s.Version), "mariadb") {
			return false
		}
	}
	return true
}

// Location returns the time zone in which the driver writes time.Time
// values to data source ds, and whether the catalog knows it.
func (c *Catalog) Location(ds string) (*time.Location, bool) {
	if c == nil {
		return nil, false
	}
	l, ok := c.Locations[ds]
	return l, ok && l != nil
}

// Table is a logical sharded table as one of its nodes defines it.
type Table struct {
	// Name is the logical table name.
	Name string
	// Columns in ordinal order.
	Columns []Column
	// Indexes are the table's unique keys, the primary key included.
	Indexes []Index
	// Engine is information_schema.TABLES.ENGINE of the first node table,
	// lower case ("innodb", "myisam", "aria", …; "" when not read).
	Engine string
	// Drift, when not "", says how another node table's definition
	// differs from the first node's, which the facts above describe (a
	// column's type, collation or nullability, a unique key, the engine,
	// a missing node table): merges above the nodes assume one definition
	// and are refused (route/drift.go). "" when they agree or were not all
	// read.
	Drift string
}

// NonTransactional reports whether the table's engine is known and does
// not undo a statement's changes on rollback: MyISAM, Aria, MEMORY and
// the rest, where InnoDB (and RocksDB, TokuDB) do. An engine not read
// ("": a catalog built by hand) is not reported.
func (t *Table) NonTransactional() bool {
	switch t.Engine {
	case "", "innodb", "rocksdb", "tokudb":
		return false
	}
	return true
}

// Column is one column of a table.
type Column struct {
	// Name as defined.
	Name string
	// DataType is information_schema.COLUMNS.DATA_TYPE, lower case:
	// "bigint", "varchar", "datetime", "enum", …
	DataType string
	// ColumnType is COLUMN_TYPE, lower case: "bigint(20) unsigned",
	// "enum('a','b')", "decimal(10,2)".
	ColumnType string
	// Unsigned reports an UNSIGNED numeric column.
	Unsigned bool
	// Collation is COLLATION_NAME for text columns, "" otherwise.
	Collation string
	// Nullable reports IS_NULLABLE = 'YES'.
	Nullable bool
	// AutoIncrement reports an AUTO_INCREMENT column.
	AutoIncrement bool
	// Generated reports a VIRTUAL or STORED generated column (EXTRA):
	// the server computes its value from GenerationExpr and ignores (or,
	// in strict mode, rejects) a value an INSERT gives it.
	Generated bool
	// GenerationExpr is GENERATION_EXPRESSION, the server's text of a
	// generated column's expression ("" when not generated or unknown).
	GenerationExpr string
	// OnUpdateNow reports ON UPDATE CURRENT_TIMESTAMP (EXTRA "on update
	// current_timestamp()"): the server sets the column to the statement's
	// time whenever an UPDATE (or ON DUPLICATE KEY UPDATE) changes the row
	// without setting the column itself.
	OnUpdateNow bool
	// Precision and Scale are NUMERIC_PRECISION/NUMERIC_SCALE (decimal)
	// or DATETIME_PRECISION (in Scale) for temporal types.
	Precision, Scale int
	// MaxLength is CHARACTER_MAXIMUM_LENGTH for text columns.
	MaxLength int64
}

// Index is one unique key (PRIMARY included).
type Index struct {
	Name    string
	Primary bool
	// Columns in key order.
	Columns []string
	// Prefixed are the columns of Columns the key holds by a prefix only
	// (`UNIQUE (k(2))`): values that differ after the prefix conflict.
	Prefixed []string
}

// Source returns what the catalog knows of data source ds.
func (c *Catalog) Source(ds string) (Source, bool) {
	if c == nil {
		return Source{}, false
	}
	s, ok := c.Sources[ds]
	return s, ok
}

// Table returns the logical table named name (case-insensitive), or false.
func (c *Catalog) Table(name string) (*Table, bool) {
	if c == nil {
		return nil, false
	}
	t, ok := c.Tables[strings.ToLower(name)]
	return t, ok
}

// Column returns the column named name (case-insensitive, as MySQL
// compares column names), or false.
func (t *Table) Column(name string) (*Column, bool) {
	if t == nil {
		return nil, false
	}
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// IsInteger reports an integer column (TINYINT … BIGINT; not BIT, whose
// values compare as binary strings).
func (c *Column) IsInteger() bool {
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

// IsTemporal reports a DATE, DATETIME or TIMESTAMP column.
func (c *Column) IsTemporal() bool {
	switch c.DataType {
	case "date", "datetime", "timestamp":
		return true
	}
	return false
}

// IsText reports a character column compared by its collation.
func (c *Column) IsText() bool {
	switch c.DataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return true
	}
	return false
}
