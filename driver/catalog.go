package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// The schema catalog is what the servers say about the data sources and
// the sharded tables (column types, collations, unique keys), which routing
// needs to convert sharding values as the server does. The hot path is two
// atomic loads (the catalog and the topology version); no statement waits
// for the servers unless its routing needs a fact the catalog lacks:
//
//   - the catalog starts empty (only the DSNs' time zones, which need no
//     I/O) and is loaded when a statement needs a fact it lacks
//     (Plan.SchemaUnknown, route.ErrSchemaUnknown), at most once per
//     catalogRetry for statements it only routes more widely, always
//     for statements it refuses;
//   - a topology change carries the facts over to the new version
//     without I/O (the servers' schema did not change);
//   - a DDL statement the driver runs drops its table's facts, so the next
//     statement that needs them loads them afresh.
//
// The hazard avoided: loading eagerly makes every statement wait for a
// server that hangs, including statements that never touch it. A data
// source that does not answer keeps the facts it gave before, or leaves
// them unknown: routing then takes the conservative path (every node for
// reads, a refusal for writes) only for statements that need them.

// catalogTimeout bounds how long loading the catalog waits for one data
// source (and never longer than the statement's own deadline).
const catalogTimeout = 2 * time.Second

// catalogRetry is the shortest time between two loads for statements that
// the missing facts only route more widely.
const catalogRetry = time.Second

// catalogCache holds the current catalog of a Connector.
type catalogCache struct {
	state atomic.Pointer[catalogState]
	// mu serializes every change of state, loads included, so a DDL's
	// invalidation never races with a load that read the old schema.
	mu sync.Mutex
}

// catalogState is one catalog and how it was obtained.
type catalogState struct {
	cat      *schema.Catalog
	complete bool      // every data source answered and every sharded table was found
	loaded   time.Time // when the last load started; zero before the first
}

