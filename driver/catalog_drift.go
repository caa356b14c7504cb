package driver

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// Hazard (ddl22): the catalog describes a sharded table as its first node
// table defines it, and the operators above the nodes merge every node's
// rows under those facts. Node tables that differ — a DDL that failed or
// was cut on some of them (a killed connection, a lock wait timeout), or
// one altered behind shardsql's back — sort, group and compare each under
// its own definition: with one node table's column changed to
// utf8mb4_bin, `ORDER BY name` came back in no collation's order
// (A, A, a, B, C, a, …) and `GROUP BY name` counted b 5 and B 1, answers
// no database with one definition gives. So a load also reads every node
// table's columns, unique keys and engine (two queries per data source)
// and records the first difference in schema.Table.Drift; the router then
// refuses reads that merge rows of such a table (route/drift.go) until the
// node tables agree again. A DDL through shardsql drops the table's facts
// (catalog.forget), so the next merging read loads them, and the
// comparison with them. A data source that does not answer the comparison
// leaves the difference unknown (not refused), as it leaves other facts.
//
// Unique keys are not compared (round 22, lead): a unique key a migration
// added to some node tables only (golang-migrate's dirty state, which
// one server leaves without the key) changes no row a read returns, and
// refusing every merging read then left the application unable to read
// the table it must repair; the catalog keeps the first node table's
// keys, as before ddl22 (docs/attack.md, "Round 22 …", Left).

// nodeShape is what the comparison reads of one node table: its columns
// in order (name, type, collation, nullability, EXTRA, generation) and
// its engine.
type nodeShape struct {
	cols   []string
	engine string
}

// shapeKey is how a data source's answer names a node table: as the
// topology spells it, or lower-cased where the server ignores case.
func shapeKey(lowerCase int, table string) string {
	if lowerCase != 0 {
		return strings.ToLower(table)
	}
	return table
}

