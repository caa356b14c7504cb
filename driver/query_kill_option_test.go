package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestWithoutQueryKill: with driver.WithoutQueryKill an abandoned node
// query is only cut off from its socket (behind a proxy a KILL by the
// handshake's id could reach another client's query), so a query still
// computing keeps running on the servers; TestAttack19dAbandonedNodeQueriesKilled
// is the default. The node tables hold 10 rows each and every row sleeps
// 2 s: seen a second after the deadline, the queries still run (the
// default kills them within milliseconds).
func TestWithoutQueryKill(t *testing.T) {
	e := newR19dEnv(t, "query_kill_off", 40, driver.WithoutQueryKill())
	t.Cleanup(func() { e.killLeft(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rows, err := e.sharded.QueryContext(ctx, "SELECT COUNT(*) FROM w19 WHERE SLEEP(2) = 0")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		_ = rows.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	time.Sleep(time.Second)
	require.NotEmpty(t, e.running(t), "the abandoned node queries were killed under WithoutQueryKill")
	e.killLeft(t)
	var n int
	require.NoError(t, e.sharded.QueryRow("SELECT COUNT(*) FROM w19").Scan(&n))
	require.Equal(t, 40, n)
}
