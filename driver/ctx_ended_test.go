package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestDialEndedByContext: a statement whose connection must be dialed and
// whose context ends during the dial fails with an error that is the
// context's (errors.Is(err, context.DeadlineExceeded)) and still names
// the dial's failure — for a point read (a pin), a scatter, a multi-node
// write and a transaction — and the pools answer once dials go through
// again (ctx_ended.go). The dial is a registered one that waits out the
// context's deadline and fails as net.Dialer does when its poller's
// deadline fires before the context's timer (os.ErrDeadlineExceeded, "i/o
// timeout"): a race a loaded machine loses, seen in
// TestReview13bReplicaPointStopped. Fails without endedBy: the error is
// only the *net.OpError.
func TestDialEndedByContext(t *testing.T) {
	bg := context.Background()
	const netName = "ctxdial18"
	var slow atomic.Bool
	mysql.RegisterDialContext(netName, func(ctx context.Context, addr string) (net.Conn, error) {
		if slow.Load() {
			// What net.Dialer answers when the poller's deadline (the
			// context's) fires before the context's own timer: a loaded
			// machine's race, reproduced here every time.
			if dl, ok := ctx.Deadline(); ok {
				time.Sleep(time.Until(dl))
			}
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	t.Cleanup(func() { mysql.DeregisterDialContext(netName) })

	dbName := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, dbName)
	topo := shard.NewTopology()
	var plains []*sql.DB
	for i, dsn := range dsns {
		plain := openPlain(t, dsn)
		plains = append(plains, plain)
		_, err := plain.ExecContext(bg, "DROP TABLE IF EXISTS t_de")
		require.NoError(t, err)
		_, err = plain.ExecContext(bg, "CREATE TABLE t_de (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(20))")
		require.NoError(t, err)
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), strings.Replace(dsn, "@tcp(", "@"+netName+"(", 1)+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_de", Column: "user_id", Nodes: "ds${0..1}.t_de", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	for id := 1; id <= 8; id++ {
		_, err := db.ExecContext(bg, "INSERT INTO t_de (id, user_id, v) VALUES (?, ?, ?)", id, id, fmt.Sprintf("v%d", id))
		require.NoError(t, err)
	}
	statements := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"point read", func(ctx context.Context) error {
			var v string
			return db.QueryRowContext(ctx, "SELECT v FROM t_de WHERE user_id = ? AND id = ?", 3, 3).Scan(&v)
		}},
		{"scatter", func(ctx context.Context) error {
			rows, err := db.QueryContext(ctx, "SELECT id, v FROM t_de ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
			}
			return rows.Err()
		}},
		{"multi-node write", func(ctx context.Context) error {
			_, err := db.ExecContext(ctx, "UPDATE t_de SET v = CONCAT(v, '') WHERE id > 0")
			return err
		}},
		{"transaction", func(ctx context.Context) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			_, err = tx.ExecContext(ctx, "UPDATE t_de SET v = 'w' WHERE user_id = ? AND id = ?", 2, 2)
			return err
		}},
	}
	for _, st := range statements {
		t.Run(st.name, func(t *testing.T) {
			require.NoError(t, st.run(bg), "before the dials are slowed")
			slow.Store(true)
			for _, plain := range plains { // the pools' connections must be dialed again
				killSessionsOf(t, plain, dbName)
			}
			ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
			err := st.run(ctx)
			cancel()
			slow.Store(false)
			require.Error(t, err)
			t.Logf("%s: %v", st.name, err)
			require.Truef(t, errors.Is(err, context.DeadlineExceeded), "the context's error: %v", err)
			var op *net.OpError
			if errors.As(err, &op) {
				require.Equal(t, "dial", op.Op, "the dial's failure is kept: %v", err)
			}
			require.Eventually(t, func() bool { return st.run(bg) == nil }, 5*time.Second, 20*time.Millisecond, "the pools answer again")
		})
	}
}

// killSessionsOf kills every connection of plain's server using database
// dbName, but plain's own.
func killSessionsOf(t *testing.T, plain *sql.DB, dbName string) {
	t.Helper()
	ctx := context.Background()
	conn, err := plain.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", dbName)
	require.NoError(t, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	for _, id := range ids {
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
	}
}
