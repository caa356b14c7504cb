package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview10XASmallPool commits XA transactions that write on both data
// sources when each data source's pool has one connection (and two, with
// two transactions at once): the decision log is written on the default
// data source, whose only connections the transactions' own branches
// hold. Every commit must succeed, promptly, and leave both rows.
func TestReview10XASmallPool(t *testing.T) {
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("conns=%d", limit), func(t *testing.T) {
			db, plains := parkEnv(t, driver.WithMaxOpenConns(limit), driver.WithConnWaitTimeout(5*time.Second), driver.WithCommitTimeout(5*time.Second))
			errs := make(chan error, limit)
			for g := 0; g < limit; g++ {
				go func(g int) {
					ctx := driver.WithXATransaction(context.Background())
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						errs <- err
						return
					}
					for _, user := range []int{0, 1} {
						if _, err = tx.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, 'xa')", 500+g*10+user, user); err != nil {
							_ = tx.Rollback()
							errs <- err
							return
						}
					}
					errs <- tx.Commit()
				}(g)
			}
			for g := 0; g < limit; g++ {
				select {
				case err := <-errs:
					assert.NoError(t, err)
				case <-time.After(60 * time.Second):
					t.Fatal("XA commit hung")
				}
			}
			var n int
			for i, p := range plains {
				require.NoError(t, p.QueryRow("SELECT COUNT(*) FROM t_pk WHERE v = 'xa'").Scan(&n))
				assert.Equal(t, limit, n, "ds%d", i)
			}
		})
	}
}
