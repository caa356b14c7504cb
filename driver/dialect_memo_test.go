package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestDialectMemoReload: the dialect check's words are kept per catalog
// (dialect_memo.go). A server whose GLOBAL sql_mode gains ANSI_QUOTES
// after the catalog was loaded, read again by ReloadCatalog, must refuse
// a statement shardsql rewrites in a session that SET sql_mode =
// DEFAULT; and allow it again once the mode is gone and read again. A
// memo not keyed by the catalog answers from the first load and lets
// the statement run.
func TestDialectMemoReload(t *testing.T) {
	srv, err := shardtest.StartMariaDBArgs("dm16", "--sql-mode=STRICT_TRANS_TABLES")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(srv.DSN())
	require.NoError(t, err)
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	for _, q := range []string{"CREATE TABLE t_m_0 (id INT PRIMARY KEY, v VARCHAR(8))", "CREATE TABLE t_m_1 (id INT PRIMARY KEY, v VARCHAR(8))",
		"INSERT INTO t_m_0 VALUES (2, 'b')", "INSERT INTO t_m_1 VALUES (1, 'a')"} {
		_, err := admin.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", srv.DSN()))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_m", Column: "id", Nodes: "ds0.t_m_${0..1}", Algorithm: shard.Mod()}))
	c, err := driver.NewConnector(topo)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	point := func() (string, error) {
		var v string
		err := conn.QueryRowContext(ctx, "SELECT v FROM t_m WHERE id = 1").Scan(&v)
		return v, err
	}
	_, err = conn.ExecContext(ctx, "SET sql_mode = DEFAULT")
	require.NoError(t, err)
	v, err := point() // loads the catalog: no dialect mode anywhere
	require.NoError(t, err)
	require.Equal(t, "a", v)
	v, err = point() // the memo answers
	require.NoError(t, err)
	require.Equal(t, "a", v)

	_, err = admin.ExecContext(ctx, "SET GLOBAL sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES'")
	require.NoError(t, err)
	require.NoError(t, c.ReloadCatalog(ctx))
	_, err = conn.ExecContext(ctx, "SET sql_mode = DEFAULT") // the session takes the new global
	require.NoError(t, err)
	_, err = point()
	require.ErrorContains(t, err, "ANSI_QUOTES", "global mode read again by ReloadCatalog")
	require.ErrorContains(t, err, "shardsql: unsupported")

	_, err = admin.ExecContext(ctx, "SET GLOBAL sql_mode = 'STRICT_TRANS_TABLES'")
	require.NoError(t, err)
	require.NoError(t, c.ReloadCatalog(ctx))
	_, err = conn.ExecContext(ctx, "SET sql_mode = DEFAULT")
	require.NoError(t, err)
	v, err = point()
	require.NoError(t, err, "the mode is gone and read again")
	require.Equal(t, "a", v)
}
