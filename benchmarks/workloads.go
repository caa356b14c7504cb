package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardsql/shardsql/driver"
)

// workload is one kind of statement, run again and again by each worker.
type workload struct {
	name  string
	sql   string
	about string
	write bool
	// args returns the next execution's arguments.
	args func(w *worker) []any
	// want checks a read's result (nil: anything goes).
	want func(rows int, n int) error
	// canon selects what the cross-layout check compares: the columns
	// (nil: all) and whether row order matters.
	canonCols []int
	ordered   bool
	// custom, if set, runs one execution instead of sql (a mix of
	// statements); the result checks are its own.
	custom func(ctx context.Context, db *sql.DB, w *worker) error
}

// worker is one goroutine's state; nothing in it is shared but seq.
type worker struct {
	rng  *rand.Rand
	rows int
	seq  *atomic.Int64 // next free order_id of the layout's t_order
	args []any
	ops  int // executions so far (a custom workload's mix)
	raw  []sql.RawBytes
	ptrs []any
}

func newWorker(seed uint64, rows int, seq *atomic.Int64) *worker {
	return &worker{rng: rand.New(rand.NewPCG(seed, 0x5eed)), rows: rows, seq: seq, args: make([]any, 0, 500)}
}

// orderID is a random loaded order.
func (w *worker) orderID() int64 { return w.rng.Int64N(int64(w.rows)) + 1 }

func exactly(k int) func(rows, n int) error {
	return func(_, n int) error {
		if n != k {
			return fmt.Errorf("got %d rows, want %d", n, k)
		}
		return nil
	}
}

const batchRows = 100

var (
	batchSQL     = insertSQL("t_order", orderCols, batchRows)
	allWorkloads = []workload{
		{
			name:  "point-select",
			sql:   "SELECT order_id, user_id, amount, status, created FROM t_order WHERE user_id = ? AND order_id = ?",
			about: "one row by its sharding key and primary key",
			args: func(w *worker) []any {
				id := w.orderID()
				return append(w.args[:0], userOf(id, w.rows), id)
			},
			want:    exactly(1),
			ordered: true,
		},
		{
			name:    "scatter-count",
			sql:     "SELECT COUNT(*) FROM t_order",
			about:   "no key: every node counts, the counts are summed",
			want:    exactly(1),
			ordered: true,
		},
		{
			name:  "scatter-top10",
			sql:   "SELECT order_id, user_id, amount FROM t_order ORDER BY amount DESC LIMIT 10",
			about: "no key, no index on amount: every node scans and sends its top 10, merged",
			want:  exactly(10), canonCols: []int{2}, ordered: true,
		},
		{
			name:  "deep-page",
			sql:   "SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT 10000, 10",
			about: "deep page (docs/deep-pages.md): the first execution has each node send the keys of a window of about 10 + 4√(10,000/nodes) rows around position 10,000/nodes, one UNION ALL statement per data source, cuts the page from the windows (a second read only for the nodes whose window misses it) and fetches its rows by their keys; it leaves a position hint, so every later execution (the workload repeats one offset) has each node send its page rows and one row either side (LIMIT hᵢ − 1, kᵢ + 2: 42 full rows at 2 × 8), one UNION ALL per data source, and cuts the page from them in one round trip",
			want: func(rows, n int) error {
				if rows >= 10_010 {
					return exactly(10)(rows, n)
				}
				return nil
			},
			ordered: true,
		},
		{
			name:  "group-by",
			sql:   "SELECT status, COUNT(*), SUM(amount), AVG(amount) FROM t_order GROUP BY status",
			about: "full scan on every node; groups folded across nodes, AVG from SUM and COUNT",
			want:  exactly(len(statuses)),
		},
		{
			name:  "time-range",
			sql:   "SELECT COUNT(*), AVG(latency_ms), MAX(latency_ms) FROM t_log WHERE created >= ? AND created < ?",
			about: "one calendar month of t_log; the monthly layouts prune to that month's table",
			args: func(w *worker) []any {
				from := year2025.AddDate(0, w.rng.IntN(12), 0)
				return append(w.args[:0], from, from.AddDate(0, 1, 0))
			},
			want:    exactly(1),
			ordered: true,
		},
		{
			name:  "update-by-key",
			sql:   "UPDATE t_order SET amount = ? WHERE user_id = ? AND order_id = ?",
			about: "one row by its sharding key and primary key",
			write: true,
			args: func(w *worker) []any {
				id := w.orderID()
				return append(w.args[:0], fmt.Sprintf("%d.%02d", w.rng.IntN(999)+1, w.rng.IntN(100)), userOf(id, w.rows), id)
			},
		},
		{
			name:  "insert",
			sql:   insertSQL("t_order", orderCols, 1),
			about: "one new row",
			write: true,
			args: func(w *worker) []any {
				return orderArgs(w.args[:0], w.seq.Add(1)-1, w.rows)
			},
		},
		{
			name:  "batch-insert-100",
			sql:   "INSERT INTO t_order (" + orderCols + ") VALUES (?, ?, ?, ?, ?), … (100 rows)",
			about: "100 new rows in one statement (QPS counts statements); shardsql splits it per node",
			write: true,
			args: func(w *worker) []any {
				end := w.seq.Add(batchRows)
				a := w.args[:0]
				for id := end - batchRows; id < end; id++ {
					a = orderArgs(a, id, w.rows)
				}
				return a
			},
		},
		joinWorkload, // workload_join.go
	}
)

