package driver_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestDeepPageOnReplicas: a deep page read from replicas runs every phase
// there, the later ones included (the phases the operator builds at run
// time run where the statement's units of their data source ran): the
// primary answers no SELECT, and the page is the one the data gives.
func TestDeepPageOnReplicas(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	ctx := context.Background()
	primary := direct(t, cluster.Primary)
	for _, db := range []string{"dp0", "dp1"} {
		_, err := primary.ExecContext(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(ctx))
	topo := shard.NewTopology()
	for i := 0; i < 2; i++ {
		ds := fmt.Sprintf("ds%d", i)
		require.NoError(t, topo.AddDataSource(ds, withDB(t, cluster.Primary, fmt.Sprintf("dp%d", i))))
		require.NoError(t, topo.AddReplica(ds, withDB(t, cluster.Replicas[0], fmt.Sprintf("dp%d", i))))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_dp", Column: "user_id", Nodes: "ds${0..1}.t_dp_${0..1}", Algorithm: shard.Hash()}))
	fast := driver.WithReplicaProbeInterval(50 * time.Millisecond)
	db := openDB(t, topo, fast)
	_, err := db.ExecContext(ctx, "CREATE TABLE t_dp (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, name VARCHAR(20) NOT NULL, note VARCHAR(40))")
	require.NoError(t, err)
	const n = 1200
	var sb strings.Builder
	var args []any
	for i := 1; i <= n; i++ {
		if i > 1 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?)")
		args = append(args, i, i%37, fmt.Sprintf("n%03d", i%97), fmt.Sprintf("note %d", i))
	}
	_, err = db.ExecContext(ctx, "INSERT INTO t_dp (id, user_id, name, note) VALUES "+sb.String(), args...)
	require.NoError(t, err)
	require.NoError(t, cluster.Sync(ctx))

	// the page by the data: ORDER BY name, id
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	sort.Slice(ids, func(a, b int) bool {
		na, nb := ids[a]%97, ids[b]%97
		if na != nb {
			return na < nb
		}
		return ids[a] < ids[b]
	})
	const offset, count = 700, 12
	var want []string
	for _, id := range ids[offset : offset+count] {
		want = append(want, strconv.Itoa(id))
	}
	const q = "SELECT id, note FROM t_dp ORDER BY name LIMIT 700, 12"
	for _, keys := range []route.DeepPageKeys{route.DeepPageKeysOnly, route.DeepPageKeysFull} {
		rdb := openDB(t, topo, fast, driver.WithDeepPageKeys(keys))
		plan, err := driver.Explain(ctx, rdb, q)
		require.NoError(t, err)
		require.NotNil(t, plan.DeepPage)
		require.Equal(t, keys == route.DeepPageKeysOnly, plan.DeepPage.KeyOnly())
		_, err = runDiffQuery(rdb, "SELECT COUNT(*) FROM t_dp") // the catalog is loaded
		require.NoError(t, err)
		time.Sleep(150 * time.Millisecond) // a probe has read the replica's position since the inserts
		before, err := cluster.Primary.ComSelect()
		require.NoError(t, err)
		var trace []driver.ReadServer
		rows, err := rdb.QueryContext(driver.WithReadTrace(ctx, &trace), q)
		require.NoError(t, err)
		got, err := scanDiffRows(rows)
		require.NoError(t, err)
		after, err := cluster.Primary.ComSelect()
		require.NoError(t, err)
		var gotIDs []string
		for _, r := range got.rows {
			gotIDs = append(gotIDs, r[0])
		}
		require.Equal(t, want, gotIDs, "key-only %v", keys == route.DeepPageKeysOnly)
		require.NotEmpty(t, trace)
		for _, s := range trace {
			require.True(t, s.Replica, "%+v", s)
		}
		require.Equal(t, int64(0), after-before, "the primary answered a phase")
	}
}
