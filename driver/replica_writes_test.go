package driver

import (
	"time"

	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestAttack12Positions checks that what reads must see of the writes
// survives topology changes and the probe (round 12): positions recorded
// on a replica set version the topology has since replaced, a data source
// that gets replicas after writes, and a write whose position was lost
// while the probe read the primary's. No server answers here (nothing
// listens on port 1): the probe fails, which leaves unknown positions
// unknown.
func TestAttack12Positions(t *testing.T) {
	const nowhere = "u:p@tcp(127.0.0.1:1)/x"
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", nowhere))
	require.NoError(t, topo.AddDataSource("ds1", nowhere))
	require.NoError(t, topo.AddReplica("ds0", nowhere))
	c, err := NewConnector(topo, WithReplicaProbeInterval(30*time.Second))
	require.NoError(t, err)
	defer c.Close()
	p42, err := parseGTIDPos("0-1-42")
	require.NoError(t, err)

	// A write that read its position on the old version while a read made
	// the new one.
	old := c.replicas()
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_a12", Column: "id", Nodes: "ds0.t_a12_${0..1}", Algorithm: shard.Hash()}))
	cur := c.replicas()
	require.NotSame(t, old, cur)
	old.byDS["ds0"].recordWrite(p42)
	need, _, unknown := c.replicas().byDS["ds0"].needOf(nil, true)
	require.False(t, unknown)
	require.True(t, need.covers(p42), "the write recorded on the replaced version is not needed by reads: %v", need)

	// ds1 gets a replica after the connector ran: its writes so far
	// recorded nothing, so its primary answers until the probe reads the
	// primary's position.
	require.NoError(t, topo.AddReplica("ds1", nowhere))
	_, _, unknown = c.replicas().byDS["ds1"].needOf(nil, true)
	require.True(t, unknown, "a data source that got replicas after writes lets a replica answer before its primary's position is known")

	// The probe read the primary's position while a write that committed
	// after that read failed to read its own: unknown stays.
	w := c.replicas().byDS["ds0"].w
	w.markUnknown()
	_, lost := w.unknownSince()
	w.markUnknown() // the later write
	w.resolve(lost, p42)
	_, _, unknown = c.replicas().byDS["ds0"].needOf(nil, true)
	require.True(t, unknown, "the probe cleared a position lost after it read the primary's")
	_, lost = w.unknownSince()
	w.resolve(lost, p42)
	_, _, unknown = c.replicas().byDS["ds0"].needOf(nil, true)
	require.False(t, unknown)
}
