package driver_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
)

func TestAttack18aOpenRowsProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18_OPEN") == "" {
		t.Skip()
	}
	e := newR18aEnv(t, "attack18a_open")
	defer e.closeConns()
	for _, tc := range []struct{ first, second string }{
		{"SELECT id, n FROM t18 ORDER BY id", "UPDATE t18 SET n = n + 1"},
		{"SELECT id, n FROM t18 ORDER BY id", "UPDATE t18 SET n = n + 1 WHERE id = 3"},
		{"SELECT id, n FROM t18 WHERE id = 1", "UPDATE t18 SET n = n + 1 WHERE id = 3"},
		{"SELECT id, n FROM t18 WHERE id = 1", "UPDATE t18 SET n = n + 1 WHERE id = 1"},
		{"SELECT id, n FROM t18 ORDER BY id", "SAVEPOINT a"},
		{"SELECT id, n FROM t18 ORDER BY id", "INSERT INTO u18 (n) VALUES (5)"},
		{"SELECT id, n FROM u18 ORDER BY id", "UPDATE t18 SET n = n + 1"},
		{"SELECT id, n FROM t18 ORDER BY id FOR UPDATE", "UPDATE t18 SET n = n + 1"},
		{"SELECT id, n FROM t18 ORDER BY id", "SELECT id, n FROM t18 ORDER BY id"},
	} {
		for _, side := range []string{"sharded"} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			conn := e.oc
			if side == "sharded" {
				conn = e.sc
			}
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := tx.QueryContext(ctx, tc.first)
			if err != nil {
				t.Fatal(err)
			}
			rows.Next() // one row read, the rest open
			var res string
			if r2, err2 := tx.QueryContext(ctx, tc.second); err2 != nil {
				res = "second: " + err2.Error()
			} else {
				n := 0
				for r2.Next() {
					n++
				}
				res = "second ok"
				if err := r2.Err(); err != nil {
					res += " err " + err.Error()
				}
				r2.Close()
			}
			n := 1
			for rows.Next() {
				n++
			}
			rerr := rows.Err()
			rows.Close()
			var cerr error
			cerr = tx.Rollback()
			var sum, cnt int
			_ = e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum)
			_ = e.sharded.QueryRowContext(ctx, "SELECT COUNT(*) FROM u18").Scan(&cnt)
			t.Logf("%s | %s | %s: %s; first rows %d err %v; rollback %v; after: sum %d u18 %d", side, tc.first, tc.second, res, n, rerr, cerr, sum, cnt)
			cancel()
		}
	}
}

func TestAttack18aXAProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18_OPEN") == "" {
		t.Skip()
	}
	e := newR18aEnv(t, "attack18a_xa", driver.WithXA())
	defer e.closeConns()
	ctx := context.Background()
	tx, err := e.sc.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1 WHERE id = 8")
	t.Logf("update: %v", err)
	_, err = tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS w18x (a INT)")
	t.Logf("ddl: %v", err)
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1 WHERE id = 3")
	t.Logf("update 2: %v", err)
	t.Logf("rollback: %v", tx.Rollback())
	var sum int
	_ = e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&sum)
	t.Logf("sum %d", sum)
}

func TestAttack18aSmallPoolsProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18_OPEN") == "" {
		t.Skip()
	}
	e := newR18aEnv(t, "attack18a_pools", driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(5*time.Second))
	e.closeConns()
	e.sharded.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tx, err := e.sharded.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, n FROM t18 ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	t.Logf("update with rows open: %v", err)
	rows.Close()
	_, err = tx.ExecContext(ctx, "UPDATE t18 SET n = n + 1")
	t.Logf("update: %v", err)
	done := make(chan error, 1)
	go func() {
		var s int
		done <- e.sharded.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&s)
		t.Logf("other session sum %d", s)
	}()
	var s int
	err = tx.QueryRowContext(ctx, "SELECT SUM(n) FROM t18").Scan(&s)
	t.Logf("tx sum %d %v", s, err)
	t.Logf("commit %v", tx.Commit())
	t.Logf("other: %v", <-done)
}
