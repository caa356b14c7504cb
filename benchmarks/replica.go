package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The read-replica comparison: a MariaDB primary with one GTID replica,
// t_order as one table and as 8 tables on the primary (replicated), and
// four contenders in alternating rounds, as the overhead comparison runs
// them: the plain go-sql-driver on the primary's one table (the baseline)
// and on the replica's, shardsql over the 8 tables with no replica, and
// shardsql with the replica in the topology (reads go to the replica,
// writes to the primary, read-your-writes by GTID). Every pool has
// interpolateParams=true. On one machine a replica adds no CPU, so the
// comparison measures what splitting costs, not what it scales to.

// Replica contender names, plain first.
const (
	replicaPlain        = "plain-primary"
	replicaPlainReplica = "plain-replica"
	replicaSharded      = "shardsql-1x8"
	replicaSplit        = "shardsql-1x8+replica"
	replicaDBPrefix     = benchDBPrefix + "rep_"
)

// replicaWriteEvery makes every replicaWriteEvery-th statement of the
// read-mostly workload a write.
const replicaWriteEvery = 10

// replicaWorkloads are the replica comparison's workloads: the point
// select of the main suite, and a read-mostly mix through one *sql.DB in
// which read-your-writes decides where each read goes.
func replicaWorkloads() []workload {
	var point workload
	for _, wl := range allWorkloads {
		if wl.name == "point-select" {
			point = wl
		}
	}
	update := slices.IndexFunc(allWorkloads, func(wl workload) bool { return wl.name == "update-by-key" })
	mix := workload{
		name:  "replica-read-mostly",
		sql:   point.sql + "; every " + fmt.Sprint(replicaWriteEvery) + "th statement " + allWorkloads[update].sql,
		about: "nine point selects to one update by key, every worker through the same *sql.DB: after each write its reads must see it (shardsql: the primary, or a replica that has applied it)",
	}
	mix.custom = func(ctx context.Context, db *sql.DB, w *worker) error {
		w.ops++
		if w.ops%replicaWriteEvery == 0 {
			return allWorkloads[update].run(ctx, db, w)
		}
		return point.run(ctx, db, w)
	}
	point.name = "replica-point-select"
	return []workload{point, mix}
}

// wantReplica reports whether the replica comparison runs: with every
// workload, or when a -workloads entry names it ("replica").
func wantReplica(filter []string) bool {
	if len(filter) == 0 {
		return true
	}
	return slices.ContainsFunc(filter, func(f string) bool { return strings.Contains(f, "replica") })
}

// replicaRun is the replica comparison's outcome for the report.
type replicaRun struct {
	servers string     // how the primary and replica came to be
	cells   []overhead // per workload and concurrency; sides in contender order
	reads   []replicaReads
	skipped string // why it did not run
}

// replicaReads is where one cell's shardsql+replica reads went.
type replicaReads struct {
	workload   string
	conc       int
	statements int64 // statements the contender ran in the cell's rounds
	onReplica  int64 // reads the replica answered (driver.Replicas)
}

// replicaServers returns the DSNs of a primary and its replica: the
// -replica-dsn pair, or a pair started by the command. close stops what
// it started.
func replicaServers(cfg config) (primary, replica string, how string, close func(), err error) {
	close = func() {}
	if len(cfg.ReplicaDSNs) == 2 {
		return cfg.ReplicaDSNs[0], cfg.ReplicaDSNs[1], "the -replica-dsn primary and replica", close, nil
	}
	if len(cfg.DSNs) > 0 {
		return "", "", "", close, errors.New("servers given with -dsn and no -replica-dsn primary,replica pair")
	}
	if !shardtest.HaveMariaDB() {
		return "", "", "", close, errors.New("mariadbd not found")
	}
	fmt.Fprintln(cfg.Stderr, "starting a throwaway MariaDB primary with one GTID replica")
	r, err := shardtest.StartMariaDBReplicated(1, "shardsql_bench_rep", shardtest.ReplicaOptions{})
	if err != nil {
		return "", "", "", close, err
	}
	return r.Primary.DSN(), r.Replicas[0].DSN(), "a throwaway mariadbd primary with one replica (shardtest.StartMariaDBReplicated: binary log, ROW format, GTID replication), started by the command", func() { _ = r.Close() }, nil
}

// interpPool opens a go-sql-driver pool on database dbName of dsn's server
// with interpolateParams=true.
func interpPool(dsn, dbName string, size int) (*sql.DB, error) {
	d, err := interpDSN(dsn, dbName)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", d)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	return db, nil
}

// interpDSN is dsn on database dbName with interpolateParams=true.
func interpDSN(dsn, dbName string) (string, error) {
	d, err := withDB(dsn, dbName)
	if err != nil {
		return "", err
	}
	mc, err := mysql.ParseDSN(d)
	if err != nil {
		return "", err
	}
	mc.InterpolateParams = true
	return mc.FormatDSN(), nil
}

// waitReplica waits until the replica has applied everything the primary
// has committed.
func waitReplica(ctx context.Context, primary, replica *sql.DB) error {
	var pos string
	if err := primary.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
		return fmt.Errorf("reading the primary's GTID position: %w", err)
	}
	var got int
	if err := replica.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, 120)", pos).Scan(&got); err != nil {
		return fmt.Errorf("waiting for the replica: %w", err)
	}
	if got != 0 {
		return fmt.Errorf("the replica did not reach GTID position %s in 120s", pos)
	}
	return nil
}

