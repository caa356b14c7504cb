package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestReview14ReplicaTimeTruncate: go-sql-driver's timeTruncate truncates
// time.Time arguments before the server compares them, so it changes
// what a read answers, and a replica DSN must take it from its primary's
// as it takes loc. A primary DSN with timeTruncate=1s and a replica DSN
// without it: ts = ? with 12:00:00.5 matched the row (12:00:00) on the
// primary and nothing on the replica.
func TestReview14ReplicaTimeTruncate(t *testing.T) {
	bg := context.Background()
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	_, err := direct(t, cluster.Primary).ExecContext(bg, "CREATE DATABASE app0")
	require.NoError(t, err)
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", withDB(t, cluster.Primary, "app0")+"&timeTruncate=1s"))
	require.NoError(t, topo.AddReplica("ds0", withDB(t, cluster.Replicas[0], "app0")))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	_, err = db.ExecContext(bg, "CREATE TABLE tt14 (id BIGINT PRIMARY KEY, ts DATETIME NOT NULL)")
	require.NoError(t, err)
	_, err = db.ExecContext(bg, "INSERT INTO tt14 VALUES (1, '2020-01-01 12:00:00')")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(bg))
	at := time.Date(2020, 1, 1, 12, 0, 0, 500_000_000, time.UTC)
	const q = "SELECT COUNT(*) FROM tt14 WHERE id = 1 AND ts = ?"
	var want int
	require.NoError(t, db.QueryRowContext(driver.WithPrimary(bg), q, at).Scan(&want))
	require.Equal(t, 1, want, "the primary truncates the argument")
	var got int
	var trace []driver.ReadServer
	require.Eventually(t, func() bool {
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), q, at).Scan(&got))
		return len(trace) == 1 && trace[0].Replica
	}, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, want, got, "the replica answers as the primary: %+v", trace)
}
