package main

import "fmt"

// replicaSection writes the read-replica comparison: per workload and
// concurrency, each contender's QPS, its ratio to the plain driver on the
// primary (median of the alternating rounds), client CPU and allocations
// per statement, and how many of shardsql's reads the replica answered.
func (r *report) replicaSection(p func(string, ...any)) {
	if r.replica == nil {
		return
	}
	cfg := r.cfg
	p("## Read replicas: shardsql's read/write splitting")
	p("")
	if r.replica.skipped != "" {
		p("Not measured: %s.", r.replica.skipped)
		p("")
		return
	}
	p("Servers: %s. t_order (%s rows) as one table (read by %s on the primary and %s on the replica) and as `ds0.t_order_${0..7}` (%s: the primary only; %s: the replica in the topology, so reads go to it and writes to the primary, read-your-writes by GTID; the data source and the replica registered by DSN, `AddDataSource` and `AddReplica`, so shardsql opens and dials their pools, warmed with `driver.Warm`). Every pool has `interpolateParams=true` and %d connections; %d alternating rounds of %s per contender, the order rotating each round. On one machine the replica shares the CPUs with the primary and the client, so this measures what splitting costs per statement, not what more servers add.",
		r.replica.servers, thousands(cfg.Rows), replicaPlain, replicaPlainReplica, replicaSharded, replicaSplit, r.env.poolSize, cfg.OverheadRounds, cfg.OverheadTime)
	p("")
	for _, wl := range replicaWorkloads() {
		p("- `%s`: `%s` — %s.", wl.name, wl.sql, wl.about)
	}
	p("")
	p("| workload | concurrency | contender | QPS | ratio to %s (median of rounds) | client CPU µs/stmt | allocs/stmt | p50 | p99 |", replicaPlain)
	p("|---|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, o := range r.replica.cells {
		for i, s := range o.sides {
			ratio := "1"
			if i > 0 {
				ratio = fmt.Sprintf("**%.3f**", s.rounds.ratio())
			}
			p("| %s | %d | %s | %.0f | %s | %.1f | %.1f | %s | %s |", o.workload, o.conc, s.driver, s.s.qps, ratio, s.cpuPerOp(), s.allocsPerOp(), ms(s.s.p50), ms(s.s.p99))
			if s.s.errs > 0 {
				p("| | | %s errors: %d (%s) | | | | | | |", s.driver, s.s.errs, cellEsc(oneLine(s.s.firstErr)))
			}
		}
	}
	p("")
	p("Where %s's reads went (`driver.Replicas` read counts over each cell's measured rounds and warm-up against the statements it measured):", replicaSplit)
	p("")
	for _, rd := range r.replica.reads {
		p("- %s at concurrency %d: the replica answered %s reads for %s measured statements.", rd.workload, rd.conc, thousands(int(rd.onReplica)), thousands(int(rd.statements)))
	}
	p("")
}
