package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// TestDeepPageProfile times the benchmark suite's deep page (100,000 rows,
// 2 servers × 8 tables, ORDER BY order_id LIMIT 10000, 10) against one
// table, and the node statements of its phase 1 on their own, to tell
// server time from the rest, and their throughput alternating. It only runs with SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageProfile -v
func TestDeepPageProfile(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	ctx := context.Background()
	topo, dsns, sharded, single := loadDeepProfile(t)
	_ = sharded
	const q = "SELECT order_id, user_id, amount FROM %s ORDER BY order_id LIMIT 10000, 10"
	timeIt := func(name string, db *sql.DB, q string) {
		var lat []time.Duration
		for range 200 {
			start := time.Now()
			_, err := runDiffQuery(db, q)
			require.NoError(t, err)
			lat = append(lat, time.Since(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		t.Logf("%-40s p10 %8v p50 %8v p90 %8v", name, lat[20], lat[100], lat[180])
	}
	keys := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	full := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))
	plan, err := driver.Explain(ctx, full, fmt.Sprintf(q, "t_order"))
	require.NoError(t, err)
	t.Logf("%s", plan)
	direct0 := openPlain(t, dsns[0])
	ex, err := runDiffQuery(direct0, "EXPLAIN "+plan.Units[0].SQL)
	require.NoError(t, err)
	t.Logf("EXPLAIN %s\n%v\n%v", plan.Units[0].SQL, ex.cols, ex.rows)

	// latency at concurrency 1, and the phase-1 statement of one node
	// alone, without a margin, and of the keys only
	timeIt("single table", single, fmt.Sprintf(q, "t_single"))
	timeIt("deep page, full rows", full, fmt.Sprintf(q, "t_order"))
	timeIt("deep page, keys only", keys, fmt.Sprintf(q, "t_order"))
	one := plan.Units[0].SQL
	timeIt("phase 1, one node", direct0, one)
	timeIt("phase 1, one node, no margin", direct0, strings.Replace(one, fmt.Sprintf("limit %d, %d", plan.DeepPage.Page.NodeOffset(), plan.DeepPage.Page.Window()), "limit 625, 10", 1))
	timeIt("one node, LIMIT 0", direct0, strings.Replace(one, fmt.Sprintf("limit %d, %d", plan.DeepPage.Page.NodeOffset(), plan.DeepPage.Page.Window()), "limit 0", 1))
	timeIt("SELECT 1", direct0, "SELECT 1")

	// throughput at concurrency 8, the three alternating in slices of
	// 300ms so that they share the machine's load
	type cfg struct {
		name string
		db   *sql.DB
		q    string
	}
	cfgs := []cfg{{"single table", single, fmt.Sprintf(q, "t_single")},
		{"deep page, full rows", full, fmt.Sprintf(q, "t_order")},
		{"deep page, keys only", keys, fmt.Sprintf(q, "t_order")}}
	const rounds, conc = 10, 8
	dbs, qs := make([]*sql.DB, len(cfgs)), make([]string, len(cfgs))
	for i, c := range cfgs {
		dbs[i], qs[i] = c.db, c.q
	}
	qps := alternate(t, conc, rounds, dbs, qs)
	for i, c := range cfgs {
		t.Logf("%-24s concurrency %d: %5.0f QPS (%.2f×)", c.name, conc, qps[i], qps[i]/qps[0])
	}
}

// alternate runs each query at concurrency conc in slices of 300ms, the
// queries taking turns for rounds rounds so that they share the machine's
// load, and returns each one's QPS.
func alternate(t *testing.T, conc, rounds int, dbs []*sql.DB, qs []string) []float64 {
	t.Helper()
	counts := make([]int, len(qs))
	for range rounds {
		for i := range qs {
			deadline := time.Now().Add(300 * time.Millisecond)
			done := make(chan int)
			for range conc {
				go func() {
					n := 0
					for time.Now().Before(deadline) {
						if _, err := runDiffQuery(dbs[i], qs[i]); err != nil {
							t.Error(err)
							break
						}
						n++
					}
					done <- n
				}()
			}
			for range conc {
				counts[i] += <-done
			}
		}
	}
	out := make([]float64, len(qs))
	for i, c := range counts {
		out[i] = float64(c) / (0.3 * float64(rounds))
	}
	return out
}

// loadDeepProfile loads the benchmark suite's t_order (100,000 rows, 2
// servers × 8 tables, hashed on user_id) and one unsharded copy, t_single,
// on the first server.
func loadDeepProfile(t *testing.T) (*shard.Topology, []string, *sql.DB, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, "deep_profile")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..7}", Algorithm: shard.Hash()}))
	sharded := openDB(t, topo)
	single := openPlain(t, dsns[0])
	ddl := `CREATE TABLE %s (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL,
		status VARCHAR(16) NOT NULL, created DATETIME NOT NULL, KEY idx_user (user_id))`
	const rows = 100_000
	for _, x := range []struct {
		db    *sql.DB
		table string
	}{{sharded, "t_order"}, {single, "t_single"}} {
		_, err := x.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+x.table)
		require.NoError(t, err)
		_, err = x.db.ExecContext(ctx, fmt.Sprintf(ddl, x.table))
		require.NoError(t, err)
		for start := 1; start <= rows; start += 1000 {
			var sb strings.Builder
			var args []any
			for id := start; id < start+1000; id++ {
				if id > start {
					sb.WriteString(",")
				}
				sb.WriteString("(?,?,?,'paid','2025-01-01')")
				args = append(args, id, id*7919%10007, fmt.Sprintf("%d.%02d", id%1000, id%100))
			}
			_, err := x.db.ExecContext(ctx, "INSERT INTO "+x.table+" (order_id, user_id, amount, status, created) VALUES "+sb.String(), args...)
			require.NoError(t, err)
		}
	}
	return topo, dsns, sharded, single
}
