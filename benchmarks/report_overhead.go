package main

import (
	"fmt"
	"strings"
)

// overheadSection writes the report's overhead comparison: per workload,
// interpolateParams setting and concurrency, each contender's QPS, its
// ratio to the plain driver (median of the alternating rounds), and the
// client CPU and allocations per statement.
func (r *report) overheadSection(p func(string, ...any)) {
	if len(r.overhead) == 0 {
		return
	}
	cfg := r.cfg
	p("## Overhead: shardsql vs the plain go-sql-driver")
	p("")
	p("The one-row statements on the same data and pool settings: %s (one table, plain driver), %s (the same table passed through shardsql) and %s (shardsql routing into 8 tables on the same server), in %d alternating rounds of %s each per driver, the order rotating each round; with go-sql-driver's default `interpolateParams=false` (a server-side prepared statement: three round trips per statement) and with `interpolateParams=true` (one round trip). Client CPU is this process's user + system time (`getrusage`) per statement (over all rounds, and as the median of the per-round differences to the plain driver measured in the same round) and allocations are heap allocations per statement (`runtime.MemStats`), the harness's own share (arguments, latency recording, reading the rows) included and the same for every driver; unlike QPS they do not move with the servers' share of a busy machine.",
		layoutPlain, layoutSingle, layoutOneBy8, cfg.OverheadRounds, cfg.OverheadTime)
	p("")
	p("| workload | interpolateParams | concurrency | driver | QPS | ratio to plain (median of rounds) | ratio of totals | client CPU µs/stmt | client CPU vs plain, µs (median of rounds) | allocs/stmt | p50 | p99 |")
	p("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	var lines []string
	noisy := false
	for _, o := range r.overhead {
		plain := o.sides[0]
		for i, s := range o.sides {
			ratio, total, diff := "1", "1", "0"
			if i > 0 {
				diff = fmt.Sprintf("**%+.1f**", s.cpuDiff())
				ratio = fmt.Sprintf("**%.3f**", s.rounds.ratio())
				total = fmt.Sprintf("%.3f", s.totalRatio(plain))
				noisy = noisy || s.rounds.spread() > 1.2 || s.rounds.spread() == 0
			}
			p("| %s | %v | %d | %s | %.0f | %s | %s | %.1f | %s | %.1f | %s | %s |", o.workload, o.interp, o.conc, s.driver, s.s.qps, ratio, total,
				s.cpuPerOp(), diff, s.allocsPerOp(), ms(s.s.p50), ms(s.s.p99))
			if s.s.errs > 0 {
				p("| | | | %s errors: %d (%s) | | | | | | | | |", s.driver, s.s.errs, cellEsc(oneLine(s.s.firstErr)))
			}
		}
		if o.interp && len(o.sides) > 2 {
			s := o.sides[2]
			lines = append(lines, fmt.Sprintf("%s at concurrency %d: %.2f× (client CPU %+.1f µs per statement, median of rounds; %+.1f over all rounds)", o.workload, o.conc, s.rounds.ratio(), s.cpuDiff(), s.cpuPerOp()-plain.cpuPerOp()))
		}
	}
	p("")
	if len(lines) > 0 {
		p("**Overhead line (`interpolateParams=true`, %s / %s): %s** (issue target: ≥ 0.95× and client CPU within 3 µs). The ratio is the median of the per-round ratios, which a burst of other work hitting one driver's round does not move; the ratio of totals is the contender's statements over the plain driver's across all rounds. The client CPU difference is likewise the median of the per-round differences (each contender against the plain driver's round next to it).",
			layoutOneBy8, layoutPlain, strings.Join(lines, "; "))
	}
	if noisy {
		p("")
		p("The rounds disagree (the middle half of the per-round ratios spans more than 20%%): this machine was too busy during the run to resolve a difference of a few percent in QPS, so read the ratios as \"within the noise\"; the client CPU and allocations per statement are the figures that hold.")
	}
	p("")
}
