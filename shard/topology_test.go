package shard_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// newTopo returns a topology with data sources ds0 and ds1.
func newTopo(t *testing.T) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "u:p@tcp(127.0.0.1:3306)/app0"))
	require.NoError(t, topo.AddDataSource("ds1", "u:p@tcp(127.0.0.1:3306)/app1"))
	return topo
}

func TestAddDataSourceErrors(t *testing.T) {
	tests := []struct {
		name string
		ds   string
		dsn  string
		want string
	}{
		{"empty name", "", "u:p@/db", "shardsql: data source name is empty"},
		{"empty dsn", "ds9", "", "shardsql: data source ds9: empty DSN"},
		{"blank dsn", "ds9", "  ", "shardsql: data source ds9: empty DSN"},
		{"duplicate name", "ds0", "u:p@/db", "shardsql: data source ds0 is already registered"},
		{"dot in name", "ds.0", "u:p@/db", `shardsql: data source name "ds.0" has characters outside [A-Za-z0-9_-]`},
		{"space in name", "ds 0", "u:p@/db", `shardsql: data source name "ds 0" has characters outside [A-Za-z0-9_-]`},
		{"dollar in name", "ds$", "u:p@/db", `shardsql: data source name "ds$" has characters outside [A-Za-z0-9_-]`},
		{"non-ASCII name", "dsé", "u:p@/db", `shardsql: data source name "dsé" has characters outside [A-Za-z0-9_-]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			err := topo.AddDataSource(tt.ds, tt.dsn)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, topo.DataSources(), 2, "a failed add must not register anything")
		})
	}
}

func TestAddDBErrors(t *testing.T) {
	db := &sql.DB{} // never used for I/O
	tests := []struct {
		name string
		ds   string
		db   *sql.DB
		want string
	}{
		{"empty name", "", db, "shardsql: data source name is empty"},
		{"nil db", "ds9", nil, "shardsql: data source ds9: nil *sql.DB"},
		{"duplicate name", "ds1", db, "shardsql: data source ds1 is already registered"},
		{"bad chars", "ds/1", db, `shardsql: data source name "ds/1" has characters outside [A-Za-z0-9_-]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			err := topo.AddDB(tt.ds, tt.db)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, topo.DataSources(), 2)
		})
	}
}

func TestDataSources(t *testing.T) {
	topo := shard.NewTopology()
	assert.Equal(t, "", topo.DefaultDataSource())
	assert.Empty(t, topo.DataSources())

	db := &sql.DB{}
	require.NoError(t, topo.AddDataSource("main", "u:p@/main"))
	require.NoError(t, topo.AddDB("Shard-1_b", db))
	require.NoError(t, topo.AddDataSource("a", "u:p@/a"))

	assert.Equal(t, "main", topo.DefaultDataSource())
	assert.Equal(t, []shard.DataSource{
		{Name: "main", DSN: "u:p@/main"},
		{Name: "Shard-1_b", DB: db},
		{Name: "a", DSN: "u:p@/a"},
	}, topo.DataSources())

	ds, ok := topo.DataSource("Shard-1_b")
	require.True(t, ok)
	assert.Same(t, db, ds.DB)
	assert.Empty(t, ds.DSN)

	_, ok = topo.DataSource("missing")
	assert.False(t, ok)

	// The returned slice is a copy.
	list := topo.DataSources()
	list[0].Name = "changed"
	assert.Equal(t, "main", topo.DataSources()[0].Name)
}

func TestZeroTopology(t *testing.T) {
	var topo shard.Topology
	_, ok := topo.Table("t")
	assert.False(t, ok)
	require.NoError(t, topo.AddDataSource("ds0", "u:p@/db"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t", Column: "id", Nodes: "ds0.t_${0..1}"}))
	assert.Equal(t, "ds0", topo.DefaultDataSource())
	assert.Len(t, topo.Tables(), 1)
}

func TestAddTable(t *testing.T) {
	topo := newTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.t_user_${0..1}, ds1.t_user_${2..3}", Algorithm: shard.Mod()}))

	st, ok := topo.Table("T_Order")
	require.True(t, ok, "lookup is case-insensitive")
	assert.Equal(t, "t_order", st.Name)
	assert.Equal(t, "user_id", st.Column)
	assert.Equal(t, "hash", st.Algorithm.Name(), "nil Algorithm means Hash")
	assert.Equal(t, []string{
		"ds0.t_order_0", "ds0.t_order_1", "ds0.t_order_2", "ds0.t_order_3",
		"ds1.t_order_0", "ds1.t_order_1", "ds1.t_order_2", "ds1.t_order_3",
	}, names(st.Nodes))
	assert.Equal(t, []string{"ds0", "ds1"}, st.DataSources())

	user, ok := topo.Table("t_user")
	require.True(t, ok)
	assert.Equal(t, "mod", user.Algorithm.Name())

	_, ok = topo.Table("t_missing")
	assert.False(t, ok)

	tables := topo.Tables()
	require.Len(t, tables, 2)
	assert.Equal(t, "t_order", tables[0].Name)
	assert.Equal(t, "t_user", tables[1].Name)
	tables[0] = nil
	assert.NotNil(t, topo.Tables()[0], "Tables returns a copy")
}

func TestAddTableSamePhysicalNameOnDifferentDataSources(t *testing.T) {
	topo := newTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "a", Column: "id", Nodes: "ds0.t"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "b", Column: "id", Nodes: "ds1.t"}))
}

