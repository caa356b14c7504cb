package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestAttack18aReplicaAfterImplicitCommit: a transaction whose statement
// committed implicitly keeps what it wrote up to there (and, where that
// statement ran, what it wrote after it) also when it ends with Rollback,
// as on one server. Rollback recorded no primary positions, so a read
// after it could go to a replica behind the committed rows (the one
// replica's replication is stopped here: any replica read is stale).
func TestAttack18aReplicaAfterImplicitCommit(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"a18r0", "a18r1"} {
		_, err := primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("a18r%d", i))))
		require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("a18r%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t18r", Column: "id", Nodes: "ds${0..1}.t18r_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo, driver.WithReplicaProbeInterval(50*time.Millisecond))
	for _, q := range []string{
		"CREATE TABLE t18r (id INT PRIMARY KEY, n INT NOT NULL)",
		"CREATE TABLE u18r (id INT PRIMARY KEY, n INT NOT NULL)",
		"INSERT INTO t18r (id, n) VALUES (1, 0), (2, 0), (3, 0), (4, 0)",
		"INSERT INTO u18r (id, n) VALUES (1, 0)",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, cluster.Sync(ctx))
	require.NoError(t, cluster.Replicas[0].StopReplication())
	defer func() { require.NoError(t, cluster.Replicas[0].StartReplication()) }()
	time.Sleep(150 * time.Millisecond) // the probe has read the stopped replica's position (as TestAttack15Replicas)

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err1 := tx.ExecContext(ctx, "INSERT INTO u18r (id, n) VALUES (2, 0)")
	_, err2 := tx.ExecContext(ctx, "CREATE TABLE w18r (a INT)") // commits the INSERT (both on the default data source)
	_, err3 := tx.ExecContext(ctx, "INSERT INTO w18r (a) VALUES (1)")
	require.NoError(t, tx.Rollback())
	require.NoError(t, err1)
	require.NoError(t, err2)
	require.NoError(t, err3)

	var n int
	var trace []driver.ReadServer
	require.NoError(t, conn.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM u18r").Scan(&n))
	assert.Equal(t, 2, n, "the Conn's read after Rollback missed the committed INSERT (read from %+v)", trace)
	trace = nil
	err = conn.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM w18r").Scan(&n)
	require.NoError(t, err, "the table the transaction created (read from %+v)", trace)
	assert.Equal(t, 1, n)
}
