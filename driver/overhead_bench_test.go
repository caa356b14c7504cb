package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The overhead benchmarks compare a point select by key (and a one-row
// insert) through the plain go-sql-driver with the same statement through
// shardsql, on one MariaDB server and the same pool settings, every pool
// with interpolateParams=true (one round trip per statement): the table
// unsharded (shardsql passes it through) and sharded into 8 tables
// (routing and rewriting).
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench Overhead -count 6 ./driver | benchstat -

var overhead struct {
	once    sync.Once
	err     error
	plain   *sql.DB
	through *sql.DB // shardsql, t_plain not in the topology
	sharded *sql.DB // shardsql, t_order over 8 tables
	// bounded is sharded with at most 2 of a statement's units running
	// at once (WithMaxParallel(2)) instead of DefaultMaxParallel.
	bounded *sql.DB
	// adaptive is sharded with WithAdaptiveParallel (the default);
	// static is sharded with it off: every statement starts
	// DefaultMaxParallel units at once.
	adaptive, static *sql.DB
	close            func()
	dsn              string // the server's DSN, interpolateParams=true
}

const overheadRows = 20000

func overheadDBs(b *testing.B) (plain, through, sharded *sql.DB) {
	if !shardtest.HaveMariaDB() {
		b.Skip("mariadbd not found")
	}
	overhead.once.Do(func() {
		servers, err := shardtest.StartMariaDB(1, "bench")
		if err != nil {
			overhead.err = err
			return
		}
		overhead.close = func() { _ = servers[0].Close() }
		dsn := servers[0].DSN() + "&interpolateParams=true"
		overhead.dsn = dsn
		plainDB, err := sql.Open("mysql", dsn)
		if err != nil {
			overhead.err = err
			return
		}
		topo := shard.NewTopology()
		_ = topo.AddDataSource("ds0", dsn)
		_ = topo.AddTable(shard.Table{Name: "t_ins", Column: "user_id", Nodes: "ds0.t_ins_${0..7}", Algorithm: shard.Hash()})
		_ = topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds0.t_order_${0..7}", Algorithm: shard.Hash()})
		open := func(opts ...driver.Option) *sql.DB {
			c, _ := driver.NewConnector(topo, opts...)
			return sql.OpenDB(c)
		}
		overhead.plain, overhead.through, overhead.sharded = plainDB, open(), open()
		overhead.bounded = open(driver.WithMaxParallel(2), driver.WithAdaptiveParallel(false))
		overhead.adaptive = open(driver.WithAdaptiveParallel(true))
		overhead.static = open(driver.WithAdaptiveParallel(false))
		for _, db := range []*sql.DB{overhead.plain, overhead.through, overhead.sharded, overhead.bounded, overhead.adaptive, overhead.static} {
			db.SetMaxOpenConns(32)
			db.SetMaxIdleConns(32)
		}
		ddl := "CREATE TABLE %s (order_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2), KEY (user_id))"
		if _, err := plainDB.Exec(fmt.Sprintf(ddl, "t_plain")); err != nil {
			overhead.err = err
			return
		}
		if _, err := overhead.sharded.Exec(fmt.Sprintf(ddl, "t_order")); err != nil {
			overhead.err = err
			return
		}
		if _, err := plainDB.Exec(fmt.Sprintf(ddl, "t_plain_ins")); err != nil {
			overhead.err = err
			return
		}
		if _, err := overhead.sharded.Exec(fmt.Sprintf(ddl, "t_ins")); err != nil {
			overhead.err = err
			return
		}
		for start := 0; start < overheadRows; start += 1000 {
			var sb strings.Builder
			for i := start; i < start+1000; i++ {
				if i > start {
					sb.WriteString(",")
				}
				fmt.Fprintf(&sb, "(%d, %d, %d.50)", i, i, i%100)
			}
			if _, err := plainDB.Exec("INSERT INTO t_plain (order_id, user_id, amount) VALUES " + sb.String()); err != nil {
				overhead.err = err
				return
			}
			if _, err := overhead.sharded.Exec("INSERT INTO t_order (order_id, user_id, amount) VALUES " + sb.String()); err != nil {
				overhead.err = err
				return
			}
		}
	})
	if overhead.err != nil {
		b.Fatal(overhead.err)
	}
	return overhead.plain, overhead.through, overhead.sharded
}

// clientCPU reports, when the benchmark ends, the CPU time this process
// (the client: the server is another process) spent per operation, in
// µs, user and system time together (cpu-µs/op): unlike ns/op it does not
// move with the server's share of a busy machine. It reports the
// process's context switches per operation too (ctxsw/op, voluntary and
// involuntary: what contention on locks and the scheduler adds).
// Call it as defer clientCPU(b)() before the benchmark loop.
func clientCPU(b *testing.B) func() {
	start, startSw, startSched := cpuTime(), ctxSwitches(), goroutineRuns()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(goroutineRuns()-startSched)/float64(b.N), "gruns/op")
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(ctxSwitches()-startSw)/float64(b.N), "ctxsw/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// goroutineRuns estimates how many times goroutines were scheduled to run
// so far: the runtime records the scheduling latency of every 8th
// goroutine transition (its gTrackingPeriod), so 8 × that histogram's
// count. The wake-ups a statement costs, which unlike CPU time do not
// move with the machine's load (gruns/op).
func goroutineRuns() uint64 {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	var n uint64
	for _, c := range s[0].Value.Float64Histogram().Counts {
		n += c
	}
	return 8 * n
}

// ctxSwitches returns the context switches of this process's threads so
// far, voluntary and involuntary.
func ctxSwitches() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Nvcsw + ru.Nivcsw
}

