package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestFaults15NestedSmallPools: pools of one and two connections per data
// source, a transaction over both (best effort and XA) that nests its
// statements: a scatter inside the transaction after it holds one data
// source, a statement while the rows of another are open (refused at
// once), prepared statements, Conn.Raw. Every step is bounded by a 5 s
// context: a hang fails the test, not a timeout of the pool.
func TestFaults15NestedSmallPools(t *testing.T) {
	for _, size := range []int{1, 2} {
		for _, xa := range []bool{false, true} {
			t.Run(fmt.Sprintf("pool %d xa %v", size, xa), func(t *testing.T) {
				opts := []driver.Option{driver.WithMaxOpenConns(size), driver.WithConnWaitTimeout(3 * time.Second)}
				if xa {
					opts = append(opts, driver.WithXA())
				}
				e := newF15Env(t, opts...)
				e.fill(t)
				base := 5000 + 100*size
				if xa {
					base += 50
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				ins := "INSERT INTO t_xa (id, user_id) VALUES (?, ?)"

				// A scatter inside a transaction that holds ds0 only.
				tx, err := e.db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, ins, base, 0)
				require.NoError(t, err)
				var n int
				require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE id >= ? AND id < ?", base, base+50).Scan(&n))
				assert.Equal(t, 1, n)
				// Its rows open while it writes elsewhere: refused at once.
				rows, err := tx.QueryContext(ctx, "SELECT a.id FROM t_xa a JOIN t_xa b ON b.user_id = a.user_id WHERE a.id >= ? AND a.id < ? OR a.id < 10000", base, base+50)
				require.NoError(t, err)
				require.True(t, rows.Next())
				start := time.Now()
				_, err = tx.ExecContext(ctx, ins, base+1, 2)
				t.Logf("exec with rows open: %v after %v", err, time.Since(start))
				assert.Less(t, time.Since(start), time.Second)
				for rows.Next() {
				}
				require.NoError(t, rows.Err(), "the rows read on after the write")
				require.NoError(t, rows.Close())
				// Prepared statements in the transaction, one's rows open
				// while the other runs on the other data source.
				stIns, err := tx.PrepareContext(ctx, ins)
				require.NoError(t, err)
				stSel, err := tx.PrepareContext(ctx, "SELECT id FROM t_xa WHERE user_id = ? AND id >= ?")
				require.NoError(t, err)
				_, err = stIns.ExecContext(ctx, base+2, 2)
				require.NoError(t, err)
				rows, err = stSel.QueryContext(ctx, 0, base)
				require.NoError(t, err)
				require.True(t, rows.Next())
				start = time.Now()
				_, err = stIns.ExecContext(ctx, base+3, 2) // ds1: its participant is free
				t.Logf("prepared exec on the other data source with rows open: %v after %v", err, time.Since(start))
				assert.Less(t, time.Since(start), time.Second)
				require.NoError(t, rows.Close())
				require.NoError(t, tx.Commit())
				got := e.rows(t, base, base+50)
				assert.Equal(t, []int{1, 3}, got, "the transaction's rows: base on ds0, base+1..3 on ds1")

				// Conn.Raw on a session that holds a transaction.
				conn, err := e.db.Conn(ctx)
				require.NoError(t, err)
				ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel2()
				ctx2 = driver.WithXATransaction(ctx2)
				tx2, err := conn.BeginTx(ctx2, nil)
				require.NoError(t, err)
				_, err = tx2.ExecContext(ctx2, ins, base+10, 0)
				require.NoError(t, err)
				require.NoError(t, conn.Raw(func(dc any) error {
					t.Logf("raw: %T", dc)
					return nil
				}))
				_, err = tx2.ExecContext(ctx2, ins, base+11, 2)
				require.NoError(t, err)
				require.NoError(t, tx2.Commit())
				require.NoError(t, conn.Close())
				assert.Equal(t, 2, sumInts(e.rows(t, base+10, base+12)))
				e.idleCheck(t)
			})
		}
	}
}

func sumInts(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// idleCheck runs a statement on every node: no connection is left held.
func (e *f15Env) idleCheck(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var n int
	require.NoError(t, e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa").Scan(&n))
}

var _ = sql.ErrNoRows

// fill puts rows 9000..9399 on every node (ids the other tests do not
// use), so that scatters stream from every data source.
func (e *f15Env) fill(t *testing.T) {
	t.Helper()
	_, err := e.db.Exec("DELETE FROM t_xa WHERE id >= 9000 AND id < 9400")
	require.NoError(t, err)
	for i := 0; i < 400; i += 100 {
		q := "INSERT INTO t_xa (id, user_id) VALUES "
		for j := i; j < i+100; j++ {
			if j > i {
				q += ","
			}
			q += fmt.Sprintf("(%d, %d)", 9000+j, j%4)
		}
		_, err := e.db.Exec(q)
		require.NoError(t, err)
	}
}
