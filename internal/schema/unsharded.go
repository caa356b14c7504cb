package schema

import "strings"

// Unsharded is what the default data source's server says about the tables
// of its database that statements name as they are (tables the topology
// does not shard: an application's plain tables, broadcast tables' home
// copies, views): their column names. Name resolution above the nodes
// needs them to place an unqualified column of a join of a sharded table
// with such a table as MySQL does (found in one table, ambiguous in two,
// unknown in none).
type Unsharded struct {
	// DataSource is the data source the tables were read from (the
	// topology's default one when the catalog was loaded).
	DataSource string
	// LowerCaseTableNames is that server's lower_case_table_names (see
	// Source): how a statement's table name is compared with Tables' keys.
	LowerCaseTableNames int
	// Tables holds, by table name as the server spells it, the table's
	// columns in ordinal order (names only).
	Tables map[string][]string
	// IntKeys holds, by table name as Tables, the table's unique keys
	// (PRIMARY included) whose every column is of an integer type and
	// held whole (no prefix, no expression): the keys an equality with
	// integers on each column proves a single row by (route's row
	// bound). Nil when they were not read; a table without such a key has
	// none.
	IntKeys map[string][][]string
	// TotalKeys holds, by table name as Tables, the table's unique keys
	// (PRIMARY included) whose every column is NOT NULL and held whole,
	// of any type: an ORDER BY naming each column of one sorts the rows
	// totally (a broadcast write's LIMIT then picks the same rows on
	// every copy). Nil when they were not read.
	TotalKeys map[string][][]string
	// YearTables holds, by table name as Tables, the tables (and views)
	// with a YEAR column, and for each the names of its YEAR columns as
	// Tables spells them: MariaDB reads a constant 1–99 compared with such
	// a column as a year (2001), so the router binds no such value
	// against one (route's bound subqueries). Nil when the types were not
	// read.
	YearTables map[string][]string
	// ZeroFill holds, by table name as Tables, the names of the table's
	// ZEROFILL columns (whose text is zero-filled to the display width;
	// route's display_attrs.go). Nil when the types were not read.
	ZeroFill map[string][]string
	// Collations holds, by table name as Tables, each text column's
	// collation by the column's name in lower case (columns of other
	// types are absent): a subquery's text bound against such a column
	// compares as MariaDB compares the two columns only when the
	// collations agree (route's bound subqueries, diff18). Nil when not
	// read.
	Collations map[string]map[string]string
	// Defaults holds, by table name as Tables, the DEFAULT of each column
	// whose default is not a constant (an expression such as uuid() or
	// current_timestamp(6), as information_schema.COLUMNS.COLUMN_DEFAULT
	// spells it), by the column's name in lower case. OnUpdate holds, by
	// table name as Tables, each column's ON UPDATE expression (EXTRA's
	// "on update current_timestamp(6)") by the column's name in lower
	// case. A broadcast write that leaves such a column to the server
	// lets each copy's server compute its own value (route's
	// broadcast_defaults.go). Nil when not read.
	Defaults, OnUpdate map[string]map[string]string
}

// UnshardedServerValues returns the columns of table name of the default
// data source whose DEFAULT is an expression (defaults) and whose value
// an update sets (onUpdate), each by the column's name in lower case;
// has is false when the catalog holds no such table, read false when it
// did not read these facts.
func (c *Catalog) UnshardedServerValues(name string) (defaults, onUpdate map[string]string, has, read bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.Defaults == nil {
		return nil, nil, false, false
	}
	name = c.unshardedName(name)
	if _, ok := c.Unsharded.Tables[name]; !ok {
		return nil, nil, false, true
	}
	return c.Unsharded.Defaults[name], c.Unsharded.OnUpdate[name], true, true
}

// UnshardedColumnCollation returns the collation of column col of table
// name of the default data source ("" for a column that is not text),
// whether the table has the column, and known false when the catalog did
// not read the collations or holds no such table.
func (c *Catalog) UnshardedColumnCollation(name, col string) (coll string, has, known bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.Collations == nil {
		return "", false, false
	}
	name = c.unshardedName(name)
	names, ok := c.Unsharded.Tables[name]
	if !ok {
		return "", false, false
	}
	for _, t := range names {
		if strings.EqualFold(t, col) {
			has = true
		}
	}
	return c.Unsharded.Collations[name][strings.ToLower(col)], has, true
}

