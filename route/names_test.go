package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// nameCase is a statement routed with a catalog: either the units it must
// produce, or the refusal it must give (err holds substrings).
type nameCase struct {
	name  string
	sql   string
	args  []any
	hint  string // WithDataSource hint
	units []goldenUnit
	err   []string
}

// catalogWith returns testCatalog with the servers' lower_case_table_names
// set to lctn and ds1's database named ds1db.
func catalogWith(lctn int, ds1db string) *schema.Catalog {
	c := testCatalog()
	c.Sources = map[string]schema.Source{
		"ds0": {Database: "app", LowerCaseTableNames: lctn},
		"ds1": {Database: ds1db, LowerCaseTableNames: lctn},
	}
	return c
}

func runNameCases(t *testing.T, cat *schema.Catalog, cases []nameCase) {
	t.Helper()
	r := joinRouter(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.RouteWith(tc.sql, tc.args, Options{Catalog: cat, DataSource: tc.hint})
			if tc.err != nil {
				require.Error(t, err, "plan:\n%v", p)
				assert.ErrorIs(t, err, ErrUnsupported)
				assert.True(t, strings.HasPrefix(err.Error(), unsupportedPrefix), err.Error())
				for _, want := range tc.err {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.units, actualUnits(p), "plan:\n%s", p)
		})
	}
}

// passthroughTo expects sql unchanged on one data source.
func passthroughTo(ds, sql string, args ...any) []goldenUnit {
	return []goldenUnit{gu(ds, sql, args...)}
}

