package driver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/internal/schema"
)

// queryUnsharded reads the column names of every table and view of the
// default data source's database, for name resolution in joins of a
// sharded table with an unsharded one evaluated above the nodes (an
// unqualified column resolves to the one table that has it, as MySQL
// does). Names only, one query: a database of many tables costs one
// row per column at each catalog load, and nothing on the hot path.
//
// Hazard: a column added to, or a table created in, that database other
// than through shardsql after the load is not seen until the next load
// (a DDL the driver runs drops these facts, so the next statement that
// needs them loads them afresh); a statement naming a table the catalog
// lacks loads it again (route.ErrSchemaUnknown).
func queryUnsharded(ctx context.Context, db *sql.DB, ds string, lowerCase int) (*schema.Unsharded, error) {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
	}
	defer rows.Close()
	u := &schema.Unsharded{DataSource: ds, LowerCaseTableNames: lowerCase, Tables: make(map[string][]string)}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
		}
		u.Tables[table] = append(u.Tables[table], col)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
	}
	return u, nil
}
