package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

const catalogDDL = `CREATE TABLE t_cat (
	id BIGINT NOT NULL AUTO_INCREMENT,
	user_id BIGINT UNSIGNED NOT NULL,
	email VARCHAR(64) NULL,
	amount DECIMAL(10,2) NULL,
	created DATETIME(3) NULL,
	PRIMARY KEY (id),
	UNIQUE KEY uk_user_email (user_id, email)
)`

// catalogTopology shards t_cat by user_id over 2 data sources × 2 tables.
func catalogTopology(t *testing.T, servers []*shardtest.Server) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_cat", Column: "user_id", Nodes: "ds${0..1}.t_cat_${0..1}", Algorithm: shard.Hash()}))
	return topo
}

func TestCatalogLoad(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := catalogTopology(t, servers)
		db := openDB(t, topo)

		cat, err := driver.CatalogOf(ctx, db)
		require.NoError(t, err)
		assert.Equal(t, topo.Version(), cat.TopologyVersion)
		for _, ds := range []string{"ds0", "ds1"} {
			src, ok := cat.Source(ds)
			require.True(t, ok, ds)
			assert.Equal(t, "app", src.Database)
			assert.Equal(t, 0, src.LowerCaseTableNames)
			assert.NotEmpty(t, src.TimeZone)
		}
		_, ok := cat.Table("t_cat")
		assert.False(t, ok, "not created yet")

		// DDL run through shardsql reloads the catalog.
		_, err = db.ExecContext(ctx, catalogDDL)
		require.NoError(t, err)
		cat, err = driver.CatalogOf(ctx, db)
		require.NoError(t, err)
		tbl, ok := cat.Table("T_CAT")
		require.True(t, ok)
		assert.Equal(t, "t_cat", tbl.Name)
		again, err := driver.CatalogOf(ctx, db)
		require.NoError(t, err)
		assert.Same(t, cat, again, "complete and cached: no reload per statement")
		var names []string
		for _, c := range tbl.Columns {
			names = append(names, c.Name)
		}
		assert.Equal(t, []string{"id", "user_id", "email", "amount", "created"}, names)
		id, _ := tbl.Column("id")
		assert.True(t, id.AutoIncrement)
		assert.True(t, id.IsInteger())
		assert.False(t, id.Nullable)
		user, _ := tbl.Column("USER_ID")
		assert.True(t, user.Unsigned)
		assert.False(t, user.AutoIncrement)
		email, _ := tbl.Column("email")
		assert.True(t, email.IsText())
		assert.NotEmpty(t, email.Collation)
		assert.EqualValues(t, 64, email.MaxLength)
		amount, _ := tbl.Column("amount")
		assert.Equal(t, "decimal", amount.DataType)
		assert.Equal(t, 10, amount.Precision)
		assert.Equal(t, 2, amount.Scale)
		created, _ := tbl.Column("created")
		assert.True(t, created.IsTemporal())
		assert.Equal(t, 3, created.Scale)
		assert.Equal(t, []schema.Index{
			{Name: "PRIMARY", Primary: true, Columns: []string{"id"}},
			{Name: "uk_user_email", Columns: []string{"user_id", "email"}},
		}, tbl.Indexes)

		// ALTER through shardsql: reloaded again.
		_, err = db.ExecContext(ctx, "ALTER TABLE t_cat ADD COLUMN note VARCHAR(10) NULL")
		require.NoError(t, err)
		cat, err = driver.CatalogOf(ctx, db)
		require.NoError(t, err)
		tbl, _ = cat.Table("t_cat")
		_, ok = tbl.Column("note")
		assert.True(t, ok, "the new column")
	})
}

// TestCatalogTableCreatedElsewhere: a table created on the servers after
// the catalog was loaded is learned when a statement needs it.
func TestCatalogTableCreatedElsewhere(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := catalogTopology(t, servers)
		db := openDB(t, topo)
		require.NoError(t, db.PingContext(ctx))
		_, err := driver.CatalogOf(ctx, db) // loaded before the table exists
		require.NoError(t, err)
		for i, s := range servers {
			for n := 0; n < 2; n++ {
				_, err := direct(t, s).ExecContext(ctx, fmt.Sprintf("CREATE TABLE t_cat_%d (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)", n))
				require.NoError(t, err, "server %d", i)
			}
		}
		// '01' is stored as 1: placed only with the column's type known.
		_, err = db.ExecContext(ctx, "INSERT INTO t_cat (id, user_id) VALUES (1, '01')")
		require.NoError(t, err)
		rows, err := db.QueryContext(ctx, "SELECT id FROM t_cat WHERE user_id = 1")
		require.NoError(t, err)
		assert.Equal(t, []int64{1}, collectInts(t, rows))
		plan, err := driver.Explain(ctx, db, "SELECT id FROM t_cat WHERE user_id = '1.0'")
		require.NoError(t, err)
		assert.Len(t, plan.Units, 1)
	})
}

// TestCatalogServerDown: a data source that is down leaves its facts
// unknown; statements that do not need them still run.
func TestCatalogServerDown(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	topo := catalogTopology(t, servers)
	for _, s := range servers {
		for n := 0; n < 2; n++ {
			_, err := direct(t, s).ExecContext(ctx, fmt.Sprintf("CREATE TABLE t_cat_%d (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)", n))
			require.NoError(t, err)
		}
	}
	require.NoError(t, servers[1].Stop())
	db := openDB(t, topo)

	cat, err := driver.CatalogOf(ctx, db)
	require.NoError(t, err)
	_, ok := cat.Source("ds1")
	assert.False(t, ok, "ds1 is down")
	_, ok = cat.Source("ds0")
	assert.True(t, ok)
	_, ok = cat.Table("t_cat")
	assert.True(t, ok, "t_cat's first node is on ds0")

	// Users whose rows live on ds0 are served, '01' converted.
	table, _ := topo.Table("t_cat")
	var onDS0 []int64
	for u := int64(1); len(onDS0) < 3; u++ {
		n, err := table.NodeFor(u)
		require.NoError(t, err)
		if table.Nodes[n].DataSource == "ds0" {
			onDS0 = append(onDS0, u)
		}
	}
	for i, u := range onDS0 {
		_, err := db.ExecContext(ctx, "INSERT INTO t_cat (id, user_id) VALUES (?, ?)", i, fmt.Sprintf("0%d", u))
		require.NoError(t, err)
		rows, err := db.QueryContext(ctx, "SELECT id FROM t_cat WHERE user_id = ?", fmt.Sprintf(" %d", u))
		require.NoError(t, err)
		assert.Equal(t, []int64{int64(i)}, collectInts(t, rows))
	}
	// A statement on a table of ds1 only is unaffected by the catalog:
	// it fails because ds1 is down, not because of the catalog.
	_, err = db.ExecContext(ctx, "DELETE FROM t_cat")
	require.Error(t, err)
	assert.NotErrorIs(t, err, route.ErrUnsupported)
}

// TestLocationsMustAgree: a sharded table whose data sources write times in
// different zones is refused when the connector is created.
func TestLocationsMustAgree(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app?loc=UTC"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app?loc=Asia%2FTokyo"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_log", Column: "at", Nodes: "ds0.t_log_${2025-01..2025-01|month|200601}, ds1.t_log_${2025-02..2025-02|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")}))
	_, err := driver.NewConnector(topo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "table t_log: data sources ds0 (loc=UTC) and ds1 (loc=Asia/Tokyo) write time values in different time zones")
}
