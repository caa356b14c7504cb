package main

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/shardsql/shardsql/shard"
)

// The overhead comparison: the plain go-sql-driver against shardsql on
// the same data, the one-row statements (point-select, insert) only, in
// alternating rounds (the order rotating each round) so that drift on a
// busy machine hits every driver alike. It runs with interpolateParams
// off (go-sql-driver's default: a server-side prepared statement, three
// round trips per statement) and on (the arguments interpolated by the
// client, one round trip), and records next to QPS the client's CPU time
// and allocations per statement: on a machine whose cores the servers
// and other work share, QPS moves with the servers' share of the CPU, the
// client's own cost per statement does not.

// overheadDrivers are the contenders, plain first: the plain driver on one
// table, shardsql passing the same table through, and shardsql routing
// into 8 tables (the sharded statement the target is about).
var overheadDrivers = []string{layoutPlain, layoutSingle, layoutOneBy8}

// overheadWorkloads are the selected workloads the comparison runs.
func overheadWorkloads(filter []string) []workload {
	wls, err := selectWorkloads(filter)
	if err != nil {
		return nil
	}
	var out []workload
	for _, wl := range wls {
		if wl.name == "point-select" || wl.name == "insert" {
			out = append(out, wl)
		}
	}
	return out
}

// wantOverhead reports whether the overhead comparison runs: with every
// workload, or when point-select or insert is selected.
func wantOverhead(filter []string) bool { return len(overheadWorkloads(filter)) > 0 }

// ratios are one contender's per-round QPS over the plain driver's.
type ratios []float64

// ratio is the median of the per-round ratios: a burst of other work on a
// shared machine hits one round of one driver, and the median ignores it.
func (r ratios) ratio() float64 { return median(r) }

// spread is the ratio of the third to the first quartile of the per-round
// ratios: near 1 when the rounds agree.
func (r ratios) spread() float64 {
	if len(r) < 4 {
		return 1
	}
	s := slices.Sorted(slices.Values(r))
	q1, q3 := s[len(s)/4], s[(3*len(s))/4]
	if q1 == 0 {
		return 0
	}
	return q3 / q1
}

// cost is what a measurement cost the client process.
type cost struct {
	cpu    time.Duration // user + system CPU time of this process
	allocs uint64        // heap allocations
}

// side is one contender's rounds merged.
type side struct {
	driver string
	s      summary
	cost   cost
	rounds ratios // QPS / the plain driver's QPS, per round (nil for the plain driver)
	// cpuDiffs are the contender's client CPU per statement minus the plain
	// driver's in the same round, in µs, per round (nil for the plain
	// driver): a burst of other work on the machine lands in one round of
	// one driver, and the median of the differences ignores it where the
	// difference of the totals does not.
	cpuDiffs []float64
}

// cpuDiff is the median of the per-round client CPU differences to the
// plain driver, in µs per statement.
func (s side) cpuDiff() float64 { return median(s.cpuDiffs) }

// cpuPerStmt is cs's CPU per statement of s, in µs (0 without statements).
func cpuPerStmt(cs cost, s summary) float64 {
	if s.ops == 0 {
		return 0
	}
	return float64(cs.cpu.Nanoseconds()) / 1e3 / float64(s.ops)
}

// cpuPerOp is the client CPU per statement, in µs (0 when not measured).
func (s side) cpuPerOp() float64 {
	if s.s.ops == 0 {
		return 0
	}
	return float64(s.cost.cpu.Microseconds()) / float64(s.s.ops)
}

// allocsPerOp is the heap allocations per statement.
func (s side) allocsPerOp() float64 {
	if s.s.ops == 0 {
		return 0
	}
	return float64(s.cost.allocs) / float64(s.s.ops)
}

// totalRatio is s's QPS over plain's over all rounds.
func (s side) totalRatio(plain side) float64 {
	if plain.s.qps == 0 {
		return 0
	}
	return s.s.qps / plain.s.qps
}

// overhead is one workload at one concurrency with one interpolateParams
// setting: the plain driver and the shardsql contenders.
type overhead struct {
	workload string
	interp   bool
	conc     int
	sides    []side // overheadDrivers' order: plain first
}

// interpName names an interpolateParams setting as the DSN spells it.
func interpName(on bool) string {
	if on {
		return "interpolateParams=true"
	}
	return "interpolateParams=false"
}

// overheadLayouts returns the contenders for one interpolateParams
// setting: the run's own layouts when it is off (their pools use the
// driver's default), new pools on the same databases when it is on. close
// closes what it opened.
func overheadLayouts(cfg config, e *env, layouts []*layout, interp bool) (out []*layout, close func(), err error) {
	var opened []*sql.DB
	close = func() {
		for _, db := range opened {
			_ = db.Close()
		}
	}
	if !interp {
		for _, name := range overheadDrivers {
			out = append(out, layoutByName(layouts, name))
		}
		return out, close, nil
	}
	pool := func(dbName string) (*sql.DB, error) {
		db, err := interpPool(e.dsns[0], dbName, e.poolSize) // replica.go
		if err == nil {
			opened = append(opened, db)
		}
		return db, err
	}
	for _, name := range overheadDrivers {
		base := layoutByName(layouts, name)
		l := *base
		l.physDB, l.loadVia = nil, nil
		switch name {
		case layoutPlain:
			l.db, err = pool(benchDBPrefix + "single")
		case layoutSingle, layoutOneBy8:
			dbName := benchDBPrefix + "single"
			if name == layoutOneBy8 {
				dbName = benchDBPrefix + "1x8"
			}
			var dsn string
			if dsn, err = interpDSN(e.dsns[0], dbName); err != nil {
				break
			}
			topo := shard.NewTopology()
			if err = topo.AddDataSource("ds0", dsn); err != nil {
				break
			}
			if name == layoutOneBy8 {
				if err = addTables(topo, base.orders, base.logs); err != nil {
					break
				}
			}
			if l.db, err = openShardsql(topo, e.poolSize); err == nil {
				opened = append(opened, l.db)
			}
		}
		if err != nil {
			close()
			return nil, nil, fmt.Errorf("overhead, %s with %s: %w", name, interpName(true), err)
		}
		out = append(out, &l)
	}
	return out, close, nil
}