// statement is the SQL a workload sends (the batch insert's description
// abbreviates it).
func (wl workload) statement() string {
	if wl.name == "batch-insert-100" {
		return batchSQL
	}
	return wl.sql
}

func workloadNames() []string {
	var out []string
	for _, wl := range append(slices.Clone(allWorkloads), replicaWorkloads()...) {
		out = append(out, wl.name)
	}
	return out
}

// selectWorkloads picks the workloads whose names contain one of filter.
func selectWorkloads(filter []string) ([]workload, error) {
	if len(filter) == 0 {
		return allWorkloads, nil
	}
	var out []workload
	for _, wl := range allWorkloads {
		for _, f := range filter {
			if f = strings.TrimSpace(f); f != "" && strings.Contains(wl.name, f) {
				out = append(out, wl)
				break
			}
		}
	}
	if len(out) == 0 && !wantReplica(filter) {
		return nil, fmt.Errorf("-workloads %q matches none of %s", strings.Join(filter, ","), strings.Join(workloadNames(), ", "))
	}
	return out, nil
}

// run executes the workload once on db and checks a read's result.
func (wl workload) run(ctx context.Context, db *sql.DB, w *worker) error {
	if wl.custom != nil {
		return wl.custom(ctx, db, w)
	}
	var args []any
	if wl.args != nil {
		args = wl.args(w)
	}
	q := wl.statement()
	if wl.write {
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := drain(rows, w)
	if err != nil {
		return err
	}
	if wl.want != nil {
		return wl.want(w.rows, n)
	}
	return nil
}

// drain reads every row (without converting the values) and closes rows.
func drain(rows *sql.Rows, w *worker) (int, error) {
	defer rows.Close()
	if w.ptrs == nil {
		cols, err := rows.Columns()
		if err != nil {
			return 0, err
		}
		w.raw = make([]sql.RawBytes, len(cols))
		w.ptrs = make([]any, len(cols))
		for i := range w.raw {
			w.ptrs[i] = &w.raw[i]
		}
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(w.ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// cell is one measurement: a workload on a layout at a concurrency.
type cell struct {
	workload string
	layout   string
	conc     int
	summary
}

// measure runs wl on l with conc workers for d and summarises it.
func measure(ctx context.Context, l *layout, wl workload, rows, conc int, d time.Duration, seed uint64) summary {
	return measureWith(ctx, l, wl, rows, conc, d, seed, nil)
}

// measureWith is measure; keep, if not nil, receives the workers' recorders.
func measureWith(ctx context.Context, l *layout, wl workload, rows, conc int, d time.Duration, seed uint64, keep func([]*recorder)) summary {
	recs := make([]*recorder, conc)
	capacity := 1 << 12
	if d > time.Second {
		capacity = 1 << 14
	}
	workers := make([]*worker, conc)
	for i := range conc {
		recs[i] = newRecorder(capacity)
		workers[i] = newWorker(seed*1000+uint64(i), rows, l.nextOrder)
	}
	var ready, done sync.WaitGroup
	ready.Add(conc)
	done.Add(conc)
	startGate := make(chan struct{})
	var deadline time.Time
	for i := range conc {
		go func() {
			defer done.Done()
			w, rec := workers[i], recs[i]
			ready.Done()
			<-startGate
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.After(deadline) {
					return
				}
				err := wl.run(ctx, l.db, w)
				rec.record(time.Since(t0), err)
			}
		}()
	}
	ready.Wait()
	start := time.Now()
	deadline = start.Add(d)
	close(startGate)
	done.Wait()
	elapsed := time.Since(start)
	if keep != nil {
		keep(recs)
	}
	return summarize(recs, elapsed)
}

// measureAll runs every workload on every layout at every concurrency,
// layouts interleaved per workload so their comparison is close in time.
func measureAll(ctx context.Context, cfg config, layouts []*layout, workloads []workload) ([]cell, error) {
	var cells []cell
	fmt.Fprintf(cfg.Stdout, "\n%-17s %-16s %5s %10s %10s %10s %10s %7s\n", "workload", "layout", "conc", "QPS", "p50", "p95", "p99", "errors")
	seed := uint64(1)
	for _, wl := range workloads {
		for _, l := range layouts {
			if cfg.Warmup > 0 {
				measure(ctx, l, wl, cfg.Rows, cfg.Concurrency[0], cfg.Warmup, seed)
				seed++
			}
			for _, c := range cfg.Concurrency {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				s := measure(ctx, l, wl, cfg.Rows, c, cfg.Duration, seed)
				seed++
				cells = append(cells, cell{workload: wl.name, layout: l.name, conc: c, summary: s})
				fmt.Fprintf(cfg.Stdout, "%-17s %-16s %5d %10.0f %10s %10s %10s %7d\n", wl.name, l.name, c, s.qps, ms(s.p50), ms(s.p95), ms(s.p99), s.errs)
				if s.firstErr != "" {
					fmt.Fprintf(cfg.Stderr, "  first error: %s\n", s.firstErr)
				}
			}
		}
	}
	return cells, nil
}

func fmtRatios(r []float64) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = fmt.Sprintf("%.3f", v)
	}
	return strings.Join(parts, " ")
}

// probe is what inspect learned about a workload on a layout.
type probe struct {
	units   int    // physical statements per execution (0: not through shardsql)
	err     string // Explain or execution error
	explain string // the server's EXPLAIN (plain-single reads only)
}

// inspect asks shardsql how many physical statements each workload runs
// on each layout, and runs each read once on every layout with the same
// arguments, comparing the results with plain-single's.
func inspect(ctx context.Context, layouts []*layout, workloads []workload, rows int) (map[string]map[string]probe, []string) {
	units := map[string]map[string]probe{}
	var mismatches []string
	for _, wl := range workloads {
		units[wl.name] = map[string]probe{}
		var want string
		for _, l := range layouts {
			seq := new(atomic.Int64)
			seq.Store(int64(rows) + 1)
			w := newWorker(42, rows, seq)
			var args []any
			if wl.args != nil {
				args = slices.Clone(wl.args(w))
			}
			p := probe{}
			if l.viaShard {
				plan, err := driver.Explain(ctx, l.db, wl.statement(), args...)
				if err != nil {
					p.err = err.Error()
				} else {
					p.units = len(plan.Units)
				}
			}
			if !wl.write && !l.viaShard {
				p.explain = serverPlan(ctx, l.db, wl.statement(), args)
			}
			if !wl.write {
				got, err := canonical(ctx, l.db, wl, args)
				switch {
				case err != nil:
					if p.err == "" {
						p.err = err.Error()
					}
				case l.name == layoutPlain:
					want = got
				case got != want:
					mismatches = append(mismatches, fmt.Sprintf("%s on %s returned\n%s\nwhere %s returned\n%s", wl.name, l.name, got, layoutPlain, want))
				}
			}
			units[wl.name][l.name] = p
		}
	}
	return units, mismatches
}

// serverPlan summarises the server's EXPLAIN of a statement.
func serverPlan(ctx context.Context, db *sql.DB, query string, args []any) string {
	rows, err := db.QueryContext(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		return "EXPLAIN failed: " + err.Error()
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return ""
	}
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var lines []string
	for rows.Next() {
		if rows.Scan(ptrs...) != nil {
			return ""
		}
		var parts []string
		for i, c := range cols {
			switch strings.ToLower(c) {
			case "type", "key", "rows", "extra":
				if len(raw[i]) > 0 {
					parts = append(parts, strings.ToLower(c)+"="+string(raw[i]))
				}
			}
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "; ")
}

// canonical runs a read once and renders its result for comparison.
func canonical(ctx context.Context, db *sql.DB, wl workload, args []any) (string, error) {
	rows, err := db.QueryContext(ctx, wl.statement(), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		var parts []string
		for i, v := range raw {
			if wl.canonCols == nil || slices.Contains(wl.canonCols, i) {
				parts = append(parts, string(v))
			}
		}
		lines = append(lines, strings.Join(parts, " | "))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if !wl.ordered {
		slices.Sort(lines)
	}
	if len(lines) == 0 {
		return "", errors.New("no rows")
	}
	return strings.Join(lines, "\n"), nil
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0fms", v)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}