// measureReplica runs the replica comparison. A run that cannot start or
// reach a replicated pair reports why instead of failing the command.
func measureReplica(ctx context.Context, cfg config, poolSize int) (*replicaRun, error) {
	out := &replicaRun{}
	primaryDSN, replicaDSN, how, stop, err := replicaServers(cfg)
	if err != nil {
		out.skipped = err.Error()
		fmt.Fprintf(cfg.Stderr, "replica comparison skipped: %v\n", err)
		return out, nil
	}
	defer stop()
	out.servers = how

	var opened []*sql.DB
	defer func() {
		for _, db := range slices.Backward(opened) {
			_ = db.Close()
		}
	}()
	pool := func(dsn, dbName string) (*sql.DB, error) {
		db, err := interpPool(dsn, dbName, poolSize)
		if err == nil {
			opened = append(opened, db)
		}
		return db, err
	}
	admin, err := pool(primaryDSN, "")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"single", "1x8"} {
		for _, q := range []string{"DROP DATABASE IF EXISTS " + replicaDBPrefix + name, "CREATE DATABASE " + replicaDBPrefix + name} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("replica comparison: %w", err)
			}
		}
	}
	replicaAdmin, err := pool(replicaDSN, "")
	if err != nil {
		return nil, err
	}
	if err := waitReplica(ctx, admin, replicaAdmin); err != nil {
		return nil, err
	}

	next := new(atomic.Int64)
	plain := &layout{name: replicaPlain, nextOrder: next}
	if plain.db, err = pool(primaryDSN, replicaDBPrefix+"single"); err != nil {
		return nil, err
	}
	plain.loadVia = plain.db
	onReplica := &layout{name: replicaPlainReplica, nextOrder: next}
	if onReplica.db, err = pool(replicaDSN, replicaDBPrefix+"single"); err != nil {
		return nil, err
	}
	// Every contender's pools open a connection per worker of the highest
	// concurrency before anything is measured (prefill, layouts.go).
	warm := slices.Max(cfg.OverheadConc)
	// shardsql's data source and replica are registered by DSN, as
	// applications do: shardsql opens and dials their pools (cut_conn.go).
	shardsqlOn := func(name string, withReplica bool) (*layout, error) {
		topo := shard.NewTopology()
		dsn, err := interpDSN(primaryDSN, replicaDBPrefix+"1x8")
		if err != nil {
			return nil, err
		}
		if err := topo.AddDataSource("ds0", dsn); err != nil {
			return nil, err
		}
		if withReplica {
			rdsn, err := interpDSN(replicaDSN, replicaDBPrefix+"1x8")
			if err != nil {
				return nil, err
			}
			if err := topo.AddReplica("ds0", rdsn); err != nil {
				return nil, err
			}
		}
		if err := topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds0.t_order_${0..7}", Algorithm: shard.Hash()}); err != nil {
			return nil, err
		}
		db, err := openShardsql(topo, poolSize)
		if err != nil {
			return nil, err
		}
		opened = append(opened, db)
		if err := driver.Warm(ctx, db, warm); err != nil { // the replica's pool too
			return nil, fmt.Errorf("replica comparison, %s: %w", name, err)
		}
		return &layout{name: name, viaShard: true, db: db, loadVia: db, nextOrder: next}, nil
	}
	for _, l := range []*layout{plain, onReplica} {
		if err := driver.WarmPool(ctx, l.db, warm); err != nil {
			return nil, fmt.Errorf("replica comparison, %s: %w", l.name, err)
		}
	}
	sharded, err := shardsqlOn(replicaSharded, false)
	if err != nil {
		return nil, err
	}
	split, err := shardsqlOn(replicaSplit, true)
	if err != nil {
		return nil, err
	}
	for _, l := range []*layout{plain, sharded} {
		if _, err := l.db.ExecContext(ctx, orderDDL); err != nil {
			return nil, fmt.Errorf("replica comparison, %s: %w", l.name, err)
		}
		if _, err := load(ctx, cfg, l, "t_order", orderCols, func(a []any, i int64) []any { return orderArgs(a, i+1, cfg.Rows) }); err != nil {
			return nil, fmt.Errorf("replica comparison, loading %s: %w", l.name, err)
		}
	}
	next.Store(int64(cfg.Rows) + 1)
	if err := waitReplica(ctx, admin, replicaAdmin); err != nil {
		return nil, err
	}

	fmt.Fprintf(cfg.Stdout, "\nreplicas: %d alternating rounds of %s per contender, workload and concurrency\n", cfg.OverheadRounds, cfg.OverheadTime)
	seed := uint64(1 << 24)
	for _, wl := range replicaWorkloads() {
		contenders := []*layout{plain, onReplica, sharded, split}
		if wl.custom != nil { // writes: the replica is read only
			contenders = []*layout{plain, sharded, split}
		}
		for _, c := range cfg.OverheadConc {
			before, err := replicaReadsOf(ctx, split.db)
			if err != nil {
				return nil, err
			}
			o, err := measureOverheadCell(ctx, cfg, contenders, wl, true, c, &seed)
			if err != nil {
				return nil, err
			}
			after, err := replicaReadsOf(ctx, split.db)
			if err != nil {
				return nil, err
			}
			s := o.sides[len(o.sides)-1]
			out.cells = append(out.cells, o)
			out.reads = append(out.reads, replicaReads{workload: wl.name, conc: c, statements: int64(s.s.ops), onReplica: after - before})
			o.print(cfg)
		}
	}
	return out, nil
}

// replicaReadsOf sums the reads db's replicas have answered.
func replicaReadsOf(ctx context.Context, db *sql.DB) (int64, error) {
	st, err := driver.Replicas(ctx, db)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range st {
		n += s.Reads
	}
	return n, nil
}
