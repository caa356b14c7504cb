package driver_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
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

// TestRegisteredDialNoSocket: a dial registered for "tcp" whose
// connections have no file descriptor (a tunnel's channel, a pipe) keeps
// its connections reused. go-sql-driver's liveness check skips a
// connection that is not a syscall.Conn; shardsql's wrapper must not claim
// to be one (its SyscallConn would fail the check, and every checkout
// would close the connection and dial again).
func TestRegisteredDialNoSocket(t *testing.T) {
	ctx := context.Background()
	parkEnv(t)
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pk", Column: "user_id", Nodes: "ds${0..1}.t_pk", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	const point = "SELECT v FROM t_pk WHERE id = ? AND user_id = ?"
	var v string
	require.NoError(t, db.QueryRowContext(ctx, point, 5, 1).Scan(&v)) // the pools are open: registered late

	var dials atomic.Int64
	mysql.RegisterDialContext("tcp", func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return struct{ net.Conn }{c}, nil // no SyscallConn
	})
	t.Cleanup(func() { mysql.DeregisterDialContext("tcp") })
	// Eight goroutines at once need connections the pools dial now
	// (through the registered dial); then they are reused, each statement
	// checking one out (and go-sql-driver's liveness check looking at it).
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v string
			for i := range 40 {
				id := 1 + 4*((g+i)%5)
				if !assert.NoError(t, db.QueryRowContext(ctx, point, id, 1).Scan(&v)) {
					return
				}
				assert.Equal(t, fmt.Sprintf("v%d", id), v)
			}
		}()
	}
	wg.Wait()
	t.Logf("dials %d", dials.Load())
	assert.Positive(t, dials.Load(), "the registered dial opened the new connections")
	assert.Less(t, dials.Load(), int64(20), "connections reused, not dialed for every checkout: %d dials", dials.Load())
}
