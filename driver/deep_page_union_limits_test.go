package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestDeepPageUnionPlaceholders: a deep page whose statement has 17,000 ?
// arguments (an IN list on a column that is not the key), over 4 nodes per
// data source. One statement per node has 17,000 placeholders; a UNION ALL
// of 4 branches would have 68,000, past the server's 65,535 (error 1390):
// such phases are sent one statement per table (route/deep_union.go,
// unionFits). Found by the review of round 6.
func TestDeepPageUnionPlaceholders(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "dp_union_ph")
	oracle := openPlain(t, sharedDSNs(t, "dp_union_ph_oracle")[0])
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ph", Column: "user_id", Nodes: "ds${0..1}.t_ph_${0..3}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ph1", Column: "user_id", Nodes: "ds${0..1}.t_ph1", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	for _, x := range []struct {
		d    *sql.DB
		name string
	}{{db, "t_ph"}, {db, "t_ph1"}, {oracle, "t_ph"}} {
		d := x.d
		_, _ = d.ExecContext(ctx, "DROP TABLE IF EXISTS "+x.name)
		_, err := d.ExecContext(ctx, "CREATE TABLE "+x.name+" (id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, g INT NOT NULL)")
		require.NoError(t, err)
		var sb strings.Builder
		for i := 1; i <= 3000; i++ {
			fmt.Fprintf(&sb, "(%d, %d, %d),", i, i%23, i%50)
		}
		_, err = d.ExecContext(ctx, "INSERT INTO "+x.name+" (id, user_id, g) VALUES "+strings.TrimSuffix(sb.String(), ","))
		require.NoError(t, err)
	}
	const n = 17000
	args := make([]any, n)
	for i := range args {
		args[i] = i % 40
	}
	q := "SELECT id, g FROM t_ph WHERE g IN (?" + strings.Repeat(", ?", n-1) + ") ORDER BY g, id LIMIT 1500, 10"
	want, err := runDiffQuery(oracle, q, args...)
	require.NoError(t, err, "one table")
	one, err := runDiffQuery(db, strings.Replace(q, "t_ph", "t_ph1", 1), args...)
	require.NoError(t, err, "sharded, one node per data source (no union)")
	require.Equal(t, want.rows, one.rows)
	plan, err := driver.Explain(ctx, db, q, args...)
	require.NoError(t, err)
	if plan.DeepPage != nil {
		t.Logf("deep page, phase 1 union %v", plan.DeepPage.Phase1Union)
	}
	got, err := runDiffQuery(db, q, args...)
	require.NoError(t, err, "sharded")
	require.Equal(t, want.rows, got.rows)
}