// TestSchemaQualifiedNames: a qualifier naming another schema is another
// table, sent unchanged to the data source holding that schema; the data
// source's own database is the logical table; statements mixing both are
// refused unless one node on the home data source runs them whole.
func TestSchemaQualifiedNames(t *testing.T) {
	orderNode1 := hashPlacements["1"] // ds1.t_order_2
	runNameCases(t, catalogWith(0, "app"), []nameCase{
		// another schema: unchanged, to the default data source or the hint's
		{name: "drop other schema's table", sql: "DROP TABLE archive.t_order", units: passthroughTo("ds0", "DROP TABLE archive.t_order")},
		{name: "drop other schema's table if exists", sql: "DROP TABLE IF EXISTS archive.t_order, archive.t_user", units: passthroughTo("ds0", "DROP TABLE IF EXISTS archive.t_order, archive.t_user")},
		{name: "drop other schema's table with hint", sql: "DROP TABLE archive.t_order", hint: "ds1", units: passthroughTo("ds1", "DROP TABLE archive.t_order")},
		{name: "truncate other schema's table", sql: "TRUNCATE TABLE archive.t_order", units: passthroughTo("ds0", "TRUNCATE TABLE archive.t_order")},
		{name: "create other schema's table", sql: "CREATE TABLE archive.t_order (id INT)", units: passthroughTo("ds0", "CREATE TABLE archive.t_order (id INT)")},
		{name: "alter other schema's table", sql: "ALTER TABLE archive.t_order ADD COLUMN x INT", units: passthroughTo("ds0", "ALTER TABLE archive.t_order ADD COLUMN x INT")},
		{name: "create index on other schema's table", sql: "CREATE INDEX ix ON archive.t_order (user_id)", units: passthroughTo("ds0", "CREATE INDEX ix ON archive.t_order (user_id)")},
		{name: "rename within other schema", sql: "RENAME TABLE archive.t_order TO archive.t_order_old", units: passthroughTo("ds0", "RENAME TABLE archive.t_order TO archive.t_order_old")},
		{name: "select other schema's table", sql: "SELECT * FROM archive.t_order WHERE user_id = 1", units: passthroughTo("ds0", "SELECT * FROM archive.t_order WHERE user_id = 1")},
		{name: "select other schema's table with qualified column", sql: "SELECT archive.t_order.user_id FROM archive.t_order ORDER BY archive.t_order.user_id LIMIT 3",
			units: passthroughTo("ds0", "SELECT archive.t_order.user_id FROM archive.t_order ORDER BY archive.t_order.user_id LIMIT 3")},
		{name: "update other schema's table", sql: "UPDATE archive.t_order SET user_id = 5 WHERE user_id = ?", args: []any{1},
			units: passthroughTo("ds0", "UPDATE archive.t_order SET user_id = 5 WHERE user_id = ?", 1)},
		{name: "delete other schema's table", sql: "DELETE FROM archive.t_order", units: passthroughTo("ds0", "DELETE FROM archive.t_order")},
		{name: "insert other schema's table", sql: "INSERT INTO archive.t_order (order_id, user_id) VALUES (1, 1), (2, 2)",
			units: passthroughTo("ds0", "INSERT INTO archive.t_order (order_id, user_id) VALUES (1, 1), (2, 2)")},
		{name: "replace other schema's table", sql: "REPLACE INTO archive.t_order VALUES (1, 1)", units: passthroughTo("ds0", "REPLACE INTO archive.t_order VALUES (1, 1)")},
		{name: "join within other schema", sql: "SELECT * FROM archive.t_order o JOIN archive.t_order_item i ON o.order_id = i.order_id",
			units: passthroughTo("ds0", "SELECT * FROM archive.t_order o JOIN archive.t_order_item i ON o.order_id = i.order_id")},
		{name: "subquery within other schema", sql: "SELECT * FROM archive.t_order WHERE user_id IN (SELECT id FROM archive.t_user)",
			units: passthroughTo("ds0", "SELECT * FROM archive.t_order WHERE user_id IN (SELECT id FROM archive.t_user)")},
		{name: "other schema's broadcast name", sql: "UPDATE archive.t_merchant SET name = 'x'", units: passthroughTo("ds0", "UPDATE archive.t_merchant SET name = 'x'")},
		{name: "opaque statement on other schema's table", sql: "OPTIMIZE TABLE archive.t_order", units: passthroughTo("ds0", "OPTIMIZE TABLE archive.t_order")},
		{name: "load data into other schema's table", sql: "LOAD DATA INFILE 'f.csv' INTO TABLE archive.t_order", units: passthroughTo("ds0", "LOAD DATA INFILE 'f.csv' INTO TABLE archive.t_order")},
		{name: "show create table of other schema's table", sql: "SHOW CREATE TABLE archive.t_order", units: passthroughTo("ds0", "SHOW CREATE TABLE archive.t_order")},

		// the data source's own database: the logical table, qualifier dropped
		{name: "select own database", sql: "SELECT * FROM app.t_order WHERE user_id = 1",
			units: []goldenUnit{gu(orderNode1, "select * from t_order_2 where user_id = 1")}},
		{name: "select own database qualified column", sql: "SELECT app.t_order.order_id FROM app.t_order WHERE app.t_order.user_id = 1",
			units: []goldenUnit{gu(orderNode1, "select t_order_2.order_id from t_order_2 where t_order_2.user_id = 1")}},
		{name: "own database qualified column on unqualified table", sql: "SELECT * FROM t_order WHERE app.t_order.user_id = 1",
			units: []goldenUnit{gu(orderNode1, "select * from t_order_2 where t_order_2.user_id = 1")}},
		{name: "update own database", sql: "UPDATE app.t_order SET note = 'x' WHERE user_id = 1",
			units: []goldenUnit{gu(orderNode1, "update t_order_2 set note = 'x' where user_id = 1")}},
		{name: "insert own database", sql: "INSERT INTO app.t_order (order_id, user_id) VALUES (7, 1)",
			units: []goldenUnit{gu(orderNode1, "insert into t_order_2(order_id, user_id) values (7, 1)")}},
		{name: "drop own database's logical table", sql: "DROP TABLE app.t_user", units: userAll("drop table %[1]s")},
		{name: "broadcast write in own database", sql: "UPDATE app.t_merchant SET name = ? WHERE id = 3", args: []any{"x"},
			units: []goldenUnit{gu("ds0", "update t_merchant set `name` = ? where id = 3", "x"), gu("ds1", "update t_merchant set `name` = ? where id = 3", "x")}},
		{name: "join with broadcast in own database", sql: "SELECT o.order_id, m.name FROM t_order o JOIN app.t_merchant m ON o.merchant_id = m.id WHERE o.user_id = 1",
			units: []goldenUnit{gu(orderNode1, "select o.order_id, m.`name` from t_order_2 as o join t_merchant as m on o.merchant_id = m.id where o.user_id = 1")}},

		// a column qualified with another schema is not the sharded table's
		{name: "other schema's column qualifier stays", sql: "SELECT * FROM t_order WHERE archive.t_order.user_id = 1",
			units: orderAll("select * from %[1]s where archive.t_order.user_id = 1")},

		// another schema together with the sharded table: refused unless
		// one node on the home data source runs it whole
		{name: "join of sharded with other schema's table", sql: "SELECT * FROM t_order o JOIN archive.t_order a ON o.order_id = a.order_id WHERE o.user_id = 1",
			err: []string{"join of sharded table t_order with archive.t_order"}},
		// The outer user_id is o's (a subquery's table is not in the outer
		// scope: compat15); the subquery's order_id could be a's, whose
		// columns the catalog does not know.
		{name: "correlated subquery on other schema, sharded node elsewhere", sql: "SELECT * FROM t_order o WHERE user_id = 1 AND EXISTS (SELECT 1 FROM archive.t_order a WHERE order_id = o.order_id)",
			err: []string{"correlated subquery (it names o.order_id of the outer query)", "unqualified column order_id in a correlated subquery (qualify it)"}},
		{name: "subquery on other schema, sharded node on the home data source", sql: "SELECT * FROM t_order WHERE user_id = 10 AND order_id IN (SELECT order_id FROM archive.t_order)",
			units: []goldenUnit{gu(hashPlacements["10"], "select * from t_order_0 where user_id = 10 and order_id in (select order_id from archive.t_order)")}},
		{name: "insert from sharded into other schema", sql: "INSERT INTO archive.t_order SELECT * FROM t_order",
			err: []string{"INSERT that reads sharded table t_order"}},
		{name: "insert from other schema into sharded", sql: "INSERT INTO t_order (order_id, user_id) SELECT order_id, user_id FROM archive.t_order",
			err: []string{"INSERT … SELECT into sharded table t_order"}},
		{name: "drop other schema's and sharded table", sql: "DROP TABLE archive.t_order, t_order",
			err: []string{"DROP TABLE of several tables including sharded table t_order"}},
		{name: "rename other schema's table onto sharded name", sql: "RENAME TABLE archive.t_order TO t_order",
			err: []string{"RENAME", "t_order"}},
		{name: "broadcast write reading other schema", sql: "INSERT INTO t_merchant SELECT * FROM archive.t_merchant",
			err: []string{"write to broadcast table t_merchant that reads archive.t_merchant"}},
	})
}

