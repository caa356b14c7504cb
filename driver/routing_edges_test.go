package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// intQuery runs a query returning one integer.
func intQuery(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.QueryRowContext(context.Background(), query, args...).Scan(&n), query)
	return n
}

// shardedTotal counts t_order's rows on every physical table, bypassing
// shardsql, so a test sees what a statement really changed.
func shardedTotal(t *testing.T, servers []*shardtest.Server) int64 {
	t.Helper()
	var total int64
	for _, s := range servers {
		for i := 0; i < 4; i++ {
			total += intQuery(t, direct(t, s), fmt.Sprintf("SELECT COUNT(*) FROM t_order_%d", i))
		}
	}
	return total
}

// TestRoutingEdgesMariaDB checks on MariaDB the routing edges the server
// decides: hints that contradict rows, LIMITs near 2⁶³, ':' in strings,
// executable comments and stored functions in cross-node SELECTs, and
// conflict-handling inserts whose unique keys shardsql cannot check.
func TestRoutingEdgesMariaDB(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	topo := orderTopology(t, servers)
	db := openDB(t, topo)
	_, err := db.ExecContext(ctx, orderDDL)
	require.NoError(t, err)
	for id := 1; id <= 40; id++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, 1.00)", id, id%10+1)
		require.NoError(t, err)
	}
	require.EqualValues(t, 40, shardedTotal(t, servers))

	t.Run("schema-qualified names", func(t *testing.T) {
		// archive.t_order is another, unsharded table on the first server:
		// statements on it go there unchanged and never touch the sharded
		// t_order's physical tables.
		first := direct(t, servers[0])
		_, err := first.ExecContext(ctx, "CREATE DATABASE archive")
		require.NoError(t, err)
		_, err = first.ExecContext(ctx, "CREATE TABLE archive.t_order (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2), note VARCHAR(32))")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "INSERT INTO archive.t_order (order_id, user_id, amount) VALUES (1, 1, 5.00), (2, 2, 6.00), (3, 1, 7.00)")
		require.NoError(t, err)
		assert.EqualValues(t, 3, intQuery(t, first, "SELECT COUNT(*) FROM archive.t_order"))
		assert.EqualValues(t, 2, intQuery(t, db, "SELECT COUNT(*) FROM archive.t_order WHERE user_id = 1"))
		assert.EqualValues(t, 4, intQuery(t, db, "SELECT COUNT(*) FROM t_order WHERE user_id = 1"), "the sharded table is another table")
		rows, err := db.QueryContext(ctx, "SELECT archive.t_order.order_id FROM archive.t_order ORDER BY archive.t_order.order_id DESC LIMIT 2")
		require.NoError(t, err)
		assert.Equal(t, []int64{3, 2}, collectOrdered(t, rows))
		res, err := db.ExecContext(ctx, "UPDATE archive.t_order SET note = 'archived' WHERE user_id = ?", 1)
		require.NoError(t, err)
		assertAffected(t, res, 2)
		res, err = db.ExecContext(ctx, "DELETE FROM archive.t_order WHERE order_id = 2")
		require.NoError(t, err)
		assertAffected(t, res, 1)
		assert.EqualValues(t, 2, intQuery(t, first, "SELECT COUNT(*) FROM archive.t_order WHERE note = 'archived'"))
		assert.EqualValues(t, 0, intQuery(t, db, "SELECT COUNT(*) FROM t_order WHERE note = 'archived'"))
		_, err = db.ExecContext(ctx, "ALTER TABLE archive.t_order ADD COLUMN extra INT")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "TRUNCATE TABLE archive.t_order")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "DROP TABLE archive.t_order")
		require.NoError(t, err)
		assert.EqualValues(t, 0, intQuery(t, first, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'archive'"))
		assert.EqualValues(t, 40, shardedTotal(t, servers), "the sharded tables are untouched")

		// The data source's own database is the logical table.
		assert.EqualValues(t, 4, intQuery(t, db, "SELECT COUNT(*) FROM app.t_order WHERE app.t_order.user_id = 1"))
		// Another case is another table on Linux (lower_case_table_names = 0).
		_, err = db.QueryContext(ctx, "SELECT COUNT(*) FROM T_ORDER")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "doesn't exist", "the server, not shardsql, answers for T_ORDER")
		// A statement reading both the sharded table and another schema's
		// table is refused unless it runs whole on one node.
		_, err = db.QueryContext(ctx, "SELECT * FROM t_order o JOIN archive.t_order a ON o.order_id = a.order_id")
		require.ErrorIs(t, err, route.ErrUnsupported)
	})

	t.Run("hint contradicting rows writes nothing", func(t *testing.T) {
		hinted := driver.WithShardingValues(ctx, "t_order", 42)
		_, err := db.ExecContext(hinted, "INSERT INTO t_order (order_id, user_id, amount) VALUES (101, 1, 1.00), (102, 2, 1.00)")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "(user_id = 42) contradicts user_id = 1")
		_, err = db.ExecContext(hinted, "DELETE FROM t_order WHERE user_id = 3")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "contradicts user_id = 3")
		assert.EqualValues(t, 40, shardedTotal(t, servers))
		_, err = db.ExecContext(hinted, "INSERT INTO t_order (order_id, user_id, amount) VALUES (103, 42, 1.00)")
		require.NoError(t, err, "a hint that agrees is fine")
		assert.EqualValues(t, 1, intQuery(t, db, "SELECT COUNT(*) FROM t_order WHERE user_id = 42"))
		_, err = db.ExecContext(ctx, "DELETE FROM t_order WHERE user_id = 42")
		require.NoError(t, err)
	})

	t.Run("LIMIT near 2^63 saturates", func(t *testing.T) {
		for _, q := range []string{
			"SELECT order_id FROM t_order ORDER BY order_id LIMIT 9223372036854775807 OFFSET 1",
			"SELECT order_id FROM t_order ORDER BY order_id LIMIT 1, 18446744073709551615",
		} {
			rows, err := db.QueryContext(ctx, q)
			require.NoError(t, err, q)
			got := collectOrdered(t, rows)
			require.Len(t, got, 39, q)
			assert.EqualValues(t, 2, got[0], q)
		}
	})

	t.Run("colon in a string is text", func(t *testing.T) {
		_, err := db.ExecContext(ctx, "UPDATE t_order SET note = ':v1' WHERE user_id = ? AND note IS NULL", 2)
		require.NoError(t, err)
		assert.EqualValues(t, 4, intQuery(t, db, "SELECT COUNT(*) FROM t_order WHERE note = ':v1' AND user_id = ?", 2))
	})

	t.Run("executable comments", func(t *testing.T) {
		// MariaDB runs /*M! … */: the server itself, on a plain table.
		plain := direct(t, servers[0])
		_, err := plain.ExecContext(ctx, "CREATE TABLE t_plain (id INT)")
		require.NoError(t, err)
		_, err = plain.ExecContext(ctx, "INSERT INTO t_plain VALUES (1), (2)")
		require.NoError(t, err)
		assert.EqualValues(t, 1, intQuery(t, plain, "SELECT COUNT(*) FROM t_plain /*M! WHERE id = 1 */"), "MariaDB runs /*M! … */")
		assert.EqualValues(t, 2, intQuery(t, plain, "SELECT COUNT(*) FROM t_plain /*!80000 WHERE id = 1 */"), "MariaDB skips MySQL 5.7+ versions, which the parser (8.0) runs")
		assert.EqualValues(t, 1, intQuery(t, plain, "SELECT COUNT(*) FROM t_plain /*!100000 WHERE id = 1 */"), "MariaDB runs 6-digit versions up to its own")

		for _, q := range []string{
			"DELETE FROM t_order /*M! WHERE user_id = 1 */",
			"DELETE FROM t_order /*!99999 WHERE user_id = 1 */",
			"DELETE FROM t_order /*!80000 WHERE user_id = 1 */",
		} {
			_, err := db.ExecContext(ctx, q)
			require.ErrorIs(t, err, route.ErrUnsupported, q)
		}
		assert.EqualValues(t, 40, shardedTotal(t, servers), "nothing deleted")
		// /*! … */ without a version is read as the server reads it.
		assert.EqualValues(t, 4, intQuery(t, db, "SELECT COUNT(*) FROM t_order /*! WHERE user_id = 1 */"))
		// Statements on other tables pass through unchanged.
		assert.EqualValues(t, 1, intQuery(t, db, "SELECT COUNT(*) FROM t_plain /*M! WHERE id = 1 */"))
		_, err = db.ExecContext(ctx, "/*!40000 ALTER TABLE t_plain DISABLE KEYS */")
		require.NoError(t, err)
	})

	t.Run("stored aggregate across nodes", func(t *testing.T) {
		const fn = `CREATE AGGREGATE FUNCTION my_count(x BIGINT) RETURNS BIGINT
BEGIN
  DECLARE n BIGINT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND RETURN n;
  LOOP
    FETCH GROUP NEXT ROW;
    SET n = n + 1;
  END LOOP;
END`
		for _, s := range servers {
			_, err := direct(t, s).ExecContext(ctx, fn)
			require.NoError(t, err)
		}
		_, err := db.QueryContext(ctx, "SELECT my_count(order_id) FROM t_order")
		require.ErrorIs(t, err, route.ErrUnsupported)
		assert.Contains(t, err.Error(), "my_count(order_id), which is not a MySQL/MariaDB built-in function")
		assert.EqualValues(t, 4, intQuery(t, db, "SELECT my_count(order_id) FROM t_order WHERE user_id = 1"), "one node computes it exactly")
	})

	t.Run("conflict-handling inserts and unique keys", func(t *testing.T) {
		// t_order's primary key is order_id alone: order 5 (user 6) exists
		// on one node; REPLACE for user 7 would land on another node and
		// add a second order 5 where one table would have replaced it.
		for _, q := range []string{
			"REPLACE INTO t_order (order_id, user_id, amount) VALUES (5, 7, 2.00)",
			"INSERT IGNORE INTO t_order (order_id, user_id, amount) VALUES (5, 7, 2.00)",
			"INSERT INTO t_order (order_id, user_id, amount) VALUES (5, 7, 2.00) ON DUPLICATE KEY UPDATE amount = 3.00",
		} {
			_, err := db.ExecContext(ctx, q)
			require.ErrorIs(t, err, route.ErrUnsupported, q)
			assert.Contains(t, err.Error(), "unique key PRIMARY (order_id) does not contain sharding column user_id", q)
		}
		assert.EqualValues(t, 1, intQuery(t, db, "SELECT COUNT(*) FROM t_order WHERE order_id = 5"))
		assert.EqualValues(t, 40, shardedTotal(t, servers))
	})

	t.Run("AUTO_INCREMENT key without a KeyGenerator", func(t *testing.T) {
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_auto", Column: "user_id", Nodes: "ds${0..1}.t_auto_${0..1}"}))
		_, err := db.ExecContext(ctx, "CREATE TABLE t_auto (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id BIGINT NOT NULL)")
		require.NoError(t, err)
		for _, q := range []string{
			"INSERT INTO t_auto (user_id) VALUES (1), (2)",
			"INSERT INTO t_auto (id, user_id) VALUES (NULL, 1)",
			"INSERT INTO t_auto (id, user_id) VALUES (0, 1)",
		} {
			_, err := db.ExecContext(ctx, q)
			require.ErrorIs(t, err, route.ErrUnsupported, q)
			assert.Contains(t, err.Error(), "shard.Table.KeyGenerator", q)
		}
		_, err = db.ExecContext(ctx, "INSERT INTO t_auto (id, user_id) VALUES (7, 1)")
		require.NoError(t, err, "ids given by the application are fine")
		assert.EqualValues(t, 1, intQuery(t, db, "SELECT COUNT(*) FROM t_auto"))
	})
}
