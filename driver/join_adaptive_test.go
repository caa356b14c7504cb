package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// rowsRead is the number of rows the suite's servers have read from the
// node tables of a sharded table (MariaDB's user statistics, which this
// turns on): the difference over one query shows which rows it read.
func (e *crossEnv) rowsRead(t *testing.T, table string) int {
	t.Helper()
	total := 0
	for _, s := range e.servers {
		db := direct(t, s)
		_, err := db.Exec("SET GLOBAL userstat = 1")
		require.NoError(t, err)
		var n sql.NullInt64
		require.NoError(t, db.QueryRow("SELECT SUM(ROWS_READ) FROM information_schema.TABLE_STATISTICS WHERE TABLE_NAME REGEXP ?", "^"+table+"_[0-9]+$").Scan(&n))
		total += int(n.Int64)
	}
	return total
}

// read runs q once to warm the plan and catalog, then again, and returns
// the rows the second run read from table's nodes.
func (e *crossEnv) read(t *testing.T, table, q string, args ...any) int {
	t.Helper()
	_, err := runDiffQuery(e.sharded, q, args...)
	require.NoError(t, err)
	before := e.rowsRead(t, table)
	_, err = runDiffQuery(e.sharded, q, args...)
	require.NoError(t, err)
	return e.rowsRead(t, table) - before
}

// TestCrossJoinAdaptive: a sharded inner table scattered over its nodes
// is joined by the adaptive HashJoin, which picks when it runs: the hash
// join when the outer side has more than one batch of rows and the inner
// side fits under WithMaxMemoryRows (one read of the inner table), the
// nested-loop lookups otherwise (one lookup for a small outer side; every
// batch's once the build side passes the cap). Each path is checked
// against the oracle and by the statements the servers ran.
func TestCrossJoinAdaptive(t *testing.T) {
	base := newCrossEnv(t, driver.WithJoinBatch(5))
	const q = "SELECT o.order_id, u.name, u.score FROM t_order o JOIN t_user u ON u.ref = o.user_id WHERE o.amount > 100"
	p, err := driver.Explain(context.Background(), base.sharded, q)
	require.NoError(t, err)
	require.Contains(t, p.String(), "HashJoin build u (at most 1000000 rows, each node read to 1000001; NestedLoopJoin batch 5 when", p.String())
	require.Contains(t, p.String(), "limit 1000001", p.String())

	// Hash join: t_user's 70 rows read once.
	base.check(t, unordered(q), "hash join of a scattered inner table")
	hashed := base.read(t, "t_user", q)
	require.Equal(t, 70, hashed, "hash join")

	// Past the cap (t_user has 70 rows): at most 41 rows of each node
	// read, then batches of 5 orders, each looked up: the same rows,
	// none twice.
	small := base.with(t, driver.WithJoinBatch(5), driver.WithMaxMemoryRows(40))
	small.check(t, unordered(q), "fallback past the cap")
	looked := small.read(t, "t_user", q)
	require.Greater(t, looked, 70, "nested loop after the fallback")

	// LEFT, semi- and anti-joins past the cap.
	for _, lq := range []string{
		"SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.ref AND o.amount > 400",
		"SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_user u WHERE u.ref = o.user_id AND u.score > 50) AND o.amount > 300",
		"SELECT o.order_id FROM t_order o WHERE NOT EXISTS (SELECT 1 FROM t_user u WHERE u.ref = o.user_id) AND o.order_id < 400",
		"SELECT o.order_id, g.id FROM t_order o JOIN t_tag g ON g.label = o.status WHERE o.order_id < 200",
	} {
		small.check(t, unordered(lq), "fallback "+lq)
		base.check(t, unordered(lq), "hash "+lq)
	}

	// An outer side of at most one batch: one lookup of its keys, the
	// inner table is not read whole.
	const few = "SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id = 7 AND o.order_id < 60"
	one := base.with(t, driver.WithJoinBatch(256))
	one.check(t, unordered(few), "one batch")
	require.Equal(t, 1, one.read(t, "t_user", few), "one lookup of user 7")
}

// TestCrossJoinAdaptiveShapes runs every shape of the suite with a cap
// below the inner tables' sizes and batches of 5: each join starts as a
// hash join and hands over to the lookups, or the statement fails with
// ErrTooLarge (a batch or a sort above the join past the cap) — never a
// different answer.
func TestCrossJoinAdaptiveShapes(t *testing.T) {
	env := newCrossEnv(t, driver.WithJoinBatch(5), driver.WithMaxMemoryRows(60))
	exact := 0
	for i, q := range crossQueries() {
		if _, err := runDiffQuery(env.sharded, q.sql, q.args...); err != nil {
			require.True(t, errors.Is(err, driver.ErrTooLarge), "%s: %v", q.sql, err)
			continue
		}
		if env.check(t, q, fmt.Sprintf("query %d", i)) {
			exact++
		}
	}
	// DISTINCT aggregates and sorts above the join keep their own rows
	// under the same cap of 60, so a quarter must still run.
	t.Logf("%d of %d exact, the rest past the cap", exact, len(crossQueries()))
	require.Greater(t, exact, len(crossQueries())/4)
}
