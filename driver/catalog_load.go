package driver

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// loadCatalog asks every data source, in parallel, about itself and about
// the sharded tables whose first node it holds. A data source that does not
// answer keeps the facts it gave in prev (nil for none).
func (c *Connector) loadCatalog(ctx context.Context, prev *catalogState) *catalogState {
	// The version is read first: a topology change during the load makes
	// the next statement rebase.
	next := c.rebase(nil)
	next.loaded = time.Now()
	cat := next.cat
	sources := c.topo.DataSources()
	tables := c.topo.Tables()
	byDS := make(map[string][]*shard.ShardedTable)
	nodesByDS := make(map[string][]string) // every node table, for the comparison (catalog_drift.go)
	for _, t := range tables {
		ds := t.Nodes[0].DataSource
		byDS[ds] = append(byDS[ds], t)
		for _, n := range t.Nodes {
			nodesByDS[n.DataSource] = append(nodesByDS[n.DataSource], n.Table)
		}
	}
	type answer struct {
		src     schema.Source
		ok      bool // the server answered about itself
		tables  []*schema.Table
		tabOK   bool // … and about its tables
		hazards hazardFacts
		hazOK   bool // … and about its triggers and foreign keys
		// unsharded: the columns of its database's tables, read from
		// the default data source only (catalog_unsharded.go).
		unsharded *schema.Unsharded
		// shapes: its node tables' definitions, for the comparison of
		// each sharded table's node tables (catalog_drift.go); nil when
		// not read.
		shapes map[string]*nodeShape
	}
	home := c.topo.DefaultDataSource()
	answers := make([]answer, len(sources))
	var wg sync.WaitGroup
	for i, ds := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lctx, cancel := context.WithTimeout(ctx, catalogTimeout)
			defer cancel()
			a := &answers[i]
			db, err := c.db(ds.Name)
			if err != nil {
				return
			}
			defer c.unparked(ds.Name)() // not through the gate (pin_park.go)
			if a.src, err = querySource(lctx, db); err != nil {
				return
			}
			a.ok = true
			a.hazards, err = queryHazards(lctx, db, ds.Name, a.src.LowerCaseTableNames, c.topo)
			var myErr *mysql.MySQLError
			if errors.As(err, &myErr) {
				// The server answered that it lacks the information_schema
				// tables (the embedded shards): it has no triggers or
				// foreign keys to read.
				a.hazards, err = nil, nil
			}
			a.hazOK = err == nil
			if ds.Name == home && a.src.Database != "" {
				// An error leaves them unknown: a statement that needs
				// them is refused as before they were read.
				a.unsharded, _ = queryUnsharded(lctx, db, ds.Name, a.src.LowerCaseTableNames)
			}
			if a.src.Database != "" && len(nodesByDS[ds.Name]) > 0 {
				// An error leaves the comparison unknown: nothing refused.
				a.shapes, _ = queryNodeShapes(lctx, db, a.src.LowerCaseTableNames, nodesByDS[ds.Name])
			}
			if len(byDS[ds.Name]) == 0 || a.src.Database == "" {
				a.tabOK = true
				return
			}
			a.tables, err = queryTables(lctx, db, a.src.LowerCaseTableNames, byDS[ds.Name])
			a.tabOK = err == nil
		}()
	}
	wg.Wait()
	next.complete = true
	cat.HazardsUnknown = false
	cat.UnshardedUnread = false // asked (catalog_unsharded.go), whatever the answer
	cat.WriteHazards = make(map[string][]schema.WriteHazard)
	for i := range sources {
		if !answers[i].hazOK {
			// Keep what an earlier load knew of it. Not marked unknown:
			// every write would load the catalog again and wait for the
			// server that does not answer (TestFaults); the hazards of a
			// data source that never answered stay unread (docs/attack.md
			// round 12, left).
			next.complete = false
			if prev != nil {
				for k, v := range prev.cat.WriteHazards {
					cat.WriteHazards[k] = append(cat.WriteHazards[k], v...)
				}
			}
			break
		}
	}
	for i := range sources {
		for k, v := range answers[i].hazards {
			cat.WriteHazards[k] = append(cat.WriteHazards[k], v...)
		}
	}
	for i, ds := range sources {
		a := answers[i]
		if !a.ok || !a.hazOK || !a.tabOK {
			next.unanswered = append(next.unanswered, ds.Name)
		}
		if a.unsharded != nil {
			cat.Unsharded = a.unsharded
		} else if ds.Name == home && prev != nil {
			cat.Unsharded = prev.cat.Unsharded
		}
		if a.ok {
			cat.Sources[ds.Name] = a.src
		} else if src, ok := prev.source(ds.Name); ok {
			cat.Sources[ds.Name] = src
		}
		if !a.ok || !a.tabOK {
			next.complete = false
			for _, t := range byDS[ds.Name] {
				if tbl, ok := prev.table(t.Name); ok {
					cat.Tables[strings.ToLower(t.Name)] = tbl
				}
			}
			continue
		}
		for _, t := range a.tables {
			cat.Tables[strings.ToLower(t.Name)] = t
		}
	}
	if len(cat.Tables) != len(tables) {
		next.complete = false
	}
	// A table a load read is compared (markDrift); one it could not read
	// stays unsettled.
	for k := range prev.unsettled() {
		if _, ok := cat.Tables[k]; ok && prev.cat.Tables[k] != cat.Tables[k] {
			continue
		}
		if cat.Unsettled == nil {
			cat.Unsettled = map[string]bool{}
		}
		cat.Unsettled[k] = true
	}
	shapes := nodeShapes{byDS: map[string]map[string]*nodeShape{}, lower: map[string]int{}}
	for i, ds := range sources {
		shapes.byDS[ds.Name] = answers[i].shapes
		shapes.lower[ds.Name] = answers[i].src.LowerCaseTableNames
	}
	for i, ds := range sources {
		if !answers[i].ok || !answers[i].tabOK {
			continue // kept from prev, Drift and all
		}
		for _, st := range byDS[ds.Name] {
			if t, ok := cat.Tables[strings.ToLower(st.Name)]; ok {
				shapes.markDrift(t, st) // read by this load: not shared yet
			}
		}
	}
	return next
}

