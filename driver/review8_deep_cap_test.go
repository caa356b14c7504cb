package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// TestReview8DeepPageCap: a deep page's later phases are read whole inside
// Raw only when their proven bound is within the memory cap
// (route.DeepPage.rowBound): a read whole past the cap fails with
// errRowBound where the streamed path answers. A phase's statements on one
// data source are joined in a UNION ALL, whose bound is its branches'
// summed — each branch within the cap, the sum past it. Under small caps
// every page is the one table's, or fails as the same page read streamed
// (inside a transaction) fails: never only because it was read whole.
func TestReview8DeepPageCap(t *testing.T) {
	ctx := context.Background()
	_, oracle, topo := laterEnv(t, "r8_deep_cap")
	for _, cap := range []int{0, 40, 80, 150, 250, 400} {
		for _, mode := range []route.DeepPageKeys{route.DeepPageKeysOnly, route.DeepPageKeysFull} {
			opts := []driver.Option{driver.WithDeepPageKeys(mode)}
			if cap > 0 {
				opts = append(opts, driver.WithMaxMemoryRows(cap))
			}
			db := openDB(t, topo("&interpolateParams=true"), opts...)
			pinned, err := db.Conn(ctx)
			require.NoError(t, err)
			_, err = pinned.ExecContext(ctx, "SET SESSION div_precision_increment = 9") // the later phases stream on its pins
			require.NoError(t, err)
			// total orders: under a cap below the offset the page streams
			// (the fallback), whose ties fall as the nodes' do — as one
			// server's may (rows with equal ORDER BY values come in any
			// order, and a LIMIT may take any of them)
			for _, o := range []string{"id", "id DESC", "dt DESC, id", "v, id DESC", "dc DESC, u, id"} {
				for _, off := range []int{120, 380, 560} {
					q := fmt.Sprintf("SELECT id, v FROM t_dl WHERE user_id <> ? ORDER BY %s LIMIT %d, 6", o, off)
					name := fmt.Sprintf("cap %d mode %d: %s", cap, mode, q)
					got, gerr := runDiffQuery(db, q, 3)
					tx, err := db.BeginTx(ctx, nil)
					require.NoError(t, err)
					rows, serr := tx.QueryContext(ctx, q, 3)
					if serr == nil {
						for rows.Next() {
						}
						serr = rows.Err()
						_ = rows.Close()
					}
					_ = tx.Rollback()
					prows, perr := pinned.QueryContext(ctx, q, 3)
					if perr == nil {
						for prows.Next() {
						}
						perr = prows.Err()
						_ = prows.Close()
					}
					if gerr != nil {
						if serr == nil || perr == nil {
							t.Errorf("%s: read whole failed (%v), streamed answered (in a transaction: %v, on pins: %v)", name, gerr, serr, perr)
						}
						continue
					}
					want, err := runDiffQuery(oracle, q, 3)
					require.NoError(t, err)
					assert.Equal(t, want.rows, got.rows, name)
				}
			}
			require.NoError(t, pinned.Close())
		}
	}
}
