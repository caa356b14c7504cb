package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The replica benchmarks run on one MariaDB primary and two replicas, all
// on this machine: read throughput with 0, 1 and 2 replicas measures
// spreading reads over more server processes that share the same cores,
// not more hardware.
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench 'Replica' ./driver

func replicaBenchCluster(b *testing.B) *shardtest.Replicated {
	cluster := shardtest.MariaDBReplicated(b, 2, shardtest.ReplicaOptions{})
	primary := direct(b, cluster.Primary)
	_, err := primary.Exec("CREATE TABLE t_bench (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, note VARCHAR(20))")
	require.NoError(b, err)
	for i := 0; i < 1000; i += 100 {
		q := "INSERT INTO t_bench VALUES "
		for j := i; j < i+100; j++ {
			if j > i {
				q += ","
			}
			q += fmt.Sprintf("(%d, %d, 'x')", j, j)
		}
		_, err := primary.Exec(q)
		require.NoError(b, err)
	}
	require.NoError(b, cluster.Sync(context.Background()))
	return cluster
}

// replicaBenchDB opens shardsql on the cluster's primary with the first n
// replicas; t_bench is unsharded (passed through to ds0).
func replicaBenchDB(b *testing.B, cluster *shardtest.Replicated, n int, opts ...driver.Option) *sql.DB {
	topo := shard.NewTopology()
	require.NoError(b, topo.AddDataSource("ds0", cluster.Primary.DSN()))
	for _, r := range cluster.Replicas[:n] {
		require.NoError(b, topo.AddReplica("ds0", r.DSN()))
	}
	db := openDB(b, topo, opts...)
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	return db
}

func BenchmarkReplicaReads(b *testing.B) {
	cluster := replicaBenchCluster(b)
	for n := 0; n <= 2; n++ {
		db := replicaBenchDB(b, cluster, n)
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var note string
				for pb.Next() {
					id := next.Add(1) % 1000
					if err := db.QueryRow("SELECT note FROM t_bench WHERE id = ?", id).Scan(&note); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkReadAfterWrite measures a read right after a write of the same
// row: with read-your-writes it goes to the primary unless the replica has
// applied the write (default), waits for a replica to apply it
// (WithReplicaWait), or goes to the primary (WithPrimary). It reports the
// read's p50 and p99 and the share of reads replicas served.
func BenchmarkReadAfterWrite(b *testing.B) {
	cluster := replicaBenchCluster(b)
	for _, mode := range []struct {
		name    string
		opts    []driver.Option
		primary bool
	}{
		{"default", nil, false},
		{"wait-50ms", []driver.Option{driver.WithReplicaWait(50 * time.Millisecond)}, false},
		{"primary", nil, true},
	} {
		db := replicaBenchDB(b, cluster, 2, mode.opts...)
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			if mode.primary {
				ctx = driver.WithPrimary(ctx)
			}
			lat := make([]time.Duration, 0, b.N)
			onReplica := 0
			for i := 0; i < b.N; i++ {
				id := i % 1000
				if _, err := db.Exec("UPDATE t_bench SET note = ? WHERE id = ?", fmt.Sprint(i), id); err != nil {
					b.Fatal(err)
				}
				var trace []driver.ReadServer
				var note string
				start := time.Now()
				if err := db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT note FROM t_bench WHERE id = ?", id).Scan(&note); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if note != fmt.Sprint(i) {
					b.Fatalf("stale read: %q after writing %d", note, i)
				}
				if len(trace) > 0 && trace[0].Replica {
					onReplica++
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(100*float64(onReplica)/float64(b.N), "%replica")
		})
	}
}

// BenchmarkReplicaPointRead measures the client's work for a point select
// on a sharded table's key at concurrency 1 under a cancellable context
// (an HTTP request's), with no replica (the primary's bounded read inside
// Raw) and with one, on DSNs with interpolateParams as in the report's
// replica workloads (benchmarks/replica.go). Its allocations per statement
// are exact; cpu-µs/op is the client process's CPU time (the servers run in
// processes of their own) and gruns/op its goroutine wake-ups (clientCPU),
// ns/op the wall time on a shared machine.
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench 'ReplicaPointRead' -benchmem ./driver
func BenchmarkReplicaPointRead(b *testing.B) {
	cluster := shardtest.MariaDBReplicated(b, 1, shardtest.ReplicaOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interp := func(s *shardtest.Server) string { return s.DSN() + "&interpolateParams=true" }
	open := func(replica bool) *sql.DB {
		topo := shard.NewTopology()
		require.NoError(b, topo.AddDataSource("ds0", interp(cluster.Primary)))
		if replica {
			require.NoError(b, topo.AddReplica("ds0", interp(cluster.Replicas[0])))
		}
		require.NoError(b, topo.AddTable(shard.Table{Name: "t_pt", Column: "id", Nodes: "ds0.t_pt_${0..7}", Algorithm: shard.Hash()}))
		return openDB(b, topo)
	}
	setup := open(false)
	_, err := setup.ExecContext(ctx, "CREATE TABLE t_pt (id BIGINT PRIMARY KEY, note VARCHAR(20))")
	require.NoError(b, err)
	for i := 0; i < 1000; i++ {
		_, err := setup.ExecContext(ctx, "INSERT INTO t_pt (id, note) VALUES (?, 'x')", i)
		require.NoError(b, err)
	}
	require.NoError(b, cluster.Sync(ctx))
	for n := 0; n <= 1; n++ {
		db := open(n == 1)
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			var note string
			for i := 0; i < 100; i++ { // warm: pools, catalog, plan cache
				require.NoError(b, db.QueryRowContext(ctx, "SELECT note FROM t_pt WHERE id = ?", i).Scan(&note))
			}
			b.ReportAllocs()
			report := clientCPU(b) // overhead_bench_test.go
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.QueryRowContext(ctx, "SELECT note FROM t_pt WHERE id = ?", i%1000).Scan(&note); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report()
		})
	}
}
