package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The transaction benchmarks measure whole transactions — BEGIN, one
// single-row INSERT on each participant, COMMIT — on 4 data sources (2
// MariaDB servers × 2 databases): single-node, multi-node best effort and
// multi-node XA with 2 and 4 participants (and XA on one participant, which
// commits in one phase), by one client and by 8 at once. tx/s is the
// throughput and ns/op its inverse (wall time / transactions); tx-ns/op is
// the mean latency of a transaction and commit-ns/op that of its Commit
// alone (equal to ns/op and below it with one client).
//
//	SHARDSQL_REQUIRE_MARIADB=1 go test -run XXX -bench Tx -benchtime 200x ./driver
func BenchmarkTx(b *testing.B) {
	servers := shardtest.MariaDB(b, 2)
	// ds0 = server 0/app, ds1 = server 1/app, ds2 = server 0/app2,
	// ds3 = server 1/app2: consecutive participants are on different servers.
	var dsns []string
	for _, dbName := range []string{"app", "app2"} {
		for _, s := range servers {
			if dbName != "app" {
				admin, err := sql.Open("mysql", s.DSN())
				if err != nil {
					b.Fatal(err)
				}
				_, err = admin.Exec("CREATE DATABASE IF NOT EXISTS " + dbName)
				_ = admin.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			cfg, err := mysql.ParseDSN(s.DSN())
			if err != nil {
				b.Fatal(err)
			}
			cfg.DBName = dbName
			dsns = append(dsns, cfg.FormatDSN())
		}
	}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn); err != nil {
			b.Fatal(err)
		}
	}
	// user_id u is on ds(u mod 4)
	if err := topo.AddTable(shard.Table{Name: "t_txb", Column: "user_id", Nodes: "ds${0..3}.t_txb", Algorithm: shard.Mod()}); err != nil {
		b.Fatal(err)
	}
	db := openDB(b, topo)
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS t_txb (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(16) NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	// The XA decision log exists before timing starts.
	if _, err := driver.RecoverXA(context.Background(), db, time.Minute); err != nil {
		b.Fatal(err)
	}

	var nextID atomic.Int64
	tx := func(ctx context.Context, parts int) (total, commit time.Duration, err error) {
		begin := time.Now()
		t, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, 0, err
		}
		for u := 0; u < parts; u++ {
			if _, err := t.ExecContext(ctx, "INSERT INTO t_txb (id, user_id, v) VALUES (?, ?, 'x')", nextID.Add(1), u); err != nil {
				_ = t.Rollback()
				return 0, 0, err
			}
		}
		start := time.Now()
		err = t.Commit()
		end := time.Now()
		return end.Sub(begin), end.Sub(start), err
	}

	for _, c := range []struct {
		name  string
		xa    bool
		parts int
	}{
		{"single-node", false, 1},
		{"best-effort-2", false, 2},
		{"best-effort-4", false, 4},
		{"xa-2", true, 2},
		{"xa-4", true, 4},
		{"xa-1-one-phase", true, 1},
	} {
		ctx := context.Background()
		if c.xa {
			ctx = driver.WithXATransaction(ctx)
		}
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", c.name, clients), func(b *testing.B) {
				// warm the pools
				for i := 0; i < 2*clients; i++ {
					if _, _, err := tx(ctx, c.parts); err != nil {
						b.Fatal(err)
					}
				}
				var txNs, commitNs atomic.Int64
				var wg sync.WaitGroup
				var mu sync.Mutex
				var failed error
				var left atomic.Int64
				left.Store(int64(b.N))
				b.ResetTimer()
				for g := 0; g < clients; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for left.Add(-1) >= 0 {
							total, commit, err := tx(ctx, c.parts)
							if err != nil {
								mu.Lock()
								failed = errors.Join(failed, err)
								mu.Unlock()
								return
							}
							txNs.Add(int64(total))
							commitNs.Add(int64(commit))
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				if failed != nil {
					b.Fatal(failed)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
				b.ReportMetric(float64(txNs.Load())/float64(b.N), "tx-ns/op")
				b.ReportMetric(float64(commitNs.Load())/float64(b.N), "commit-ns/op")
			})
		}
	}
}