// unsettled returns st's unsettled tables (none for nil).
func (st *catalogState) unsettled() map[string]bool {
	if st == nil {
		return nil
	}
	return st.cat.Unsettled
}

// source returns what st knows of a data source.
func (st *catalogState) source(name string) (schema.Source, bool) {
	if st == nil {
		return schema.Source{}, false
	}
	return st.cat.Source(name)
}

// table returns what st knows of a table.
func (st *catalogState) table(name string) (*schema.Table, bool) {
	if st == nil {
		return nil, false
	}
	return st.cat.Table(name)
}

// querySource asks a server for its database, lower_case_table_names,
// session time zone and version. A server that answers but lacks a variable (the
// embedded shards may) leaves that fact unknown; an error means the server
// did not answer.
func querySource(ctx context.Context, db *sql.DB) (schema.Source, error) {
	var name sql.NullString
	var lower sql.NullInt64
	var zone, version sql.NullString
	err := db.QueryRowContext(ctx, "SELECT DATABASE(), @@lower_case_table_names, @@session.time_zone, VERSION()").Scan(&name, &lower, &zone, &version)
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		// One fact at a time: the server lacks one of them.
		err = db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name)
		if db.QueryRowContext(ctx, "SELECT @@lower_case_table_names").Scan(&lower) != nil {
			lower = sql.NullInt64{}
		}
		if db.QueryRowContext(ctx, "SELECT @@session.time_zone").Scan(&zone) != nil {
			zone = sql.NullString{}
		}
		if db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version) != nil {
			version = sql.NullString{}
		}
	}
	if err != nil {
		return schema.Source{}, fmt.Errorf("shardsql: reading the server's database: %w", err)
	}
	src := schema.Source{Database: name.String, LowerCaseTableNames: -1, TimeZone: zone.String, Version: version.String}
	var cc, cn, col, dbcs, dbcol sql.NullString
	if db.QueryRowContext(ctx, "SELECT @@global.character_set_client, @@global.character_set_connection, @@global.collation_connection, @@character_set_database, @@collation_database").Scan(&cc, &cn, &col, &dbcs, &dbcol) == nil &&
		cc.Valid && cn.Valid && col.Valid && dbcs.Valid && dbcol.Valid {
		src.DefaultCharsets = []string{cc.String, cn.String, col.String, dbcs.String, dbcol.String}
	}
	if lower.Valid {
		src.LowerCaseTableNames = int(lower.Int64)
	}
	// The settings the operators above the nodes and the parser depend
	// on, as this pool's new connections have them (round 12: a server
	// whose globals, or a DSN that sets them, differ from MariaDB's
	// defaults answered AVG, DATE_FORMAT and WEEK differently above the
	// nodes). The embedded shards lack some: then unknown.
	// time_zone too (review17b): UNIX_TIMESTAMP, FROM_UNIXTIME and NOW
	// above the nodes compute in the process's zone, taken for SYSTEM.
	var dp, tn, wf, gdp, gtn, gwf, mode, gmode, tz, gtz sql.NullString
	if db.QueryRowContext(ctx, `SELECT @@session.div_precision_increment, @@session.lc_time_names, @@session.default_week_format,
		@@global.div_precision_increment, @@global.lc_time_names, @@global.default_week_format, @@session.sql_mode, @@global.sql_mode,
		@@session.time_zone, @@global.time_zone`).Scan(&dp, &tn, &wf, &gdp, &gtn, &gwf, &mode, &gmode, &tz, &gtz) == nil {
		src.EvalSession = []string{dp.String, tn.String, wf.String, tz.String}
		src.EvalGlobal = []string{gdp.String, gtn.String, gwf.String, gtz.String}
		// collation_connection too (review20a: the collation of string
		// literals the evaluator computes with; a DSN's collation
		// parameter sets it), asked of MariaDB only: the embedded shards
		// compare text by bytes whatever they report.
		// The connection's character sets likewise: a DSN's charset
		// parameter changes them, which text keys and merges assume are
		// utf8mb4 (checkDialect).
		var conn, gconn, client, connCS, results, sortLen, gsortLen sql.NullString
		if strings.Contains(version.String, "MariaDB") &&
			db.QueryRowContext(ctx, `SELECT @@session.collation_connection, @@global.collation_connection,
				@@session.character_set_client, @@session.character_set_connection, @@session.character_set_results,
				@@session.max_sort_length, @@global.max_sort_length`).Scan(&conn, &gconn, &client, &connCS, &results, &sortLen, &gsortLen) == nil {
			src.EvalSession = append(src.EvalSession, conn.String, sortLen.String)
			src.EvalGlobal = append(src.EvalGlobal, gconn.String, gsortLen.String)
			src.SessionCharsets = []string{client.String, connCS.String, cmp.Or(results.String, "NULL")}
		}
		src.SetSQLModes(mode.String, gmode.String, route.DialectModeIn)
	}
	return src, nil
}

