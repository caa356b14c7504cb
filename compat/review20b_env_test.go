package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// r20bEnv is a topology whose data sources name their databases
// differently (<name>_a on the first server, <name>_b on the second), as
// deployments with one database per shard do, and whose sharded tables'
// first node is on the second data source: metadata lookups that tools
// send with the database name as an argument (gorm, ent, golang-migrate:
// `table_schema = ?` with what DATABASE() answered) must still be asked
// about the right node table on the right server.
type r20bEnv struct {
	dsns      []string // ds0, ds1
	oracleDSN string
	tables    []table
	direct    []*sql.DB // plain pools on ds0 and ds1
	oracle    *sql.DB
	opens     int
}

func newR20bEnv(t *testing.T, name string, tables ...table) *r20bEnv {
	t.Helper()
	e := newEnv(t, name) // starts the servers, makes the oracle database
	f := &r20bEnv{oracleDSN: e.OracleDSN, tables: tables, oracle: e.Oracle}
	for i, s := range servers.list {
		dsn := createDB(t, s, fmt.Sprintf("%s_%c", name, 'a'+i))
		f.dsns = append(f.dsns, dsn)
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		f.direct = append(f.direct, db)
	}
	return f
}

// open builds a new topology and connector, as a new process would.
// Each sharded table has four node tables: two on ds1 first, then two on
// ds0.
func (f *r20bEnv) open(t *testing.T) *sql.DB {
	t.Helper()
	f.opens++
	topo := shard.NewTopology()
	for i, dsn := range f.dsns {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn); err != nil {
			t.Fatal(err)
		}
	}
	for i, tb := range f.tables {
		st := shard.Table{Name: tb.name, Column: tb.column, Nodes: fmt.Sprintf("ds1.%[1]s_${0..1}, ds0.%[1]s_${2..3}", tb.name)}
		if tb.key != "" {
			gen, err := seq.NewSnowflake(int64(f.opens*16 + i + 1))
			if err != nil {
				t.Fatal(err)
			}
			st.KeyColumn, st.KeyGenerator = tb.key, gen
		}
		if err := topo.AddTable(st); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := driver.NewConnector(topo)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var r20bNodeSuffix = regexp.MustCompile("`([a-z0-9_]+?)_[0-3]`")

// nodeDefinitions compares every node table of table with the oracle's
// definition (SHOW CREATE TABLE, node names and AUTO_INCREMENT counters
// removed) and lists the tables each data source holds that one database
// would not: the logical name itself.
func (f *r20bEnv) nodeDefinitions(t *testing.T, name string) []string {
	t.Helper()
	ctx := context.Background()
	show := func(db *sql.DB, n string) string {
		var tn, ddl string
		if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE `"+n+"`").Scan(&tn, &ddl); err != nil {
			if strings.Contains(err.Error(), "Error 1146") {
				return "(no such table)"
			}
			return "(" + err.Error() + ")"
		}
		return autoIncrementOption.ReplaceAllString(r20bNodeSuffix.ReplaceAllString(ddl, "`$1`"), "")
	}
	want := show(f.oracle, name)
	var diffs []string
	for i, n := range []string{name + "_0", name + "_1", name + "_2", name + "_3"} {
		ds := 1
		if i >= 2 {
			ds = 0
		}
		if got := show(f.direct[ds], n); got != want {
			diffs = append(diffs, fmt.Sprintf("ds%d.%s:\n%s\noracle:\n%s", ds, n, got, want))
		}
	}
	for i, db := range f.direct {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			diffs = append(diffs, fmt.Sprintf("ds%d holds a table named %s, the logical name", i, name))
		}
	}
	return diffs
}

// checkNodes fails t when a node table of name differs from the oracle's.
func (f *r20bEnv) checkNodes(t *testing.T, what string, names ...string) {
	t.Helper()
	for _, name := range names {
		if d := f.nodeDefinitions(t, name); len(d) > 0 {
			t.Errorf("%s: node tables of %s differ from the oracle's:\n%s", what, name, strings.Join(d, "\n"))
		}
	}
}

var _ = shardtest.HaveMariaDB
