package driver_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestFaults16XAFrozenBranchDoesNotHoldOthers: an XA transaction over
// both data sources whose commit is decided and logged, then one server
// is frozen (SIGSTOP) before the XA COMMITs. The other server's branch
// commits at once — its row is visible and its locks released while the
// frozen server is still stopped — and Commit says: committed on the
// healthy data source, pending on the frozen one, naming the XA
// transaction. When the server continues, RecoverXA completes the frozen
// branch (or finds it committed by the XA COMMIT still in its socket):
// the row is on both servers once, nothing is left in XA RECOVER.
//
// Before round 16 the XA COMMITs were sent one after the other: a frozen
// ds0 held ds1's XA COMMIT until the cleanup deadline, which then had
// run out, and ds1's healthy branch stayed prepared (its row invisible,
// locked) until RecoverXA; with ds1 frozen ds0 was not held.
func TestFaults16XAFrozenBranchDoesNotHoldOthers(t *testing.T) {
	e := newF16XAEnv(t)
	for victim := 0; victim < 2; victim++ {
		base := 6000 + 10*victim
		other := 1 - victim
		tx, err := e.db.Begin()
		require.NoError(t, err)
		for i, user := range []int{0, 2} { // ds0, ds1
			_, err := tx.Exec("INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+i, user)
			require.NoError(t, err)
		}
		f := func(stage string) {
			if stage == "decided" {
				require.NoError(t, e.servers[victim].Pause())
			}
		}
		e.hook.Store(&f)
		start := time.Now()
		err = tx.Commit()
		took := time.Since(start)
		e.hook.Store(nil)

		// Still frozen: the healthy branch is committed.
		var n int
		qerr := e.directs[other].QueryRow("SELECT COUNT(*) FROM t_xa_0 WHERE id = ?", base+other).Scan(&n)
		if qerr == nil && n == 0 {
			require.NoError(t, e.directs[other].QueryRow("SELECT COUNT(*) FROM t_xa_1 WHERE id = ?", base+other).Scan(&n))
		}
		prepared := xaPrepared(t, e, other)
		require.NoError(t, e.servers[victim].Resume())
		require.NoError(t, qerr)
		t.Logf("ds%d frozen: %v after %v; ds%d prepared %v", victim, err, took.Round(time.Millisecond), other, prepared)
		assert.Equal(t, 1, n, "ds%d frozen: ds%d's branch is committed while it is: %v", victim, other, err)
		assert.Empty(t, prepared, "ds%d frozen: ds%d has nothing left prepared", victim, other)

		var ce *driver.CommitError
		require.ErrorAs(t, err, &ce)
		vds, ods := fmt.Sprintf("ds%d", victim), fmt.Sprintf("ds%d", other)
		assert.Equal(t, []string{ods}, ce.Committed, "%v", err)
		assert.Equal(t, []string{vds}, ce.Pending, "%v", err)
		assert.Empty(t, ce.Unknown, "%v", err)
		assert.Empty(t, ce.RolledBack, "%v", err)
		require.NotEmpty(t, ce.XID)
		assert.Contains(t, err.Error(), "committed on "+ods)
		assert.Contains(t, err.Error(), "pending on "+vds+" (RecoverXA completes it; XA transaction '"+ce.XID+"')")

		rep := e.recover(t)
		t.Logf("ds%d frozen: recovery %+v", victim, rep)
		assert.Empty(t, rep.RolledBack)
		assert.Equal(t, []int{1, 1}, e.rows(t, base, base+2), "ds%d frozen: committed on both, once", victim)
		assert.Empty(t, xaPrepared(t, e, 0))
		assert.Empty(t, xaPrepared(t, e, 1))
		// A second recovery finds nothing to do: completed once.
		rep2, err := driver.RecoverXA(t.Context(), e.db, 0)
		require.NoError(t, err)
		assert.Empty(t, rep2.Committed)
		assert.Empty(t, rep2.RolledBack)
	}
}

// newF16XAEnv is the fault pair under XA, with a log retention short
// enough that RecoverXA removes a decided row once its branches are done.
func newF16XAEnv(t *testing.T) *f15Env {
	return newF15Env(t, driver.WithXA(), driver.WithXALogRetention(time.Millisecond))
}

// xaPrepared lists the XA transactions prepared on server i.
func xaPrepared(t *testing.T, e *f15Env, i int) []string {
	t.Helper()
	rows, err := e.directs[i].Query("XA RECOVER")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var format, gl, bl int
		var data string
		require.NoError(t, rows.Scan(&format, &gl, &bl, &data))
		out = append(out, data)
	}
	require.NoError(t, rows.Err())
	return out
}