// TestSchemaOfAnotherDataSource: with data sources whose databases differ,
// a qualifier naming another data source's database is refused (on the home
// server it names something else).
func TestSchemaOfAnotherDataSource(t *testing.T) {
	runNameCases(t, catalogWith(0, "app1"), []nameCase{
		{name: "another data source's database", sql: "SELECT * FROM app1.t_order", err: []string{"app1 is the database of data source ds1"}},
		{name: "home database", sql: "SELECT * FROM app.t_user WHERE id = 1", units: []goldenUnit{gu("ds0.t_user_1", "select * from t_user_1 where id = 1")}},
		{name: "home database with hint", sql: "SELECT * FROM app1.t_user WHERE id = 1", hint: "ds1", units: []goldenUnit{gu("ds0.t_user_1", "select * from t_user_1 where id = 1")}},
		{name: "qualified broadcast write reaches each copy unqualified", sql: "DELETE FROM app.t_merchant WHERE id = 1",
			units: []goldenUnit{gu("ds0", "delete from t_merchant where id = 1"), gu("ds1", "delete from t_merchant where id = 1")}},
	})
}

// TestTableNameCase: table names compare as the servers' lower_case_table_names says.
func TestTableNameCase(t *testing.T) {
	runNameCases(t, catalogWith(0, "app"), []nameCase{
		{name: "other case is another table", sql: "SELECT * FROM T_ORDER WHERE user_id = 1", units: passthroughTo("ds0", "SELECT * FROM T_ORDER WHERE user_id = 1")},
		{name: "drop of other case", sql: "DROP TABLE T_Order", units: passthroughTo("ds0", "DROP TABLE T_Order")},
		{name: "other case broadcast is another table", sql: "UPDATE T_MERCHANT SET name = 'x'", units: passthroughTo("ds0", "UPDATE T_MERCHANT SET name = 'x'")},
		{name: "database name case counts", sql: "SELECT * FROM APP.t_order", units: passthroughTo("ds0", "SELECT * FROM APP.t_order")},
		{name: "opaque statement with other case", sql: "OPTIMIZE TABLE T_ORDER", units: passthroughTo("ds0", "OPTIMIZE TABLE T_ORDER")},
		{name: "exact case is the sharded table", sql: "DELETE FROM t_user WHERE id = 1", units: []goldenUnit{gu("ds0.t_user_1", "delete from t_user_1 where id = 1")}},
	})
	runNameCases(t, catalogWith(1, "app"), []nameCase{
		{name: "case-insensitive server", sql: "SELECT * FROM T_USER WHERE id = 1", units: []goldenUnit{gu("ds0.t_user_1", "select * from t_user_1 where id = 1")}},
		{name: "case-insensitive database", sql: "SELECT * FROM APP.T_USER WHERE id = 1", units: []goldenUnit{gu("ds0.t_user_1", "select * from t_user_1 where id = 1")}},
		{name: "opaque statement", sql: "OPTIMIZE TABLE T_USER", err: []string{"naming t_user"}},
	})
}

