//go:build linux

package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestDeepPageRawShapes measures, without shardsql, what MariaDB spends on
// the shapes a hinted deep page can send per data source (docs/deep-pages.md
// "Round 10"): the benchmark's page (2 servers × 8 tables, 100,000 rows,
// ORDER BY order_id LIMIT 10000, 10) read from windows of 7 rows a node
// placed where the page is, as
//
//   - one parenthesised UNION ALL of 8 tagged branches per server (today),
//   - one multi-statement round trip of 8 statements per server
//     (multiStatements=true, the result sets read with NextResultSet),
//   - 8 statements one after another per server,
//
// beside the one table. It prints the servers' and the client's CPU per
// page (one page after another), the session status counters one page
// moves on each server, and the throughput at concurrency 8 with the
// shapes taking turns. It only runs with SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageRawShapes -v
func TestDeepPageRawShapes(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	ctx := context.Background()
	_, dsns, _, single := loadDeepProfile(t)
	var first int64
	require.NoError(t, single.QueryRowContext(ctx, "SELECT order_id FROM t_single ORDER BY order_id LIMIT 10000, 1").Scan(&first))
	plain := make([]*sql.DB, len(dsns))
	multi := make([]*sql.DB, len(dsns))
	for i, dsn := range dsns {
		plain[i] = openPlain(t, dsn)
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err)
		cfg.MultiStatements = true
		multi[i] = openPlain(t, cfg.FormatDSN())
		plain[i].SetMaxIdleConns(64)
		multi[i].SetMaxIdleConns(64)
	}
	var winN func(limits bool, cols string, before, rows int) [][]string
	// Each node's rows before the page: its hinted window starts 2 rows
	// before them and reads 7 (what the predictor asks for at 16 nodes).
	win := func(limits bool, cols string) [][]string { return winN(limits, cols, 2, 7) }
	_ = win
	winN = func(limits bool, cols string, before, rows int) [][]string {
		out := make([][]string, len(dsns))
		for s := range dsns {
			for n := range 8 {
				tbl := fmt.Sprintf("t_order_%d", n)
				var h int
				require.NoError(t, plain[s].QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tbl+" WHERE order_id < ?", first).Scan(&h))
				o := max(0, h-before)
				q := fmt.Sprintf("select %s from %s order by order_id asc limit %d, %d", cols, tbl, o, rows)
				if !limits {
					q = fmt.Sprintf("select %s from %s where order_id >= %d order by order_id asc limit %d", cols, tbl, first, rows)
				}
				out[s] = append(out[s], q)
			}
		}
		return out
	}
	const cols = "order_id, user_id, amount"
	stmts := win(true, cols)
	unionOf := func(stmts [][]string, tagged bool) []string {
		out := make([]string, len(stmts))
		for s, qs := range stmts {
			var b []string
			for n, q := range qs {
				if tagged {
					q = strings.Replace(q, "select ", fmt.Sprintf("select %d as __shardsql_u, ", s*8+n), 1)
				}
				b = append(b, "("+q+")")
			}
			out[s] = strings.Join(b, " union all ")
		}
		return out
	}
	union := func(tagged bool) []string { return unionOf(stmts, tagged) }
	unions := union(true)
	batches := make([]string, len(stmts))
	for s, qs := range stmts {
		batches[s] = strings.Join(qs, "; ")
	}
	readAll := func(rows *sql.Rows) {
		cs, err := rows.Columns()
		require.NoError(t, err)
		dst := make([]any, len(cs))
		for i := range dst {
			dst[i] = new(sql.RawBytes)
		}
		for {
			for rows.Next() {
				require.NoError(t, rows.Scan(dst...))
			}
			if !rows.NextResultSet() {
				break
			}
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	perServer := func(dbs []*sql.DB, qs []string) func() {
		return func() {
			for s, q := range qs {
				rows, err := dbs[s].QueryContext(ctx, q)
				require.NoError(t, err)
				readAll(rows)
			}
		}
	}
	separate := func() {
		for s, qs := range stmts {
			for _, q := range qs {
				rows, err := plain[s].QueryContext(ctx, q)
				require.NoError(t, err)
				readAll(rows)
			}
		}
	}
	shapes := []struct {
		name string
		page func()
	}{
		{"one table", func() {
			rows, err := single.QueryContext(ctx, "SELECT order_id, user_id, amount FROM t_single ORDER BY order_id LIMIT 10000, 10")
			require.NoError(t, err)
			readAll(rows)
		}},
		{"union, tagged", perServer(plain, unions)},
		{"union, untagged", perServer(plain, union(false))},
		{"multi-statement", perServer(multi, batches)},
		{"separate", separate},
		{"union keyset (no walk)", perServer(plain, unionOf(winN(false, cols, 0, 7), true))},
		{"union, 3-row windows", perServer(plain, unionOf(winN(true, cols, 1, 3), true))},
		{"union, 1-row windows", perServer(plain, unionOf(winN(true, cols, 0, 1), true))},
		{"union, 7 rows, keys only", perServer(plain, unionOf(winN(true, "order_id", 2, 7), true))},
	}
	for _, s := range shapes {
		for range 30 {
			s.page()
		}
	}
	// The session status one page moves, per server 0.
	conn, err := plain[0].Conn(ctx)
	require.NoError(t, err)
	mconn, err := multi[0].Conn(ctx)
	require.NoError(t, err)
	status := func(c *sql.Conn) map[string]int64 {
		rows, err := c.QueryContext(ctx, "SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_%' OR Variable_name LIKE 'Created_tmp%' OR Variable_name LIKE 'Select_%' OR Variable_name LIKE 'Sort_%' OR Variable_name IN ('Com_select','Rows_sent','Bytes_sent','Bytes_received','Questions','Opened_tables','Table_open_cache_hits')")
		require.NoError(t, err)
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var k string
			var v int64
			require.NoError(t, rows.Scan(&k, &v))
			m[k] = v
		}
		return m
	}
	for _, x := range []struct {
		name string
		c    *sql.Conn
		q    string
	}{{"union", conn, unions[0]}, {"multi-statement", mconn, batches[0]}} {
		status(x.c)
		b := status(x.c)
		rows, err := x.c.QueryContext(ctx, x.q)
		require.NoError(t, err)
		readAll(rows)
		a := status(x.c)
		var ks []string
		for k, v := range a {
			// minus one SHOW STATUS's own share (measured between two SHOWs)
			if v != b[k] {
				ks = append(ks, fmt.Sprintf("%s=%d", k, v-b[k]))
			}
		}
		sort.Strings(ks)
		t.Logf("%s on server 0 (including one SHOW STATUS): %s", x.name, strings.Join(ks, " "))
	}
	base := status(conn)
	a := status(conn)
	var ks []string
	for k, v := range a {
		if v != base[k] {
			ks = append(ks, fmt.Sprintf("%s=%d", k, v-base[k]))
		}
	}
	sort.Strings(ks)
	t.Logf("one SHOW STATUS alone: %s", strings.Join(ks, " "))
	require.NoError(t, conn.Close())
	require.NoError(t, mconn.Close())

	for round := range rawRounds() {
		for _, s := range shapes {
			const n = 400
			s0, c0 := serverCPU(t), cpuTime()
			for range n {
				s.page()
			}
			t.Logf("round %d %-24s server CPU %8v client CPU %8v per page (load %s)", round, s.name, (serverCPU(t)-s0)/n, (cpuTime()-c0)/n, loadAvg())
		}
	}
	// Throughput at concurrency 8, the shapes taking turns in 300 ms slices.
	counts := make([]int, len(shapes))
	for range 6 {
		for i, s := range shapes {
			deadline := time.Now().Add(300 * time.Millisecond)
			done := make(chan int)
			for range 8 {
				go func() {
					n := 0
					for time.Now().Before(deadline) {
						s.page()
						n++
					}
					done <- n
				}()
			}
			for range 8 {
				counts[i] += <-done
			}
		}
	}
	for i, s := range shapes {
		q := float64(counts[i]) / 1.8
		t.Logf("%-24s %6.0f QPS at 8 (%.2f× the one table; load %s)", s.name, q, q/(float64(counts[0])/1.8), loadAvg())
	}
}

