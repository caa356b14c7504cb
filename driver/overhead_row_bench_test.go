package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The report's point select (benchmarks/workloads.go): five columns of
// the report's t_order (DECIMAL, VARCHAR, DATETIME with parseTime) read
// with QueryContext into sql.RawBytes under a context that can end, as
// `go run ./benchmarks` reads them. BenchmarkOverheadPointSelect reads one
// DECIMAL with QueryRow under context.Background() and its figures
// differ from the report's: this one measures what the report measures,
// with -cpuprofile and -memprofile.
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench OverheadReportRow -benchmem ./driver

var reportRow struct {
	once           sync.Once
	err            error
	plain, sharded *sql.DB
	// single is shardsql over a topology of the one data source and no
	// sharded table: t_rplain passed through (the report's
	// shardsql-single).
	single *sql.DB
}

// reportRowDBs returns a plain pool and a shardsql pool (t_rorder over 8
// tables) on the overhead benchmarks' server, with parseTime on.
func reportRowDBs(b *testing.B) (plain, sharded *sql.DB) {
	overheadDBs(b) // the server
	reportRow.once.Do(func() {
		dsn := overhead.dsn + "&parseTime=true"
		plainDB, err := sql.Open("mysql", dsn)
		if err != nil {
			reportRow.err = err
			return
		}
		topo := shard.NewTopology()
		_ = topo.AddDataSource("ds0", dsn)
		_ = topo.AddTable(shard.Table{Name: "t_rorder", Column: "user_id", Nodes: "ds0.t_rorder_${0..7}", Algorithm: shard.Hash()})
		c, err := driver.NewConnector(topo)
		if err != nil {
			reportRow.err = err
			return
		}
		shardedDB := sql.OpenDB(c)
		single := shard.NewTopology()
		_ = single.AddDataSource("ds0", dsn)
		sc, err := driver.NewConnector(single)
		if err != nil {
			reportRow.err = err
			return
		}
		singleDB := sql.OpenDB(sc)
		for _, db := range []*sql.DB{plainDB, shardedDB, singleDB} {
			db.SetMaxOpenConns(32)
			db.SetMaxIdleConns(32)
		}
		ddl := "CREATE TABLE %s (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL, created DATETIME NOT NULL, KEY idx_user (user_id))"
		for _, t := range []struct {
			db   *sql.DB
			name string
		}{{plainDB, "t_rplain"}, {shardedDB, "t_rorder"}} {
			if _, err := t.db.Exec(fmt.Sprintf(ddl, t.name)); err != nil {
				reportRow.err = err
				return
			}
			for start := 0; start < overheadRows; start += 1000 {
				var sb strings.Builder
				for i := start; i < start+1000; i++ {
					if i > start {
						sb.WriteString(",")
					}
					fmt.Fprintf(&sb, "(%d, %d, %d.50, 'paid', '2026-01-02 03:04:05')", i, i, i%100)
				}
				if _, err := t.db.Exec("INSERT INTO " + t.name + " (order_id, user_id, amount, status, created) VALUES " + sb.String()); err != nil {
					reportRow.err = err
					return
				}
			}
		}
		reportRow.plain, reportRow.sharded, reportRow.single = plainDB, shardedDB, singleDB
	})
	if reportRow.err != nil {
		b.Fatal(reportRow.err)
	}
	return reportRow.plain, reportRow.sharded
}

// BenchmarkOverheadReportRow: the report's point select through the
// plain driver on one table and through shardsql on 8, at concurrency 1
// and 16.
func BenchmarkOverheadReportRow(b *testing.B) { runReportBench(b, benchReportRow) }

// BenchmarkOverheadReportRowOwnCtx is BenchmarkOverheadReportRow with a
// context of its own per statement (context.WithTimeout, cancelled after
// the rows are read), as a per-call timeout makes: the Conn's context
// registration is not kept across statements then (cut_keep.go).
func BenchmarkOverheadReportRowOwnCtx(b *testing.B) {
	runReportBench(b, func(b *testing.B, db *sql.DB, table string, parallelism int) {
		benchReportRowCtx(b, db, table, parallelism, true)
	})
}

