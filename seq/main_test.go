package seq

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shardtest"
)

// server is the one MariaDB server the package's tests share, started by
// the first test that needs it and stopped by TestMain. Each test works in a
// database of its own.
var server struct {
	once sync.Once
	srv  *shardtest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if server.srv != nil {
		if err := server.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// scaled returns n, or n/div when the race detector or -short is on.
func scaled(n, div int) int {
	if raceEnabled || testing.Short() {
		return n / div
	}
	return n
}

// testDB creates a fresh database on the shared MariaDB server for t and
// returns a function that opens a new pool (a simulated process) on it. It
// skips t when MariaDB is not installed, unless SHARDSQL_REQUIRE_MARIADB=1.
func testDB(t testing.TB) (open func() *sql.DB) {
	t.Helper()
	if !shardtest.HaveMariaDB() {
		if os.Getenv(shardtest.RequireMariaDBEnv) == "1" {
			t.Fatalf("mariadbd not found (%s=1)", shardtest.RequireMariaDBEnv)
		}
		t.Skip("mariadbd not found; install mariadb-server to run MariaDB tests")
	}
	server.once.Do(func() {
		var srvs []*shardtest.Server
		srvs, server.err = shardtest.StartMariaDB(1, "app")
		if server.err == nil {
			server.srv = srvs[0]
		}
	})
	require.NoError(t, server.err)

	name := "t_" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_"))
	if len(name) > 64 {
		name = name[:64]
	}
	cfg, err := mysql.ParseDSN(server.srv.DSN())
	require.NoError(t, err)
	root := sql.OpenDB(mustConnector(t, cfg))
	defer root.Close()
	_, err = root.Exec("DROP DATABASE IF EXISTS " + name)
	require.NoError(t, err)
	_, err = root.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)

	cfg.DBName = name
	return func() *sql.DB {
		db := sql.OpenDB(mustConnector(t, cfg))
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
}

func mustConnector(t testing.TB, cfg *mysql.Config) driver.Connector {
	t.Helper()
	c, err := mysql.NewConnector(cfg)
	require.NoError(t, err)
	return c
}

// ctx returns a context for a test's database calls.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// requireIncreasing fails t unless ids are strictly increasing.
func requireIncreasing(t testing.TB, ids []int64) {
	t.Helper()
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("ids not increasing at %d: %d then %d", i, ids[i-1], ids[i])
		}
	}
}

// requireUnique fails t if any id occurs twice in any of the lists.
func requireUnique(t testing.TB, lists ...[]int64) []int64 {
	t.Helper()
	var all []int64
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Fatalf("duplicate id %d", all[i])
		}
	}
	return all
}
