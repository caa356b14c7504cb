package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// shared is a pair of MariaDB servers started once for the session, pool
// and argument tests, which each work in a database of their own on them
// (starting servers is most of such a test's time).
var shared struct {
	once    sync.Once
	servers []*shardtest.Server
	err     error
}

// sharedDSNs returns the DSNs of a new, empty database named db on each of
// the two shared servers. It skips or fails the test as shardtest.MariaDB
// does when MariaDB is not installed.
func sharedDSNs(t *testing.T, db string) []string {
	t.Helper()
	if !shardtest.HaveMariaDB() {
		shardtest.MariaDB(t, 2) // skips, or fails under SHARDSQL_REQUIRE_MARIADB=1
	}
	shared.once.Do(func() { shared.servers, shared.err = shardtest.StartMariaDB(2, "app") })
	require.NoError(t, shared.err)
	db = strings.ToLower(db)
	var out []string
	for _, s := range shared.servers {
		cfg, err := mysql.ParseDSN(s.DSN())
		require.NoError(t, err)
		admin, err := sql.Open("mysql", s.DSN())
		require.NoError(t, err)
		_, err = admin.ExecContext(context.Background(), fmt.Sprintf("CREATE DATABASE IF NOT EXISTS `%s`", db))
		_ = admin.Close()
		require.NoError(t, err)
		cfg.DBName = db
		out = append(out, cfg.FormatDSN())
	}
	return out
}

// closeShared stops the shared servers (TestMain).
func closeShared() {
	for _, s := range shared.servers {
		_ = s.Close()
	}
	for _, s := range faultPair.servers {
		_ = s.Close()
	}
}

// faultPair is a second pair of MariaDB servers, started once for the
// tests that kill, pause and stop servers (faults15_*_test.go); each
// restores its server before it ends, and works in ids of its own.
var faultPair struct {
	once    sync.Once
	servers []*shardtest.Server
	err     error
}

// faultServers returns the fault pair, started on first use.
func faultServers(t *testing.T) []*shardtest.Server {
	t.Helper()
	if !shardtest.HaveMariaDB() {
		shardtest.MariaDB(t, 2) // skips, or fails under SHARDSQL_REQUIRE_MARIADB=1
	}
	faultPair.once.Do(func() { faultPair.servers, faultPair.err = shardtest.StartMariaDB(2, "app") })
	require.NoError(t, faultPair.err)
	return faultPair.servers
}

// dsTopology is a topology with the data sources ds0, ds1, … on dsns and
// no tables yet.
func dsTopology(t testing.TB, dsns []string) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	return topo
}
