package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report is everything a run measured.
type report struct {
	cfg          config
	env          *env
	started      time.Time
	finished     time.Time
	loadAvgStart string // /proc/loadavg when the run started
	layouts      []*layout
	workloads    []workload
	loads        []loadResult
	probes       map[string]map[string]probe
	mismatches   []string
	overhead     []overhead
	cells        []cell
	cacheStats   []string // plan cache counters per shardsql layout at the end
	replica      *replicaRun
}

func (r *report) cell(wl, layout string, conc int) (cell, bool) {
	for _, c := range r.cells {
		if c.workload == wl && c.layout == layout && c.conc == conc {
			return c, true
		}
	}
	return cell{}, false
}

func (r *report) maxConc() int { return slices.Max(r.cfg.Concurrency) }

// ratioTo returns c's QPS over plain-single's at the same concurrency.
func (r *report) ratioTo(c cell) string {
	base, ok := r.cell(c.workload, layoutPlain, c.conc)
	if !ok || base.qps == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", c.qps/base.qps)
}

// printSummary writes the at-a-glance table to w.
func (r *report) printSummary(w io.Writer) {
	mc := r.maxConc()
	fmt.Fprintf(w, "\nQPS at concurrency %d (ratio to %s)\n", mc, layoutPlain)
	fmt.Fprintf(w, "%-17s", "workload")
	for _, l := range r.layouts {
		fmt.Fprintf(w, " %22s", l.name)
	}
	fmt.Fprintln(w)
	for _, wl := range r.workloads {
		fmt.Fprintf(w, "%-17s", wl.name)
		for _, l := range r.layouts {
			c, _ := r.cell(wl.name, l.name, mc)
			fmt.Fprintf(w, " %22s", fmt.Sprintf("%.0f (%s)", c.qps, r.ratioTo(c)))
		}
		fmt.Fprintln(w)
	}
	for _, o := range r.overhead {
		plain := o.sides[0]
		for _, s := range o.sides[1:] {
			fmt.Fprintf(w, "%s overhead, %s, concurrency %d: %s / go-sql-driver = %.3f (median of %d rounds); client CPU %.1f vs %.1f µs, %.0f vs %.0f allocations per statement\n",
				o.workload, interpName(o.interp), o.conc, s.driver, s.rounds.ratio(), len(s.rounds), s.cpuPerOp(), plain.cpuPerOp(), s.allocsPerOp(), plain.allocsPerOp())
		}
	}
	if n := len(r.mismatches); n > 0 {
		fmt.Fprintf(w, "%d result mismatches between layouts (see the report)\n", n)
	}
}

