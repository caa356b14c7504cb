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

// TestLatin1TextOrder: a deep page and a plain sorted scatter ordered by a
// latin1_swedish_ci column, with 4 nodes per data source (deep-page phases
// joined as UNION ALL) and with 1 node per data source, against one table.
// The values arrive as utf8mb4 and are converted to latin1 before they are
// collated (merge/collation.go); compared as UTF-8 bytes, 'ä' and 'Ä'
// sorted apart. Found by the review of round 6 (the scatter was wrong
// before this round too).
func TestLatin1TextOrder(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "latin1_order")
	oracle := openPlain(t, sharedDSNs(t, "latin1_order_oracle")[0])
	words := []string{"a", "A", "ä", "Ä", "b", "B", "z", "Z", "å", "o", "ö", "y", "ü", "Ü"}
	ddl := func(name string) string {
		return "CREATE TABLE " + name + ` (id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL,
		l VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL)`
	}
	fill := func(d *sql.DB, name string) {
		_, err := d.ExecContext(ctx, "DROP TABLE IF EXISTS "+name)
		require.NoError(t, err)
		_, err = d.ExecContext(ctx, ddl(name))
		require.NoError(t, err)
		var sb strings.Builder
		for i := 1; i <= 2000; i++ {
			fmt.Fprintf(&sb, "(%d, %d, '%s'),", i, i*13%29, words[i%len(words)])
		}
		_, err = d.ExecContext(ctx, "INSERT INTO "+name+" (id, user_id, l) VALUES "+strings.TrimSuffix(sb.String(), ","))
		require.NoError(t, err)
	}
	fill(oracle, "t_l4")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_l4", Column: "user_id", Nodes: "ds${0..1}.t_l4_${0..3}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_l1", Column: "user_id", Nodes: "ds${0..1}.t_l1", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	fill(db, "t_l4")
	fill(db, "t_l1")
	q := "SELECT id, l FROM %s ORDER BY l DESC, id LIMIT 700, 20"
	want, err := runDiffQuery(oracle, fmt.Sprintf(q, "t_l4"))
	require.NoError(t, err)
	var fails []string
	for _, tbl := range []string{"t_l1", "t_l4"} {
		plan, err := driver.Explain(ctx, db, fmt.Sprintf(q, tbl))
		require.NoError(t, err)
		require.NotNil(t, plan.DeepPage)
		got, err := runDiffQuery(db, fmt.Sprintf(q, tbl))
		require.NoError(t, err)
		t.Logf("%s: union %v, first row %v (want %v)\nphase1: %s", tbl, plan.DeepPage.Phase1Union, got.rows[0], want.rows[0], plan.DeepPage.Phase1[0].SQL)
		if fmt.Sprint(got.rows) != fmt.Sprint(want.rows) {
			fails = append(fails, tbl)
		}
	}
	for _, q := range []string{"SELECT id, l FROM %s ORDER BY l DESC, id", "SELECT id, l FROM %s ORDER BY l DESC, id LIMIT 100, 20"} {
		want, err := runDiffQuery(oracle, fmt.Sprintf(q, "t_l4"))
		require.NoError(t, err)
		for _, tbl := range []string{"t_l1", "t_l4"} {
			plan, err := driver.Explain(ctx, db, fmt.Sprintf(q, tbl))
			require.NoError(t, err)
			got, err := runDiffQuery(db, fmt.Sprintf(q, tbl))
			require.NoError(t, err)
			if fmt.Sprint(got.rows) != fmt.Sprint(want.rows) {
				fails = append(fails, fmt.Sprintf("%s on %s (deep page %v)", q, tbl, plan.DeepPage != nil))
			}
			for i := range want.rows {
				if i < len(got.rows) && fmt.Sprint(got.rows[i]) != fmt.Sprint(want.rows[i]) {
					t.Logf("  first difference at row %d: got %v, want %v (rows %d/%d)", i, got.rows[i], want.rows[i], len(got.rows), len(want.rows))
					break
				}
			}
		}
	}
	require.Empty(t, fails, "differs from the one table")
}
