package driver

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/shardsql/shardsql/internal/schema"
)

// queryUnsharded reads the column names of every table and view of the
// default data source's database, for name resolution in joins of a
// sharded table with an unsharded one evaluated above the nodes (an
// unqualified column resolves to the one table that has it, as MySQL
// does). Names (and which tables have a YEAR column), one query: a database of many tables costs one
// row per column at each catalog load, and nothing on the hot path.
//
// Hazard: a column added to, or a table created in, that database other
// than through shardsql after the load is not seen until the next load
// (a DDL the driver runs drops these facts, so the next statement that
// needs them loads them afresh); a statement naming a table the catalog
// lacks loads it again (route.ErrSchemaUnknown).
func queryUnsharded(ctx context.Context, db *sql.DB, ds string, lowerCase int) (*schema.Unsharded, error) {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE = 'year', COALESCE(COLLATION_NAME, ''), COLUMN_TYPE LIKE '%zerofill%', COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
	}
	defer rows.Close()
	u := &schema.Unsharded{DataSource: ds, LowerCaseTableNames: lowerCase, Tables: make(map[string][]string),
		YearTables: make(map[string][]string), Collations: make(map[string]map[string]string), ZeroFill: make(map[string][]string),
		Defaults: make(map[string]map[string]string), OnUpdate: make(map[string]map[string]string)}
	for rows.Next() {
		var table, col, coll string
		var year, zeroFill sql.NullBool
		var def, extra sql.NullString
		if err := rows.Scan(&table, &col, &year, &coll, &zeroFill, &def, &extra); err != nil {
			return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
		}
		u.Tables[table] = append(u.Tables[table], col)
		if year.Bool {
			u.YearTables[table] = append(u.YearTables[table], col)
		}
		if zeroFill.Bool {
			u.ZeroFill[table] = append(u.ZeroFill[table], col)
		}
		if d, ok := serverDefault(def, extra.String); ok {
			putColumn(u.Defaults, table, col, d)
		}
		if x := strings.ToLower(extra.String); strings.Contains(x, "on update ") {
			putColumn(u.OnUpdate, table, col, strings.TrimSpace(extra.String[strings.Index(x, "on update ")+len("on update "):]))
		}
		if coll != "" {
			if u.Collations[table] == nil {
				u.Collations[table] = make(map[string]string)
			}
			u.Collations[table][strings.ToLower(col)] = coll
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of unsharded tables: %w", err)
	}
	// An error leaves the keys unread (IntKeys nil): no row bound is
	// proved from them, and the columns serve as before.
	u.IntKeys, u.TotalKeys, _ = queryUnshardedKeys(ctx, db)
	return u, nil
}

// serverDefault returns a column's DEFAULT when it is not a constant (the
// server computes it for each row it writes): MariaDB quotes a literal
// default ('abc', '2000-01-01 00:00:00') and spells numbers and NULL
// bare; MySQL spells every default bare and marks an expression
// DEFAULT_GENERATED in EXTRA. Anything else (uuid(), current_timestamp(6),
// rand() + 1) is returned for route to judge.
func serverDefault(def sql.NullString, extra string) (string, bool) {
	if !def.Valid {
		return "", false
	}
	d := strings.TrimSpace(def.String)
	if strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED") {
		return d, true
	}
	if d == "" || strings.HasPrefix(d, "'") || strings.EqualFold(d, "NULL") {
		return "", false
	}
	if _, err := strconv.ParseFloat(d, 64); err == nil {
		return "", false
	}
	if strings.HasPrefix(strings.ToLower(d), "b'") || strings.HasPrefix(strings.ToLower(d), "x'") || strings.HasPrefix(d, "0x") {
		return "", false
	}
	return d, true
}

// putColumn sets m[table][lower(col)] = v.
func putColumn(m map[string]map[string]string, table, col, v string) {
	if m[table] == nil {
		m[table] = make(map[string]string)
	}
	m[table][strings.ToLower(col)] = v
}

// queryUnshardedKeys reads the unique keys of the tables of the default
// data source's database whose every column is of an integer type and held
// whole (schema.Unsharded.IntKeys), one query: a pass-through SELECT with
// an integer equality on each column of one reads at most one row, which
// the driver then reads whole inside Raw (rows_raw.go) as it reads a
// sharded point select's.
//
// Hazard: a key dropped (or the table replaced) other than through
// shardsql after the load proves a bound that no longer holds; the bounded
// read never truncates such a result (it reads on past the bound and makes
// the catalog forget these facts, rows_raw.go). A key part that is an
// expression (MySQL's functional key parts: no COLUMN_NAME) or a prefix
// disqualifies its key.
//
// It reads the keys whose every column is NOT NULL and held whole, of any
// type (schema.Unsharded.TotalKeys), in the same query.
func queryUnshardedKeys(ctx context.Context, db *sql.DB) (intKeys, totalKeys map[string][][]string, err error) {
	rows, err := db.QueryContext(ctx, `SELECT s.TABLE_NAME, s.INDEX_NAME, s.COLUMN_NAME, s.SUB_PART IS NULL AND c.DATA_TYPE IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint'),
		s.SUB_PART IS NULL AND c.IS_NULLABLE = 'NO'
		FROM information_schema.STATISTICS s LEFT JOIN information_schema.COLUMNS c
		ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME
		WHERE s.TABLE_SCHEMA = DATABASE() AND s.NON_UNIQUE = 0
		ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX`)
	if err != nil {
		return nil, nil, fmt.Errorf("shardsql: reading the unique keys of unsharded tables: %w", err)
	}
	defer rows.Close()
	keys, totals := make(map[string][][]string), make(map[string][][]string)
	var table, index string
	var cols []string
	whole, total := true, true
	flush := func() {
		if table != "" && whole && len(cols) > 0 {
			keys[table] = append(keys[table], cols)
		}
		if table != "" && total && len(cols) > 0 {
			totals[table] = append(totals[table], cols)
		}
	}
	for rows.Next() {
		var t, ix string
		var col sql.NullString
		var integer, notNull sql.NullBool
		if err := rows.Scan(&t, &ix, &col, &integer, &notNull); err != nil {
			return nil, nil, fmt.Errorf("shardsql: reading the unique keys of unsharded tables: %w", err)
		}
		if t != table || ix != index {
			flush()
			table, index, cols, whole, total = t, ix, nil, true, true
		}
		if !col.Valid {
			whole, total = false, false
			continue
		}
		if !integer.Valid || !integer.Bool {
			whole = false
		}
		if !notNull.Valid || !notNull.Bool {
			total = false
		}
		cols = append(cols, col.String)
	}
	flush()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("shardsql: reading the unique keys of unsharded tables: %w", err)
	}
	return keys, totals, nil
}
