// Command benchmarks compares one table with sharded tables on real
// MariaDB servers, and shardsql with the plain go-sql-driver on the same
// table.
//
// It loads the same rows into four layouts — one table through the plain
// driver, the same table through shardsql (which passes tables it does not
// know through), 8 tables on one server and 2 servers × 8 tables through
// shardsql — runs each workload at each concurrency for a fixed time, and
// writes a markdown report with SVG charts:
//
//	go run ./benchmarks                          # 2 throwaway mariadbd servers, defaults
//	go run ./benchmarks -rows 10000000 -duration 10s -dsn 'u:p@tcp(h1:3306)/x' -dsn 'u:p@tcp(h2:3306)/x'
//	go run ./benchmarks -quick                   # a few hundred rows, 100ms per cell
//
// The defaults (100,000 rows, concurrency 1, 8 and 32, 1s per cell) finish
// in three to five minutes on a 2-core machine; a cell lasts at least as long
// as its slowest statement, which for full scans at concurrency 32 is
// seconds. 10M rows and more work; loading
// runs at the servers' insert rate (tens of thousands of rows a second on
// small machines), so expect minutes per layout, and give the servers an
// InnoDB buffer pool that holds the data.
//
// With -dsn the command creates (dropping them first if they exist) the
// databases shardsql_bench_single, shardsql_bench_1x8,
// shardsql_bench_2x8_ds0 and shardsql_bench_2x8_ds1 on the servers; the
// DSN's own database is not touched.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// config is everything run needs; main fills it from flags, the smoke test
// directly.
type config struct {
	Rows        int           // rows of t_order and of t_log in each layout
	Concurrency []int         // concurrency levels of every workload
	Duration    time.Duration // measured time per workload × layout × concurrency
	DSNs        []string      // servers; empty: start 2 throwaway MariaDB servers
	ReplicaDSNs []string      // a primary and its replica for the replica comparison; empty: start a pair (none with DSNs)
	Out         string        // markdown report path; SVGs are written next to it
	Workloads   []string      // names or substrings to run; empty: all
	Quick       bool          // tiny sizes (smoke test)
	NoDeepHints bool          // shardsql pools without deep pages' position hints (driver.WithDeepPageHints(false))

	BatchSize      int           // rows per INSERT while loading
	LoadWorkers    int           // parallel loaders
	OverheadConc   []int         // concurrency levels of the plain-vs-shardsql comparison
	OverheadRounds int           // alternating rounds per overhead level
	OverheadTime   time.Duration // per round and driver
	Warmup         time.Duration // unmeasured run before each workload × layout

	CommandLine string    // shown in the report
	Stdout      io.Writer // summary
	Stderr      io.Writer // progress
}

// dsnList collects repeated -dsn flags.
type dsnList []string

func (d *dsnList) String() string     { return strings.Join(*d, ",") }
func (d *dsnList) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	log.SetFlags(0)
	var (
		dsns        dsnList
		replicaDSNs dsnList
		rows        = flag.Int("rows", 100_000, "rows loaded into t_order and into t_log in each layout (10,000,000+ works; see the package doc)")
		conc        = flag.String("concurrency", "1,8,32", "comma-separated concurrency levels")
		duration    = flag.Duration("duration", time.Second, "measured time per workload, layout and concurrency")
		warmup      = flag.Duration("warmup", defaultWarmup, "unmeasured run before each workload, layout and concurrency (pools grow, plan caches and deep-page hints fill)")
		out         = flag.String("out", "", "markdown report path (default benchmarks/results/<date>-<rows>.md); SVG charts are written next to it")
		wl          = flag.String("workloads", "", "comma-separated workload names or substrings to run (default all: "+strings.Join(workloadNames(), ", ")+")")
		quick       = flag.Bool("quick", false, "tiny run: a few hundred rows, concurrency 1, 100ms per cell")
		cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
		deepHints   = flag.Bool("deep-hints", true, "deep pages' position hints in the shardsql pools (docs/deep-pages.md, Round 9); false measures the cold phase 1")
	)
	flag.Var(&replicaDSNs, "replica-dsn", "go-sql-driver DSN of a MariaDB primary, then of its GTID replica (give it twice) for the read-replica comparison; default: start a throwaway pair, or skip the comparison when -dsn is given")
	flag.Var(&dsns, "dsn", "go-sql-driver DSN of a MariaDB/MySQL server (give it twice; default: start 2 throwaway mariadbd servers)")
	flag.Parse()

	cfg := defaultConfig()
	cfg.Rows = *rows
	cfg.Duration = *duration
	if *quick {
		quickConfig(&cfg)
	}
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["warmup"] {
		cfg.Warmup = *warmup
	}
	if set["rows"] || !*quick {
		cfg.Rows = *rows
	}
	if set["duration"] || !*quick {
		cfg.Duration = *duration
	}
	if set["concurrency"] || !*quick {
		c, err := parseInts(*conc)
		if err != nil {
			log.Fatalf("-concurrency: %v", err)
		}
		cfg.Concurrency = c
	}
	cfg.DSNs = dsns
	if len(replicaDSNs) != 0 && len(replicaDSNs) != 2 {
		log.Fatalf("-replica-dsn: give it twice, the primary then the replica")
	}
	cfg.ReplicaDSNs = replicaDSNs
	cfg.Out = *out
	cfg.NoDeepHints = !*deepHints
	if *wl != "" {
		cfg.Workloads = strings.Split(*wl, ",")
	}
	cfg.CommandLine = commandLine(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatalf("-cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("-cpuprofile: %v", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if err := run(ctx, cfg); err != nil {
		log.Fatal(err)
	}
}

