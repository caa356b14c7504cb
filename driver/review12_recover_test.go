package driver_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shardsql/shardsql/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12RecoverBesideLiveConnector: a second Connector runs RecoverXA
// with a grace of 0 in a loop while the first commits XA transactions over
// ds0 and ds1 (recovery aborts every transaction it finds deciding). Each
// transaction is all or nothing on both data sources; a Commit that
// returned nil has both rows; after a last recovery no branch is left
// prepared.
func TestReview12RecoverBesideLiveConnector(t *testing.T) {
	name := strings.ToLower(t.Name())
	db, plains := review12Env(t, name, func(_ int, b string) string { return b + "&interpolateParams=true" })
	other := review12Open(t, sharedDSNs(t, name), func(_ int, b string) string { return b + "&interpolateParams=true" })
	ctx := context.Background()
	xctx := driver.WithXATransaction(ctx)
	warm, err := db.BeginTx(xctx, nil) // the log table exists before recovery reads it
	require.NoError(t, err)
	for k := int64(0); k < 2; k++ {
		_, err := warm.ExecContext(xctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'w')", 9000+k, k)
		require.NoError(t, err)
	}
	require.NoError(t, warm.Commit())

	const workers, rounds = 3, 15
	committed := make([]atomic.Bool, workers*rounds)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range rounds {
				n := g*rounds + i
				tx, err := db.BeginTx(xctx, nil)
				if err != nil {
					continue
				}
				ok := true
				for k := int64(0); k < 2; k++ {
					if _, err := tx.ExecContext(xctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'r')", int64(10000+n*2)+k, k); err != nil {
						ok = false
						break
					}
				}
				if !ok {
					_ = tx.Rollback()
					continue
				}
				committed[n].Store(tx.Commit() == nil)
			}
		}(g)
	}
	stop := make(chan struct{})
	var recovered atomic.Int64
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if rep, err := driver.RecoverXA(ctx, other, 0); err == nil {
				recovered.Add(int64(len(rep.RolledBack) + len(rep.Committed)))
			}
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	rep, err := driver.RecoverXA(ctx, other, 0)
	require.NoError(t, err)
	assert.Empty(t, rep.InFlight, "nothing left deciding")

	have := map[int64]int{}
	for _, p := range plains {
		rows, err := p.QueryContext(ctx, "SELECT id FROM t_pk WHERE id >= 10000")
		require.NoError(t, err)
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			have[(id-10000)/2]++
		}
		require.NoError(t, rows.Err())
		_ = rows.Close()
	}
	whole := 0
	for n := range committed {
		c := have[int64(n)]
		assert.True(t, c == 0 || c == 2, "transaction %d: %d of 2 rows", n, c)
		if committed[n].Load() {
			assert.Equal(t, 2, c, "transaction %d: Commit returned nil", n)
		}
		if c == 2 {
			whole++
		}
	}
	t.Logf("%d of %d transactions committed whole; recovery resolved %d branches", whole, len(committed), recovered.Load())
	for _, p := range plains {
		rows, err := p.QueryContext(ctx, "XA RECOVER")
		require.NoError(t, err)
		left := 0
		for rows.Next() {
			left++
		}
		_ = rows.Close()
		assert.Zero(t, left, "no branch left prepared")
	}
}