// UnshardedHasYear reports whether table name of the default data
// source has a YEAR column (Unsharded.YearTables); read is false when
// the catalog did not read the columns' types.
func (c *Catalog) UnshardedHasYear(name string) (has, read bool) {
	cols, read := c.unshardedYears(name)
	return len(cols) > 0, read
}

// UnshardedColumnIsYear reports whether table name of the default data
// source has column col (has) and whether it is a YEAR column (year);
// known is false when the catalog did not read the columns' types or
// holds no such table (created since, or other than through shardsql).
func (c *Catalog) UnshardedColumnIsYear(name, col string) (year, has, known bool) {
	cols, read := c.unshardedYears(name)
	if !read {
		return false, false, false
	}
	names, ok := c.Unsharded.Tables[c.unshardedName(name)]
	if !ok {
		return false, false, false
	}
	for _, t := range names {
		if strings.EqualFold(t, col) { // column names are case-insensitive
			has = true
			break
		}
	}
	for _, y := range cols {
		if strings.EqualFold(y, col) {
			year = true
		}
	}
	return year, has, true
}

// unshardedYears returns the YEAR columns of table name
// (Unsharded.YearTables); read is false when the types were not read.
func (c *Catalog) unshardedYears(name string) (cols []string, read bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.YearTables == nil {
		return nil, false
	}
	return c.Unsharded.YearTables[c.unshardedName(name)], true
}

// unshardedName is name as Unsharded.Tables spells it (compared as the
// server's lower_case_table_names says), or name when it holds no such
// table.
func (c *Catalog) unshardedName(name string) string {
	u := c.Unsharded
	if _, ok := u.Tables[name]; ok || u.LowerCaseTableNames == 0 {
		return name
	}
	for t := range u.Tables {
		if strings.EqualFold(t, name) {
			return t
		}
	}
	return name
}

// UnshardedTotalKeys returns the total-order keys (Unsharded.TotalKeys)
// of table name of the data source the catalog read unsharded tables
// from; read is false when it holds none read.
func (c *Catalog) UnshardedTotalKeys(name string) (keys [][]string, read bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.TotalKeys == nil {
		return nil, false
	}
	u := c.Unsharded
	if keys, ok := u.TotalKeys[name]; ok {
		return keys, true
	}
	if u.LowerCaseTableNames == 0 {
		return nil, true // names compare case-sensitively
	}
	for t, keys := range u.TotalKeys {
		if strings.EqualFold(t, name) {
			return keys, true
		}
	}
	return nil, true
}

// UnshardedIntKeys returns the integer unique keys (Unsharded.IntKeys) of
// table name of data source ds; read is false when the catalog holds no
// unique keys read from ds's database, and keys is nil when it read them
// and found no such key or no such table.
func (c *Catalog) UnshardedIntKeys(ds, name string) (keys [][]string, read bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.DataSource != ds || c.Unsharded.IntKeys == nil {
		return nil, false
	}
	u := c.Unsharded
	if keys, ok := u.IntKeys[name]; ok {
		return keys, true
	}
	if u.LowerCaseTableNames == 0 {
		return nil, true // names compare case-sensitively
	}
	for t, keys := range u.IntKeys {
		if strings.EqualFold(t, name) {
			return keys, true
		}
	}
	return nil, true
}

// UnshardedColumns returns the column names of table name of data source
// ds, as the catalog's last read of ds's database found them, and false
// when the catalog did not read ds or found no such table (not created
// when it was read, or created since by other means than shardsql).
func (c *Catalog) UnshardedColumns(ds, name string) ([]string, bool) {
	if c == nil || c.Unsharded == nil || c.Unsharded.DataSource != ds {
		return nil, false
	}
	u := c.Unsharded
	if cols, ok := u.Tables[name]; ok {
		return cols, true
	}
	if u.LowerCaseTableNames == 0 {
		return nil, false // names compare case-sensitively
	}
	for t, cols := range u.Tables {
		if strings.EqualFold(t, name) {
			return cols, true
		}
	}
	return nil, false
}

// UnshardedColumnZeroFill reports whether column col of table name of the
// default data source is ZEROFILL (Unsharded.ZeroFill); false when the
// catalog did not read the columns' types or holds no such table.
func (c *Catalog) UnshardedColumnZeroFill(name, col string) bool {
	if c == nil || c.Unsharded == nil || c.Unsharded.ZeroFill == nil {
		return false
	}
	for _, z := range c.Unsharded.ZeroFill[c.unshardedName(name)] {
		if strings.EqualFold(z, col) {
			return true
		}
	}
	return false
}
