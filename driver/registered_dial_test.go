package driver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestRegisteredTCPDial: a dial registered for "tcp" itself (a tunnel, a
// proxy) is the one the pools shardsql opens from DSNs use
// (registered_dial.go) — shardsql does not dial around it — and a
// statement whose context ends still fails with the context's error
// (go-sql-driver's watcher, as for any net shardsql does not dial).
func TestRegisteredTCPDial(t *testing.T) {
	ctx := context.Background()
	parkEnv(t)                                       // the tables and rows
	dsns := sharedDSNs(t, strings.ToLower(t.Name())) // over tcp
	var dials atomic.Int64
	mysql.RegisterDialContext("tcp", func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	t.Cleanup(func() { mysql.DeregisterDialContext("tcp") })
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_pk", Column: "user_id", Nodes: "ds${0..1}.t_pk", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	var v string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v))
	assert.Equal(t, "v5", v)
	assert.Positive(t, dials.Load(), "the registered dial opened shardsql's connections")

	cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := db.QueryRowContext(cctx, "SELECT SLEEP(5), v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v, &v)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Less(t, time.Since(start), 3*time.Second)
	require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", 5, 1).Scan(&v), "the pool goes on")
}
