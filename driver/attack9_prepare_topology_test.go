package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestAttack9PrepareThenTopology: statements prepared (on a *sql.DB and on
// a held *sql.Conn) before the topology changes run after it by the new
// topology: an unsharded table registered as sharded, an Interval table
// grown by AddNodes, a table made broadcast. Each read and write is
// checked by the rows it finds and where the rows are.
func TestAttack9PrepareThenTopology(t *testing.T) {
	dsns := sharedDSNs(t, "attack9_prep_topo")
	ctx := context.Background()
	direct := make([]*sql.DB, len(dsns))
	for i, d := range dsns {
		db, err := sql.Open("mysql", d)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		direct[i] = db
	}
	exec := func(db *sql.DB, qs ...string) {
		for _, q := range qs {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	exec(direct[0], "DROP TABLE IF EXISTS p9", "CREATE TABLE p9 (k INT PRIMARY KEY, v INT)",
		"DROP TABLE IF EXISTS p9_0", "CREATE TABLE p9_0 (k INT PRIMARY KEY, v INT)",
		"DROP TABLE IF EXISTS m9_202501", "CREATE TABLE m9_202501 (at DATETIME NOT NULL, id INT, PRIMARY KEY (at, id))",
		"DROP TABLE IF EXISTS bc9", "CREATE TABLE bc9 (id INT PRIMARY KEY, v INT)")
	exec(direct[1], "DROP TABLE IF EXISTS p9_1", "CREATE TABLE p9_1 (k INT PRIMARY KEY, v INT)",
		"DROP TABLE IF EXISTS m9_202502", "CREATE TABLE m9_202502 (at DATETIME NOT NULL, id INT, PRIMARY KEY (at, id))",
		"DROP TABLE IF EXISTS bc9", "CREATE TABLE bc9 (id INT PRIMARY KEY, v INT)")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "m9", Column: "at", Nodes: "ds0.m9_${2025-01..2025-01|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")}))
	db := openDB(t, topo)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()

	insP, err := db.PrepareContext(ctx, "INSERT INTO p9 (k, v) VALUES (?, ?)")
	require.NoError(t, err)
	selP, err := conn.PrepareContext(ctx, "SELECT v FROM p9 WHERE k = ?")
	require.NoError(t, err)
	insM, err := conn.PrepareContext(ctx, "INSERT INTO m9 (at, id) VALUES (?, ?)")
	require.NoError(t, err)
	insB, err := db.PrepareContext(ctx, "INSERT INTO bc9 (id, v) VALUES (?, ?)")
	require.NoError(t, err)
	_, err = insP.ExecContext(ctx, 1, 10) // unsharded: ds0.p9
	require.NoError(t, err)
	_, err = insM.ExecContext(ctx, "2025-02-10 00:00:00", 1)
	require.Error(t, err, "no node holds February yet")
	_, err = insM.ExecContext(ctx, "2025-01-10 00:00:00", 1)
	require.NoError(t, err)

	require.NoError(t, topo.AddTable(shard.Table{Name: "p9", Column: "k", Nodes: "ds0.p9_0, ds1.p9_1", Algorithm: shard.Hash()}))
	_, err = topo.AddNodes("m9", "ds1.m9_${2025-02..2025-02|month|200601}")
	require.NoError(t, err)
	require.NoError(t, topo.AddBroadcastTable("bc9"))

	for k := 2; k <= 9; k++ {
		_, err = insP.ExecContext(ctx, k, k*10)
		require.NoError(t, err)
	}
	count := func(db *sql.DB, table string) int {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n))
		return n
	}
	assert.Equal(t, 1, count(direct[0], "p9"), "rows written to the old unsharded table after it became sharded")
	assert.Equal(t, 8, count(direct[0], "p9_0")+count(direct[1], "p9_1"))
	assert.NotZero(t, count(direct[1], "p9_1"), "every row on one node")
	for k := 2; k <= 9; k++ {
		var v int
		require.NoError(t, selP.QueryRowContext(ctx, k).Scan(&v), "k = %d", k)
		assert.Equal(t, k*10, v)
	}
	_, err = insM.ExecContext(ctx, "2025-02-10 00:00:00", 2)
	require.NoError(t, err)
	assert.Equal(t, 1, count(direct[1], "m9_202502"))
	_, err = insB.ExecContext(ctx, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, count(direct[0], "bc9"))
	assert.Equal(t, 1, count(direct[1], "bc9"), "a broadcast write reaches every copy")
}
