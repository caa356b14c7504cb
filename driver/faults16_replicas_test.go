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
	t.Run("Warm waits for the comparison", func(t *testing.T) {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", pdsn))
		require.NoError(t, topo.AddReplica("ds0", rdsn))
		c, err := driver.NewConnector(topo, driver.WithReplicaProbeInterval(time.Hour))
		require.NoError(t, err)
		db := sql.OpenDB(c)
		defer db.Close()
		require.NoError(t, driver.Warm(bg, db, 0)) // only the wait
		var got string
		var trace []driver.ReadServer
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), "SELECT s FROM tz16 WHERE id = 1").Scan(&got))
		require.Len(t, trace, 1)
		assert.True(t, trace[0].Replica, "the first read after Warm goes to the replica: %+v", trace[0])
	})
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

// TestFaults16ReplicaPromoted: the replica is promoted behind shardsql's
// back — replication stopped, read_only off, a row written on it directly
// (a split brain) — while the topology still names it a replica of the
// old primary, and shardsql writes the same row on the primary. Reads
// that need that write (read-your-writes on the same *sql.DB, a token on
// another) never answer the replica's row or the old one: its
// gtid_slave_pos no longer advances, and its own writes do not count as
// the primary's. Under a lag bound a fresh *sql.DB, which needs no
// write, does not read it either (a stopped replica is lagging).
func TestFaults16ReplicaPromoted(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	_, err := direct(t, cluster.Primary).ExecContext(bg, "CREATE DATABASE app16p")
	require.NoError(t, err)
	pdsn := withDB(t, cluster.Primary, "app16p")
	rdsn := withDB(t, cluster.Replicas[0], "app16p")
	open := func(opts ...driver.Option) *sql.DB {
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", pdsn))
		require.NoError(t, topo.AddReplica("ds0", rdsn))
		return openDB(t, topo, append([]driver.Option{driver.WithReplicaProbeInterval(50 * time.Millisecond)}, opts...)...)
	}
	db := open()
	_, err = db.ExecContext(bg, "CREATE TABLE p16 (id BIGINT PRIMARY KEY, v VARCHAR(20) NOT NULL)")
	require.NoError(t, err)
	_, err = db.ExecContext(bg, "INSERT INTO p16 VALUES (1, 'old'), (2, 'two')")
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(bg))

	require.NoError(t, cluster.Replicas[0].StopReplication())
	rd := openPlain(t, rdsn)
	_, err = rd.ExecContext(bg, "SET GLOBAL read_only = 0")
	require.NoError(t, err)
	_, err = rd.ExecContext(bg, "UPDATE p16 SET v = 'replica-only' WHERE id = 1")
	require.NoError(t, err)
	time.Sleep(150 * time.Millisecond) // the probe has read the promoted replica's position

	_, err = db.ExecContext(bg, "UPDATE p16 SET v = 'new' WHERE id = 1")
	require.NoError(t, err)
	tok, err := driver.WriteToken(bg, db)
	require.NoError(t, err)
	after, err := driver.ReadAfter(bg, tok)
	require.NoError(t, err)
	other := open()
	bounded := open(driver.WithMaxReplicaLag(10 * time.Second))
	time.Sleep(150 * time.Millisecond)
	// The promoted replica still takes reads that need nothing (else the
	// checks below would show nothing).
	onReplica := 0
	for i := 0; i < 8; i++ {
		var v string
		var trace []driver.ReadServer
		require.NoError(t, other.QueryRowContext(driver.WithReadTrace(bg, &trace), "SELECT v FROM p16 WHERE id = 2").Scan(&v))
		if len(trace) == 1 && trace[0].Replica {
			onReplica++
		}
	}
	require.Positive(t, onReplica, "the promoted replica takes reads")
	for i := 0; i < 4; i++ {
		for name, read := range map[string]func() (string, error){
			"same *sql.DB": func() (string, error) {
				var v string
				return v, db.QueryRowContext(bg, "SELECT v FROM p16 WHERE id = 1").Scan(&v)
			},
			"token": func() (string, error) {
				var v string
				return v, other.QueryRowContext(after, "SELECT v FROM p16 WHERE id = 1").Scan(&v)
			},
			"lag bound": func() (string, error) {
				var v string
				return v, bounded.QueryRowContext(bg, "SELECT v FROM p16 WHERE id = 1").Scan(&v)
			},
		} {
			v, err := read()
			require.NoError(t, err, name)
			require.Equal(t, "new", v, "%s: read %d answered by the promoted replica", name, i)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
