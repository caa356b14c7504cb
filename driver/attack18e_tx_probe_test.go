package driver_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

func r18eCount(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, where string) int {
	t.Helper()
	var n int
	require.NoError(t, q.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM w WHERE "+where).Scan(&n))
	return n
}

func TestAttack18eTxProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	ctx := context.Background()
	e := newR18eEnv(t, "attack18e_txprobe")
	// savepoint then ROLLBACK TO
	for i, db := range e.dbs() {
		tx, err := db.Begin()
		require.NoError(t, err)
		_, err = tx.Exec("DELETE FROM w WHERE k < 2 AND id = 5")
		require.NoError(t, err)
		_, err = tx.Exec("SAVEPOINT sp")
		require.NoError(t, err)
		n, err := tx.Exec("DELETE FROM w WHERE k < 2 LIMIT 9")
		require.NoError(t, err)
		ra, _ := n.RowsAffected()
		c1 := r18eCount(t, tx, "k < 2")
		_, err = tx.Exec("ROLLBACK TO SAVEPOINT sp")
		c2 := r18eCount(t, tx, "k < 2")
		t.Logf("side %d: ra %d, in tx %d, rollback to: %v, after %d", i, ra, c1, err, c2)
		n, err = tx.Exec("DELETE FROM w WHERE k < 2 LIMIT 4")
		require.NoError(t, err)
		ra, _ = n.RowsAffected()
		require.NoError(t, tx.Commit())
		t.Logf("side %d: second ra %d, after commit %d", i, ra, r18eCount(t, db, "k < 2"))
	}
	e.reset(t)
	// ROW_COUNT() after, on one connection
	for i, db := range e.dbs() {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		_, err = c.ExecContext(ctx, "DELETE FROM w WHERE k < 2 LIMIT 7")
		require.NoError(t, err)
		var rc int64
		err = c.QueryRowContext(ctx, "SELECT ROW_COUNT()").Scan(&rc)
		t.Logf("side %d: ROW_COUNT() %d %v", i, rc, err)
		_ = c.Close()
	}
	e.reset(t)
	// prepared reuse
	for i, db := range e.dbs() {
		st, err := db.Prepare("DELETE FROM w WHERE k < ? LIMIT ?")
		require.NoError(t, err)
		var got []any
		for _, a := range [][]any{{2, 3}, {2, 0}, {2, 5}, {2, uint64(2)}, {3, 100}, {2, "x"}, {2, -1}} {
			r, err := st.Exec(a...)
			if err != nil {
				got = append(got, err.Error())
				continue
			}
			n, _ := r.RowsAffected()
			got = append(got, n)
		}
		_ = st.Close()
		t.Logf("side %d: prepared %v left %d", i, got, r18eCount(t, db, "1=1"))
	}
	e.reset(t)
	// literal limits with the same shape: a cache keyed on the shape?
	for i, db := range e.dbs() {
		var got []int64
		for _, q := range []string{"DELETE FROM w WHERE k < 2 LIMIT 1", "DELETE FROM w WHERE k < 2 LIMIT 2", "DELETE FROM w WHERE k < 2 LIMIT 3", "DELETE FROM w WHERE k < 3 LIMIT 100"} {
			n, err := r18eExec(db, q)
			require.NoError(t, err, q)
			got = append(got, n)
		}
		t.Logf("side %d: literal %v", i, got)
	}
	// small pools, concurrent purges
	e.reset(t)
	small := newR18eEnvOn(t, e, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(20*time.Second))
	small.SetMaxOpenConns(1)
	for _, db := range []*sql.DB{small, e.sharded} {
		e.reset(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := int64(0)
		var errs []error
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					r, err := db.ExecContext(cctx, "DELETE FROM w WHERE k < 2 LIMIT 3")
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
		}
		wg.Wait()
		t.Logf("concurrent: total %d errs %v left %d", total, errs, r18eCount(t, db, "k < 2"))
	}
}
