package driver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestJoins11PinnedJoin: a statement whose plan is one unit runs on the
// Conn's pin for its data source; when that plan builds more statements
// at run time — a join above the nodes after an uncorrelated subquery is
// bound, or the lookups of a join whose outer side is one statement —
// they run on the same pin. A batched join reads its inner side while
// its outer side still streams: before round 11 the second statement was
// sent on a connection whose rows were open, go-sql-driver failed it as
// a bad connection, and database/sql's Conn waited for the open rows
// before closing, so the query hung until its context ended ("driver:
// bad connection" after 60 s). Now the streaming rows are read into
// memory first (capped by WithMaxMemoryRows, ErrTooLarge beyond it).
func TestJoins11PinnedJoin(t *testing.T) {
	base, topo := newJoins11Env(t, "joins11_pin", driver.WithJoinBatch(3))
	capped := &diffEnv{oracle: base.oracle, sharded: openDB(t, topo, driver.WithJoinBatch(3), driver.WithMaxMemoryRows(6)), mariadb: true}
	queries := []string{
		"SELECT a.id, b.id, (SELECT MAX(c.ik) FROM j_c c) FROM j_a a JOIN j_b b ON a.ik = b.ik",
		"SELECT a.id, b.id FROM j_a a JOIN j_b b ON a.ik = b.ik WHERE a.g <> (SELECT MAX(c.g) FROM j_c c)",
		"SELECT a.id, b.sk FROM j_a a LEFT JOIN j_b b ON a.sk = b.sk WHERE a.ik IN (SELECT c.ik FROM j_c c)",
		"SELECT a.g, COUNT(*), COUNT(b.id) FROM j_a a LEFT JOIN j_b b ON a.ik = b.ik WHERE a.ik < (SELECT MAX(c.ik) FROM j_c c) GROUP BY a.g",
		"SELECT c.id, a.id FROM j_c c JOIN j_a a ON a.ik = c.ik WHERE c.g <= (SELECT MAX(c2.g) FROM j_c c2)",
		"SELECT a.id, b.id FROM j_a a JOIN j_b b ON a.sk = b.sk WHERE a.ik IN (SELECT c.ik FROM j_c c) AND b.g < (SELECT MAX(c.g) FROM j_c c)",
		"SELECT a.id, b.id FROM j_a a JOIN j_b b ON a.ik > b.ik AND a.g = 1 WHERE b.g = (SELECT MIN(c.g) FROM j_c c)",
	}
	tooLarge := 0
	for _, q := range queries {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		base.check(t, unordered(q), "batch 3")
		rows, err := capped.sharded.QueryContext(ctx, q)
		if err == nil {
			_, err = scanDiffRows(rows)
		}
		cancel()
		if err != nil {
			require.True(t, errors.Is(err, driver.ErrTooLarge), "%s: %v", q, err)
			tooLarge++
		} else {
			capped.check(t, unordered(q), "batch 3, cap 6")
		}
	}
	require.NotZero(t, tooLarge, "the cap of 6 rows is passed by some join")
	require.Less(t, tooLarge, len(queries), "and some joins fit under it")
}
