package driver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestPointPlansInLentStorage runs cached point statements whose plans
// the router builds in storage the Conn lends it (route.PlanStore: the
// Conn's own for an Exec, reused by the next Exec; the rows' for a query):
// a query's rows read while later Execs on the same *sql.Conn reuse the
// Exec storage still return their own row; every insert lands where a
// point select by its key finds it; and the statistics, read after the
// Exec storage was cleared, count each statement with its unit.
func TestPointPlansInLentStorage(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ps", Column: "user_id", Nodes: "ds${0..1}.t_ps_${0..3}", Algorithm: shard.Hash()}))
	db := openDB(t, topo)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "CREATE TABLE t_ps (id BIGINT NOT NULL, user_id BIGINT NOT NULL, note VARCHAR(20), PRIMARY KEY (id, user_id))")
	require.NoError(t, err)

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	before, err := driver.Stats(ctx, db)
	require.NoError(t, err)
	const n = 12
	for i := 0; i < n; i++ {
		res, err := conn.ExecContext(ctx, "INSERT INTO t_ps (id, user_id, note) VALUES (?, ?, ?)", i, 1000+i, fmt.Sprintf("n%d", i))
		require.NoError(t, err)
		affected, err := res.RowsAffected()
		require.NoError(t, err)
		require.EqualValues(t, 1, affected)
	}
	after, err := driver.Stats(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, n, after.Statements["insert"]-before.Statements["insert"])
	assert.EqualValues(t, n, after.Units-before.Units, "one unit per insert, counted after the plan's storage was reused")

	// A query's rows stay open (read on a connection of their own: the
	// Conn's pin is busy) while Execs on the Conn reuse the Exec storage.
	const q = "SELECT id, note FROM t_ps WHERE user_id = ?"
	rows, err := db.QueryContext(ctx, q, 1003)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err := conn.ExecContext(ctx, "UPDATE t_ps SET note = ? WHERE user_id = ? AND id = ?", fmt.Sprintf("u%d", i), 1005, 5)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "INSERT INTO t_ps (id, user_id, note) VALUES (?, ?, ?)", 100+i, 2000+i, "x")
		require.NoError(t, err)
	}
	require.True(t, rows.Next())
	var id int64
	var note string
	require.NoError(t, rows.Scan(&id, &note))
	assert.Equal(t, int64(3), id)
	assert.Equal(t, "n3", note)
	require.False(t, rows.Next())
	require.NoError(t, rows.Close())

	for i := 0; i < n; i++ {
		require.NoError(t, conn.QueryRowContext(ctx, q, 1000+i).Scan(&id, &note), "key %d", 1000+i)
		assert.Equal(t, int64(i), id)
		want := fmt.Sprintf("n%d", i)
		if i == 5 {
			want = "u2"
		}
		assert.Equal(t, want, note)
	}
	var total int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_ps").Scan(&total))
	assert.Equal(t, n+3, total)
}