// write writes the markdown report and its charts and returns their paths.
func (r *report) write() ([]string, error) {
	dir := filepath.Dir(r.cfg.Out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(filepath.Base(r.cfg.Out), ".md")
	tput, lat := base+"-throughput.svg", base+"-latency.svg"
	files := map[string]string{
		r.cfg.Out:                r.markdown(tput, lat),
		filepath.Join(dir, tput): r.throughputChart().svg(),
		filepath.Join(dir, lat):  r.latencyChart().svg(),
	}
	var out []string
	for _, p := range []string{r.cfg.Out, filepath.Join(dir, tput), filepath.Join(dir, lat)} {
		if err := os.WriteFile(p, []byte(files[p]), 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (r *report) throughputChart() *barChart {
	mc := r.maxConc()
	c := &barChart{
		title:  fmt.Sprintf("Throughput by workload and layout, concurrency %d, %s rows", mc, humanCount(r.cfg.Rows)),
		yLabel: "statements per second",
	}
	for _, l := range r.layouts {
		c.series = append(c.series, l.name)
	}
	for _, wl := range r.workloads {
		c.groups = append(c.groups, wl.name)
		var vals []float64
		for _, l := range r.layouts {
			cl, _ := r.cell(wl.name, l.name, mc)
			vals = append(vals, cl.qps)
		}
		c.values = append(c.values, vals)
	}
	c.autoLog()
	return c
}

func (r *report) latencyChart() *barChart {
	c := &barChart{
		title:  "point-select latency percentiles by layout and concurrency",
		yLabel: "milliseconds",
		series: []string{"p50", "p95", "p99"},
		format: func(v float64) string { return compact(v) },
	}
	concs := []int{slices.Min(r.cfg.Concurrency), r.maxConc()}
	if concs[0] == concs[1] {
		concs = concs[:1]
	}
	for _, l := range r.layouts {
		for _, cc := range concs {
			cl, ok := r.cell("point-select", l.name, cc)
			if !ok {
				continue
			}
			c.groups = append(c.groups, fmt.Sprintf("%s c=%d", l.name, cc))
			c.values = append(c.values, []float64{msf(cl.p50), msf(cl.p95), msf(cl.p99)})
		}
	}
	c.autoLog()
	return c
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *report) markdown(tput, lat string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...); b.WriteByte('\n') }
	cfg := r.cfg
	p("# shardsql benchmark: one table vs sharded tables, shardsql vs go-sql-driver")
	p("")
	p("```sh\n%s\n```", cfg.CommandLine)
	p("")
	p("- Date: %s (the run took %s)", r.started.Format("2006-01-02 15:04 MST"), r.finished.Sub(r.started).Round(time.Second))
	p("- Machine: %s", machine())
	if r.loadAvgStart != "" {
		p("- Load average (1, 5, 15 min) at the start %s, at the end %s: the servers, the command and any other work share the CPUs", r.loadAvgStart, loadAvg())
	}
	p("- Go: %s", runtime.Version())
	servers := "the two -dsn servers"
	if r.env.started {
		servers = "2 throwaway mariadbd processes on this machine, started by the command (shardtest.StartMariaDB: durability off, no binlog, no performance schema)"
		if len(r.env.settings) > 0 {
			servers += ", then " + strings.Join(r.env.settings, ", ")
		}
	} else if r.env.dsns[0] == r.env.dsns[1] {
		servers = "one -dsn server (the 2-server layout uses two databases on it)"
	}
	p("- Servers: %s; version %s", servers, strings.Join(slices.Compact(slices.Clone(r.env.versions)), ", "))
	p("- Data: %s rows in t_order (about 10 orders per user_id) and %s rows in t_log (spread evenly over 2025) per layout", thousands(cfg.Rows), thousands(cfg.Rows))
	p("- Measurement: each workload × layout × concurrency runs for %s after an unmeasured %s warm-up, layouts interleaved per workload; reads before writes. QPS counts successful statements over wall time; latency is per statement including reading every row. Concurrency = goroutines each running one statement after another.", cfg.Duration, cfg.Warmup)
	p("- Pools: opened up front (the single-table pools with one connection per worker at the highest concurrency, the sharded layouts' with 8 per worker), so no measurement pays for connection setup. shardsql's data sources are registered by DSN (Topology.AddDataSource: shardsql opens and dials their pools). Every go-sql-driver pool (the plain one and those under shardsql) and every shardsql pool has MaxOpenConns = MaxIdleConns = %d. DSNs keep go-sql-driver's defaults (interpolateParams=false: a statement with arguments is prepared, executed and closed on the server), plus parseTime=true.", r.env.poolSize)
	p("")
	p("## Layouts")
	p("")
	p("| layout | driver | t_order | t_log |")
	p("|---|---|---|---|")
	for _, l := range r.layouts {
		p("| %s | %s | `%s` | `%s` |", l.name, l.driver, cellEsc(l.orders), cellEsc(l.logs))
	}
	p("")
	p("shardsql-single has no sharded table in its topology: every statement goes through shardsql's parser and router and is passed through unchanged to its only data source, the database plain-single uses. The ratio of the two is shardsql's overhead.")
	p("")
	p("## Loading")
	p("")
	p("Multi-row INSERTs of %d rows, %d workers; shardsql splits each batch per node.", cfg.BatchSize, cfg.LoadWorkers)
	p("")
	p("| layout | table | rows | time | rows/s |")
	p("|---|---|---:|---:|---:|")
	for _, l := range r.loads {
		p("| %s | %s | %s | %s | %s |", l.layout, l.table, thousands(l.rows), l.elapsed.Round(time.Millisecond), thousands(int(l.rate())))
	}
	p("")

	r.overheadSection(p)
	r.replicaSection(p)

	p("## Charts")
	p("")
	p("![Throughput by workload and layout](%s)", tput)
	p("")
	p("![point-select latency percentiles](%s)", lat)
	p("")

	mc := r.maxConc()
	p("## At a glance: QPS at concurrency %d", mc)
	p("")
	head := "| workload |"
	sep := "|---|"
	for _, l := range r.layouts {
		head += " " + l.name + " |"
		sep += "---:|"
	}
	p("%s", head)
	p("%s", sep)
	for _, wl := range r.workloads {
		row := "| " + wl.name + " |"
		for _, l := range r.layouts {
			c, ok := r.cell(wl.name, l.name, mc)
			if !ok {
				row += " – |"
				continue
			}
			row += fmt.Sprintf(" %s (%s) |", thousands(int(c.qps+0.5)), r.ratioTo(c))
		}
		p("%s", row)
	}
	p("")
	p("Ratios are to plain-single at the same concurrency. Cells run one after another for %s each on a shared machine, so a cell that coincided with a burst of other work reads low: treat differences under about 1.5× between cells as noise unless the overhead section, which alternates the two drivers, backs them. A cell lasts at least as long as its slowest statement (full scans at concurrency %d take seconds).", cfg.Duration, mc)
	p("")

	p("## Workloads")
	for _, wl := range r.workloads {
		p("")
		p("### %s", wl.name)
		p("")
		p("`%s` — %s.", wl.sql, wl.about)
		var units []string
		for _, l := range r.layouts {
			pr := r.probes[wl.name][l.name]
			switch {
			case !l.viaShard:
				units = append(units, l.name+" 1")
			case pr.units > 0:
				units = append(units, fmt.Sprintf("%s %d", l.name, pr.units))
			default:
				units = append(units, l.name+" ?")
			}
		}
		p("Physical statements per execution (driver.Explain): %s.", strings.Join(units, ", "))
		if ex := r.probes[wl.name][layoutPlain].explain; ex != "" {
			p("MariaDB's plan on plain-single: `%s`.", oneLine(ex))
		}
		p("")
		p("| layout | concurrency | QPS | p50 | p95 | p99 | vs plain-single | errors |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, l := range r.layouts {
			for _, cc := range cfg.Concurrency {
				c, ok := r.cell(wl.name, l.name, cc)
				if !ok {
					continue
				}
				p("| %s | %d | %s | %s | %s | %s | %s | %d |", l.name, cc, thousands(int(c.qps+0.5)), ms(c.p50), ms(c.p95), ms(c.p99), r.ratioTo(c), c.errs)
			}
		}
		for _, l := range r.layouts {
			if pr := r.probes[wl.name][l.name]; pr.err != "" {
				p("")
				p("%s, checking the plan or the result: `%s`", l.name, oneLine(pr.err))
			}
			for _, cc := range cfg.Concurrency {
				if c, ok := r.cell(wl.name, l.name, cc); ok && c.firstErr != "" {
					p("")
					p("%s at concurrency %d, first error: `%s`", l.name, cc, oneLine(c.firstErr))
					break
				}
			}
		}
	}
	if len(r.cacheStats) > 0 {
		p("")
		p("## Plan cache")
		p("")
		p("driver.PlanCacheStats at the end of the run (loading, the result check and Explain included): %s.", strings.Join(r.cacheStats, "; "))
	}
	p("")
	p("## Result check")
	p("")
	if len(r.mismatches) == 0 {
		p("Each read ran once on every layout with the same arguments before the measurements; every layout returned what plain-single returned (top 10 compared by amount, GROUP BY rows as a set).")
	} else {
		p("Each read ran once on every layout with the same arguments before the measurements. These differed from plain-single:")
		for _, m := range r.mismatches {
			p("")
			p("```\n%s\n```", m)
		}
	}
	return b.String()
}

// cellEsc escapes the pipes of text in a markdown table cell (also inside
// a code span, as GitHub requires).
func cellEsc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "`", "'")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// thousands writes 1234567 as 1,234,567.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	res := strings.Join(out, ",")
	if neg {
		res = "-" + res
	}
	return res
}

// machine describes the CPU, OS and memory.
func machine() string {
	model := "unknown CPU"
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		model = v
	}
	s := fmt.Sprintf("%d CPUs (%s), %s/%s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH)
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.Atoi(strings.Fields(v)[0]); err == nil {
			s += fmt.Sprintf(", %.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return s
}

// loadAvg returns the 1, 5 and 15 minute load averages, or "".
func loadAvg() string {
	la, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(la))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
