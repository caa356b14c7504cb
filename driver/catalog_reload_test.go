package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// reloadEnv is h13 (id, k, n) sharded by k over the two shared servers
// (k even on ds0) and b13 (id, v) broadcast, with one row, and a plain
// pool on each server; no trigger or routine yet.
func reloadEnv(t *testing.T) (*shard.Topology, []*sql.DB) {
	t.Helper()
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	var plains []*sql.DB
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS h13", "DROP TABLE IF EXISTS b13", "DROP FUNCTION IF EXISTS f13_bump", "DROP FUNCTION IF EXISTS f13_count",
			"CREATE TABLE h13 (id INT PRIMARY KEY, k INT NOT NULL, n INT NOT NULL)",
			"CREATE TABLE b13 (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO b13 VALUES (1, 0)"} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
		plains = append(plains, p)
	}
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "h13", Column: "k", Nodes: "ds${0..1}.h13", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddBroadcastTable("b13"))
	return topo, plains
}

// TestCatalogReloadTrigger: a trigger that sets the sharding column,
// created on the servers directly after the catalog loaded, is not seen
// by the write that fires it; after ReloadCatalog that write is refused,
// and a Connector with WithCatalogRefresh refuses it once the interval
// has passed, without any call. Close stops the refresh.
func TestCatalogReloadTrigger(t *testing.T) {
	topo, plains := reloadEnv(t)
	db := openDB(t, topo)
	c, err := driver.NewConnector(topo, driver.WithCatalogRefresh(time.Second))
	require.NoError(t, err)
	dbr := sql.OpenDB(c)
	defer dbr.Close()
	ins := "INSERT INTO h13 (id, k, n) VALUES (?, ?, 1)"
	for i, d := range []*sql.DB{db, dbr} { // the first writes load the catalog
		_, err := d.Exec(ins, 1+i, 2)
		require.NoError(t, err)
	}
	for _, p := range plains {
		_, err := p.Exec("CREATE TRIGGER h13_bi BEFORE INSERT ON h13 FOR EACH ROW SET NEW.k = NEW.k + NEW.n")
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		for _, p := range plains {
			_, _ = p.Exec("DROP TRIGGER IF EXISTS h13_bi")
		}
	})
	// Not seen yet: the row is stored with k = 3 on 2's node (ds0).
	_, err = db.Exec(ins, 10, 2)
	require.NoError(t, err)
	var k int
	require.NoError(t, plains[0].QueryRow("SELECT k FROM h13 WHERE id = 10").Scan(&k))
	assert.Equal(t, 3, k)

	ctx := context.Background()
	require.NoError(t, driver.ReloadCatalog(ctx, db))
	_, err = db.Exec(ins, 11, 2)
	require.Error(t, err)
	assert.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	assert.Contains(t, err.Error(), "h13_bi")

	start := time.Now()
	require.Eventually(t, func() bool {
		_, err := dbr.Exec(ins, 20, 4)
		if err == nil {
			_, _ = plains[0].Exec("DELETE FROM h13 WHERE id = 20") // fired: k = 5 on ds0
			return false
		}
		return errors.Is(err, driver.ErrUnsupported) && strings.Contains(err.Error(), "h13_bi")
	}, 3*time.Second, 50*time.Millisecond, "the periodic refresh never saw the trigger")
	t.Logf("refused by the periodic refresh after %v", time.Since(start))

	// After the trigger is dropped, a reload lets the write run again.
	for _, p := range plains {
		_, err := p.Exec("DROP TRIGGER h13_bi")
		require.NoError(t, err)
	}
	require.NoError(t, driver.ReloadCatalog(ctx, db))
	_, err = db.Exec(ins, 12, 2)
	require.NoError(t, err)

	// A reload cut short by its context says so.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, driver.ReloadCatalog(cctx, db), context.Canceled)

	// Close stops the refresh goroutine; a Connector without the option
	// never starts one.
	assert.Equal(t, 1, refreshGoroutines())
	require.NoError(t, dbr.Close())
	assert.Equal(t, 0, refreshGoroutines())
}

// refreshGoroutines counts the goroutines running the periodic catalog
// reload.
func refreshGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "(*Connector).startRefresh.func")
}

// TestCatalogFunctionHazard: a stored function whose body updates a
// broadcast table, called by a SELECT on the default data source, wrote
// that server's copy alone (the copies diverged); now every statement
// calling it is refused. A function that only reads the broadcast table
// still runs, and so does a SELECT calling no stored function.
func TestCatalogFunctionHazard(t *testing.T) {
	topo, plains := reloadEnv(t)
	for _, p := range plains {
		for _, q := range []string{
			"CREATE FUNCTION f13_bump() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE b13 SET v = v + 1; RETURN 1; END",
			"CREATE FUNCTION f13_count() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM b13)"} {
			_, err := p.Exec(q)
			require.NoError(t, err, q)
		}
	}
	db := openDB(t, topo)
	for _, q := range []string{"SELECT f13_bump()", "SELECT F13_BUMP() + 1", "SELECT v FROM b13 WHERE v < f13_bump()",
		"SELECT n FROM h13 WHERE k = 2 AND n = f13_bump()", "UPDATE h13 SET n = f13_bump() WHERE k = 2", "DO f13_bump()"} {
		_, err := db.Exec(q)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		assert.Contains(t, err.Error(), "f13_bump", q)
	}
	var n int
	require.NoError(t, db.QueryRow("SELECT f13_count()").Scan(&n))
	assert.Equal(t, 1, n)
	for i, p := range plains {
		var v int
		require.NoError(t, p.QueryRow("SELECT v FROM b13 WHERE id = 1").Scan(&v))
		assert.Equal(t, 0, v, "b13's copy on ds%d was written", i)
	}
}