// TestQualifiedNamesWithoutCatalog: with no catalog, names compare
// case-insensitively as before, and a qualified name spelled like a sharded
// or broadcast table is refused: shardsql cannot tell which it is.
func TestQualifiedNamesWithoutCatalog(t *testing.T) {
	runNameCases(t, nil, []nameCase{
		{name: "drop", sql: "DROP TABLE archive.t_order", err: []string{"schema-qualified name archive.t_order", "without the servers' catalog"}},
		{name: "select", sql: "SELECT * FROM archive.t_order", err: []string{"schema-qualified name archive.t_order"}},
		{name: "delete", sql: "DELETE FROM app.t_user WHERE id = 1", err: []string{"schema-qualified name app.t_user"}},
		{name: "column qualifier", sql: "SELECT archive.t_order.user_id FROM t_other", err: []string{"schema-qualified name archive.t_order"}},
		{name: "rename", sql: "RENAME TABLE x.t_other TO archive.t_order", err: []string{"schema-qualified name archive.t_order"}},
		{name: "broadcast", sql: "UPDATE archive.t_merchant SET name = 'x'", err: []string{"schema-qualified name archive.t_merchant"}},
		{name: "opaque", sql: "OPTIMIZE TABLE archive.t_user", err: []string{"schema-qualified name archive.t_user"}},
		{name: "unknown table in other schema passes", sql: "SELECT * FROM archive.t_other", units: passthroughTo("ds0", "SELECT * FROM archive.t_other")},
		{name: "other case is the sharded table", sql: "SELECT * FROM T_USER WHERE id = 1", units: []goldenUnit{gu("ds0.t_user_1", "select * from t_user_1 where id = 1")}},
	})
}

// TestNamesAskForTheCatalog: with a catalog that lacks what decides a name
// (the driver has not loaded it yet), the refusal wraps ErrSchemaUnknown
// and the plan is marked SchemaUnknown, so the driver loads the facts and
// routes the statement again — also when the shape comes from the cache.
func TestNamesAskForTheCatalog(t *testing.T) {
	r := joinRouter(t)
	noSources := testCatalog()
	noSources.Sources = nil
	for i := 0; i < 2; i++ { // the second round reads cached shapes
		_, err := r.RouteWith("DROP TABLE archive.t_order", nil, Options{Catalog: noSources})
		require.ErrorIs(t, err, ErrSchemaUnknown)
		require.ErrorIs(t, err, ErrUnsupported)
		p, err := r.RouteWith("SELECT * FROM T_USER WHERE id = 1", nil, Options{Catalog: noSources})
		require.NoError(t, err)
		assert.True(t, p.SchemaUnknown, "the server's name case decides T_USER")
		p, err = r.RouteWith("SELECT * FROM t_user WHERE id = 1", nil, Options{Catalog: noSources})
		require.NoError(t, err)
		assert.False(t, p.SchemaUnknown, "the registered spelling needs no fact")
	}
	noTables := testCatalog()
	noTables.Tables = nil
	_, err := r.RouteWith("REPLACE INTO t_user (id) VALUES (1)", nil, Options{Catalog: noTables})
	require.ErrorIs(t, err, ErrSchemaUnknown)
	_, err = r.RouteWith("REPLACE INTO t_user (id) VALUES (1)", nil, Options{})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.NotErrorIs(t, err, ErrSchemaUnknown, "a Router without a catalog never asks for one")
}
