package driver_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
)

// TestXA13ReplicaCancel: reads that go to replicas (a point read, a
// scatter, a merged COUNT, a read after a write token) under random
// deadlines of 0–4 ms, cancels and a caller's own context type, on
// replica pools of 1 connection. Every failure is the context's; no
// replica is ejected by a read its caller gave up on; afterwards every
// read is exact and nothing is in use.
func TestXA13ReplicaCancel(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	topo := replicaAppsTopology(t, cluster, "t_rc")
	db := openDB(t, topo, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(2*time.Second), driver.WithReplicaProbeInterval(time.Second))
	_, err := db.ExecContext(bg, "CREATE TABLE t_rc (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v INT NOT NULL)")
	require.NoError(t, err)
	const rows = 40
	for i := 1; i <= rows; i++ {
		_, err := db.ExecContext(bg, "INSERT INTO t_rc (id, user_id, v) VALUES (?, ?, ?)", i, i, i)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(bg))
	token, err := driver.WriteToken(bg, db)
	require.NoError(t, err)

	read := func(ctx context.Context, op, id int) error {
		switch op {
		case 0:
			var v int
			if err := db.QueryRowContext(ctx, "SELECT v FROM t_rc WHERE user_id = ? AND id = ?", id, id).Scan(&v); err != nil {
				return err
			}
			if v != id {
				return fmt.Errorf("point read of %d: %d", id, v)
			}
		case 1:
			r, err := db.QueryContext(ctx, "SELECT id FROM t_rc ORDER BY id")
			if err != nil {
				return err
			}
			defer r.Close()
			n := 0
			for r.Next() {
				n++
			}
			if err := r.Err(); err != nil {
				return err
			}
			if n != rows {
				return fmt.Errorf("scatter read %d rows", n)
			}
		case 2:
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_rc").Scan(&n); err != nil {
				return err
			}
			if n != rows {
				return fmt.Errorf("count %d", n)
			}
		case 3:
			rctx, err := driver.ReadAfter(ctx, token)
			if err != nil {
				return err
			}
			var v int
			if err := db.QueryRowContext(rctx, "SELECT v FROM t_rc WHERE user_id = ? AND id = ?", id, id).Scan(&v); err != nil {
				return err
			}
			if v != id {
				return fmt.Errorf("read after of %d: %d", id, v)
			}
		}
		return nil
	}
	for op := 0; op < 4; op++ {
		require.NoError(t, read(bg, op, 1), "warm %d", op)
	}
	n := 300
	if os.Getenv("SHARDSQL_XA13_ROUNDS") != "" {
		n = 1500
	}
	rng := rand.New(rand.NewPCG(13, 7))
	ended := 0
	for i := 0; i < n; i++ {
		d := time.Duration(rng.IntN(4000)) * time.Microsecond
		var ctx context.Context
		var cancel func()
		switch rng.IntN(3) {
		case 0:
			ctx, cancel = context.WithCancel(bg)
			time.AfterFunc(d, cancel)
		case 1:
			ctx, cancel = newSlowCtxCancel(d)
		default:
			ctx, cancel = context.WithTimeout(bg, d)
		}
		op := rng.IntN(4)
		err := read(ctx, op, rng.IntN(rows)+1)
		// A dial under the deadline ends at the socket's deadline, which
		// may come before the context's timer marks it done.
		dl, hasDL := ctx.Deadline()
		ctxDone := ctx.Err() != nil || (hasDL && !time.Now().Before(dl))
		cancel()
		if err == nil {
			continue
		}
		ended++
		msg := err.Error()
		ok := ctxDone && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded))
		assert.True(t, ok && !strings.Contains(msg, "bad connection") && !strings.Contains(msg, "invalid connection"), "round %d op %d (ctx %T %v, done %v): %v %s", i, op, ctx, d, ctxDone, err, chain(err))
	}
	t.Logf("%d of %d reads ended by their context", ended, n)
	reps, err := driver.Replicas(bg, db)
	require.NoError(t, err)
	for _, r := range reps {
		assert.False(t, r.Ejected, "replica %s of %s ejected by reads whose callers gave up: %v", r.Name, r.DataSource, r.Err)
	}
	for op := 0; op < 4; op++ {
		for id := 1; id <= 4; id++ {
			require.NoError(t, read(bg, op, id), "after: op %d", op)
		}
	}
	st, err := driver.Stats(bg, db)
	require.NoError(t, err)
	for ds, s := range st.DataSources {
		assert.Zero(t, s.InUse, "%s in use", ds)
	}
}

func chain(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		fmt.Fprintf(&b, " <%T>", e)
	}
	return b.String()
}
