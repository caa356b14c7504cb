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
