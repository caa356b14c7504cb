package driver_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
)

// testReadAfterKeyMove: an UPDATE that moves rows deletes them on the
// source data sources; once it returned, no read finds them there — the
// source's position is recorded as well as the target's, or a replica a
// second behind would still return the moved row at its old key.
func testReadAfterKeyMove(t *testing.T, cluster *shardtest.Replicated, db *sql.DB) {
	ctx := context.Background()
	for _, r := range cluster.Replicas {
		require.NoError(t, r.SetReplicationDelay(time.Second))
	}
	defer func() {
		for _, r := range cluster.Replicas {
			require.NoError(t, r.SetReplicationDelay(0))
		}
		require.NoError(t, cluster.Sync(ctx))
	}()
	for id := 8000; id < 8020; id++ {
		_, err := db.ExecContext(ctx, "INSERT INTO t_rw (id, user_id, note) VALUES (?, ?, 'move')", id, id)
		require.NoError(t, err)
	}
	require.NoError(t, cluster.Sync(ctx))
	time.Sleep(100 * time.Millisecond)
	for id := 8000; id < 8020; id++ {
		_, err := db.ExecContext(ctx, "UPDATE t_rw SET user_id = ? WHERE id = ?", id+1000, id)
		require.NoError(t, err)
		var trace []driver.ReadServer
		require.Equal(t, 0, readCount(ctx, t, db, id, &trace), "row %d moved away from user_id %d is still read there (from %+v)", id, id, trace)
		require.Equal(t, 1, readCount(ctx, t, db, id+1000, &trace), "row %d not read at its new user_id (from %+v)", id, trace)
	}
}
