package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/stretchr/testify/require"
)

// review12Rows is the number of rows review12Env loads: ids 1..n, user_id
// id % 4 (ds0 holds even users, ds1 odd), v 'v<id>'.
const review12Rows = 400

// review12Env loads t_pk on the shared servers' database db (review12Rows
// rows, as plain SQL) and opens shardsql over it with each data source's
// DSN built by dsn from the server's (so a test can change its form).
func review12Env(t *testing.T, db string, dsn func(i int, base string) string, opts ...driver.Option) (*sql.DB, []*sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, db)
	var plains []*sql.DB
	for i, base := range dsns {
		plain := openPlain(t, base)
		for _, q := range []string{
			"DROP TABLE IF EXISTS t_pk",
			"CREATE TABLE t_pk (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(40))",
		} {
			_, err := plain.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		var vals []string
		for id := 1; id <= review12Rows; id++ {
			if (id%4)%2 == i {
				vals = append(vals, fmt.Sprintf("(%d, %d, 'v%d')", id, id%4, id))
			}
		}
		_, err := plain.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES "+strings.Join(vals, ","))
		require.NoError(t, err)
		plains = append(plains, plain)
	}
	return review12Open(t, dsns, dsn, opts...), plains
}

// review12Open opens shardsql over review12Env's t_pk on dsns, each data
// source's DSN built by dsn.
func review12Open(t *testing.T, dsns []string, dsn func(i int, base string) string, opts ...driver.Option) *sql.DB {
	t.Helper()
	topo := shard.NewTopology()
	for i, base := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn(i, base)))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pk", Column: "user_id", Nodes: "ds${0..1}.t_pk", Algorithm: shard.Mod()}))
	return openDB(t, topo, opts...)
}

// review12Values checks that every row of t_pk holds its loaded value.
func review12Values(t *testing.T, plains []*sql.DB) {
	t.Helper()
	n := 0
	for i, p := range plains {
		var bad, rows int
		require.NoError(t, p.QueryRowContext(context.Background(),
			"SELECT COUNT(*), COALESCE(SUM(v <> CONCAT('v', id)), 0) FROM t_pk").Scan(&rows, &bad))
		require.Zero(t, bad, "ds%d: rows whose value changed", i)
		n += rows
	}
	require.Equal(t, review12Rows, n, "rows")
}