// defaultWarmup is the unmeasured run before each cell. It was 200 ms
// until round 10, which measured the hazard: the sharded layouts' pools
// grow to the cell's concurrency on every server and each goroutine's
// first deep page is read cold before a position hint is recorded, so a
// 1 s cell after 200 ms read the deep page at 2 × 8 at 0.44–0.46× of the
// one table at concurrency 8 and 32 where a 3 s cell, or a 1 s cell after
// 1.5 s, read 0.59–0.69× (docs/deep-pages.md, "Round 10, after the
// merge"). The report measures the steady state; every layout gets the
// same warm-up.
const defaultWarmup = time.Second

func defaultConfig() config {
	return config{
		Rows:           100_000,
		Concurrency:    []int{1, 8, 32},
		Duration:       time.Second,
		BatchSize:      1000,
		LoadWorkers:    4,
		OverheadConc:   []int{1, 16},
		OverheadRounds: 20,
		OverheadTime:   250 * time.Millisecond,
		Warmup:         defaultWarmup,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
	}
}

// quickConfig shrinks cfg for a smoke run.
func quickConfig(cfg *config) {
	cfg.Quick = true
	cfg.Rows = 300
	cfg.Concurrency = []int{1}
	cfg.Duration = 100 * time.Millisecond
	cfg.BatchSize = 100
	cfg.LoadWorkers = 2
	cfg.OverheadRounds = 1
	cfg.OverheadTime = 100 * time.Millisecond
	cfg.Warmup = 20 * time.Millisecond
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad concurrency %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// commandLine renders the command as a user would type it.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./benchmarks"}
	for _, a := range args {
		if strings.ContainsAny(a, " '\"$()&;|<>*?`\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// run is the whole command: servers, layouts, load, measurements, report.
func run(ctx context.Context, cfg config) error {
	start, loadStart := time.Now(), loadAvg()
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Rows < 1 || len(cfg.Concurrency) == 0 || cfg.Duration <= 0 {
		return fmt.Errorf("rows, concurrency and duration must be positive")
	}
	workloads, err := selectWorkloads(cfg.Workloads)
	if err != nil {
		return err
	}
	if cfg.Out == "" {
		cfg.Out = filepath.Join("benchmarks", "results", fmt.Sprintf("%s-%s.md", start.Format("2006-01-02"), humanCount(cfg.Rows)))
	}
	if cfg.CommandLine == "" {
		cfg.CommandLine = "run(ctx, config) (smoke test)"
	}

	env, err := openEnv(ctx, cfg)
	if err != nil {
		return err
	}
	defer env.close()

	rep := &report{cfg: cfg, env: env, started: start, loadAvgStart: loadStart, workloads: workloads}
	if len(workloads) > 0 {
		layouts, err := buildLayouts(ctx, cfg, env)
		if err != nil {
			return err
		}
		defer closeLayouts(layouts)
		rep.layouts = layouts

		if rep.loads, err = loadAll(ctx, cfg, layouts); err != nil {
			return err
		}
		if err := prefill(ctx, cfg, layouts); err != nil {
			// Servers given with -dsn may allow fewer connections; the pools
			// then open the rest (or fail) during the measurements.
			fmt.Fprintf(cfg.Stderr, "warning: %v\n", err)
		}

		rep.probes, rep.mismatches = inspect(ctx, layouts, workloads, cfg.Rows)
		for _, m := range rep.mismatches {
			fmt.Fprintf(cfg.Stderr, "MISMATCH: %s\n", m)
		}

		if wantOverhead(cfg.Workloads) {
			rep.overhead, err = measureOverhead(ctx, cfg, env, layouts)
			if err != nil {
				return err
			}
		}
		rep.cells, err = measureAll(ctx, cfg, layouts, workloads)
		if err != nil {
			return err
		}
		rep.cacheStats = planCacheStats(ctx, layouts)
	}
	if wantReplica(cfg.Workloads) {
		if rep.replica, err = measureReplica(ctx, cfg, env.poolSize); err != nil {
			return err
		}
	}
	rep.finished = time.Now()
	rep.printSummary(cfg.Stdout)
	files, err := rep.write()
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Stdout, "\nwrote %s\ntotal time %s\n", strings.Join(files, ", "), time.Since(start).Round(time.Second))
	return nil
}

// humanCount writes 200000 as 200k and 10000000 as 10M.
func humanCount(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}
