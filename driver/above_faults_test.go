package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// aboveFaultQueries run in several stages: a derived table merged first
// and its outer SELECT above it, subqueries bound before the outer
// statement runs.
var aboveFaultQueries = []string{
	"SELECT COUNT(*), SUM(n) FROM (SELECT note, COUNT(*) AS n FROM t_order GROUP BY note) x",
	"WITH s AS (SELECT note, SUM(amount) AS total FROM t_order GROUP BY note) SELECT COUNT(*) FROM s WHERE total > (SELECT AVG(total) FROM s)",
	"SELECT order_id, (SELECT MAX(amount) FROM t_order) AS m FROM t_order ORDER BY order_id",
	"SELECT note, COUNT(*) FROM t_order GROUP BY note HAVING COUNT(*) > (SELECT COUNT(*) / 100 FROM t_order WHERE user_id = 3)",
}

// aboveFaultEnv is t_order over 2 MariaDB servers × 4 tables, 400 rows.
func aboveFaultEnv(t *testing.T, opts ...driver.Option) (*sql.DB, []*shardtest.Server) {
	servers := shardtest.MariaDB(t, 2)
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	db := openDB(t, topo, opts...)
	_, err := db.Exec(orderDDL)
	require.NoError(t, err)
	for i := 0; i < 400; i += 100 {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO t_order (order_id, user_id, amount, note) VALUES ")
		for j := i; j < i+100; j++ {
			if j > i {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?)")
			args = append(args, j, j%37, fmt.Sprintf("%d.%02d", j%50, j%100), []string{"a", "b", "c"}[j%3])
		}
		_, err := db.Exec(sb.String(), args...)
		require.NoError(t, err)
	}
	return db, servers
}

// readAll reads every row of q as text; it returns the rows read before
// an error too.
func readAll(ctx context.Context, db *sql.DB, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// TestAboveFaults: a node failing any stage fails the statement naming
// it, with no rows; a cancelled statement stops the node queries of every
// stage (a node blocked by a table lock is released by the cancellation,
// not by the lock).
func TestAboveFaults(t *testing.T) {
	db, servers := aboveFaultEnv(t)
	ctx := context.Background()
	for _, q := range aboveFaultQueries {
		_, err := readAll(ctx, db, q)
		require.NoError(t, err, q)
	}
	node := direct(t, servers[1])

	t.Run("cancellation reaches every stage", func(t *testing.T) {
		lock, err := node.Conn(ctx)
		require.NoError(t, err)
		defer lock.Close()
		_, err = lock.ExecContext(ctx, "LOCK TABLES t_order_2 WRITE")
		require.NoError(t, err)
		for _, q := range aboveFaultQueries {
			qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			start := time.Now()
			n, err := readAll(qctx, db, q)
			cancel()
			require.Error(t, err, q)
			assert.True(t, errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline exceeded"), "%s: %v", q, err)
			assert.Zero(t, n, q)
			assert.Less(t, time.Since(start), 5*time.Second, q)
		}
		// the blocked node statements were killed: none waits for the lock
		require.Eventually(t, func() bool {
			var waiting int
			err := node.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE '%t_order_2%' AND info NOT LIKE '%processlist%'").Scan(&waiting)
			return err == nil && waiting == 0
		}, 10*time.Second, 100*time.Millisecond, "node statements still wait for the lock")
		_, err = lock.ExecContext(ctx, "UNLOCK TABLES")
		require.NoError(t, err)
		for _, q := range aboveFaultQueries {
			_, err := readAll(ctx, db, q)
			require.NoError(t, err, q)
		}
	})

	t.Run("a failing node fails the statement naming it", func(t *testing.T) {
		_, err := node.ExecContext(ctx, "RENAME TABLE t_order_2 TO t_order_2_away")
		require.NoError(t, err)
		defer func() {
			_, err := node.ExecContext(ctx, "RENAME TABLE t_order_2_away TO t_order_2")
			require.NoError(t, err)
		}()
		for _, q := range aboveFaultQueries {
			n, err := readAll(ctx, db, q)
			require.Error(t, err, q)
			assert.Contains(t, err.Error(), "t_order_2", q)
			assert.Zero(t, n, "%s: no partial rows", q)
			t.Logf("%s: %v", q, err)
		}
	})
}

// TestAboveMemoryCap: the memory operators above merged rows stop at
// WithMaxMemoryRows with ErrTooLarge naming the operator and the option.
func TestAboveMemoryCap(t *testing.T) {
	db, _ := aboveFaultEnv(t, driver.WithMaxMemoryRows(50))
	for _, q := range []string{
		"SELECT n, COUNT(*) FROM (SELECT order_id, amount AS n FROM t_order ORDER BY order_id LIMIT 300) x GROUP BY n",
		"SELECT DISTINCT amount FROM (SELECT amount FROM t_order ORDER BY order_id LIMIT 300) x",
	} {
		_, err := readAll(context.Background(), db, q)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, driver.ErrTooLarge), "%s: %v", q, err)
		assert.Contains(t, err.Error(), "MemorySort", q)
		assert.Contains(t, err.Error(), "WithMaxMemoryRows", q)
	}
	// under the cap, the same shape works
	n, err := readAll(context.Background(), db, "SELECT n, COUNT(*) FROM (SELECT order_id, note AS n FROM t_order ORDER BY order_id LIMIT 40) x GROUP BY n")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}