// queryNodeShapes reads the shape of each of tables (node tables on the
// data source of db). A node table the server does not have is left out.
func queryNodeShapes(ctx context.Context, db *sql.DB, lowerCase int, tables []string) (map[string]*nodeShape, error) {
	out := make(map[string]*nodeShape, len(tables))
	for len(tables) > 0 {
		batch := tables[:min(len(tables), 500)]
		tables = tables[len(batch):]
		if err := queryShapeBatch(ctx, db, lowerCase, batch, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queryShapeBatch reads the shapes of tables into out.
func queryShapeBatch(ctx context.Context, db *sql.DB, lowerCase int, tables []string, out map[string]*nodeShape) error {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(tables)), ",")
	names := make([]any, len(tables))
	wanted := make(map[string]bool, len(tables))
	for i, t := range tables {
		names[i] = t
		wanted[shapeKey(lowerCase, t)] = true
	}
	// information_schema compares TABLE_NAME without case on MariaDB:
	// rows of another table whose name differs in case only are dropped.
	shape := func(table string) *nodeShape {
		k := shapeKey(lowerCase, table)
		if !wanted[k] {
			return nil
		}
		s := out[k]
		if s == nil {
			s = &nodeShape{}
			out[k] = s
		}
		return s
	}
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COALESCE(COLLATION_NAME, ''), IS_NULLABLE, EXTRA,
		COALESCE(GENERATION_EXPRESSION, '') FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`) ORDER BY TABLE_NAME, ORDINAL_POSITION`, names...)
	if err != nil {
		return fmt.Errorf("shardsql: reading node tables' columns: %w", err)
	}
	for rows.Next() {
		var table, name, typ, coll, null, extra, gen string
		if err := rows.Scan(&table, &name, &typ, &coll, &null, &extra, &gen); err != nil {
			rows.Close()
			return fmt.Errorf("shardsql: reading node tables' columns: %w", err)
		}
		if s := shape(table); s != nil {
			desc := "`" + name + "` " + comparableType(typ)
			if coll != "" {
				desc += " COLLATE " + strings.ToLower(coll)
			}
			if strings.EqualFold(null, "NO") {
				desc += " NOT NULL"
			}
			if extra != "" {
				desc += " " + strings.ToLower(extra)
			}
			if gen != "" {
				desc += " AS (" + gen + ")"
			}
			s.cols = append(s.cols, desc)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shardsql: reading node tables' columns: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT TABLE_NAME, COALESCE(ENGINE, '') FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`)`, names...)
	if err != nil {
		return fmt.Errorf("shardsql: reading node tables' engines: %w", err)
	}
	for rows.Next() {
		var table, engine string
		if err := rows.Scan(&table, &engine); err != nil {
			rows.Close()
			return fmt.Errorf("shardsql: reading node tables' engines: %w", err)
		}
		if s := shape(table); s != nil {
			s.engine = strings.ToLower(engine)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shardsql: reading node tables' engines: %w", err)
	}
	return nil
}

// nodeShapes are the shapes each data source answered, by data source
// (nil where it did not answer), with its lower_case_table_names.
type nodeShapes struct {
	byDS  map[string]map[string]*nodeShape
	lower map[string]int
}

// shapeOf returns the shape of node n, whether its data source answered,
// and whether it has the node table.
func (ns nodeShapes) shapeOf(n shard.Node) (s *nodeShape, answered bool) {
	m, ok := ns.byDS[n.DataSource]
	if !ok || m == nil {
		return nil, false
	}
	return m[shapeKey(ns.lower[n.DataSource], n.Table)], true
}

// markDrift sets t.Drift to the first difference between st's node tables
// and the first of them that exists, or leaves it "" when they agree or
// some data source did not answer.
//
// A node table that does not exist is no difference: a statement that
// reaches it fails there (1146) rather than answer wrongly, and one that
// does not — a time range pruned to the tables already created — is
// exact. Refusing every merging read for it refused such ranges.
func (ns nodeShapes) markDrift(t *schema.Table, st *shard.ShardedTable) {
	var ref shard.Node
	var first *nodeShape
	for _, n := range st.Nodes {
		s, ok := ns.shapeOf(n)
		if !ok {
			return // unknown: not refused
		}
		if s == nil {
			continue // missing: see above
		}
		if first == nil {
			ref, first = n, s
			continue
		}
		if d := shapeDifference(ref, first, n, s); d != "" && t.Drift == "" {
			t.Drift = d
		}
	}
}

// shapeDifference describes the first difference between node a's shape
// and node b's ("" when they agree).
func shapeDifference(a shard.Node, sa *nodeShape, b shard.Node, sb *nodeShape) string {
	for i := range max(len(sa.cols), len(sb.cols)) {
		ca, cb := "no column", "no column"
		if i < len(sa.cols) {
			ca = sa.cols[i]
		}
		if i < len(sb.cols) {
			cb = sb.cols[i]
		}
		if ca != cb {
			return fmt.Sprintf("column %d is %s on %s but %s on %s", i+1, ca, a, cb, b)
		}
	}
	if sa.engine != sb.engine {
		return fmt.Sprintf("the engine is %s on %s but %s on %s", sa.engine, a, sb.engine, b)
	}
	return ""
}

// displayWidth is an integer type's display width in COLUMN_TYPE.
var displayWidth = regexp.MustCompile(`^(tinyint|smallint|mediumint|int|bigint|year)\(\d+\)`)

// comparableType is a COLUMN_TYPE as the comparison reads it: lower case,
// and without an integer's display width unless ZEROFILL shows it. MySQL
// 8.0.19 and later print `int` where MariaDB and MySQL 5.7 print
// `int(11)` for the same column: a rolling upgrade of one data source
// must not make every merging read of its tables look like node tables
// that differ.
func comparableType(typ string) string {
	t := strings.ToLower(typ)
	if strings.Contains(t, "zerofill") {
		return t
	}
	return displayWidth.ReplaceAllString(t, "$1")
}
