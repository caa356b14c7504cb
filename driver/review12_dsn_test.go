package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12DSNForms: every DSN form a data source can be given in
// either cancels through the socket shardsql dials (cut_conn.go) or keeps
// go-sql-driver's watcher, and in both a context ending mid-statement
// fails the statement at once with the context's error, logs nothing, and
// leaves the pool answering exactly: a point read and a one-unit Exec
// (inside Raw), as interpolated text and as prepared statements, a
// multi-row read and a transaction.
func TestReview12DSNForms(t *testing.T) {
	logs := &lineLog{}
	require.NoError(t, mysql.SetLogger(logs))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime)) })
	db0, plains := review12Env(t, strings.ToLower(t.Name()), func(_ int, b string) string { return b })
	_ = db0
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	socks := make([]string, len(plains))
	for i, p := range plains {
		require.NoError(t, p.QueryRowContext(context.Background(), "SELECT @@socket").Scan(&socks[i]))
	}
	mysql.RegisterDialContext("review12net", func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	t.Cleanup(func() { mysql.DeregisterDialContext("review12net") })

	withParam := func(p string) func(int, string) string {
		return func(_ int, b string) string { return b + "&" + p }
	}
	forms := []struct {
		name string
		dsn  func(int, string) string
	}{
		{"unix socket", func(i int, b string) string {
			cfg, err := mysql.ParseDSN(b)
			require.NoError(t, err)
			cfg.Net, cfg.Addr = "unix", socks[i]
			return cfg.FormatDSN()
		}},
		{"compress", withParam("compress=true")},
		{"timeouts", withParam("timeout=5s&readTimeout=30s&writeTimeout=30s")},
		{"rejectReadOnly", withParam("rejectReadOnly=true")},
		{"checkConnLiveness off", withParam("checkConnLiveness=false")},
		{"maxAllowedPacket", withParam("maxAllowedPacket=1048576")},
		{"multiStatements", withParam("multiStatements=true")},
		{"registered dial", func(_ int, b string) string { return strings.Replace(b, "@tcp(", "@review12net(", 1) }},
	}
	for k, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			// Half the forms run their statements as prepared statements
			// inside Raw (raw_prepared.go), half as interpolated text.
			interp := k%2 == 0
			dsn := f.dsn
			if interp {
				dsn = func(i int, b string) string { return f.dsn(i, b) + "&interpolateParams=true" }
			}
			db := review12Open(t, dsns, dsn)
			dsnFormCheck(t, db, fmt.Sprintf("%s interpolate=%v", f.name, interp), k)
		})
	}
	review12Values(t, plains)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.lines, "go-sql-driver logged nothing")
}

// dsnFormCheck runs TestReview12DSNForms' statements on db.
// Each statement is ended once, by a deadline or a cancel (alternating
// with k).
func dsnFormCheck(t *testing.T, db *sql.DB, name string, k int) {
	t.Helper()
	bg := context.Background()
	read := func(id int64) {
		t.Helper()
		var v string
		require.NoError(t, db.QueryRowContext(bg, "SELECT v FROM t_pk WHERE id = ? AND user_id = ?", id, id%4).Scan(&v), name)
		require.Equal(t, fmt.Sprintf("v%d", id), v, name)
	}
	read(7)
	for _, q := range []string{
		"SELECT SLEEP(5), v FROM t_pk WHERE id = ? AND user_id = ?",
		"UPDATE t_pk SET v = CONCAT('v', id + 0 * SLEEP(5)) WHERE id = ? AND user_id = ?", // the server may finish it: its own value
		"SELECT SLEEP(0.05), v FROM t_pk WHERE id <= ? * 80 AND user_id = ?",              // 20 rows of one node, streamed
	} {
		k++
		for _, cancelled := range []bool{k%2 == 0} {
			ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
			want := context.DeadlineExceeded
			if cancelled {
				ctx, cancel = context.WithCancel(bg)
				time.AfterFunc(150*time.Millisecond, cancel)
				want = context.Canceled
			}
			start := time.Now()
			var err error
			if strings.HasPrefix(q, "SELECT") {
				var rows *sql.Rows
				if rows, err = db.QueryContext(ctx, q, 5, 1); err == nil {
					for rows.Next() {
					}
					err = rows.Err()
					_ = rows.Close()
				}
			} else {
				_, err = db.ExecContext(ctx, q, 5, 1)
			}
			cancel()
			require.Error(t, err, "%s: %s", name, q)
			assert.True(t, errors.Is(err, want), "%s: %s: %v", name, q, err)
			assert.Less(t, time.Since(start), 3*time.Second, "%s: %s: ends with its context", name, q)
			read(5)
		}
	}
	res, err := db.ExecContext(bg, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", "v9", 9, 1)
	require.NoError(t, err, name)
	n, err := res.RowsAffected()
	require.NoError(t, err, name)
	require.Zero(t, n, name)
	tx, err := db.BeginTx(bg, nil)
	require.NoError(t, err, name)
	for _, id := range []int64{2, 3} {
		_, err := tx.ExecContext(bg, "UPDATE t_pk SET v = ? WHERE id = ? AND user_id = ?", fmt.Sprintf("v%d", id), id, id%4)
		require.NoError(t, err, name)
	}
	require.NoError(t, tx.Commit(), name)
	read(3)
	require.Zero(t, db.Stats().InUse, name)
}