// queryTables reads the columns and unique keys of each table's first node
// (all on this server) from information_schema, under the logical names.
// Tables not found (not created yet) are left out.
func queryTables(ctx context.Context, db *sql.DB, lowerCase int, tables []*shard.ShardedTable) ([]*schema.Table, error) {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(tables)), ",")
	names := make([]any, len(tables))
	for i, t := range tables {
		names[i] = t.Nodes[0].Table
	}
	// information_schema compares TABLE_NAME case-insensitively on
	// MariaDB: the exact physical table is picked below, by the server's
	// own rule for table-name case.
	byPhysical := func(name string) *shard.ShardedTable {
		for _, t := range tables {
			if t.Nodes[0].Table == name || (lowerCase != 0 && strings.EqualFold(t.Nodes[0].Table, name)) {
				return t
			}
		}
		return nil
	}
	out := make(map[*shard.ShardedTable]*schema.Table)
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLLATION_NAME, IS_NULLABLE, EXTRA,
		NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH, GENERATION_EXPRESSION
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`)
		ORDER BY TABLE_NAME, ORDINAL_POSITION`, names...)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading columns: %w", err)
	}
	for rows.Next() {
		var table, name, dataType, colType, nullable string
		var coll, extra, genExpr sql.NullString
		var prec, scale, dtPrec, maxLen sql.NullInt64
		if err := rows.Scan(&table, &name, &dataType, &colType, &coll, &nullable, &extra, &prec, &scale, &dtPrec, &maxLen, &genExpr); err != nil {
			rows.Close()
			return nil, fmt.Errorf("shardsql: reading columns: %w", err)
		}
		st := byPhysical(table)
		if st == nil {
			continue
		}
		t := out[st]
		if t == nil {
			t = &schema.Table{Name: st.Name}
			out[st] = t
		}
		col := schema.Column{
			Name:          name,
			DataType:      strings.ToLower(dataType),
			ColumnType:    strings.ToLower(colType),
			Collation:     strings.ToLower(coll.String),
			Nullable:      strings.EqualFold(nullable, "YES"),
			AutoIncrement: strings.Contains(strings.ToLower(extra.String), "auto_increment"),
			// EXTRA: "VIRTUAL GENERATED"/"STORED GENERATED" (MySQL also
			// "DEFAULT_GENERATED" for an expression default, which is
			// not a generated column); "on update current_timestamp()".
			Generated:      strings.Contains(strings.ToLower(extra.String), "virtual generated") || strings.Contains(strings.ToLower(extra.String), "stored generated"),
			GenerationExpr: genExpr.String,
			OnUpdateNow:    strings.Contains(strings.ToLower(extra.String), "on update"),
			Precision:      int(prec.Int64),
			Scale:          int(scale.Int64),
			MaxLength:      maxLen.Int64,
		}
		col.Unsigned = strings.Contains(col.ColumnType, "unsigned")
		if dtPrec.Valid {
			col.Scale = int(dtPrec.Int64)
		}
		t.Columns = append(t.Columns, col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading columns: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART IS NOT NULL FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`) AND NON_UNIQUE = 0
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, names...)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading unique keys: %w", err)
	}
	for rows.Next() {
		var table, index, column string
		var prefixed bool
		if err := rows.Scan(&table, &index, &column, &prefixed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("shardsql: reading unique keys: %w", err)
		}
		t := out[byPhysical(table)]
		if t == nil {
			continue
		}
		if n := len(t.Indexes); n == 0 || t.Indexes[n-1].Name != index {
			t.Indexes = append(t.Indexes, schema.Index{Name: index, Primary: strings.EqualFold(index, "PRIMARY")})
		}
		last := &t.Indexes[len(t.Indexes)-1]
		last.Columns = append(last.Columns, column)
		if prefixed {
			last.Prefixed = append(last.Prefixed, column)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading unique keys: %w", err)
	}
	// The engine: a write over several node tables is one transaction
	// only where the engine rolls back (route/nontransactional.go).
	rows, err = db.QueryContext(ctx, `SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`)`, names...)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading engines: %w", err)
	}
	for rows.Next() {
		var table string
		var engine sql.NullString
		if err := rows.Scan(&table, &engine); err != nil {
			rows.Close()
			return nil, fmt.Errorf("shardsql: reading engines: %w", err)
		}
		if t := out[byPhysical(table)]; t != nil {
			t.Engine = strings.ToLower(engine.String)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading engines: %w", err)
	}
	list := make([]*schema.Table, 0, len(out))
	for _, t := range out {
		list = append(list, t)
	}
	return list, nil
}
