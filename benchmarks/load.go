package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Rows are generated from their number, so every layout holds the same data.

var statuses = []string{"new", "paid", "shipped", "delivered", "cancelled"}

// mix is splitmix64's finaliser: a cheap, well-spread hash of i.
func mix(i uint64) uint64 {
	i += 0x9e3779b97f4a7c15
	i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9
	i = (i ^ (i >> 27)) * 0x94d049bb133111eb
	return i ^ (i >> 31)
}

// users is how many distinct user_id values rows orders spread over
// (about 10 orders per user).
func users(rows int) int64 { return max(1, int64(rows)/10) }

// userOf is the user_id of order id.
func userOf(id int64, rows int) int64 { return int64(mix(uint64(id))%uint64(users(rows))) + 1 }

var year2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// orderArgs appends the values of order id: order_id, user_id, amount, status, created.
func orderArgs(args []any, id int64, rows int) []any {
	h := mix(uint64(id) ^ 0x5bd1e995)
	cents := h%99_900 + 100 // 1.00 .. 999.99
	return append(args, id, userOf(id, rows), fmt.Sprintf("%d.%02d", cents/100, cents%100),
		statuses[(h>>20)%uint64(len(statuses))], year2025.Add(time.Duration(h>>40%(365*24*3600))*time.Second))
}

var levels = []string{"INFO", "INFO", "INFO", "WARN", "ERROR"}

// logArgs appends the values of log row i of n (0-based); rows are spread
// evenly over 2025: id, created, level, latency_ms, msg.
func logArgs(args []any, i int64, n int) []any {
	h := mix(uint64(i) ^ 0x27d4eb2f)
	step := 365 * 24 * time.Hour / time.Duration(n)
	return append(args, i+1, year2025.Add(time.Duration(i)*step).Truncate(time.Second),
		levels[h%uint64(len(levels))], int64(h>>16%2000), fmt.Sprintf("request %d done", h>>32))
}

const (
	orderCols = "order_id, user_id, amount, status, created"
	logCols   = "id, created, level, latency_ms, msg"
)

// insertSQL is a multi-row INSERT of n rows of 5 columns.
func insertSQL(table, cols string, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?)")
	}
	return sb.String()
}

// loadResult is one table's load into one layout.
type loadResult struct {
	layout  string
	table   string
	rows    int
	elapsed time.Duration
}

func (r loadResult) rate() float64 { return float64(r.rows) / r.elapsed.Seconds() }

// loadAll loads t_order and t_log into every layout that has its own tables.
func loadAll(ctx context.Context, cfg config, layouts []*layout) ([]loadResult, error) {
	var out []loadResult
	for _, l := range layouts {
		if l.loadVia == nil {
			continue
		}
		for _, t := range []struct {
			table, cols string
			gen         func([]any, int64) []any
		}{
			{"t_order", orderCols, func(a []any, i int64) []any { return orderArgs(a, i+1, cfg.Rows) }},
			{"t_log", logCols, func(a []any, i int64) []any { return logArgs(a, i, cfg.Rows) }},
		} {
			r, err := load(ctx, cfg, l, t.table, t.cols, t.gen)
			if err != nil {
				return nil, fmt.Errorf("load %s into %s: %w", t.table, l.name, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// load inserts cfg.Rows rows in batches of cfg.BatchSize with
// cfg.LoadWorkers parallel workers, printing progress to cfg.Stderr.
func load(ctx context.Context, cfg config, l *layout, table, cols string, gen func([]any, int64) []any) (loadResult, error) {
	batch := max(1, min(cfg.BatchSize, cfg.Rows))
	batches := (cfg.Rows + batch - 1) / batch
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, cfg.LoadWorkers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	full := insertSQL(table, cols, batch)
	for w := range cfg.LoadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := make([]any, 0, 5*batch)
			for {
				b := int(next.Add(1)) - 1
				if b >= batches || ctx.Err() != nil {
					return
				}
				lo, hi := b*batch, min((b+1)*batch, cfg.Rows)
				args = args[:0]
				for i := lo; i < hi; i++ {
					args = gen(args, int64(i))
				}
				q := full
				if hi-lo != batch {
					q = insertSQL(table, cols, hi-lo)
				}
				if _, err := l.loadVia.ExecContext(ctx, q, args...); err != nil {
					errs[w] = err
					cancel()
					return
				}
				done.Add(int64(hi - lo))
			}
		}()
	}
	stop := make(chan struct{})
	var pw sync.WaitGroup
	pw.Add(1)
	go func() {
		defer pw.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				n := done.Load()
				el := time.Since(start).Seconds()
				fmt.Fprintf(cfg.Stderr, "load %-16s %-7s %9d / %d rows (%3.0f%%), %6.0f rows/s\n",
					l.name, table, n, cfg.Rows, 100*float64(n)/float64(cfg.Rows), float64(n)/el)
			}
		}
	}()
	wg.Wait()
	close(stop)
	pw.Wait()
	for _, err := range errs {
		if err != nil {
			return loadResult{}, err
		}
	}
	r := loadResult{layout: l.name, table: table, rows: cfg.Rows, elapsed: time.Since(start)}
	fmt.Fprintf(cfg.Stderr, "load %-16s %-7s %9d rows in %s, %.0f rows/s\n", l.name, table, r.rows, r.elapsed.Round(time.Millisecond), r.rate())
	n, err := countRows(ctx, l.loadVia, table)
	if err != nil {
		return r, fmt.Errorf("count after load: %w", err)
	}
	if n != int64(cfg.Rows) {
		return r, fmt.Errorf("SELECT COUNT(*) FROM %s says %d rows after loading %d", table, n, cfg.Rows)
	}
	return r, nil
}

// countRows counts a table's rows (through shardsql: across its nodes).
func countRows(ctx context.Context, db *sql.DB, table string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	return n, err
}
