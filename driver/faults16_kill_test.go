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

// TestFaults16KillQueryInTx: KILL QUERY from another session interrupts
// a multi-node statement of a transaction over both data sources (best
// effort and XA) while it runs on ds1. One MariaDB answers 1317 and
// undoes the statement only; the transaction goes on. Across data
// sources the statement's ds0 part must be undone too, the transaction's
// earlier and later writes committed, on both servers.
func TestFaults16KillQueryInTx(t *testing.T) {
	for i, xa := range []bool{false, true} {
		var opts []driver.Option
		if xa {
			opts = append(opts, driver.WithXA())
		}
		e := newF15Env(t, opts...)
		base := 7000 + 100*i
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for j, user := range []int{0, 2} {
			_, err := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+j, user)
			require.NoError(t, err)
		}
		killed := make(chan error, 1)
		go func() {
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				var id int64
				err := e.directs[1].QueryRow("SELECT id FROM information_schema.processlist WHERE info LIKE 'DELETE%SLEEP%' LIMIT 1").Scan(&id)
				if err == nil {
					_, err = e.directs[1].Exec(fmt.Sprintf("KILL QUERY %d", id))
					killed <- err
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			killed <- fmt.Errorf("no statement to kill")
		}()
		_, serr := tx.ExecContext(ctx, "DELETE FROM t_xa WHERE id >= ? AND id < ? AND SLEEP(0.5) = 0", base, base+10)
		require.NoError(t, <-killed)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", base+2, base+3)
		lerr := err
		var n int
		rerr := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE id >= ? AND id < ?", base, base+10).Scan(&n)
		cerr := tx.Commit()
		cancel()
		e.recover(t)
		got := e.rows(t, base, base+10)
		t.Logf("xa=%v: statement %v; later %v; read %d %v; commit %v; rows %v", xa, serr, lerr, n, rerr, cerr, got)
		require.True(t, isCode(serr, 1317), "xa=%v: the statement was interrupted: %v", xa, serr)
		assert.NoError(t, lerr, "xa=%v: the transaction goes on", xa)
		assert.NoError(t, rerr, "xa=%v", xa)
		assert.Equal(t, 4, n, "xa=%v: the interrupted DELETE is undone on both data sources", xa)
		assert.NoError(t, cerr, "xa=%v", xa)
		assert.Equal(t, []int{2, 2}, got, "xa=%v", xa)
	}
}
