package driver_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
)

func TestAttack18eConcProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	ctx := context.Background()
	e := newR18eEnv(t, "attack18e_cprobe")
	xa := newR18eEnvOn(t, e, driver.WithXA())
	small := newR18eEnvOn(t, e, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(20*time.Second))
	small.SetMaxOpenConns(2)
	for name, db := range map[string]*sql.DB{"xa": xa, "small": small, "plain": e.sharded} {
		e.reset(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := int64(0)
		var errs []error
		for g := 0; g < 3; g++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for {
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					r, err := db.ExecContext(cctx, "DELETE FROM w WHERE k < 2 LIMIT 2")
					cancel()
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					n, _ := r.RowsAffected()
					mu.Lock()
					total += n
					mu.Unlock()
					if n == 0 {
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					tx, err := db.BeginTx(cctx, nil)
					if err == nil {
						_, err = tx.ExecContext(cctx, "UPDATE w SET v = 'u' WHERE k < 4")
						if err == nil {
							_, err = tx.ExecContext(cctx, "DELETE FROM w WHERE k = 3 LIMIT 1")
						}
						if err == nil {
							err = tx.Commit()
						} else {
							_ = tx.Rollback()
						}
					}
					cancel()
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: total %d errs %v left k<2 %d k=3 %d", name, total, errs, r18eCount(t, db, "k < 2"), r18eCount(t, db, "k = 3"))
	}
}