// rawRounds is DEEP_ROUNDS, else 3.
func rawRounds() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("DEEP_ROUNDS"), &n); err != nil || n < 1 {
		return 3
	}
	return n
}

// TestDeepPageCPUConcurrent measures the CPU a deep page costs the
// servers and the client at concurrency 8 (where the benchmark's two CPUs
// are the limit), against the one table: each runs for 300 ms slices in
// turn, DEEP_ROUNDS rounds, and the CPU of each slice (the mariadbd
// processes' from /proc, this process's from getrusage) is divided by the
// pages it read. It only runs with SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageCPUConcurrent -v
func TestDeepPageCPUConcurrent(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	_, _, sharded, single := loadDeepProfile(t)
	const q = "SELECT order_id, user_id, amount FROM %s ORDER BY order_id LIMIT 10000, 10"
	dbs := []*sql.DB{single, sharded}
	qs := []string{fmt.Sprintf(q, "t_single"), fmt.Sprintf(q, "t_order")}
	names := []string{"one table", "deep page 2x8"}
	for i := range dbs {
		dbs[i].SetMaxIdleConns(64)
		for range 50 {
			_, err := runDiffQuery(dbs[i], qs[i])
			require.NoError(t, err)
		}
	}
	const conc = 8
	pages := make([]int, len(dbs))
	srv := make([]time.Duration, len(dbs))
	cl := make([]time.Duration, len(dbs))
	for range rawRounds() {
		for i := range dbs {
			s0, c0 := serverCPU(t), cpuTime()
			deadline := time.Now().Add(300 * time.Millisecond)
			done := make(chan int)
			for range conc {
				go func() {
					n := 0
					for time.Now().Before(deadline) {
						if _, err := runDiffQuery(dbs[i], qs[i]); err != nil {
							t.Error(err)
							break
						}
						n++
					}
					done <- n
				}()
			}
			for range conc {
				pages[i] += <-done
			}
			srv[i] += serverCPU(t) - s0
			cl[i] += cpuTime() - c0
		}
	}
	for i := range dbs {
		n := time.Duration(pages[i])
		t.Logf("%-14s at %d: %6.0f QPS, server CPU %8v client CPU %8v per page (load %s)", names[i], conc, float64(pages[i])/(0.3*float64(rawRounds())), srv[i]/n, cl[i]/n, loadAvg())
	}
	st, _ := driver.Stats(context.Background(), sharded)
	t.Logf("hinted %d, misses %d", st.DeepHinted, st.DeepHintMisses)
}
