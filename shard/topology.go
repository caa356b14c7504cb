package shard

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// DataSource is one physical MySQL/MariaDB database.
type DataSource struct {
	// Name identifies the data source in node expressions, e.g. "ds0".
	Name string
	// DSN is a go-sql-driver/mysql DSN; empty when DB is set.
	DSN string
	// DB is a pool the user owns (shardsql never closes it); nil when DSN
	// is set.
	DB *sql.DB
	// Replicas are the data source's read replicas (AddReplica), in
	// registration order; the slice is never changed in place.
	Replicas []Replica
}

// Topology is the set of data sources and logical tables shardsql routes
// over. The zero value is an empty topology ready to use, as is the result of
// NewTopology. A Topology must not be copied after first use. It is safe for
// concurrent use, and data sources and tables may be added while it is in
// use.
type Topology struct {
	mu       sync.RWMutex
	sources  []DataSource
	byName   map[string]int           // data source name → index in sources
	tables   []*ShardedTable          // registration order
	byTable  map[string]*ShardedTable // lower-case logical name → table
	physical map[Node]string          // node with lower-case table → logical name
	bindings map[string]int           // lower-case sharded table name → binding group
	groups   int                      // binding groups made so far
	bcast    map[string]string        // lower-case broadcast table name → name as added
	version  atomic.Uint64            // bumped by every change
}

// Version changes whenever the topology does (a data source, table, node,
// binding or broadcast table is added), so callers can cache what they
// derive from it.
func (t *Topology) Version() uint64 { return t.version.Load() }

// NewTopology returns an empty topology.
func NewTopology() *Topology {
	t := &Topology{}
	t.initLocked()
	return t
}

// initLocked allocates the maps of a zero Topology. t.mu must be held for
// writing, or t must not yet be shared.
func (t *Topology) initLocked() {
	if t.byName == nil {
		t.byName = make(map[string]int)
		t.byTable = make(map[string]*ShardedTable)
		t.physical = make(map[Node]string)
		t.bindings = make(map[string]int)
		t.bcast = make(map[string]string)
	}
}

// AddDataSource registers a data source reached through a
// go-sql-driver/mysql DSN. Names may hold [A-Za-z0-9_-] and must be unique.
func (t *Topology) AddDataSource(name, dsn string) error {
	if strings.TrimSpace(dsn) == "" {
		if err := checkDataSourceName(name); err != nil {
			return err
		}
		return fmt.Errorf("shardsql: data source %s: empty DSN; pass a go-sql-driver/mysql DSN such as \"user:pw@tcp(host:3306)/db\"", name)
	}
	return t.addDataSource(DataSource{Name: name, DSN: dsn})
}

// AddDB registers a data source backed by a pool the caller owns; shardsql
// never closes it. Names follow the AddDataSource rules.
func (t *Topology) AddDB(name string, db *sql.DB) error {
	if db == nil {
		if err := checkDataSourceName(name); err != nil {
			return err
		}
		return fmt.Errorf("shardsql: data source %s: nil *sql.DB; pass an open pool, or use AddDataSource with a DSN", name)
	}
	return t.addDataSource(DataSource{Name: name, DB: db})
}

// addDataSource validates ds.Name and appends ds.
func (t *Topology) addDataSource(ds DataSource) error {
	if err := checkDataSourceName(ds.Name); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version.Add(1)
	t.initLocked()
	if _, dup := t.byName[ds.Name]; dup {
		return fmt.Errorf("shardsql: data source %s is already registered; use a different name", ds.Name)
	}
	t.byName[ds.Name] = len(t.sources)
	t.sources = append(t.sources, ds)
	return nil
}

// checkDataSourceName rejects empty names and names with characters outside
// [A-Za-z0-9_-].
func checkDataSourceName(name string) error {
	if name == "" {
		return fmt.Errorf("shardsql: data source name is empty; use a name such as \"ds0\"")
	}
	if !validName(name, "-") {
		return fmt.Errorf("shardsql: data source name %q has characters outside [A-Za-z0-9_-]", name)
	}
	return nil
}

