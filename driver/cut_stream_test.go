package driver_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCutStreaming: rows that stream on a session's connection (a table
// outside the topology, read without a row bound) cancel through the
// socket too (cursor_sources.go, pinSource.open): no goroutine of
// database/sql's or go-sql-driver's per statement, the context's error
// when it ends before or while the rows stream, a server error kept,
// contexts that end after the rows leave the connections in use, and
// nothing logged.
func TestCutStreaming(t *testing.T) {
	logs := &lineLog{}
	require.NoError(t, mysql.SetLogger(logs))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime)) })
	ctx := context.Background()
	db, plains := parkEnv(t)
	_, err := plains[0].ExecContext(ctx, "DROP TABLE IF EXISTS t_free")
	require.NoError(t, err)
	_, err = plains[0].ExecContext(ctx, "CREATE TABLE t_free (id BIGINT PRIMARY KEY, pad VARCHAR(1000))")
	require.NoError(t, err)
	const rows = 1500
	var sb strings.Builder
	for i := 1; i <= rows; i++ {
		if i > 1 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "(%d, REPEAT('x', 900))", i)
	}
	_, err = plains[0].ExecContext(ctx, "INSERT INTO t_free (id, pad) VALUES "+sb.String())
	require.NoError(t, err)
	const all = "SELECT id, pad FROM t_free WHERE id > ? ORDER BY id"
	count := func(ctx context.Context) (int, error) {
		rs, err := db.QueryContext(ctx, all, 0)
		if err != nil {
			return 0, err
		}
		defer rs.Close()
		n := 0
		for rs.Next() {
			n++
		}
		return n, rs.Err()
	}

	t.Run("goroutines", func(t *testing.T) {
		// Eight streaming statements held open under contexts that can
		// end: database/sql watches each one it returns (awaitDone); no
		// other goroutine is started per statement (before, database/sql
		// also watched the rows on the session's connection).
		const n = 8
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		hold := func() (grown int) {
			runtime.GC()
			before := runtime.NumGoroutine()
			var open []interface{ Close() error }
			for range n {
				rs, err := db.QueryContext(cctx, all, 0)
				require.NoError(t, err)
				require.True(t, rs.Next())
				open = append(open, rs)
			}
			grown = runtime.NumGoroutine() - before
			for _, rs := range open {
				require.NoError(t, rs.Close())
			}
			return grown
		}
		hold() // the pool opens its connections (go-sql-driver starts a goroutine per connection)
		grown := hold()
		assert.LessOrEqual(t, grown, n+2, "goroutines per streaming statement: %d for %d", grown, n)
	})

	t.Run("context ends", func(t *testing.T) {
		for _, kind := range []string{"cancel", "deadline"} {
			// before the first row: the server sleeps first
			cctx, cancel := context.WithCancel(ctx)
			want := context.Canceled
			if kind == "deadline" {
				cancel()
				cctx, cancel = context.WithTimeout(ctx, 150*time.Millisecond)
				want = context.DeadlineExceeded
			} else {
				time.AfterFunc(150*time.Millisecond, cancel)
			}
			start := time.Now()
			rs, err := db.QueryContext(cctx, "SELECT id, SLEEP(5) FROM t_free WHERE id < ?", 3)
			if err == nil {
				for rs.Next() {
				}
				err = rs.Err()
				_ = rs.Close()
			}
			cancel()
			require.Error(t, err, kind)
			assert.True(t, errors.Is(err, want), "%s: %v", kind, err)
			assert.Less(t, time.Since(start), 4*time.Second, "%s: the statement ends with its context", kind)

			// while the rows stream
			cctx, cancel = context.WithCancel(ctx)
			defer cancel()
			rs, err = db.QueryContext(cctx, all, 0)
			require.NoError(t, err)
			n := 0
			for rs.Next() {
				n++
				if n == 10 {
					cancel()
					// database/sql closes the rows and shardsql cuts the
					// socket on goroutines of their own: give them the CPU
					// before reading on (the 1,500 small rows can all sit in
					// the socket's buffer, so without it the loop once read
					// every row before either ran).
					time.Sleep(50 * time.Millisecond)
				}
			}
			err = rs.Err()
			_ = rs.Close()
			require.Error(t, err, "%s mid-stream after %d rows", kind, n)
			assert.True(t, errors.Is(err, context.Canceled), "mid-stream: %v", err)
			assert.Less(t, n, rows, "the rows stop")
		}
		got, err := count(ctx)
		require.NoError(t, err)
		assert.Equal(t, rows, got, "the pool goes on")
	})

	t.Run("server error kept", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rs, err := db.QueryContext(cctx, "SELECT id, nope FROM t_free WHERE id > ?", 0)
		if err == nil {
			for rs.Next() {
			}
			err = rs.Err()
			_ = rs.Close()
		}
		var me *mysql.MySQLError
		require.True(t, errors.As(err, &me), "%v", err)
		assert.Equal(t, uint16(1054), me.Number)
	})

	t.Run("contexts end after the rows", func(t *testing.T) {
		for i := range 60 {
			cctx, cancel := context.WithCancel(ctx)
			rs, err := db.QueryContext(cctx, "SELECT id FROM t_free WHERE id > ? ORDER BY id", rows-3)
			require.NoError(t, err)
			var ids []int
			for rs.Next() {
				var id int
				require.NoError(t, rs.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rs.Err())
			require.NoError(t, rs.Close())
			cancel()
			require.Equal(t, []int{rows - 2, rows - 1, rows}, ids, "statement %d", i)
		}
	})

	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.lines, "go-sql-driver logged nothing for the cut connections")
}