// measureOverhead runs the overhead comparison for every selected one-row
// workload, interpolateParams off and on, at each of cfg.OverheadConc.
func measureOverhead(ctx context.Context, cfg config, e *env, layouts []*layout) ([]overhead, error) {
	var out []overhead
	fmt.Fprintf(cfg.Stdout, "\noverhead: %d alternating rounds of %s per driver, workload, interpolateParams setting and concurrency\n", cfg.OverheadRounds, cfg.OverheadTime)
	seed := uint64(1 << 20)
	for _, interp := range []bool{false, true} {
		contenders, closeAll, err := overheadLayouts(cfg, e, layouts, interp)
		if err != nil {
			return nil, err
		}
		for _, wl := range overheadWorkloads(cfg.Workloads) {
			for _, c := range cfg.OverheadConc {
				o, err := measureOverheadCell(ctx, cfg, contenders, wl, interp, c, &seed)
				if err != nil {
					closeAll()
					return nil, err
				}
				out = append(out, o)
				o.print(cfg)
			}
		}
		closeAll()
	}
	return out, nil
}

// measureOverheadCell alternates the contenders on wl at concurrency c.
func measureOverheadCell(ctx context.Context, cfg config, contenders []*layout, wl workload, interp bool, c int, seed *uint64) (overhead, error) {
	o := overhead{workload: wl.name, interp: interp, conc: c}
	n := len(contenders)
	for _, l := range contenders { // warm the pools and plan caches
		measure(ctx, l, wl, cfg.Rows, c, cfg.Warmup, *seed)
	}
	recs := make([][]*recorder, n)
	elapsed := make([]time.Duration, n)
	costs := make([]cost, n)
	rounds := make([]ratios, n)
	cpuDiffs := make([][]float64, n)
	for r := range cfg.OverheadRounds {
		if err := ctx.Err(); err != nil {
			return o, err
		}
		*seed++
		qps := make([]float64, n)
		cpu := make([]float64, n)
		for k := range n {
			i := (k + r) % n // rotate the order each round
			var rs []*recorder
			var s summary
			var cs cost
			// Labelled for -cpuprofile: go tool pprof -tagfocus
			// 'overhead=point-select/interp=true/c=1/shardsql-1x8'.
			labels := pprof.Labels("overhead", wl.name+"/"+interpName(interp)+"/c="+strconv.Itoa(c)+"/"+contenders[i].name)
			pprof.Do(ctx, labels, func(ctx context.Context) {
				rs, s, cs = measureCost(ctx, contenders[i], wl, cfg.Rows, c, cfg.OverheadTime, *seed)
			})
			recs[i] = append(recs[i], rs...)
			elapsed[i] += s.elapsed
			costs[i].cpu += cs.cpu
			costs[i].allocs += cs.allocs
			qps[i] = s.qps
			cpu[i] = cpuPerStmt(cs, s)
		}
		for i := 1; i < n; i++ {
			if qps[0] > 0 {
				rounds[i] = append(rounds[i], qps[i]/qps[0])
			}
			if cpu[0] > 0 && cpu[i] > 0 {
				cpuDiffs[i] = append(cpuDiffs[i], cpu[i]-cpu[0])
			}
		}
	}
	for i, l := range contenders {
		o.sides = append(o.sides, side{driver: l.name, s: summarize(recs[i], elapsed[i]), cost: costs[i], rounds: rounds[i], cpuDiffs: cpuDiffs[i]})
	}
	return o, nil
}

// measureCost is measureRecs, also returning what the measurement cost
// the client process. The harness's own work (argument generation,
// latency recording, reading rows) is the same for every driver.
func measureCost(ctx context.Context, l *layout, wl workload, rows, conc int, d time.Duration, seed uint64) ([]*recorder, summary, cost) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := cpuTime()
	recs, s := measureRecs(ctx, l, wl, rows, conc, d, seed)
	c1 := cpuTime()
	runtime.ReadMemStats(&m1)
	return recs, s, cost{cpu: c1 - c0, allocs: m1.Mallocs - m0.Mallocs}
}

// measureRecs is measure, also returning the raw recorders for merging.
func measureRecs(ctx context.Context, l *layout, wl workload, rows, conc int, d time.Duration, seed uint64) ([]*recorder, summary) {
	var kept []*recorder
	s := measureWith(ctx, l, wl, rows, conc, d, seed, func(r []*recorder) { kept = r })
	return kept, s
}

// print writes the cell's summary line per contender.
func (o overhead) print(cfg config) {
	fmt.Fprintf(cfg.Stdout, "  %-12s %-23s c=%-3d", o.workload, interpName(o.interp), o.conc)
	for i, s := range o.sides {
		fmt.Fprintf(cfg.Stdout, "  %s %.0f QPS %.1f cpu-µs %.0f allocs", s.driver, s.s.qps, s.cpuPerOp(), s.allocsPerOp())
		if i > 0 {
			fmt.Fprintf(cfg.Stdout, " ratio %.3f cpu %+.1f µs", s.rounds.ratio(), s.cpuDiff())
		}
		if s.s.firstErr != "" {
			fmt.Fprintf(cfg.Stderr, "  %s first error: %s\n", s.driver, s.s.firstErr)
		}
	}
	fmt.Fprintln(cfg.Stdout)
}
