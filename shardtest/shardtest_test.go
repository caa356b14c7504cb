package shardtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// open returns a connection pool for s that is closed when the test ends.
func open(t *testing.T, s *Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", s.DSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// checkServers exercises a pair of servers: DDL, inserts and queries with
// placeholder arguments (server-side prepared statements), concurrent
// connections and the independence of the two servers.
func checkServers(t *testing.T, servers []*Server) {
	t.Helper()
	require.Len(t, servers, 2)
	require.NotEqual(t, servers[0].Addr(), servers[1].Addr())
	ctx := context.Background()

	for i, s := range servers {
		require.True(t, strings.HasPrefix(s.DSN(), "root@tcp("+s.Addr()+")/app?"), s.DSN())
		require.Contains(t, s.DSN(), "parseTime=true")
		cfg, err := mysql.ParseDSN(s.DSN())
		require.NoError(t, err)
		require.False(t, cfg.InterpolateParams)
		require.Equal(t, "app", cfg.DBName)

		db := open(t, s)
		_, err = db.ExecContext(ctx, `CREATE TABLE items (
			id BIGINT NOT NULL PRIMARY KEY,
			name VARCHAR(100) NOT NULL,
			created DATETIME NOT NULL
		)`)
		require.NoError(t, err)

		// Placeholder arguments with interpolateParams=false go through
		// COM_STMT_PREPARE and COM_STMT_EXECUTE.
		when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		_, err = db.ExecContext(ctx, "INSERT INTO items (id, name, created) VALUES (?, ?, ?)", 1, fmt.Sprintf("server%d", i), when)
		require.NoError(t, err)

		var name string
		var created time.Time
		err = db.QueryRowContext(ctx, "SELECT name, created FROM items WHERE id = ?", 1).Scan(&name, &created)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("server%d", i), name)
		require.True(t, when.Equal(created), "created = %v", created)

		// An explicitly prepared statement, executed several times.
		stmt, err := db.PrepareContext(ctx, "INSERT INTO items (id, name, created) VALUES (?, ?, ?)")
		require.NoError(t, err)
		for id := 2; id <= 4; id++ {
			_, err = stmt.ExecContext(ctx, id, fmt.Sprintf("n%d", id), when)
			require.NoError(t, err)
		}
		require.NoError(t, stmt.Close())

		// Many concurrent connections, each inserting rows visible to all.
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := db.Conn(ctx)
				if err != nil {
					errs <- err
					return
				}
				defer conn.Close()
				for k := 0; k < 5; k++ {
					id := 100 + g*10 + k
					if _, err := conn.ExecContext(ctx, "INSERT INTO items (id, name, created) VALUES (?, ?, ?)", id, "c", when); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		fresh := open(t, s)
		var count int
		require.NoError(t, fresh.QueryRowContext(ctx, "SELECT COUNT(*) FROM items WHERE id >= ?", 100).Scan(&count))
		require.Equal(t, 40, count)
	}

	// The servers are independent: a table made on one is absent on the other.
	a, b := open(t, servers[0]), open(t, servers[1])
	_, err := a.ExecContext(ctx, "CREATE TABLE only_on_first (id INT PRIMARY KEY)")
	require.NoError(t, err)
	_, err = a.ExecContext(ctx, "SELECT id FROM only_on_first")
	require.NoError(t, err)
	_, err = b.ExecContext(ctx, "SELECT id FROM only_on_first")
	require.Error(t, err)
	var names [2]string
	require.NoError(t, a.QueryRowContext(ctx, "SELECT name FROM items WHERE id = ?", 1).Scan(&names[0]))
	require.NoError(t, b.QueryRowContext(ctx, "SELECT name FROM items WHERE id = ?", 1).Scan(&names[1]))
	require.Equal(t, [2]string{"server0", "server1"}, names)
}

// requireClosed checks that Close stopped s and is idempotent.
func requireClosed(t *testing.T, s *Server) {
	t.Helper()
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	conn, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err == nil {
		_ = conn.Close()
	}
	require.Error(t, err, "server still listening on %s after Close", s.Addr())
}

func TestEmbedded(t *testing.T) {
	start := time.Now()
	servers := Embedded(t, 2)
	t.Logf("started 2 embedded servers in %v", time.Since(start))
	checkServers(t, servers)
	for _, s := range servers {
		requireClosed(t, s)
	}
}

func TestStartEmbeddedDatabaseName(t *testing.T) {
	servers, err := StartEmbedded(1, "shop")
	require.NoError(t, err)
	defer func() { require.NoError(t, closeAll(servers)) }()
	require.Contains(t, servers[0].DSN(), ")/shop?")
	db := open(t, servers[0])
	var name string
	require.NoError(t, db.QueryRow("SELECT DATABASE()").Scan(&name))
	require.Equal(t, "shop", name)
}

func TestStartBadArguments(t *testing.T) {
	for _, start := range []func(int, string) ([]*Server, error){StartEmbedded, StartMariaDB} {
		_, err := start(0, "app")
		require.ErrorContains(t, err, "shardtest: ")
		_, err = start(1, "")
		require.ErrorContains(t, err, "shardtest: ")
	}
}

func TestMariaDB(t *testing.T) {
	start := time.Now()
	servers := MariaDB(t, 2)
	t.Logf("started 2 MariaDB servers in %v", time.Since(start))
	checkServers(t, servers)

	var version string
	require.NoError(t, open(t, servers[0]).QueryRow("SELECT VERSION()").Scan(&version))
	require.Contains(t, version, "MariaDB")

	// Placeholder arguments really went through server-side prepare.
	var name string
	var prepares int
	require.NoError(t, open(t, servers[0]).QueryRow("SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'").Scan(&name, &prepares))
	require.Positive(t, prepares)

	for _, s := range servers {
		require.NotEmpty(t, s.dir)
		_, err := os.Stat(s.dir)
		require.NoError(t, err)
		start := time.Now()
		requireClosed(t, s)
		t.Logf("closed %s in %v", s.Addr(), time.Since(start))
		_, err = os.Stat(s.dir)
		require.True(t, errors.Is(err, os.ErrNotExist), "datadir %s still exists: %v", s.dir, err)
	}
}

func TestMissingMariaDB(t *testing.T) {
	for _, tc := range []struct {
		found   bool
		require string
		want    action
	}{
		{true, "", actionRun},
		{true, "1", actionRun},
		{false, "", actionSkip},
		{false, "0", actionSkip},
		{false, "1", actionFail},
	} {
		require.Equal(t, tc.want, missingMariaDB(tc.found, tc.require), "found=%v %s=%q", tc.found, RequireMariaDBEnv, tc.require)
	}
}
