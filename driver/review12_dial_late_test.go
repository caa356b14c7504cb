package driver_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestRegisteredTCPDialLate: a dial registered for "tcp" after shardsql
// opened its pools is the one their new connections use, as go-sql-driver
// reads its registry at each dial: shardsql's own dial (cut_conn.go) must
// not go around a tunnel or proxy registered late, silently.
func TestRegisteredTCPDialLate(t *testing.T) {
	ctx := context.Background()
	parkEnv(t)                                       // the tables and rows
	dsns := sharedDSNs(t, strings.ToLower(t.Name())) // over tcp
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pk", Column: "user_id", Nodes: "ds${0..1}.t_pk", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	const point = "SELECT v FROM t_pk WHERE id = ? AND user_id = ?"
	var v string
	require.NoError(t, db.QueryRowContext(ctx, point, 5, 1).Scan(&v)) // the pools are open

	var dials atomic.Int64
	mysql.RegisterDialContext("tcp", func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	t.Cleanup(func() { mysql.DeregisterDialContext("tcp") })
	// sessions holding their pins at once need connections of their own
	var conns []interface{ Close() error }
	for range 4 {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		conns = append(conns, conn)
		_, err = conn.ExecContext(ctx, "SET @v = 1")
		require.NoError(t, err)
		require.NoError(t, conn.QueryRowContext(ctx, point, 5, 1).Scan(&v))
		assert.Equal(t, "v5", v)
	}
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
	assert.Positive(t, dials.Load(), "the dial registered late opened shardsql's new connections")
}
