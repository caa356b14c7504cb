package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestUnionColumnTypes: a UNION across data sources of columns whose
// common MySQL type differs from a part's own is refused — TIME and
// TIME(2) make a TIME(2) column, where the first part's 10:00:00 prints
// as 10:00:00.00 — and one of equal types returns one table's rows.
func TestUnionColumnTypes(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "union_types")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_a", Column: "id", Nodes: "ds${0..1}.t_a", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_b", Column: "id", Nodes: "ds${0..1}.t_b", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	oracle := openPlain(t, sharedDSNs(t, "union_types_oracle")[0])
	for _, d := range []*sql.DB{db, oracle} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_a", "DROP TABLE IF EXISTS t_b",
			"CREATE TABLE t_a (id INT PRIMARY KEY, dt DATETIME, tm TIME, ts TIMESTAMP NULL, tm2 TIME(2))",
			"CREATE TABLE t_b (id INT PRIMARY KEY, dt DATETIME(3), tm TIME(2), ts TIMESTAMP(6) NULL, tm2 TIME(2))",
			"INSERT INTO t_a (id, dt, tm, ts, tm2) VALUES (1, '2024-01-01 10:00:00', '10:00:00', '2024-01-01 00:00:00', '01:00:00.25'), (2, '2024-01-02 10:00:00', '11:00:00', NULL, '02:00:00')",
			"INSERT INTO t_b (id, dt, tm, ts, tm2) VALUES (1, '2024-01-01 10:00:00.123', '10:00:00.5', '2024-01-01 00:00:00.5', '03:00:00'), (2, '2024-01-03 10:00:00', '12:00:00', NULL, '04:00:00.75')",
		} {
			_, err := d.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	for _, col := range []string{"dt", "tm", "ts"} {
		q := fmt.Sprintf("SELECT %s FROM t_a UNION ALL SELECT %s FROM t_b", col, col)
		_, err := runDiffQuery(db, q)
		require.ErrorIs(t, err, driver.ErrUnsupported, q)
		assert.ErrorContains(t, err, "UNION of column 1", q)
	}
	q := unordered("SELECT tm2, id FROM t_a UNION ALL SELECT tm2, id FROM t_b")
	want, err := runDiffQuery(oracle, q.sql)
	require.NoError(t, err)
	got, err := runDiffQuery(db, q.sql)
	require.NoError(t, err)
	assert.ElementsMatch(t, want.rows, got.rows)
}
