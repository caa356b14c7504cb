package driver

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestTakeMemo: take's lookups for the data source last taken are kept by
// the Conn (take_memo.go) and give what the lookups give; a topology change,
// a closed Connector and a pool whose autocommit check fails later are seen
// through the memo. No server is reached: DSN pools open lazily.
func TestTakeMemo(t *testing.T) {
	ctx := context.Background()
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/a?timeout=1s"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:1)/b?timeout=1s"))
	cn, err := NewConnector(topo, WithMaxOpenConns(4))
	require.NoError(t, err)
	c := &Conn{c: cn}

	db0, g0, p0, err := c.takeTargets(ctx, "ds0")
	require.NoError(t, err)
	require.NotNil(t, g0)
	require.Equal(t, "ds0", c.takeMemo.ds, "memoized")
	for range 3 {
		db, g, p, err := c.takeTargets(ctx, "ds0")
		require.NoError(t, err)
		require.Same(t, db0, db)
		require.Same(t, g0, g)
		require.Same(t, p0, p)
	}
	want, err := cn.db("ds0")
	require.NoError(t, err)
	require.Same(t, want, db0, "the lookups' pool")
	require.Same(t, cn.gateFor("ds0", db0), g0)
	require.Same(t, cn.parkOf("ds0"), p0)

	db1, _, _, err := c.takeTargets(ctx, "ds1")
	require.NoError(t, err)
	require.NotSame(t, db0, db1)
	require.Equal(t, "ds1", c.takeMemo.ds)
	version := c.takeMemo.version
	again, _, _, err := c.takeTargets(ctx, "ds1")
	require.NoError(t, err)
	require.Same(t, db1, again)

	// A topology change: the memo is made again under the new version.
	require.NoError(t, topo.AddTable(shard.Table{Name: "t", Column: "id", Nodes: "ds${0..1}.t", Algorithm: shard.Mod()}))
	_, _, _, err = c.takeTargets(ctx, "ds1")
	require.NoError(t, err)
	require.Equal(t, topo.Version(), c.takeMemo.version)
	require.NotEqual(t, version, c.takeMemo.version)

	// An autocommit check that fails later (an AddDB pool's is read from
	// the server): refused through the memo.
	ck := c.takeMemo.ac
	refusal := errors.New("autocommit is off")
	ck.read.Store(&autocommitRead{db: db1, err: refusal})
	_, _, _, err = c.takeTargets(ctx, "ds1")
	require.ErrorIs(t, err, refusal)
	ck.read.Store(&autocommitRead{db: db1})

	// A closed Connector: refused, as its lookups refuse.
	_, _, _, err = c.takeTargets(ctx, "ds1")
	require.NoError(t, err)
	require.NoError(t, cn.Close())
	_, _, _, err = c.takeTargets(ctx, "ds1")
	require.ErrorContains(t, err, "connector is closed")
}
