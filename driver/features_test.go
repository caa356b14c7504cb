package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

func TestBroadcastHintsAndRollingNodes(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := orderTopology(t, servers)
		require.NoError(t, topo.AddBroadcastTable("t_merchant"))
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_log", Column: "created",
			Nodes:     "ds0.t_log_${2025-11..2025-12|month|200601}",
			Algorithm: shard.Interval(shard.Month, "200601")}))
		db := openDB(t, topo)

		// Broadcast: DDL and writes reach every data source; reads one.
		_, err := db.ExecContext(ctx, "CREATE TABLE t_merchant (id INT PRIMARY KEY, name VARCHAR(20))")
		require.NoError(t, err)
		res, err := db.ExecContext(ctx, "INSERT INTO t_merchant (id, name) VALUES (1, 'a'), (2, 'b')")
		require.NoError(t, err)
		assertAffected(t, res, 2) // the rows of one copy, as one table would say
		for _, s := range servers {
			var n int
			require.NoError(t, direct(t, s).QueryRowContext(ctx, "SELECT COUNT(*) FROM t_merchant").Scan(&n))
			assert.Equal(t, 2, n, "every data source holds the full copy")
		}
		_, err = direct(t, servers[1]).ExecContext(ctx, "DROP TABLE t_merchant")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "UPDATE t_merchant SET name = 'c' WHERE id = 1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "shardsql: ds1:", "the error names the data source that failed")

		// Hints.
		_, err = db.ExecContext(ctx, orderDDL)
		require.NoError(t, err)
		hinted := driver.WithShardingValues(ctx, "t_order", 42)
		_, err = db.ExecContext(hinted, "INSERT INTO t_order (order_id, amount) VALUES (7, 1.00)")
		require.Error(t, err, "user_id has no default: the row reaches the node, the server refuses it")
		_, err = db.ExecContext(hinted, "INSERT INTO t_order (order_id, user_id, amount) VALUES (7, 42, 1.00)")
		require.NoError(t, err)
		res, err = db.ExecContext(hinted, "UPDATE t_order SET note = 'hinted' WHERE order_id = 7")
		require.NoError(t, err)
		assertAffected(t, res, 1)
		plan, err := driver.Explain(hinted, db, "SELECT * FROM t_order WHERE order_id = 7")
		require.NoError(t, err)
		require.Len(t, plan.Units, 1)
		table, _ := topo.Table("t_order")
		n, err := table.NodeFor(int64(42))
		require.NoError(t, err)
		assert.Equal(t, table.Nodes[n], plan.Units[0].Node)
		plan, err = driver.Explain(driver.WithDataSource(ctx, "ds1"), db, "SELECT * FROM t_plain")
		require.NoError(t, err)
		assert.Equal(t, "ds1", plan.Units[0].DataSource)

		// Time range plans and rolling nodes.
		_, err = db.ExecContext(ctx, "CREATE TABLE t_log (id BIGINT PRIMARY KEY, created DATETIME NOT NULL)")
		require.NoError(t, err)
		plan, err = driver.Explain(ctx, db, "SELECT * FROM t_log WHERE created >= ?", time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		require.Len(t, plan.Units, 1)
		assert.Equal(t, "ds0.t_log_202512", plan.Units[0].Node.String())
		_, err = db.ExecContext(ctx, "INSERT INTO t_log (id, created) VALUES (1, '2026-01-10')")
		require.ErrorIs(t, err, shard.ErrNoNode)
		added, err := driver.AddNodes(ctx, db, "t_log", "ds1.t_log_${2026-01..2026-02|month|200601}")
		require.NoError(t, err)
		assert.Len(t, added, 2)
		_, err = db.ExecContext(ctx, "INSERT INTO t_log (id, created) VALUES (1, '2026-01-10'), (2, '2025-12-31 23:59:59')")
		require.NoError(t, err)
		var id int
		require.NoError(t, direct(t, servers[1]).QueryRowContext(ctx, "SELECT id FROM t_log_202601").Scan(&id))
		assert.Equal(t, 1, id, "the new node's table was created on its data source")
		plan, err = driver.Explain(ctx, db, "SELECT COUNT(*) FROM t_log WHERE created BETWEEN '2025-12-15' AND '2026-02-01'")
		require.NoError(t, err)
		var nodes []string
		for _, u := range plan.Units {
			nodes = append(nodes, u.Node.String())
		}
		assert.Equal(t, []string{"ds0.t_log_202512", "ds1.t_log_202601", "ds1.t_log_202602"}, nodes)
		var count int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_log WHERE created BETWEEN '2025-12-15' AND '2026-02-01'").Scan(&count))
		assert.Equal(t, 2, count)
	})
}