// benchContext is the statements' context: context.Background(), or a
// cancellable one that can end (as an HTTP request's), for which
// go-sql-driver watches each statement with a goroutine handoff and
// shardsql cuts the socket instead (cut_conn.go).
func benchContext(b *testing.B, cancellable bool) context.Context {
	if !cancellable {
		return context.Background()
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

func benchPointSelect(b *testing.B, db *sql.DB, table string, parallelism int, cancellable bool) {
	q := "SELECT amount FROM " + table + " WHERE user_id = ? AND order_id = ?"
	ctx := benchContext(b, cancellable)
	b.ReportAllocs()
	defer clientCPU(b)()
	if parallelism == 1 {
		i := 0
		for b.Loop() {
			var amount string
			k := i % overheadRows
			if err := db.QueryRowContext(ctx, q, k, k).Scan(&amount); err != nil {
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
		for pb.Next() {
			var amount string
			k := i % overheadRows
			if err := db.QueryRowContext(ctx, q, k, k).Scan(&amount); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// overheadCases are the overhead benchmarks' concurrencies (c16:
// SetParallelism(8) × 2 cores) and contexts: context.Background(), and
// (-cancellable) a context that can end, as a request's.
var overheadCases = []struct {
	name        string
	par         int
	cancellable bool
}{{"c1", 1, false}, {"c16", 8, false}, {"c1-cancellable", 1, true}, {"c16-cancellable", 8, true}}

// BenchmarkOverheadPointSelect: plain driver, shardsql pass-through and
// shardsql sharded, at concurrency 1 and 16, with a context that cannot
// end and with one that can.
func BenchmarkOverheadPointSelect(b *testing.B) {
	for _, c := range overheadCases {
		b.Run("plain/"+c.name, func(b *testing.B) {
			plain, _, _ := overheadDBs(b)
			benchPointSelect(b, plain, "t_plain", c.par, c.cancellable)
		})
		b.Run("shardsql-passthrough/"+c.name, func(b *testing.B) {
			_, through, _ := overheadDBs(b)
			benchPointSelect(b, through, "t_plain", c.par, c.cancellable)
		})
		b.Run("shardsql-sharded/"+c.name, func(b *testing.B) {
			_, _, sharded := overheadDBs(b)
			benchPointSelect(b, sharded, "t_order", c.par, c.cancellable)
		})
	}
}

// insertKeys hands out distinct order ids to the insert benchmarks.
var insertKeys struct {
	sync.Mutex
	next int64
}

func benchInsert(b *testing.B, db *sql.DB, table string, parallelism int, cancellable bool) {
	q := "INSERT INTO " + table + " (order_id, user_id, amount) VALUES (?, ?, ?)"
	ctx := benchContext(b, cancellable)
	key := func() int64 {
		insertKeys.Lock()
		defer insertKeys.Unlock()
		insertKeys.next++
		return insertKeys.next
	}
	b.ReportAllocs()
	defer clientCPU(b)()
	run := func() error {
		k := key()
		res, err := db.ExecContext(ctx, q, k, k%1000, "1.50")
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("inserted %d rows: %v", n, err)
		}
		return nil
	}
	if parallelism == 1 {
		for b.Loop() {
			if err := run(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(parallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := run(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkOverheadInsert: a one-row insert through the plain driver,
// through shardsql passing the table through, and through shardsql into a
// table sharded over 8 tables, at concurrency 1 and 16, with a context
// that cannot end and with one that can.
func BenchmarkOverheadInsert(b *testing.B) {
	for _, c := range overheadCases {
		b.Run("plain/"+c.name, func(b *testing.B) {
			plain, _, _ := overheadDBs(b)
			benchInsert(b, plain, "t_plain_ins", c.par, c.cancellable)
		})
		b.Run("shardsql-passthrough/"+c.name, func(b *testing.B) {
			_, through, _ := overheadDBs(b)
			benchInsert(b, through, "t_plain_ins", c.par, c.cancellable)
		})
		b.Run("shardsql-sharded/"+c.name, func(b *testing.B) {
			_, _, sharded := overheadDBs(b)
			benchInsert(b, sharded, "t_ins", c.par, c.cancellable)
		})
	}
}

// TestMain stops the benchmarks' MariaDB server when the tests end.
func TestMain(m *testing.M) {
	code := m.Run()
	if overhead.close != nil {
		overhead.close()
	}
	closeShared()
	os.Exit(code)
}
