package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestPassShortcutThenTopology: statements on a table outside the topology
// pass through to the default data source, and after their first call are
// routed by the cached pass-through shortcut (route/pass_route.go). Once
// the table is added to the topology (Topology.AddTable, the public API),
// the same texts — in the spellings the server reads as that table: plain,
// qualified with the data source's database, commented, with a LIMIT —
// must reach its node tables, a node table's own name must be refused,
// and a spelling the case-sensitive server reads as another table must
// still pass through. Each answer is checked by the rows it returns and by
// where the rows are written.
func TestPassShortcutThenTopology(t *testing.T) {
	dsns := sharedDSNs(t, "pass13_topo")
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
	// The unsharded table holds v = k, the node tables v = 10·k (Mod over
	// two nodes: even keys on ds0.pl13_0, odd ones on ds1.pl13_1).
	exec(direct[0], "DROP TABLE IF EXISTS pl13", "CREATE TABLE pl13 (k INT PRIMARY KEY, v INT)", "INSERT INTO pl13 VALUES (1, 1), (2, 2), (3, 3)",
		"DROP TABLE IF EXISTS pl13_0", "CREATE TABLE pl13_0 (k INT PRIMARY KEY, v INT)", "INSERT INTO pl13_0 VALUES (2, 20), (4, 40)")
	exec(direct[1], "DROP TABLE IF EXISTS pl13_1", "CREATE TABLE pl13_1 (k INT PRIMARY KEY, v INT)", "INSERT INTO pl13_1 VALUES (1, 10), (3, 30), (5, 50)")
	topo := dsTopology(t, dsns)
	db := openDB(t, topo)
	conn, err := db.Conn(ctx) // a held session too: its statements route as the pool's
	require.NoError(t, err)
	defer conn.Close()

	type querier interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
	one := func(q querier, query string, args ...any) (int64, error) {
		var n int64
		err := q.QueryRowContext(ctx, query, args...).Scan(&n)
		return n, err
	}
	reads := []struct {
		query        string
		args         []any
		before, afer int64
	}{
		{"SELECT v FROM pl13 WHERE k = ?", []any{3}, 3, 30},
		{"SELECT v FROM pass13_topo.pl13 WHERE k = ?", []any{3}, 3, 30},
		{"SELECT v FROM `pl13` WHERE k = ? LIMIT 1", []any{3}, 3, 30},
		{"SELECT v FROM pl13 WHERE k = ? LIMIT ?", []any{3, 1}, 3, 30},
		{"SELECT COUNT(*) FROM pl13", nil, 3, 5},
		{"SELECT SUM(v) FROM pl13 WHERE k > ?", []any{0}, 6, 150},
	}
	cached := func() uint64 {
		st, err := driver.PlanCacheStats(ctx, db)
		require.NoError(t, err)
		return st.Misses
	}
	for _, q := range []querier{db, conn} {
		for _, r := range reads {
			for i := 0; i < 3; i++ {
				n, err := one(q, r.query, r.args...)
				require.NoError(t, err, r.query)
				assert.Equal(t, r.before, n, "%s: the unsharded table", r.query)
			}
		}
	}
	n, err := one(db, "SELECT v FROM pl13_0 WHERE k = ?", 4)
	require.NoError(t, err)
	assert.EqualValues(t, 40, n, "pl13_0 is a table of its own while outside the topology")
	_, err = one(db, "SELECT v FROM pl13_0 WHERE k = ?", 4)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO pl13 (k, v) VALUES (?, ?)", 100, 100)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO pl13 (k, v) VALUES (?, ?)", 101, 101)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "DELETE FROM pl13 WHERE k = ?", 101)
	require.NoError(t, err)
	_, err = one(db, "SELECT v FROM PL13 WHERE k = ?", 3)
	var myErr *mysql.MySQLError
	require.ErrorAs(t, err, &myErr, "PL13 is another table to a server with lower_case_table_names = 0")
	assert.EqualValues(t, 1146, myErr.Number)
	misses := cached()
	exec(direct[0], "DELETE FROM pl13 WHERE k >= 100")

	require.NoError(t, topo.AddTable(shard.Table{Name: "pl13", Column: "k", Nodes: "ds0.pl13_0, ds1.pl13_1", Algorithm: shard.Mod()}))

	for _, q := range []querier{db, conn} {
		for _, r := range reads {
			for i := 0; i < 3; i++ {
				n, err := one(q, r.query, r.args...)
				require.NoError(t, err, r.query)
				assert.Equal(t, r.afer, n, "%s: the sharded table's node tables once it is in the topology", r.query)
			}
		}
	}
	for i := 0; i < 2; i++ {
		_, err = one(db, "SELECT v FROM pl13_0 WHERE k = ?", 4)
		require.Error(t, err)
		assert.ErrorIs(t, err, driver.ErrUnsupported, "a node table's own name is refused once it is one")
		_, err = db.ExecContext(ctx, "INSERT INTO pl13 (k, v) VALUES (?, ?)", 7, 70)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "DELETE FROM pl13 WHERE k = ?", 7)
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, "INSERT INTO pl13 (k, v) VALUES (?, ?)", 7, 70)
	require.NoError(t, err)
	n, err = one(direct[1], "SELECT v FROM pl13_1 WHERE k = 7")
	require.NoError(t, err)
	assert.EqualValues(t, 70, n, "the INSERT reached the node table of key 7")
	n, err = one(direct[0], "SELECT COUNT(*) FROM pl13 WHERE k = 7")
	require.NoError(t, err)
	assert.Zero(t, n, "the unsharded table took no row")
	_, err = one(db, "SELECT v FROM PL13 WHERE k = ?", 3)
	require.ErrorAs(t, err, &myErr, "PL13 still passes through: another table to this server")
	assert.EqualValues(t, 1146, myErr.Number)
	assert.Equal(t, misses, cached(), "every text was answered from the plan cache, routed again for the new topology")
}
