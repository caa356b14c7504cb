package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// r19bEnv: two data sources (databases a19r0, a19r1 of one primary), the
// one replica's copies as their replicas, replication stopped after the
// load: any read a replica answers after a write is stale.
type r19bEnv struct {
	cluster *shardtest.Replicated
	primary *sql.DB
	topo    func(t *testing.T) *shard.Topology
	db      *sql.DB
}

func newR19bEnv(t *testing.T, opts ...driver.Option) *r19bEnv {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	ctx := context.Background()
	e := &r19bEnv{cluster: cluster, primary: direct(t, cluster.Primary)}
	for _, db := range []string{"a19r0", "a19r1"} {
		_, err := e.primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	e.topo = func(t *testing.T) *shard.Topology {
		topo := shard.NewTopology()
		for i := 0; i < 2; i++ {
			ds := fmt.Sprintf("ds%d", i)
			require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("a19r%d", i))))
			require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("a19r%d", i))))
		}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t19", Column: "user_id", Nodes: "ds${0..1}.t19_${0..1}", Algorithm: shard.Hash()}))
		return topo
	}
	e.db = openDB(t, e.topo(t), append([]driver.Option{driver.WithReplicaProbeInterval(50 * time.Millisecond)}, opts...)...)
	for _, q := range []string{
		"CREATE TABLE t19 (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v INT NOT NULL)",
		"CREATE TABLE p19 (id BIGINT PRIMARY KEY AUTO_INCREMENT, v INT NOT NULL)",
		"INSERT INTO t19 (id, user_id, v) VALUES (1, 1, 0), (2, 2, 0), (3, 3, 0), (4, 4, 0), (5, 5, 0), (6, 6, 0)",
		"INSERT INTO p19 (v) VALUES (1), (2)",
	} {
		_, err := e.db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, cluster.Sync(ctx))
	return e
}

// stop stops the replica's SQL thread until the test ends and waits for
// the probe to have read its position.
func (e *r19bEnv) stop(t *testing.T) {
	require.NoError(t, e.cluster.Replicas[0].StopReplication())
	t.Cleanup(func() { _ = e.cluster.Replicas[0].StartReplication() })
	time.Sleep(150 * time.Millisecond)
}

// count19 is the number of t19 rows on the primary itself.
func (e *r19bEnv) count19(t *testing.T) int {
	var n int
	require.NoError(t, e.primary.QueryRowContext(context.Background(),
		"SELECT (SELECT COUNT(*) FROM a19r0.t19_0) + (SELECT COUNT(*) FROM a19r0.t19_1) + (SELECT COUNT(*) FROM a19r1.t19_0) + (SELECT COUNT(*) FROM a19r1.t19_1)").Scan(&n))
	return n
}
