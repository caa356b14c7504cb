package driver_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/shardsql/shardsql/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineLog is a go-sql-driver logger that keeps its lines.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) Print(v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(v...))
}

// TestCutOnContextEnd: statements run inside Raw on the pools shardsql
// dials (a bounded read, a one-unit Exec) cancel through the socket
// (cut_conn.go) instead of go-sql-driver's watcher. A context that ends
// mid-statement fails it at once with the context's error and the
// connection is not reused, and nothing is logged; contexts cancelled
// right after each statement leave the connections in use (the watch ends
// with the statement: a watch left registered would cut the connection,
// and the next statement taking it parked would find it dead), across
// hundreds of statements.
func TestCutOnContextEnd(t *testing.T) {
	logs := &lineLog{}
	require.NoError(t, mysql.SetLogger(logs))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime)) })
	ctx := context.Background()
	db, _ := parkEnv(t)

	for _, q := range []string{
		"SELECT SLEEP(5), v FROM t_pk WHERE id = ? AND user_id = ?",
		"UPDATE t_pk SET v = CONCAT(v, SLEEP(5)) WHERE id = ? AND user_id = ?",
	} {
		for _, kind := range []string{"cancel", "deadline"} {
			before := connID(t, db)
			var cctx context.Context
			var cancel context.CancelFunc
			want := context.Canceled
			if kind == "deadline" {
				cctx, cancel = context.WithTimeout(ctx, 150*time.Millisecond)
				want = context.DeadlineExceeded
			} else {
				cctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(150*time.Millisecond, cancel)
			}
			start := time.Now()
			var err error
			if strings.HasPrefix(q, "SELECT") {
				var s, v string
				err = db.QueryRowContext(cctx, q, 5, 1).Scan(&s, &v)
			} else {
				_, err = db.ExecContext(cctx, q, 5, 1)
			}
			cancel()
			require.Error(t, err, "%s (%s)", q, kind)
			assert.True(t, errors.Is(err, want), "%s (%s): %v", q, kind, err)
			assert.Less(t, time.Since(start), 3*time.Second, "%s (%s): the statement ends with its context", q, kind)
			assert.NotEqual(t, before, connID(t, db), "%s (%s): the cut connection is not reused", q, kind)
		}
	}

	discards := func() (n int64) {
		for _, ds := range []string{"ds0", "ds1"} {
			_, d, err := driver.ParkState(ctx, db, ds)
			require.NoError(t, err)
			n += d
		}
		return n
	}
	before := discards()
	for i := range 120 {
		cctx, cancel := context.WithCancel(ctx)
		id := int64(i%20 + 1)
		var v string
		require.NoError(t, db.QueryRowContext(cctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v))
		require.Equal(t, fmt.Sprintf("v%d", id), v)
		cancel()
		cctx, cancel = context.WithTimeout(ctx, time.Minute)
		_, err := db.ExecContext(cctx, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", v, id, id%4)
		cancel()
		require.NoError(t, err)
	}
	assert.Equal(t, before, discards(), "connections whose statements' contexts ended after them stay in use: no parked one failed its check")
	var inUse int
	require.Eventually(t, func() bool {
		inUse = db.Stats().InUse
		return inUse == 0
	}, 5*time.Second, 10*time.Millisecond, "in use: %d", inUse)

	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.lines, "go-sql-driver logged nothing for the cut connections")
}
