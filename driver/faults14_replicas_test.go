package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestFaults14Replicas runs round 14's replica tests on one replicated
// pair.
func TestFaults14Replicas(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	t.Run("session DSN", func(t *testing.T) { testFaults14ReplicaSessionDSN(t, cluster) })
}

// testFaults14ReplicaSessionDSN: a primary DSN that sets the session's
// time_zone and a replica DSN that does not. A TIMESTAMP read as text
// answered the primary's 12:00:00 there and the replica's own time zone's
// 07:00:00 on the replica, chosen by the balancer (one MariaDB through
// go-sql-driver always answers 12:00:00). The replica now takes the
// primary's session settings; a replica DSN that sets one to another
// value takes no reads, and the primary answers.
func testFaults14ReplicaSessionDSN(t *testing.T, cluster *shardtest.Replicated) {
	bg := context.Background()
	primary := direct(t, cluster.Primary)
	_, err := primary.ExecContext(bg, "CREATE DATABASE app0")
	require.NoError(t, err)
	const tz = "&time_zone=%27%2B05%3A00%27"
	open := func(replicaParams string) *sql.DB {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", withDB(t, cluster.Primary, "app0")+tz))
		require.NoError(t, topo.AddReplica("ds0", withDB(t, cluster.Replicas[0], "app0")+replicaParams))
		return openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	}
	db := open("")
	_, err = db.ExecContext(bg, "CREATE TABLE tz14 (id BIGINT PRIMARY KEY, ts TIMESTAMP NOT NULL)")
	require.NoError(t, err)
	_, err = db.ExecContext(bg, "INSERT INTO tz14 VALUES (1, '2020-01-01 12:00:00')")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(bg))
	const point = "SELECT CAST(ts AS CHAR) FROM tz14 WHERE id = 1"
	var want string
	require.NoError(t, db.QueryRowContext(driver.WithPrimary(bg), point).Scan(&want))
	require.Equal(t, "2020-01-01 12:00:00", want)

	read := func(db *sql.DB) (string, []driver.ReadServer) {
		var got string
		var trace []driver.ReadServer
		require.Eventually(t, func() bool {
			require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), point).Scan(&got))
			return len(trace) == 1 && trace[0].Replica
		}, 5*time.Second, 20*time.Millisecond)
		return got, trace
	}
	t.Run("replica DSN without the setting", func(t *testing.T) {
		got, trace := read(db)
		require.True(t, trace[0].Replica, "the replica answers: %+v", trace)
		assert.Equal(t, want, got, "the replica reads in the primary's time zone")
		// A scatter-shaped read (no point) too.
		var n int
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), "SELECT COUNT(*) FROM tz14 WHERE CAST(ts AS CHAR) = '2020-01-01 12:00:00'").Scan(&n))
		require.True(t, trace[0].Replica, "%+v", trace)
		assert.Equal(t, 1, n)
	})
	t.Run("replica DSN with the same setting", func(t *testing.T) {
		same := open(tz)
		got, trace := read(same)
		require.True(t, trace[0].Replica, "%+v", trace)
		assert.Equal(t, want, got)
	})
	t.Run("replica DSN with another value", func(t *testing.T) {
		other := open("&time_zone=%27%2B00%3A00%27")
		var got string
		var trace []driver.ReadServer
		require.NoError(t, other.QueryRowContext(driver.WithReadTrace(bg, &trace), point).Scan(&got))
		assert.Equal(t, want, got)
		require.Len(t, trace, 1)
		assert.False(t, trace[0].Replica, "a replica in another session takes no reads: %+v", trace)
		st, err := driver.Replicas(bg, other)
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.True(t, st[0].Ejected)
		require.Error(t, st[0].Err)
		assert.True(t, errors.Is(st[0].Err, driver.ErrUnsupported), "%v", st[0].Err)
		assert.Contains(t, st[0].Err.Error(), "time_zone")
	})
}
