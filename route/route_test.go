package route

import (
	"math/bits"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// testTopology: t_order hashed over 2×4 nodes; t_user by Mod over 4 nodes
// (ds0.t_user_0, ds0.t_user_1, ds1.t_user_0, ds1.t_user_1) so tests can
// predict nodes by hand: value v lives on node v mod 4.
func testTopology(t testing.TB) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds${0..1}.t_user_${0..1}", Algorithm: shard.Mod()}))
	return topo
}

func testRouter(t testing.TB) *Router {
	t.Helper()
	r, err := New(testTopology(t))
	require.NoError(t, err)
	return r
}

// xxhashNodeIndex computes, independently of package shard, the node index
// that Hash gives a value whose canonical text is text among n nodes: the
// Vitess xxhash keyspace id (little-endian xxhash64 bytes) read as a
// big-endian integer, scaled to [0, n).
func xxhashNodeIndex(text string, n int) int {
	ksid := bits.ReverseBytes64(xxhash.Sum64String(text))
	hi, _ := bits.Mul64(ksid, uint64(n))
	return int(hi)
}