// AddTable registers a sharded logical table. Its node expression is
// expanded with ExpandNodes; every node's data source must already be
// registered, the logical name must be new (case-insensitively) and not a
// broadcast table's, and no physical table on a data source may belong to
// two logical tables or be a broadcast table. When the algorithm is a
// TableAlgorithm, AddTable stores the result of its ForNodes.
func (t *Topology) AddTable(tb Table) error {
	if strings.TrimSpace(tb.Name) == "" {
		return fmt.Errorf("shardsql: table name is empty; set Table.Name to the logical table name")
	}
	if strings.TrimSpace(tb.Column) == "" {
		return fmt.Errorf("shardsql: table %s: sharding column is empty; set Table.Column", tb.Name)
	}
	if strings.TrimSpace(tb.Nodes) == "" {
		return fmt.Errorf("shardsql: table %s: node expression is empty; set Table.Nodes, e.g. \"ds${0..1}.%s_${0..3}\"", tb.Name, tb.Name)
	}
	nodes, err := expandNodes(tb.Nodes)
	if err != nil {
		return fmt.Errorf("shardsql: table %s: %w", tb.Name, err)
	}
	if len(nodes) == 0 {
		return fmt.Errorf("shardsql: table %s: node expression %q has no nodes", tb.Name, tb.Nodes)
	}
	alg := tb.Algorithm
	if alg == nil {
		alg = Hash()
	}
	alg, err = bindAlgorithm(tb.Name, alg, nodes)
	if err != nil {
		return err
	}
	if (tb.KeyColumn == "") != (tb.KeyGenerator == nil) {
		return fmt.Errorf("shardsql: table %s: set both KeyColumn and KeyGenerator, or neither", tb.Name)
	}
	st := &ShardedTable{Name: tb.Name, Column: tb.Column, Nodes: nodes, Algorithm: alg, KeyColumn: tb.KeyColumn, KeyGenerator: tb.KeyGenerator}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.version.Add(1)
	t.initLocked()
	key := strings.ToLower(tb.Name)
	if old, dup := t.byTable[key]; dup {
		return fmt.Errorf("shardsql: table %s: a table named %s is already registered; logical table names are case-insensitive", tb.Name, old.Name)
	}
	if b, ok := t.bcast[key]; ok {
		return fmt.Errorf("shardsql: table %s: %s is a broadcast table; a table is either sharded or broadcast, so use another name", tb.Name, b)
	}
	if err := t.checkNewNodesLocked(tb.Name, nodes); err != nil {
		return err
	}
	for _, n := range nodes {
		t.physical[physicalKey(n)] = tb.Name
	}
	t.byTable[key] = st
	t.tables = append(t.tables, st)
	return nil
}

// bindAlgorithm returns what a table's algorithm is for these nodes: for a
// TableAlgorithm the result of ForNodes, for any other alg itself.
func bindAlgorithm(table string, alg Algorithm, nodes []Node) (Algorithm, error) {
	ta, ok := alg.(TableAlgorithm)
	if !ok {
		return alg, nil
	}
	bound, err := ta.ForNodes(nodes)
	if err != nil {
		return nil, &contextError{prefix: fmt.Sprintf("shardsql: table %s: ", table), err: err}
	}
	if bound == nil {
		return nil, fmt.Errorf("shardsql: table %s: algorithm %s returned a nil Algorithm from ForNodes; fix the algorithm", table, alg.Name())
	}
	return bound, nil
}

// checkNewNodesLocked checks that nodes about to be added to table use
// registered data sources and physical tables no other table uses. t.mu must
// be held.
func (t *Topology) checkNewNodesLocked(table string, nodes []Node) error {
	for _, n := range nodes {
		if _, ok := t.byName[n.DataSource]; !ok {
			return fmt.Errorf("shardsql: table %s: node %s uses data source %q, which is not registered (%s); call AddDataSource or AddDB for %q first",
				table, n, n.DataSource, t.registeredLocked(), n.DataSource)
		}
		if owner, used := t.physical[physicalKey(n)]; used {
			return fmt.Errorf("shardsql: table %s: node %s is already a node of table %s; each physical table may belong to one logical table",
				table, n, owner)
		}
		if b, ok := t.bcast[strings.ToLower(n.Table)]; ok {
			return fmt.Errorf("shardsql: table %s: node %s is the physical table of broadcast table %s, which is on every data source; use another physical table name",
				table, n, b)
		}
	}
	return nil
}

// physicalKey is the key of n in Topology.physical. Table names compare
// case-insensitively so that t_order and T_ORDER, which are the same table on
// servers with lower_case_table_names set, cannot both be registered.
func physicalKey(n Node) Node {
	return Node{DataSource: n.DataSource, Table: strings.ToLower(n.Table)}
}

// registeredLocked describes the registered data sources for error messages.
// t.mu must be held.
func (t *Topology) registeredLocked() string {
	if len(t.sources) == 0 {
		return "no data sources are registered"
	}
	names := make([]string, len(t.sources))
	for i, ds := range t.sources {
		names[i] = ds.Name
	}
	return "registered: " + strings.Join(names, ", ")
}

// DataSources returns the registered data sources in registration order.
func (t *Topology) DataSources() []DataSource {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]DataSource(nil), t.sources...)
}

// DataSource returns the data source registered under name.
func (t *Topology) DataSource(name string) (DataSource, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	i, ok := t.byName[name]
	if !ok {
		return DataSource{}, false
	}
	return t.sources[i], true
}

// DefaultDataSource returns the name of the first registered data source,
// where statements on unknown tables go, or "" if there is none.
func (t *Topology) DefaultDataSource() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.sources) == 0 {
		return ""
	}
	return t.sources[0].Name
}

// Table returns the sharded table registered under the logical name,
// compared case-insensitively.
func (t *Topology) Table(name string) (*ShardedTable, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	st, ok := t.byTable[strings.ToLower(name)]
	return st, ok
}

// Tables returns the sharded tables in registration order.
func (t *Topology) Tables() []*ShardedTable {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]*ShardedTable(nil), t.tables...)
}
