package driver_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestFaults15ReplicaSessions closes round 14's two replica leftovers.
// Sessions shardsql cannot compare from DSNs — a primary or a replica the
// caller opened (AddDB, AddReplicaDB), a replica DSN that sets a server
// setting its primary leaves to the server — are compared on the servers
// by the probe before the replica takes a read:
//
//   - caller's pools, the replica's with time_zone='+05:00': before, the
//     replica answered 17:00:00 where the primary answers 12:00:00; now it
//     is ejected (ReplicaStatus.Err names @@time_zone) and the primary
//     answers;
//   - caller's pools, parseTime on the primary only: ejected (a DATETIME
//     scans otherwise);
//   - caller's pools with the same settings: the replica answers;
//   - replica DSN with time_zone='SYSTEM' (the server's default) beside a
//     primary DSN without it: refused before (over-refusal), now the
//     replica answers; with time_zone='+05:00' it is still ejected.
func TestFaults15ReplicaSessions(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	_, err := direct(t, cluster.Primary).ExecContext(bg, "CREATE DATABASE app15")
	require.NoError(t, err)
	const tz5 = "time_zone=%27%2B05%3A00%27"
	pdsn := withDB(t, cluster.Primary, "app15")
	rdsn := withDB(t, cluster.Replicas[0], "app15")
	noParseTime := func(dsn string) string { return strings.Replace(dsn, "parseTime=true", "parseTime=false", 1) }
	pool := func(dsn string) *sql.DB {
		p, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		return p
	}
	open := func(primary, replica any) *sql.DB {
		topo := shard.NewTopology()
		switch p := primary.(type) {
		case string:
			require.NoError(t, topo.AddDataSource("ds0", p))
		case *sql.DB:
			require.NoError(t, topo.AddDB("ds0", p))
		}
		switch r := replica.(type) {
		case string:
			require.NoError(t, topo.AddReplica("ds0", r))
		case *sql.DB:
			require.NoError(t, topo.AddReplicaDB("ds0", r))
		}
		return openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	}
	setup := open(pdsn, pdsn)
	_, err = setup.ExecContext(bg, "CREATE TABLE tz15 (id BIGINT PRIMARY KEY, ts TIMESTAMP NOT NULL)")
	require.NoError(t, err)
	_, err = setup.ExecContext(bg, "INSERT INTO tz15 VALUES (1, '2020-01-01 12:00:00')")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(bg))
	const point = "SELECT CAST(ts AS CHAR) FROM tz15 WHERE id = 1"

	// reads runs the point read 12 times over 0.3 s and returns the
	// answers and how many the replica gave.
	reads := func(db *sql.DB) (answers map[string]int, onReplica int) {
		answers = map[string]int{}
		for i := 0; i < 12; i++ {
			var got string
			var trace []driver.ReadServer
			require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), point).Scan(&got))
			answers[got]++
			if len(trace) == 1 && trace[0].Replica {
				onReplica++
			}
			time.Sleep(25 * time.Millisecond)
		}
		return answers, onReplica
	}
	statusErr := func(db *sql.DB) error {
		st, err := driver.Replicas(bg, db)
		require.NoError(t, err)
		require.Len(t, st, 1)
		return st[0].Err
	}
	want := map[string]int{"2020-01-01 12:00:00": 12}

	t.Run("caller's pools, time_zone on the replica", func(t *testing.T) {
		db := open(pool(pdsn), pool(rdsn+"&"+tz5))
		answers, _ := reads(db)
		assert.Equal(t, want, answers, "every read answers in the primary's session")
		err := statusErr(db)
		require.Error(t, err)
		assert.ErrorIs(t, err, driver.ErrUnsupported)
		assert.Contains(t, err.Error(), "@@time_zone")
	})
	t.Run("caller's pools, parseTime on the primary only", func(t *testing.T) {
		db := open(pool(pdsn), pool(noParseTime(rdsn)))
		answers, onReplica := reads(db)
		assert.Equal(t, want, answers)
		assert.Zero(t, onReplica)
		err := statusErr(db)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "DATETIME")
	})
	t.Run("caller's pools, same settings", func(t *testing.T) {
		db := open(pool(pdsn+"&"+tz5), pool(rdsn+"&"+tz5))
		st, err := driver.Replicas(bg, db)
		require.NoError(t, err)
		require.Len(t, st, 1)
		t.Logf("before the first probe: %+v", st[0])
		answers, onReplica := reads(db)
		assert.Equal(t, map[string]int{"2020-01-01 17:00:00": 12}, answers)
		assert.Positive(t, onReplica, "the replica takes reads once compared")
		assert.NoError(t, statusErr(db))
		st, err = driver.Replicas(bg, db)
		require.NoError(t, err)
		assert.False(t, st[0].SessionUnchecked)
	})
	t.Run("replica DSN spells out the server's default", func(t *testing.T) {
		db := open(pdsn, rdsn+"&time_zone=%27SYSTEM%27")
		answers, onReplica := reads(db)
		assert.Equal(t, want, answers)
		assert.Positive(t, onReplica, "the same session: the replica takes reads")
		assert.NoError(t, statusErr(db))
	})
	t.Run("replica DSN sets what the primary leaves to the server", func(t *testing.T) {
		db := open(pdsn, rdsn+"&"+tz5)
		answers, onReplica := reads(db)
		assert.Equal(t, want, answers)
		assert.Zero(t, onReplica)
		err := statusErr(db)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "@@time_zone")
	})
}