func TestAddTableErrors(t *testing.T) {
	tests := []struct {
		name  string
		table shard.Table
		want  []string
	}{
		{"empty name", shard.Table{Column: "id", Nodes: "ds0.t"}, []string{"shardsql: table name is empty"}},
		{"blank name", shard.Table{Name: " ", Column: "id", Nodes: "ds0.t"}, []string{"shardsql: table name is empty"}},
		{"empty column", shard.Table{Name: "t", Nodes: "ds0.t"}, []string{"shardsql: table t: sharding column is empty"}},
		{"empty nodes", shard.Table{Name: "t", Column: "id"}, []string{"shardsql: table t: node expression is empty"}},
		{"malformed nodes", shard.Table{Name: "t", Column: "id", Nodes: "ds0.t_${0..3"}, []string{
			`shardsql: table t: node expression "ds0.t_${0..3"`, `unclosed "${"`,
		}},
		{"missing dot", shard.Table{Name: "t", Column: "id", Nodes: "t_${0..3}"}, []string{"shardsql: table t:", "has no '.'"}},
		{"unregistered data source", shard.Table{Name: "t", Column: "id", Nodes: "ds${0..2}.t_${0..1}"}, []string{
			"shardsql: table t: node ds2.t_0 uses data source \"ds2\", which is not registered (registered: ds0, ds1)",
			`call AddDataSource or AddDB for "ds2" first`,
		}},
		{"duplicate logical name", shard.Table{Name: "t_order", Column: "id", Nodes: "ds0.other_${0..1}"}, []string{
			"shardsql: table t_order: a table named t_order is already registered",
		}},
		{"duplicate logical name other case", shard.Table{Name: "T_ORDER", Column: "id", Nodes: "ds0.other_${0..1}"}, []string{
			"shardsql: table T_ORDER: a table named t_order is already registered",
		}},
		{"physical table taken", shard.Table{Name: "t_order2", Column: "id", Nodes: "ds1.t_order_${3..4}"}, []string{
			"shardsql: table t_order2: node ds1.t_order_3 is already a node of table t_order",
		}},
		{"physical table taken other case", shard.Table{Name: "t_order2", Column: "id", Nodes: "ds0.T_ORDER_1"}, []string{
			"node ds0.T_ORDER_1 is already a node of table t_order",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := newTopo(t)
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}"}))
			err := topo.AddTable(tt.table)
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Len(t, topo.Tables(), 1, "a failed add must not register anything")
			if name := strings.TrimSpace(tt.table.Name); name != "" && !strings.EqualFold(name, "t_order") {
				_, ok := topo.Table(name)
				assert.False(t, ok)
			}
		})
	}
}

func TestAddTableNoDataSources(t *testing.T) {
	err := shard.NewTopology().AddTable(shard.Table{Name: "t", Column: "id", Nodes: "ds0.t"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no data sources are registered")
}

func TestAddTableFailureReleasesNothing(t *testing.T) {
	// A rejected table must not reserve its physical tables.
	topo := newTopo(t)
	require.Error(t, topo.AddTable(shard.Table{Name: "a", Column: "id", Nodes: "ds0.x, ds9.y"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "b", Column: "id", Nodes: "ds0.x"}))
}

func TestConcurrentAddAndRead(t *testing.T) {
	topo := newTopo(t)
	const tables = 50
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := range tables {
					if st, ok := topo.Table(fmt.Sprintf("t%d", i)); ok {
						if _, err := st.NodeFor(int64(r)); err != nil {
							t.Error(err)
							return
						}
						_ = st.DataSources()
					}
				}
				_ = topo.Tables()
				_ = topo.DataSources()
				_ = topo.DefaultDataSource()
				_, _ = topo.DataSource("ds0")
			}
		})
	}
	var adders sync.WaitGroup
	for i := range tables {
		adders.Go(func() {
			assert.NoError(t, topo.AddTable(shard.Table{
				Name: fmt.Sprintf("t%d", i), Column: "id",
				Nodes: fmt.Sprintf("ds${0..1}.t%d_${0..3}", i),
			}))
		})
	}
	adders.Go(func() {
		assert.NoError(t, topo.AddDataSource("ds2", "u:p@/db2"))
	})
	adders.Wait()
	close(stop)
	wg.Wait()
	assert.Len(t, topo.Tables(), tables)
	assert.Len(t, topo.DataSources(), 3)
}
