package driver_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestFaults16ReplicaServerDefaults: a primary and a replica opened from
// DSNs with the same parameters, whose servers' defaults differ (a
// replica configured apart from its primary: here SET GLOBAL on the
// replica before the connector opens, as a my.cnf would). Before round
// 16 such a replica was taken to have its primary's session and answered
// at once: with its global time_zone at '+05:00' a TIMESTAMP read five
// hours off the primary's; with default_regex_flags or old_mode (MariaDB's
// own, not compared at all) REGEXP and utf8's name answered otherwise.
// Now every replica is compared at the first probe: it is ejected naming
// the variable, every read answers as the primary does; a replica whose
// servers agree still takes reads.
func TestFaults16ReplicaServerDefaults(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	_, err := direct(t, cluster.Primary).ExecContext(bg, "CREATE DATABASE app16")
	require.NoError(t, err)
	pdsn := withDB(t, cluster.Primary, "app16")
	rdsn := withDB(t, cluster.Replicas[0], "app16")
	open := func() *sql.DB {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", pdsn))
		require.NoError(t, topo.AddReplica("ds0", rdsn))
		return openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	}
	setup := open()
	_, err = setup.ExecContext(bg, "CREATE TABLE tz16 (id BIGINT PRIMARY KEY, ts TIMESTAMP NOT NULL, s VARCHAR(10) NOT NULL)")
	require.NoError(t, err)
	_, err = setup.ExecContext(bg, "INSERT INTO tz16 VALUES (1, '2020-01-01 12:00:00', 'Abc')")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(bg))
	rdirect := direct(t, cluster.Replicas[0])

	cases := []struct {
		name, set, reset, query, want, variable string
	}{
		{"time_zone", "SET GLOBAL time_zone = '+05:00'", "SET GLOBAL time_zone = DEFAULT",
			"SELECT CAST(ts AS CHAR) FROM tz16 WHERE id = 1", "2020-01-01 12:00:00", "@@time_zone"},
		{"default_regex_flags", "SET GLOBAL default_regex_flags = 'DOTALL'", "SET GLOBAL default_regex_flags = DEFAULT",
			"SELECT CAST(CONCAT(s, '\\n') REGEXP '^Abc.$' AS CHAR) FROM tz16 WHERE id = 1", "0", "@@default_regex_flags"},
		{"same servers", "DO 0", "DO 0",
			"SELECT CAST(ts AS CHAR) FROM tz16 WHERE id = 1", "2020-01-01 12:00:00", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rdirect.ExecContext(bg, c.set)
			require.NoError(t, err)
			defer func() { _, _ = rdirect.ExecContext(bg, c.reset) }()
			db := open()
			answers := map[string]int{}
			onReplica := 0
			for i := 0; i < 12; i++ {
				var got string
				var trace []driver.ReadServer
				require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), c.query).Scan(&got))
				answers[got]++
				if len(trace) == 1 && trace[0].Replica {
					onReplica++
				}
				time.Sleep(25 * time.Millisecond)
			}
			st, err := driver.Replicas(bg, db)
			require.NoError(t, err)
			require.Len(t, st, 1)
			t.Logf("%s: answers %v, %d on the replica, status err %v", c.name, answers, onReplica, st[0].Err)
			assert.Equal(t, map[string]int{c.want: 12}, answers, "every read answers as the primary does")
			if c.variable == "" {
				assert.NoError(t, st[0].Err)
				assert.Positive(t, onReplica, "a replica whose servers agree takes reads")
				return
			}
			assert.Zero(t, onReplica)
			require.Error(t, st[0].Err)
			assert.ErrorIs(t, st[0].Err, driver.ErrUnsupported)
			assert.Contains(t, st[0].Err.Error(), c.variable)
		})
	}
}
