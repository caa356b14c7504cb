package driver_test

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkOverheadScatter runs a top-10 ORDER BY … LIMIT: on one table
// through the plain driver, and through shardsql as a scatter over 8
// tables with DefaultMaxParallel (8) units of every statement at once
// (WithAdaptiveParallel(false)), with WithMaxParallel(2) and with
// WithAdaptiveParallel (the default), at concurrency 1 and 16.
// Besides ns/op it reports the median and 99th percentile latency (p50-µs,
// p99-µs):
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench OverheadScatter -count 6 ./driver | benchstat -
func BenchmarkOverheadScatter(b *testing.B) {
	for _, c := range []struct {
		name string
		par  int
	}{{"c1", 1}, {"c16", 8}} {
		b.Run("plain/"+c.name, func(b *testing.B) {
			plain, _, _ := overheadDBs(b)
			benchTop10(b, plain, "t_plain", c.par)
		})
		b.Run("shardsql-par8/"+c.name, func(b *testing.B) {
			overheadDBs(b)
			benchTop10(b, overhead.static, "t_order", c.par)
		})
		b.Run("shardsql-par2/"+c.name, func(b *testing.B) {
			overheadDBs(b)
			benchTop10(b, overhead.bounded, "t_order", c.par)
		})
		b.Run("shardsql-adaptive/"+c.name, func(b *testing.B) {
			overheadDBs(b)
			benchTop10(b, overhead.adaptive, "t_order", c.par)
		})
	}
}

func benchTop10(b *testing.B, db *sql.DB, table string, parallelism int) {
	q := "SELECT order_id, amount FROM " + table + " WHERE user_id < ? ORDER BY order_id DESC LIMIT 10"
	ctx := context.Background()
	var mu sync.Mutex
	var lat []time.Duration
	run := func(bound int) ([]time.Duration, error) {
		start := time.Now()
		rows, err := db.QueryContext(ctx, q, bound)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var id int64
			var amount string
			if err := rows.Scan(&id, &amount); err != nil {
				_ = rows.Close()
				return nil, err
			}
			n++
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if n != 10 {
			b.Errorf("%d rows, want 10", n)
		}
		return []time.Duration{time.Since(start)}, nil
	}
	b.ReportAllocs()
	defer clientCPU(b)()
	if parallelism == 1 {
		i := 0
		for b.Loop() {
			d, err := run(100 + i%1000)
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, d...)
			i++
		}
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			i := 0
			for pb.Next() {
				d, err := run(100 + i%1000)
				if err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, d...)
				i++
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
