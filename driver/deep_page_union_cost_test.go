//go:build linux

package driver_test

import (
	"database/sql"

	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// TestDeepPageUnionCost measures the benchmark's deep page (2 × 8 tables,
// LIMIT 10000, 10) with one UNION ALL statement per data source, full-row
// phases against key-only ones, beside the one table: the servers' and
// the client's CPU per page (one after another) and the throughput at
// concurrency 8, the three taking turns in 300 ms slices. It only runs
// with SHARDSQL_DEEP_PROFILE=1 (DEEP_OFFSET sets the offset):
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageUnionCost -v
func TestDeepPageUnionCost(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	offset := 10000
	if s := os.Getenv("DEEP_OFFSET"); s != "" {
		offset, _ = strconv.Atoi(s)
	}
	topo, _, _, single := loadDeepProfile(t)
	full := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))
	keys := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	const q = "SELECT order_id, user_id, amount FROM %s ORDER BY order_id LIMIT %d, 10"
	dbs := []*sql.DB{single, full, keys}
	qs := []string{fmt.Sprintf(q, "t_single", offset), fmt.Sprintf(q, "t_order", offset), fmt.Sprintf(q, "t_order", offset)}
	names := []string{"single table", "deep full rows", "deep key-only"}
	for i := range dbs {
		for range 50 {
			_, err := runDiffQuery(dbs[i], qs[i])
			require.NoError(t, err)
		}
	}
	for i := range dbs {
		srv, cl := cpuPer(t, dbs[i], qs[i], 300)
		t.Logf("%-15s server CPU %8v client CPU %8v per page (load %s)", names[i], srv, cl, loadAvg())
	}
	qps := alternate(t, 8, 6, dbs, qs)
	for i := range dbs {
		t.Logf("%-15s %5.0f QPS at 8 (%.2f× the one table; load %s)", names[i], qps[i], qps[i]/qps[0], loadAvg())
	}
}