// runReportBench runs bench through the plain driver on t_rplain and
// through shardsql on t_rorder, at concurrency 1 and 16.
func runReportBench(b *testing.B, bench func(b *testing.B, db *sql.DB, table string, parallelism int)) {
	for _, c := range []struct {
		name string
		par  int
	}{{"c1", 1}, {"c16", 8}} {
		b.Run("plain/"+c.name, func(b *testing.B) {
			plain, _ := reportRowDBs(b)
			bench(b, plain, "t_rplain", c.par)
		})
		b.Run("shardsql-sharded/"+c.name, func(b *testing.B) {
			_, sharded := reportRowDBs(b)
			bench(b, sharded, "t_rorder", c.par)
		})
		b.Run("shardsql-single/"+c.name, func(b *testing.B) {
			reportRowDBs(b)
			bench(b, reportRow.single, "t_rplain", c.par)
		})
	}
}

func benchReportRow(b *testing.B, db *sql.DB, table string, parallelism int) {
	benchReportRowCtx(b, db, table, parallelism, false)
}

// benchReportRowCtx runs the report's point select under one context that
// can end, or (own) under a context of its own per statement.
func benchReportRowCtx(b *testing.B, db *sql.DB, table string, parallelism int, own bool) {
	q := "SELECT order_id, user_id, amount, status, created FROM " + table + " WHERE user_id = ? AND order_id = ?"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	read := func(k int, raw []sql.RawBytes, ptrs []any) error {
		ctx := ctx
		if own {
			sctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			ctx = sctx
		}
		rows, err := db.QueryContext(ctx, q, k, k)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%d rows for key %d", n, k)
		}
		return nil
	}
	buffers := func() ([]sql.RawBytes, []any) {
		raw := make([]sql.RawBytes, 5)
		ptrs := make([]any, 5)
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		return raw, ptrs
	}
	b.ReportAllocs()
	defer clientCPU(b)()
	if parallelism == 1 {
		raw, ptrs := buffers()
		i := 0
		for b.Loop() {
			if err := read(i%overheadRows, raw, ptrs); err != nil {
				b.Fatal(err)
			}
			i++
		}
		return
	}
	b.SetParallelism(parallelism)
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		i := next * 7919
		next++
		mu.Unlock()
		raw, ptrs := buffers()
		for pb.Next() {
			if err := read(i%overheadRows, raw, ptrs); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// reportInsertKeys hands out distinct order ids to BenchmarkOverheadReportInsert.
var reportInsertKeys struct {
	sync.Mutex
	next int64
}

// BenchmarkOverheadReportInsert: the report's one-row insert (five
// columns, a time.Time among the arguments, a context that can end)
// through the plain driver on one table and through shardsql on 8, at
// concurrency 1 and 16.
func BenchmarkOverheadReportInsert(b *testing.B) { runReportBench(b, benchReportInsert) }

func benchReportInsert(b *testing.B, db *sql.DB, table string, parallelism int) {
	q := "INSERT INTO " + table + " (order_id, user_id, amount, status, created) VALUES (?, ?, ?, ?, ?)"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	run := func(args []any) error {
		reportInsertKeys.Lock()
		reportInsertKeys.next++
		k := overheadRows + reportInsertKeys.next
		reportInsertKeys.Unlock()
		args = append(args[:0], k, k%1000, "12.34", "paid", created)
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	b.ReportAllocs()
	defer clientCPU(b)()
	if parallelism == 1 {
		args := make([]any, 0, 5)
		for b.Loop() {
			if err := run(args); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(parallelism)
	b.RunParallel(func(pb *testing.PB) {
		args := make([]any, 0, 5)
		for pb.Next() {
			if err := run(args); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
