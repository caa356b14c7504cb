package driver_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestReview13aRefreshHang: a periodic catalog refresh (WithCatalogRefresh)
// whose read of ds0 hangs holds the catalog's lock for catalogTimeout
// (2 s). A topology change meanwhile (a broadcast table added) made the
// next statement rebase the catalog under that lock: a point read of a
// sharded table whose facts the catalog holds waited for the hung server
// it never reads. The rebase needs no I/O and no longer takes the lock.
func TestReview13aRefreshHang(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS h13a", "DROP TABLE IF EXISTS b13a",
			"CREATE TABLE h13a (id INT PRIMARY KEY, k INT NOT NULL, n INT NOT NULL)",
			"CREATE TABLE b13a (id INT PRIMARY KEY)"} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
	}
	cfg, err := mysql.ParseDSN(dsns[0])
	require.NoError(t, err)
	proxy, err := shardtest.StartProxy(cfg.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() })
	cfg.Addr = proxy.Addr()
	topo := dsTopology(t, []string{cfg.FormatDSN(), dsns[1]})
	require.NoError(t, topo.AddTable(shard.Table{Name: "h13a", Column: "k", Nodes: "ds${0..1}.h13a", Algorithm: shard.Mod()}))
	c, err := driver.NewConnector(topo, driver.WithCatalogRefresh(time.Second))
	require.NoError(t, err)
	created := time.Now()
	db := sql.OpenDB(c)
	defer db.Close()
	_, err = db.Exec("INSERT INTO h13a (id, k, n) VALUES (1, 2, 7), (2, 3, 8)") // loads the catalog
	require.NoError(t, err)
	read := "SELECT n FROM h13a WHERE k = ? AND id = ?"
	var n int
	require.NoError(t, db.QueryRow(read, 2, 1).Scan(&n))

	// The first tick (1 s after the Connector) reads ds0's tables'
	// columns: that query hangs until the load's 2 s end.
	proxy.Inject(shardtest.Fault{Match: "SELECT TABLE_NAME, COLUMN_NAME", Action: shardtest.Hang})
	time.Sleep(time.Until(created.Add(1300 * time.Millisecond)))
	require.NoError(t, topo.AddBroadcastTable("b13a"))
	start := time.Now()
	require.NoError(t, db.QueryRow(read, 2, 1).Scan(&n))
	took := time.Since(start)
	assert.Equal(t, 7, n)
	assert.Less(t, took, 500*time.Millisecond, "a statement waited for the hung refresh")
	assert.Equal(t, []string{"SELECT TABLE_NAME, COLUMN_NAME"}, proxy.Disarm(), "the refresh's read hung")
	t.Logf("point read during the hung refresh: %v", took)
}
