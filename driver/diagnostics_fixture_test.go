package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// diagSession is what the diagnostics tests run statements on: a
// *sql.Conn or a *sql.Tx, on the oracle or through shardsql.
type diagSession interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// diagFixture creates t_w with the same four rows on an oracle database
// and through shardsql (Mod over ds0..1 × 2 tables, databases named by
// prefix on the shared servers), and returns one connection to each:
// diagnostics describe a session, so each test reads them on one.
func diagFixture(t *testing.T, prefix string) (oracle, sharded *sql.Conn) {
	t.Helper()
	dsns := sharedDSNs(t, prefix)
	oracleDB, err := sql.Open("mysql", sharedDSNs(t, prefix+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracleDB.Close() })
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_w", Column: "id", Nodes: "ds${0..1}.t_w_${0..1}", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	ctx := context.Background()
	for _, d := range []*sql.DB{oracleDB, db} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_w", "CREATE TABLE t_w (id BIGINT PRIMARY KEY, s VARCHAR(10), n INT)",
			"INSERT INTO t_w (id, s, n) VALUES (0, '0x', 0), (1, '1x', 1), (2, '2x', 2), (3, '3x', 3)"} {
			_, err := d.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	oracle, err = oracleDB.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	sharded, err = db.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sharded.Close() })
	return oracle, sharded
}

// diagRun runs q on c: a statement with SELECT or SHOW in it gives its
// rows as text, any other its error only.
func diagRun(ctx context.Context, c diagSession, q string, args ...any) (string, error) {
	u := strings.ToUpper(q)
	if !strings.Contains(u, "SELECT") && !strings.Contains(u, "SHOW") {
		_, err := c.ExecContext(ctx, q, args...)
		return "", err
	}
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(res.rows), nil
}
