package driver_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// idCounter is a concurrency-safe KeyGenerator for tests.
type idCounter struct {
	mu   sync.Mutex
	next int64
}

func (c *idCounter) NextID() (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	return c.next, nil
}

func TestInsertFillsKeysThroughTheDriver(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := shard.NewTopology()
		require.NoError(t, topo.AddDataSource("ds0", servers[0].DSN()))
		require.NoError(t, topo.AddDataSource("ds1", servers[1].DSN()))
		gen := &idCounter{next: 1000}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_event", Column: "id", Nodes: "ds${0..1}.t_event_${0..1}",
			Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: gen}))
		db := openDB(t, topo)
		_, err := db.ExecContext(ctx, "CREATE TABLE t_event (id BIGINT PRIMARY KEY, name VARCHAR(10))")
		require.NoError(t, err)

		var ids []int64
		res, err := db.ExecContext(driver.WithGeneratedIDs(ctx, &ids), "INSERT INTO t_event (name) VALUES ('a'), ('b'), ('c'), ('d'), ('e')")
		require.NoError(t, err)
		assert.Equal(t, []int64{1001, 1002, 1003, 1004, 1005}, ids)
		first, err := res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, int64(1001), first, "LastInsertId is the first generated id")
		assertAffected(t, res, 5)

		// Each row sits on the node its generated id routes to.
		for i, id := range ids {
			var name string
			node := []string{"t_event_0", "t_event_1"}[id%4%2]
			ds := servers[id%4/2]
			require.NoError(t, direct(t, ds).QueryRowContext(ctx, "SELECT name FROM "+node+" WHERE id = ?", id).Scan(&name))
			assert.Equal(t, string(rune('a'+i)), name)
		}
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_event").Scan(&n))
		assert.Equal(t, 5, n)
	})
}
