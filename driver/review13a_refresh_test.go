package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
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

	// The next tick (every second) reads ds0's tables' columns: that
	// query hangs until the load's 2 s end. The test waits for the hang
	// itself, not for a time after the Connector was made: under load
	// (CI's 2 cores) the first tick came before the fault was armed and
	// the read the test timed never met a hung refresh.
	hung := make(chan struct{})
	var once sync.Once
	proxy.Inject(shardtest.Fault{Match: "SELECT TABLE_NAME, COLUMN_NAME", Action: shardtest.Hang,
		Then: func() { once.Do(func() { close(hung) }) }})
	select {
	case <-hung:
	case <-time.After(10 * time.Second):
		t.Fatalf("no catalog refresh read ds0 within 10 s (%v after the Connector was made)", time.Since(created))
	}
	time.Sleep(100 * time.Millisecond) // the refresh now holds the catalog's lock
	require.NoError(t, topo.AddBroadcastTable("b13a"))
	start := time.Now()
	require.NoError(t, db.QueryRow(read, 2, 1).Scan(&n))
	took := time.Since(start)
	assert.Equal(t, 7, n)
	assert.Less(t, took, 500*time.Millisecond, "a statement waited for the hung refresh")
	assert.Equal(t, []string{"SELECT TABLE_NAME, COLUMN_NAME"}, proxy.Disarm(), "the refresh's read hung")
	t.Logf("point read during the hung refresh: %v", took)
}

// TestReview13aRefreshConcurrent runs, under -race, statements beside a
// periodic refresh, ReloadCatalog calls and DDL through shardsql (each
// drops the unsharded tables' columns): pass-through reads and writes of
// an unsharded table hinted alternately to ds0 and ds1 (each row must be
// on the data source its statement named), joins with an unqualified
// column of the unsharded table, point reads; then Close while a reload
// may be running.
func TestReview13aRefreshConcurrent(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	var plains []*sql.DB
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS h13c", "DROP TABLE IF EXISTS p13c", "DROP TABLE IF EXISTS x13c",
			"CREATE TABLE h13c (id INT PRIMARY KEY, k INT NOT NULL, n INT NOT NULL)",
			"CREATE TABLE p13c (id INT PRIMARY KEY, ds VARCHAR(8) NOT NULL, price INT NOT NULL)"} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
		plains = append(plains, p)
	}
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "h13c", Column: "k", Nodes: "ds${0..1}.h13c", Algorithm: shard.Mod()}))
	c, err := driver.NewConnector(topo, driver.WithCatalogRefresh(time.Second))
	require.NoError(t, err)
	db := sql.OpenDB(c)
	_, err = db.Exec("INSERT INTO h13c (id, k, n) VALUES (1, 0, 1), (2, 1, 2), (3, 2, 3), (4, 3, 4)")
	require.NoError(t, err)
	for i := range 4 {
		_, err = db.Exec("INSERT INTO p13c VALUES (?, 'ds0', ?)", i, 10*i)
		require.NoError(t, err)
	}
	deadline := time.Now().Add(2500 * time.Millisecond)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; time.Now().Before(deadline); i++ {
				var err error
				switch (g + i) % 5 {
				case 0:
					ds := []string{"ds0", "ds1"}[i%2]
					_, err = db.ExecContext(driver.WithDataSource(ctx, ds), "INSERT INTO p13c VALUES (?, ?, 0)", 1000+g*100000+i, ds)
				case 1:
					var price int
					err = db.QueryRowContext(ctx, "SELECT price FROM h13c h JOIN p13c p ON p.id = h.k WHERE h.id = ?", 3).Scan(&price)
					if err == nil && price != 20 {
						err = fmt.Errorf("price %d, want 20", price)
					}
				case 2:
					var n int
					err = db.QueryRowContext(ctx, "SELECT n FROM h13c WHERE k = ? AND id = ?", 3, 4).Scan(&n)
				case 3:
					_, err = db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS x13c (id INT)")
				case 4:
					err = driver.ReloadCatalog(ctx, db)
				}
				if err != nil {
					errs <- fmt.Errorf("goroutine %d step %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.NoError(t, db.Close())
	for i, p := range plains {
		var wrong int
		require.NoError(t, p.QueryRow("SELECT COUNT(*) FROM p13c WHERE ds <> ?", fmt.Sprintf("ds%d", i)).Scan(&wrong))
		assert.Zero(t, wrong, "rows on ds%d hinted elsewhere", i)
	}
	assert.Equal(t, 0, refreshGoroutines())
}
