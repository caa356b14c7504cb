package route

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// Atlas' inspection statements (ariga.io/atlas sql/mysql inspect_oss.go),
// as ent's migration sends them.
const (
	atlasTables = "SELECT t1.TABLE_SCHEMA, t1.TABLE_NAME, t2.CHARACTER_SET_NAME, t1.TABLE_COLLATION, t3.SUPPORT = 'DEFAULT' AS DEFAULT_ENGINE " +
		"FROM INFORMATION_SCHEMA.TABLES AS t1 JOIN INFORMATION_SCHEMA.COLLATIONS AS t2 ON t1.TABLE_COLLATION = t2.COLLATION_NAME " +
		"LEFT JOIN INFORMATION_SCHEMA.ENGINES AS t3 ON t1.ENGINE = t3.ENGINE " +
		"WHERE TABLE_SCHEMA IN (?) AND TABLE_NAME IN (?, ?) AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME"
	atlasColumns = "SELECT `TABLE_NAME`, `COLUMN_NAME`, `COLUMN_TYPE` FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE `TABLE_SCHEMA` = ? AND `TABLE_NAME` IN (?, ?) ORDER BY `ORDINAL_POSITION`"
	atlasFKs     = "SELECT t1.CONSTRAINT_NAME, t1.TABLE_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE AS t1 JOIN INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS AS t2 ON t1.CONSTRAINT_NAME = t2.CONSTRAINT_NAME " +
		"WHERE t1.REFERENCED_COLUMN_NAME IS NOT NULL AND BINARY t1.TABLE_SCHEMA = ? AND BINARY t2.CONSTRAINT_SCHEMA = ? AND t1.TABLE_NAME IN (?) ORDER BY BINARY t1.TABLE_NAME, BINARY t1.CONSTRAINT_NAME, t1.ORDINAL_POSITION"
)

