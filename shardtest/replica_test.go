package shardtest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMariaDBReplicated(t *testing.T) {
	r := MariaDBReplicated(t, 1, ReplicaOptions{})
	ctx := context.Background()
	primary, err := sql.Open("mysql", r.Primary.DSN())
	require.NoError(t, err)
	defer primary.Close()
	replica, err := sql.Open("mysql", r.Replicas[0].DSN())
	require.NoError(t, err)
	defer replica.Close()

	_, err = primary.ExecContext(ctx, "CREATE TABLE t (id INT PRIMARY KEY)")
	require.NoError(t, err)
	_, err = primary.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	require.NoError(t, r.Sync(ctx))
	var n int
	require.NoError(t, replica.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n))
	require.Equal(t, 1, n)

	// A stopped SQL thread leaves the replica behind until it starts again.
	require.NoError(t, r.Replicas[0].StopReplication())
	_, err = primary.ExecContext(ctx, "INSERT INTO t VALUES (2)")
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, replica.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n))
	require.Equal(t, 1, n, "a replica whose SQL thread is stopped applied a change")
	require.NoError(t, r.Replicas[0].StartReplication())
	require.NoError(t, r.Sync(ctx))
	require.NoError(t, replica.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n))
	require.Equal(t, 2, n)

	before, err := r.Replicas[0].ComSelect()
	require.NoError(t, err)
	require.NoError(t, replica.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n))
	after, err := r.Replicas[0].ComSelect()
	require.NoError(t, err)
	require.GreaterOrEqual(t, after-before, int64(1))
}
