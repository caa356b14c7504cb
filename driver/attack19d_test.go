package driver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// r19dWide are statements whose merge holds rows in memory: a sort above
// a derived table, a distinct UNION, a window's partition, a join's
// batch of inner rows, a transaction's buffered node rows (txOnly).
var r19dWide = []struct {
	sql    string
	txOnly bool
}{
	{sql: "SELECT x.id, x.b FROM (SELECT id, b FROM w19 ORDER BY id LIMIT 40) x ORDER BY x.id DESC"},
	{sql: "SELECT id, b FROM w19 UNION SELECT id, b FROM w19 ORDER BY id"},
	{sql: "SELECT a.id, b.b FROM w19 a JOIN w19 b ON b.id = a.g ORDER BY a.id"},
	{sql: "SELECT id, b FROM w19 ORDER BY id", txOnly: true},
	{sql: "SELECT COUNT(DISTINCT v), COUNT(DISTINCT b) FROM w19"},
	{sql: "SELECT LENGTH(GROUP_CONCAT(CAST(b AS CHAR) ORDER BY id DESC SEPARATOR '')) FROM w19"},
}

// TestAttack19dWideRowsByteCap: the caps counted rows only, and rows of
// 64 KB values held 2.6 MB under a row cap of a million; with
// WithMaxMemoryBytes(512 KB) every statement that holds them is refused
// with the byte cap's error (never a partial result), and under the
// default cap each answers exactly.
func TestAttack19dWideRowsByteCap(t *testing.T) {
	small := newR19dEnv(t, "attack19d_wide", 0, driver.WithMaxMemoryBytes(1<<19))
	ins := "INSERT INTO w19 (id, g, v, b) VALUES "
	for i := 1; i <= 40; i++ {
		if i > 1 {
			ins += ", "
		}
		ins += fmt.Sprintf("(%d, %d, 'v%d', REPEAT('%c', 65536))", i, i%7+1, i, 'a'+i%26)
	}
	_, err := small.oracle.Exec(ins)
	require.NoError(t, err)
	_, err = small.sharded.Exec(ins)
	require.NoError(t, err)
	for _, c := range r19dWide {
		q := c.sql
		var got int
		var err error
		if c.txOnly {
			tx, terr := small.sharded.Begin()
			require.NoError(t, terr)
			got, err = countRows(tx.Query(q))
			_ = tx.Rollback()
		} else {
			got, err = countRows(small.sharded.Query(q))
		}
		if !errors.Is(err, driver.ErrTooLarge) || !strings.Contains(err.Error(), "WithMaxMemoryBytes") {
			t.Errorf("%s under a 512 KB cap: %d rows, err %v; want the byte cap's error", q, got, err)
		}
	}
	// the same statements under the default caps: exact
	e := &r16Env{oracle: small.oracle, sharded: openDB(t, small.topo)}
	for _, c := range r19dWide {
		if out := e.outcome(c.sql, true); out != "exact" {
			t.Errorf("%s: %s", c.sql, out)
		}
	}
}

// countRows reads rows to their end.
func countRows(rows interface {
	Next() bool
	Err() error
	Close() error
}, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// TestAttack19dAbandonedNodeQueriesKilled: node queries still computing
// when their statement is abandoned (its context ended before their
// first row; rows closed after one row of a slow stream) kept running on
// the servers after the client cut their sockets. They are now killed:
// none is left running.
func TestAttack19dAbandonedNodeQueriesKilled(t *testing.T) {
	e := newR19dEnv(t, "attack19d_kill", 40000)
	t.Cleanup(func() { e.killLeft(t) })
	for _, c := range []struct {
		sql   string
		close bool // close after the first row (else: a deadline before it)
	}{
		{sql: "SELECT COUNT(*) FROM w19 WHERE BENCHMARK(20000, MD5(v)) = 0"},
		{sql: "SELECT g, COUNT(*) FROM w19 WHERE BENCHMARK(20000, MD5(v)) = 0 GROUP BY g"},
		{sql: "SELECT id, REPEAT(v, 4000) FROM w19 WHERE BENCHMARK(3000, MD5(v)) = 0", close: true},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		if c.close {
			cancel()
			ctx, cancel = context.WithCancel(context.Background())
		}
		rows, err := e.sharded.QueryContext(ctx, c.sql)
		if err == nil {
			if c.close {
				require.True(t, rows.Next(), c.sql)
			} else {
				for rows.Next() {
				}
			}
			err = rows.Err()
			_ = rows.Close()
		}
		cancel()
		if !c.close {
			require.ErrorIs(t, err, context.DeadlineExceeded, c.sql)
		}
		left := e.running(t)
		for i := 0; i < 100 && len(left) > 0; i++ {
			time.Sleep(100 * time.Millisecond)
			left = e.running(t)
		}
		if len(left) > 0 {
			t.Errorf("%s: abandoned, still running on the nodes 10 s later: %q", c.sql, left)
			e.killLeft(t)
		}
	}
	// the pools answer exactly after
	var n int
	require.NoError(t, e.sharded.QueryRow("SELECT COUNT(*) FROM w19").Scan(&n))
	require.Equal(t, 40000, n)
}