// TestRouteMetadataLookups pins information_schema lookups naming several
// tables (IN lists), over joins of information_schema tables, with BINARY
// columns: each logical table asked as its first node, on its data
// source; the rows sorted again where renaming or merging changes order.
func TestRouteMetadataLookups(t *testing.T) {
	r := testRouter(t)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app1"}}}
	route := func(sql string, args ...any) *Plan {
		t.Helper()
		p, err := r.RouteWith(sql, args, Options{Catalog: cat})
		require.NoError(t, err, sql)
		require.NotNil(t, p.Metadata, sql)
		require.Len(t, p.Metadata.Units, len(p.Units))
		return p
	}

	// Both first nodes on ds0: one unit, every name its node's.
	p := route(atlasTables, "app", "t_user", "t_order")
	assert.Equal(t, []goldenUnit{gu("ds0.t_order_0", atlasTables, "app", "t_user_0", "t_order_0")}, actualUnits(p))
	assert.Equal(t, map[string]string{"t_user_0": "t_user", "t_order_0": "t_order"}, p.Metadata.Units[0].Rename)
	// ORDER BY TABLE_SCHEMA, TABLE_NAME: node names sort otherwise.
	assert.Equal(t, []MetadataOrder{{Column: 0}, {Column: 1}}, p.Metadata.Order)
	assert.False(t, p.Metadata.Units[0].Hide["t_user_0"])
	assert.True(t, p.Metadata.Units[0].Hide["t_user_1"])

	// A logical table and another: the other asked as written.
	p = route(atlasColumns, "app", "t_user", "t_plain")
	assert.Equal(t, []goldenUnit{gu("ds0.t_user_0", atlasColumns, "app", "t_user_0", "t_plain")}, actualUnits(p))
	assert.Nil(t, p.Metadata.Order, "ORDER BY ORDINAL_POSITION: renaming changes no order")

	// BINARY columns; literal names.
	p = route(atlasFKs, "app", "app", "t_order")
	assert.Equal(t, []goldenUnit{gu("ds0.t_order_0", atlasFKs, "app", "app", "t_order_0")}, actualUnits(p))
	assert.Equal(t, []MetadataOrder{{Column: 1, Binary: true}, {Column: 0, Binary: true}}, p.Metadata.Order)
	p = route("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('t_user', 't_order')")
	assert.Equal(t, []goldenUnit{gu("ds0.t_order_0", "select `table_name` from information_schema.`tables` where table_schema = database() and `table_name` in ('t_user_0', 't_order_0')")}, actualUnits(p))

	// Not about a logical table: unchanged.
	p, err := r.RouteWith(atlasColumns, []any{"app", "t_plain", "t_other"}, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Nil(t, p.Metadata)
	// Atlas' realm inspection: a listing of the database over joins, which
	// would show node tables, is refused.
	listing := strings.Replace(strings.Replace(atlasTables, " AND TABLE_NAME IN (?, ?)", "", 1), "JOIN INFORMATION_SCHEMA.COLLATIONS", "LEFT JOIN INFORMATION_SCHEMA.COLLATIONS", 1)
	_, err = r.RouteWith(listing, []any{"app"}, Options{Catalog: cat})
	assert.True(t, errors.Is(err, ErrUnsupported), "%v", err)
	p, err = r.RouteWith(listing, []any{"other"}, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Nil(t, p.Metadata)
	// Another schema's tables: unchanged.
	p, err = r.RouteWith(atlasColumns, []any{"other", "t_user", "t_order"}, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Nil(t, p.Metadata)
}

// TestRouteMetadataLookupsAcrossSources pins lookups naming tables whose
// first nodes live on different data sources: a unit per data source,
// each with every list element replaced by one of its own names and the
// schema by its database, and refusals where putting the rows together
// cannot give one server's answer.
func TestRouteMetadataLookupsAcrossSources(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app1"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_a", Column: "id", Nodes: "ds${0..1}.t_a_${0..1}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_b", Column: "id", Nodes: "ds1.t_b_0,ds0.t_b_1"}))
	r, err := New(topo)
	require.NoError(t, err)
	cat := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app1"}}}

	p, err := r.RouteWith(atlasTables, []any{"app", "t_b", "t_a"}, Options{Catalog: cat})
	require.NoError(t, err)
	require.NotNil(t, p.Metadata)
	assert.Equal(t, []goldenUnit{
		gu("ds1.t_b_0", atlasTables, "app1", "t_b_0", "t_b_0"),
		gu("ds0.t_a_0", atlasTables, "app", "t_a_0", "t_a_0"),
	}, actualUnits(p))
	assert.Equal(t, []MetadataOrder{{Column: 0}, {Column: 1}}, p.Metadata.Order)
	assert.False(t, p.Metadata.Units[0].Only, "the unit asks about its own tables only")
	assert.Equal(t, "app1", p.Metadata.Units[0].Database)
	assert.Equal(t, "app", p.Metadata.Units[0].Home)

	// A name not in the topology and one on another data source.
	p, err = r.RouteWith("SELECT table_name FROM information_schema.tables WHERE table_schema = 'app' AND table_name IN ('t_plain', 't_b')", nil, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Equal(t, []goldenUnit{
		gu("ds0", "select `table_name` from information_schema.`tables` where table_schema = 'app' and `table_name` in ('t_plain', 't_plain')"),
		gu("ds1.t_b_0", "select `table_name` from information_schema.`tables` where table_schema = 'app1' and `table_name` in ('t_b_0', 't_b_0')"),
	}, actualUnits(p))

	// ORDER BY ORDINAL_POSITION, which the result does not show: each unit
	// selects it after the caller's columns, for the driver to sort by.
	p, err = r.RouteWith(atlasColumns, []any{"app", "t_a", "t_b"}, Options{Catalog: cat})
	require.NoError(t, err)
	hiddenSQL := "select `TABLE_NAME`, `COLUMN_NAME`, COLUMN_TYPE, ORDINAL_POSITION as __shardsql_order_0 from INFORMATION_SCHEMA.`COLUMNS` where TABLE_SCHEMA = ? and `TABLE_NAME` in (?, ?) order by ORDINAL_POSITION asc"
	assert.Equal(t, []goldenUnit{gu("ds0.t_a_0", hiddenSQL, "app", "t_a_0", "t_a_0"), gu("ds1.t_b_0", hiddenSQL, "app1", "t_b_0", "t_b_0")}, actualUnits(p))
	assert.Equal(t, []MetadataOrder{{Column: 3}}, p.Metadata.Order)
	assert.Equal(t, 1, p.Metadata.Hidden)

	for _, sql := range []string{
		"SELECT * FROM information_schema.columns WHERE table_schema = ? AND table_name IN (?, ?) ORDER BY ordinal_position",
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?)",
		"SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?) ORDER BY table_name LIMIT 1",
	} {
		_, err := r.RouteWith(sql, []any{"app", "t_a", "t_b"}, Options{Catalog: cat})
		require.Error(t, err, sql)
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", sql, err)
	}
	// One data source, but ORDER BY a name with LIMIT: refused too.
	_, err = r.RouteWith("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?) ORDER BY table_name LIMIT 1", []any{"app", "t_a", "t_plain"}, Options{Catalog: cat})
	assert.True(t, errors.Is(err, ErrUnsupported), "%v", err)
}
