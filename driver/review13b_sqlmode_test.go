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

// TestReview13bGlobalDialect: a server whose GLOBAL sql_mode has
// ANSI_QUOTES, sessions that start with a plain mode (DSN), and SET
// sql_mode = DEFAULT (the global) after the catalog was loaded: a
// statement shardsql parses must be refused, before and after the load,
// in every spelling of DEFAULT.
func TestReview13bGlobalDialect(t *testing.T) {
	srv, err := shardtest.StartMariaDBArgs("r13b", "--sql-mode=ANSI_QUOTES,STRICT_TRANS_TABLES")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(srv.DSN())
	require.NoError(t, err)
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = "'STRICT_TRANS_TABLES'"
	plain := cfg.FormatDSN()
	admin, err := sql.Open("mysql", plain)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	for _, q := range []string{"CREATE TABLE t_m_0 (id INT PRIMARY KEY, v VARCHAR(8))", "CREATE TABLE t_m_1 (id INT PRIMARY KEY, v VARCHAR(8))",
		"INSERT INTO t_m_0 VALUES (2, 'b')", "INSERT INTO t_m_1 VALUES (1, 'a')"} {
		_, err := admin.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	open := func(dsn string) *sql.DB {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", dsn))
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_m", Column: "id", Nodes: "ds0.t_m_${0..1}", Algorithm: shard.Mod()}))
		c, err := driver.NewConnector(topo)
		require.NoError(t, err)
		db := sql.OpenDB(c)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	const scatter = `SELECT id FROM t_m ORDER BY id`
	ids := func(conn *sql.Conn) ([]int, error) {
		rows, err := conn.QueryContext(ctx, scatter)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	// Sessions starting with the global mode: refused from the first
	// statement, before anything loaded the catalog.
	conn, err := open(srv.DSN()).Conn(ctx)
	require.NoError(t, err)
	_, err = ids(conn)
	require.ErrorContains(t, err, "ANSI_QUOTES", "first statement of a connector under a global ANSI_QUOTES")
	_ = conn.Close()

	// MariaDB's SET STATEMENT is refused (the parser does not read it),
	// and a string 'DEFAULT' is the server's error, after which the
	// session's plain mode stays in force.
	{
		conn, err := open(plain).Conn(ctx)
		require.NoError(t, err)
		for _, q := range []string{`SET STATEMENT sql_mode='ANSI_QUOTES' FOR SELECT COUNT(*) FROM t_m WHERE "v" = 'a'`,
			`SET STATEMENT sql_mode=DEFAULT FOR SELECT COUNT(*) FROM t_m WHERE "v" = 'a'`} {
			var n any
			require.ErrorContains(t, conn.QueryRowContext(ctx, q).Scan(&n), "shardsql: unsupported", q)
		}
		for _, q := range []string{"SET sql_mode = 'DEFAULT'", "SET sql_mode = 'default'"} {
			_, err := conn.ExecContext(ctx, q)
			require.ErrorContains(t, err, "1231", q)
			got, err := ids(conn)
			require.NoError(t, err, "after %s", q)
			require.Equal(t, []int{1, 2}, got)
		}
		_ = conn.Close()
	}
	for _, def := range []string{"SET sql_mode = DEFAULT", "SET SESSION sql_mode = DEFAULT", "SET @@sql_mode = DEFAULT",
		"SET @@session.sql_mode = DEFAULT", "SET LOCAL sql_mode = DEFAULT", "set sql_mode=default", "SET sql_mode := DEFAULT"} {
		t.Run(def, func(t *testing.T) {
			conn, err := open(plain).Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			got, err := ids(conn) // loads the catalog: plain session
			require.NoError(t, err)
			require.Equal(t, []int{1, 2}, got)
			_, err = conn.ExecContext(ctx, def)
			require.NoError(t, err)
			var mode string
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT @@session.sql_mode").Scan(&mode))
			require.Contains(t, mode, "ANSI_QUOTES")
			_, err = ids(conn)
			require.ErrorContains(t, err, "ANSI_QUOTES", "after %s", def)
			_, err = conn.ExecContext(ctx, "SET sql_mode = ''")
			require.NoError(t, err)
			got, err = ids(conn)
			require.NoError(t, err)
			require.Equal(t, []int{1, 2}, got)
		})
	}
}
