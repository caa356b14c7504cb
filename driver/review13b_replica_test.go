package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
)

// TestReview13bReplicaPointStopped: a bounded point read after a write
// token whose only replica stopped replicating (STOP SLAVE), on pools of
// one connection, with WithReplicaWait and deadlines of 0–6 ms or none:
// each read answers the written row (the primary's, or after the wait)
// or fails with its context's error, never the stale "no row"; a read
// without a token from another connector may see the replica's stale
// state, as designed. After START SLAVE the replica serves again and
// nothing is held.
func TestReview13bReplicaPointStopped(t *testing.T) {
	cluster := shardtest.MariaDBReplicated(t, 1, shardtest.ReplicaOptions{})
	bg := context.Background()
	topo := replicaAppsTopology(t, cluster, "t_st")
	db := openDB(t, topo, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(2*time.Second),
		driver.WithReplicaWait(3*time.Millisecond), driver.WithReplicaProbeInterval(100*time.Millisecond))
	_, err := db.ExecContext(bg, "CREATE TABLE t_st (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(20), w1 INT, w2 INT, w3 INT, w4 INT, w5 INT, w6 INT, w7 INT, w8 INT)")
	require.NoError(t, err)
	for i := 1; i <= 10; i++ {
		_, err := db.ExecContext(bg, "INSERT INTO t_st (id, user_id, v) VALUES (?, ?, ?)", i, i, "old")
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(bg))
	require.NoError(t, cluster.Replicas[0].StopReplication())
	stopped := true
	defer func() {
		if stopped {
			_ = cluster.Replicas[0].StartReplication()
		}
	}()
	for i := 1; i <= 10; i++ {
		_, err := db.ExecContext(bg, "UPDATE t_st SET v = 'new' WHERE user_id = ? AND id = ?", i, i)
		require.NoError(t, err)
	}
	token, err := driver.WriteToken(bg, db)
	require.NoError(t, err)
	// wide: more than 8 columns, NULLs, read whole on the replica pool
	const point = "SELECT id, user_id, v, w1, w2, w3, w4, w5, w6, w7, w8 FROM t_st WHERE user_id = ? AND id = ?"
	read := func(ctx context.Context, id int) (string, error) {
		var v string
		var gotID, uid int
		var w [8]sql.NullInt64
		err := db.QueryRowContext(ctx, point, id, id).Scan(&gotID, &uid, &v, &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6], &w[7])
		return v, err
	}
	rng := rand.New(rand.NewPCG(13, 2))
	answered, ended := 0, 0
	for i := 0; i < 200; i++ {
		id := 1 + rng.IntN(10)
		ctx, cancel := bg, func() {}
		if rng.IntN(2) == 0 {
			ctx, cancel = context.WithTimeout(bg, time.Duration(rng.IntN(6000))*time.Microsecond)
		}
		rctx, err := driver.ReadAfter(ctx, token)
		require.NoError(t, err)
		v, err := read(rctx, id)
		cancel()
		switch {
		case err == nil:
			require.Equal(t, "new", v, "read %d of row %d after the token", i, id)
			answered++
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			require.NotErrorIs(t, err, sql.ErrNoRows)
			ended++
		default:
			require.NoError(t, err, "read %d of row %d", i, id)
		}
	}
	t.Logf("after the token: %d answered, %d ended by their context", answered, ended)
	require.NotZero(t, answered)
	require.NoError(t, cluster.Replicas[0].StartReplication())
	stopped = false
	require.NoError(t, cluster.Sync(bg))
	var trace []driver.ReadServer
	v, err := read(driver.WithReadTrace(bg, &trace), 3)
	require.NoError(t, err)
	require.Equal(t, "new", v)
	require.Eventually(t, func() bool {
		trace = nil
		v, err := read(driver.WithReadTrace(bg, &trace), 4)
		return err == nil && v == "new" && len(trace) == 1 && trace[0].Replica
	}, 3*time.Second, 20*time.Millisecond, "the replica serves again: %+v", trace)
	require.Zero(t, db.Stats().InUse)
}
