package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestReview15bReplicaSessionTransient: a server error met while reading
// a session to compare (here the primary at its max_connections, 1040, a
// moment's state) ejected the replica for good, as if the sessions
// differed: it never took a read again although both sessions were the
// same. Now only an answer that cannot change (an unknown variable)
// ejects it for good; the next probe compares again, and the replica
// takes reads.
func TestReview15bReplicaSessionTransient(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	root := direct(t, cluster.Primary)
	for _, q := range []string{
		"CREATE DATABASE app15r",
		"CREATE TABLE app15r.t15r (id BIGINT PRIMARY KEY, v INT)",
		"INSERT INTO app15r.t15r VALUES (1, 7)",
	} {
		_, err := root.ExecContext(bg, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, cluster.Sync(bg))
	open := func(dsn string) *sql.DB {
		p, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		return p
	}
	pdsn := withDB(t, cluster.Primary, "app15r")
	pdb := open(pdsn)
	pdb.SetMaxIdleConns(0) // each use opens a connection
	rdb := open(withDB(t, cluster.Replicas[0], "app15r"))

	// Fill the primary's connections: the probe's read of the primary's
	// session fails with 1040 until they are released.
	admin, err := root.Conn(bg)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.ExecContext(bg, "SET GLOBAL max_connections = 8")
	require.NoError(t, err)
	hold := open(pdsn)
	var held []*sql.Conn
	full := false
	for i := 0; i < 20 && !full; i++ {
		c, err := hold.Conn(bg)
		if err == nil {
			err = c.PingContext(bg)
			held = append(held, c)
		}
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1040 {
			full = true
		} else {
			require.NoError(t, err)
		}
	}
	require.True(t, full, "the primary refuses connections")

	topo := shard.NewTopology()
	require.NoError(t, topo.AddDB("ds0", pdb))
	require.NoError(t, topo.AddReplicaDB("ds0", rdb))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	status := func() driver.ReplicaStatus {
		st, err := driver.Replicas(bg, db)
		require.NoError(t, err)
		require.Len(t, st, 1)
		return st[0]
	}
	status()
	time.Sleep(400 * time.Millisecond) // several probes meet 1226
	st := status()
	t.Logf("while the primary's user is at its limit: %+v", st)
	assert.True(t, st.SessionUnchecked || st.Ejected, "no read before the sessions are compared")

	for _, c := range held {
		_ = c.Close()
	}
	require.NoError(t, hold.Close())
	_, err = admin.ExecContext(bg, "SET GLOBAL max_connections = 151")
	require.NoError(t, err)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if st = status(); !st.SessionUnchecked && !st.Ejected {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	assert.False(t, st.SessionUnchecked, "the sessions are compared once the primary answers: %+v", st)
	assert.False(t, st.Ejected, "the same sessions: the replica is not ejected: %+v", st)
	onReplica := 0
	for i := 0; i < 6; i++ {
		var v int
		var trace []driver.ReadServer
		require.NoError(t, db.QueryRowContext(driver.WithReadTrace(bg, &trace), "SELECT v FROM t15r WHERE id = 1").Scan(&v))
		assert.Equal(t, 7, v)
		if len(trace) == 1 && trace[0].Replica {
			onReplica++
		}
	}
	assert.Positive(t, onReplica, "the replica takes reads")
}
