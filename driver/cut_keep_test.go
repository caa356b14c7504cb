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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestCutKeptContext: statements sharing one context that can end (a
// server's, a report cell's) share each Conn's AfterFunc registration
// (cut_keep.go). Hundreds of point reads and one-row writes on both data
// sources, from 4 goroutines, are exact and keep their connections; then
// the shared context ends in the middle of a SLEEP on one of them, which
// fails at once with the context's error on a connection not reused, while
// the others' registrations cut nothing (their connections stay parked and
// pass their checks); statements under a new context run on. Nothing is
// logged.
func TestCutKeptContext(t *testing.T) {
	logs := &lineLog{}
	require.NoError(t, mysql.SetLogger(logs))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime)) })
	bg := context.Background()
	db, _ := parkEnv(t)
	discards := func() (n int64) {
		for _, ds := range []string{"ds0", "ds1"} {
			_, d, err := driver.ParkState(bg, db, ds)
			require.NoError(t, err)
			n += d
		}
		return n
	}

	shared, cancel := context.WithCancel(bg)
	work := func(ctx context.Context, g, rounds int) error {
		for i := range rounds {
			id := int64((g*rounds+i)%20 + 1)
			var v string
			if err := db.QueryRowContext(ctx, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v); err != nil {
				return err
			}
			if v != fmt.Sprintf("v%d", id) {
				return fmt.Errorf("read %d: %q", id, v)
			}
			if _, err := db.ExecContext(ctx, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", v, id, id%4); err != nil {
				return err
			}
		}
		return nil
	}
	before := discards()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[g] = work(shared, g, 25)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, before, discards(), "statements under one context keep their connections")

	for _, q := range []string{
		"SELECT SLEEP(5), v FROM t_pk WHERE id = ? AND user_id = ?",
		"UPDATE t_pk SET v = CONCAT(v, SLEEP(5)) WHERE id = ? AND user_id = ?",
	} {
		// Registrations kept on the Conns by the statements before.
		require.NoError(t, work(shared, 0, 4))
		victim := connID(t, db)
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		var err error
		if strings.HasPrefix(q, "SELECT") {
			var s, v string
			err = db.QueryRowContext(shared, q, 5, 1).Scan(&s, &v)
		} else {
			_, err = db.ExecContext(shared, q, 5, 1)
		}
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, context.Canceled), "%s: %v", q, err)
		assert.Less(t, time.Since(start), 3*time.Second, "%s: the statement ends with its context", q)
		assert.NotEqual(t, victim, connID(t, db), "%s: the cut connection is not reused", q)
		before := discards()
		require.NoError(t, work(bg, 1, 8), "statements after the end, under another context")
		fresh, cancelFresh := context.WithCancel(bg)
		require.NoError(t, work(fresh, 2, 8))
		cancelFresh()
		time.Sleep(20 * time.Millisecond) // the ended contexts' callbacks run
		require.NoError(t, work(bg, 3, 8))
		assert.Equal(t, before, discards(), "%s: no other connection was cut", q)
		shared, cancel = context.WithCancel(bg)
	}
	cancel()
	var inUse int
	require.Eventually(t, func() bool {
		inUse = db.Stats().InUse
		return inUse == 0
	}, 5*time.Second, 10*time.Millisecond, "in use: %d", inUse)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.lines, "go-sql-driver logged nothing")
}