// current returns the catalog for the topology's current version.
func (cc *catalogCache) current(c *Connector) *schema.Catalog {
	if st := cc.state.Load(); st != nil && st.cat.TopologyVersion == c.topo.Version() {
		return st.cat
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st != nil && st.cat.TopologyVersion == c.topo.Version() {
		return st.cat
	}
	next := c.rebase(st)
	cc.state.Store(next)
	return next.cat
}

// rebase carries the facts of st (nil for none) over to the topology's
// current version, without I/O.
func (c *Connector) rebase(st *catalogState) *catalogState {
	version := c.topo.Version()
	sources := c.topo.DataSources()
	tables := c.topo.Tables()
	cat := &schema.Catalog{
		TopologyVersion: version,
		Sources:         make(map[string]schema.Source, len(sources)),
		Tables:          make(map[string]*schema.Table, len(tables)),
		Locations:       locations(sources),
	}
	next := &catalogState{cat: cat}
	if st == nil {
		return next
	}
	next.loaded, next.complete = st.loaded, st.complete
	for _, ds := range sources {
		if src, ok := st.cat.Sources[ds.Name]; ok {
			cat.Sources[ds.Name] = src
		} else {
			next.complete = false
		}
	}
	for _, t := range tables {
		if tbl, ok := st.cat.Table(t.Name); ok {
			cat.Tables[strings.ToLower(t.Name)] = tbl
		} else {
			next.complete = false
		}
	}
	return next
}

// reload loads the catalog because a statement that routed with catalog
// used needed facts it lacks. It returns nil when there is nothing newer
// to route with: the catalog is complete, or (unless refused, when the
// statement was refused for lack of facts) was loaded less than
// catalogRetry ago. A load that finished after used was taken serves the
// statement without another one.
func (cc *catalogCache) reload(ctx context.Context, c *Connector, used *schema.Catalog, refused bool) *schema.Catalog {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st != nil && st.cat.TopologyVersion == c.topo.Version() {
		switch {
		case st.cat != used:
			return st.cat
		case st.complete, !refused && time.Since(st.loaded) < catalogRetry:
			return nil
		}
	}
	next := c.loadCatalog(ctx, st)
	cc.state.Store(next)
	return next.cat
}

// forget drops what the catalog knows of a table, after DDL on it, and
// lets the next statement that needs it load at once.
func (cc *catalogCache) forget(table string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.state.Load()
	if st == nil {
		return
	}
	cat := *st.cat
	cat.Tables = make(map[string]*schema.Table, len(st.cat.Tables))
	for k, v := range st.cat.Tables {
		if k != strings.ToLower(table) {
			cat.Tables[k] = v
		}
	}
	cc.state.Store(&catalogState{cat: &cat})
}

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
	for _, t := range tables {
		ds := t.Nodes[0].DataSource
		byDS[ds] = append(byDS[ds], t)
	}
	type answer struct {
		src    schema.Source
		ok     bool // the server answered about itself
		tables []*schema.Table
		tabOK  bool // … and about its tables
	}
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
			if a.src, err = querySource(lctx, db); err != nil {
				return
			}
			a.ok = true
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
	for i, ds := range sources {
		a := answers[i]
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
	return next
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

// querySource asks a server for its database, lower_case_table_names and
// session time zone. A server that answers but lacks a variable (the
// embedded shards may) leaves that fact unknown; an error means the server
// did not answer.
func querySource(ctx context.Context, db *sql.DB) (schema.Source, error) {
	var name sql.NullString
	var lower sql.NullInt64
	var zone sql.NullString
	err := db.QueryRowContext(ctx, "SELECT DATABASE(), @@lower_case_table_names, @@session.time_zone").Scan(&name, &lower, &zone)
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
	}
	if err != nil {
		return schema.Source{}, fmt.Errorf("shardsql: reading the server's database: %w", err)
	}
	src := schema.Source{Database: name.String, LowerCaseTableNames: -1, TimeZone: zone.String}
	if lower.Valid {
		src.LowerCaseTableNames = int(lower.Int64)
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
		NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`)
		ORDER BY TABLE_NAME, ORDINAL_POSITION`, names...)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading columns: %w", err)
	}
	for rows.Next() {
		var table, name, dataType, colType, nullable string
		var coll, extra sql.NullString
		var prec, scale, dtPrec, maxLen sql.NullInt64
		if err := rows.Scan(&table, &name, &dataType, &colType, &coll, &nullable, &extra, &prec, &scale, &dtPrec, &maxLen); err != nil {
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
			Precision:     int(prec.Int64),
			Scale:         int(scale.Int64),
			MaxLength:     maxLen.Int64,
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
	rows, err = db.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (`+marks+`) AND NON_UNIQUE = 0
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, names...)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading unique keys: %w", err)
	}
	for rows.Next() {
		var table, index, column string
		if err := rows.Scan(&table, &index, &column); err != nil {
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
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading unique keys: %w", err)
	}
	list := make([]*schema.Table, 0, len(out))
	for _, t := range out {
		list = append(list, t)
	}
	return list, nil
}

// locations returns the time zone in which go-sql-driver writes time.Time
// values to each data source: the DSN's loc (UTC by default). A pool
// registered with AddDB hides its DSN, so UTC, go-sql-driver's default, is
// assumed for it: open such pools with the default loc, or register the
// data source by DSN.
func locations(sources []shard.DataSource) map[string]*time.Location {
	out := make(map[string]*time.Location, len(sources))
	for _, ds := range sources {
		out[ds.Name] = time.UTC
		if ds.DB == nil {
			if cfg, err := mysql.ParseDSN(ds.DSN); err == nil && cfg.Loc != nil {
				out[ds.Name] = cfg.Loc
			}
		}
	}
	return out
}

// checkLocations refuses a topology with a sharded table whose data sources
// write time.Time values in different time zones: one instant would be
// stored as different wall clocks on different nodes. Tables added later
// are checked when a time value is routed to them.
func checkLocations(topo *shard.Topology) error {
	locs := locations(topo.DataSources())
	for _, t := range topo.Tables() {
		first := t.Nodes[0].DataSource
		for _, n := range t.Nodes {
			if a, b := locs[first], locs[n.DataSource]; a.String() != b.String() {
				return fmt.Errorf("shardsql: table %s: data sources %s (loc=%s) and %s (loc=%s) write time values in different time zones; give every data source of a sharded table the same loc in its DSN",
					t.Name, first, a, n.DataSource, b)
			}
		}
	}
	return nil
}

// routeCatalog routes a statement with the current catalog and, when the
// plan or refusal depended on facts the catalog lacks, once more after
// loading them.
func (c *Connector) routeCatalog(ctx context.Context, query string, args []any, opts route.Options) (*route.Plan, error) {
	opts.Catalog = c.catalog.current(c)
	p, err := c.router.RouteWith(query, args, opts)
	refused := err != nil && errors.Is(err, route.ErrSchemaUnknown)
	if refused || (err == nil && p.SchemaUnknown) {
		if fresh := c.catalog.reload(ctx, c, opts.Catalog, refused); fresh != nil {
			opts.Catalog = fresh
			p, err = c.router.RouteWith(query, args, opts)
		}
	}
	return p, err
}

// afterExec forgets the facts of the table a DDL statement changed,
// whatever its outcome (a DDL may have changed some nodes before failing
// on others).
func (c *Connector) afterExec(p *route.Plan) {
	if p != nil && p.Kind == route.KindDDL && p.Table != "" {
		c.catalog.forget(p.Table)
	}
}
