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

// TestFaults16KillConnectionMidCommit: another session runs KILL
// CONNECTION on every connection of ds1's server (but its own) at a step
// of an XA commit over both data sources: after ds0's XA PREPARE (ds1's
// branch is still active: the server rolls it back, so everything rolls
// back) and after the logged decision (ds1's branch is prepared and
// survives its connection: pending, RecoverXA commits it). After
// recovery the rows are on both servers or on neither, as Commit's error
// said, and the XA transaction is named.
func TestFaults16KillConnectionMidCommit(t *testing.T) {
	e := newF15Env(t, driver.WithXA())
	killAll := func() {
		rows, err := e.directs[1].Query("SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND command <> 'Daemon' AND user <> 'system user'")
		require.NoError(t, err)
		var ids []int64
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Close())
		for _, id := range ids {
			_, _ = e.directs[1].Exec(fmt.Sprintf("KILL CONNECTION %d", id)) // it may have ended meanwhile
		}
	}
	for n, c := range []struct {
		stage string
		want  []int
	}{{"prepare:ds0", []int{0, 0}}, {"decided", []int{1, 1}}} {
		base := 7500 + 10*n
		tx, err := e.db.Begin()
		require.NoError(t, err)
		for j, user := range []int{0, 2} {
			_, err := tx.Exec("INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+j, user)
			require.NoError(t, err)
		}
		f := func(stage string) {
			if stage == c.stage {
				killAll()
			}
		}
		e.hook.Store(&f)
		cerr := tx.Commit()
		e.hook.Store(nil)
		rep := e.recover(t)
		got := e.rows(t, base, base+2)
		t.Logf("KILL CONNECTION at %s: %v; recovery %+v; rows %v", c.stage, cerr, rep, got)
		assert.Equal(t, c.want, got, "%s: %v", c.stage, cerr)
		var ce *driver.CommitError
		require.ErrorAs(t, cerr, &ce, c.stage)
		if c.want[0] == 0 {
			assert.Equal(t, []string{"ds0", "ds1"}, ce.RolledBack, "%s: %v", c.stage, cerr)
			continue
		}
		assert.Equal(t, []string{"ds0"}, ce.Committed, "%s: %v", c.stage, cerr)
		assert.Equal(t, []string{"ds1"}, ce.Pending, "%s: %v", c.stage, cerr)
		assert.Contains(t, cerr.Error(), "XA transaction '"+ce.XID+"'")
	}
}
