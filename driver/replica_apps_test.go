package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// replicaAppsTopology creates databases app0 and app1 on cluster's
// primary and returns a topology of two data sources on them, each with
// the cluster's first replica, and table sharded by user_id over
// ds0.table and ds1.table.
func replicaAppsTopology(t *testing.T, cluster *shardtest.Replicated, table string) *shard.Topology {
	t.Helper()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"app0", "app1"} {
		_, err := primary.ExecContext(context.Background(), "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	// The replica's pools dial these databases at their first probe: a
	// replica that has not applied the CREATE DATABASE yet answers 1049
	// and is ejected (seen once in CI).
	require.NoError(t, cluster.Sync(context.Background()))
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("app%d", i))))
		require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("app%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: table, Column: "user_id", Nodes: "ds${0..1}." + table, Algorithm: shard.Mod()}))
	return topo
}
