package driver_test

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestUpdateShardingColumnConcurrent: moves racing each other in every
// direction on small pools may fail (a connection or lock wait times out)
// but never lose, double or misplace a row: each id stays exactly once,
// on the node its user_id routes to.
func TestUpdateShardingColumnConcurrent(t *testing.T) {
	// Every connection of the topology waits at most 2 s for a row lock
	// (a session variable of each connection: SET GLOBAL would miss the
	// connections the pools opened before it, which then wait 50 s).
	db, nodes, _ := keyMoveDBsWith(t, "keymove_concurrent", map[string]string{"innodb_lock_wait_timeout": "2"},
		driver.WithMaxOpenConns(3), driver.WithConnWaitTimeout(2*time.Second))
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	okMoves, failed := 0, 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < 12; i++ {
				var err error
				if r.Intn(3) == 0 {
					lo := r.Intn(10) + 1
					_, err = db.ExecContext(ctx, "UPDATE t_acct SET user_id = ?, note = ? WHERE id BETWEEN ? AND ?", r.Intn(8), fmt.Sprintf("g%d", seed), lo, lo+2)
				} else {
					_, err = db.ExecContext(ctx, "UPDATE t_acct SET user_id = ? WHERE id = ?", r.Intn(8), r.Intn(12)+1)
				}
				mu.Lock()
				if err != nil {
					if failed == 0 {
						t.Logf("first failure: %v", err)
					}
					failed++
				} else {
					okMoves++
				}
				mu.Unlock()
			}
		}(int64(g))
	}
	wg.Wait()
	t.Logf("%d moves, %d failed", okMoves, failed)
	assert.Greater(t, okMoves, 12)
	rows := acctRows(t, db)
	require.Len(t, rows, 12, "%v", rows)
	for i, r := range rows {
		var id int
		_, err := fmt.Sscan(r, &id)
		require.NoError(t, err)
		assert.Equal(t, i+1, id, "ids once each: %v", rows)
	}
	requirePlaced(t, nodes)
}
