//go:build linux

package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// serverCPU is the CPU time used so far by the mariadbd processes this
// test process started (the shared servers), from /proc.
func serverCPU(t *testing.T) time.Duration {
	t.Helper()
	var total time.Duration
	ents, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		i := strings.LastIndex(st, ")")
		if i < 0 || !strings.Contains(st[:i], "mariadbd") {
			continue
		}
		f := strings.Fields(st[i+2:]) // from the state field on
		var ppid, utime, stime int64
		if _, err := fmt.Sscan(f[1], &ppid); err != nil || int(ppid) != os.Getpid() {
			continue
		}
		_, _ = fmt.Sscan(f[11], &utime)
		_, _ = fmt.Sscan(f[12], &stime)
		total += time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ = 100
	}
	return total
}

// cpuPer runs q n times, one after another, and returns the servers' and
// the client's CPU per statement.
func cpuPer(t *testing.T, db *sql.DB, q string, n int) (server, client time.Duration) {
	t.Helper()
	s0, c0 := serverCPU(t), cpuTime()
	for range n {
		_, err := runDiffQuery(db, q)
		require.NoError(t, err)
	}
	return (serverCPU(t) - s0) / time.Duration(n), (cpuTime() - c0) / time.Duration(n)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// TestDeepPageCPU splits the cost of the benchmark suite's deep page
// between the servers and the client (CPU per statement, one after
// another), against one table and against the deep page's phase-1
// statements run without shardsql. It only runs with
// SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageCPU -v
func TestDeepPageCPU(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	topo, _, sharded, single := loadDeepProfile(t)
	const q = "SELECT order_id, user_id, amount FROM %s ORDER BY order_id LIMIT 10000, 10"
	for range 50 { // warm the plan cache, pools and buffer pools
		_, err := runDiffQuery(sharded, fmt.Sprintf(q, "t_order"))
		require.NoError(t, err)
		_, err = runDiffQuery(single, fmt.Sprintf(q, "t_single"))
		require.NoError(t, err)
	}
	for _, c := range []struct {
		name string
		db   *sql.DB
		q    string
	}{{"single table", single, fmt.Sprintf(q, "t_single")}, {"deep page 2x8", sharded, fmt.Sprintf(q, "t_order")}} {
		srv, cl := cpuPer(t, c.db, c.q, 500)
		t.Logf("%-16s server CPU %8v client CPU %8v per statement (load %s)", c.name, srv, cl, loadAvg())
	}
	// Position hints (docs/deep-pages.md "Round 9"): cold (hints off),
	// the same page again with a warm hint, and a walk (offset += 10 from
	// 10,000: each page the next of the last); key-only and full-row
	// phases. Alternating rounds, 300 pages each.
	cold := openDB(t, topo, driver.WithDeepPageHints(false))
	keys := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	full := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))
	walkQ := "SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT %d, 10"
	for round := range 3 {
		for _, c := range []struct {
			name string
			db   *sql.DB
			walk bool
		}{{"cold", cold, false}, {"hint same page", sharded, false}, {"hint walk", sharded, true},
			{"keys, hint walk", keys, true}, {"full, hint walk", full, true}, {"single walk", single, true}} {
			tbl := "t_order"
			if c.db == single {
				tbl = "t_single"
			}
			const n = 300
			s0, c0 := serverCPU(t), cpuTime()
			for i := range n {
				off := 10000
				if c.walk {
					off += 10 * i
				}
				_, err := runDiffQuery(c.db, fmt.Sprintf(strings.Replace(walkQ, "t_order", tbl, 1), off))
				require.NoError(t, err)
			}
			srv, cl := (serverCPU(t)-s0)/n, (cpuTime()-c0)/n
			st, _ := driver.Stats(context.Background(), c.db)
			t.Logf("round %d %-16s server CPU %8v client CPU %8v per page; hinted %d, misses %d (load %s)", round, c.name, srv, cl, st.DeepHinted, st.DeepHintMisses, loadAvg())
		}
	}
}

// TestDeepPageThreshold compares the deep page with streaming
// (route.DeepPageOff) at offsets around
// the router's threshold, 16 nodes, count 10. It only runs with
// SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageThreshold -v
func TestDeepPageThreshold(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	ctx := context.Background()
	topo, _, deep, _ := loadDeepProfile(t)
	stream := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageOff))
	median := func(db *sql.DB, q string) time.Duration {
		var lat []time.Duration
		for range 101 {
			start := time.Now()
			_, err := runDiffQuery(db, q)
			require.NoError(t, err)
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		return lat[50]
	}
	for _, off := range []int{16, 32, 64, 128, 256, 512, 1024, 2048} {
		q := fmt.Sprintf("SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT %d, 10", off)
		plan, err := driver.Explain(ctx, stream, q)
		require.NoError(t, err)
		require.Nil(t, plan.DeepPage, "DeepPageOff streams")
		// below the router's threshold the deep page is not planned: it
		// is measured where it is
		if p, err := driver.Explain(ctx, deep, q); err != nil || p.DeepPage == nil {
			t.Logf("offset %4d: below the threshold, streams", off)
			continue
		}
		qps := alternate(t, 8, 6, []*sql.DB{deep, stream}, []string{q, q})
		srvD, clD := cpuPer(t, deep, q, 200)
		srvS, clS := cpuPer(t, stream, q, 200)
		latD, latS := median(deep, q), median(stream, q)
		t.Logf("offset %4d: deep %4.0f QPS at 8 (p50 %v at 1; CPU server %v + client %v), stream %4.0f QPS (p50 %v; %v + %v): %.2f× (load %s)",
			off, qps[0], latD, srvD, clD, qps[1], latS, srvS, clS, qps[0]/qps[1], loadAvg())
	}
}

// TestDeepPageCPUProfile writes a CPU profile of 2,000 of the benchmark
// suite's deep pages, one after another, to the file
// SHARDSQL_DEEP_CPUPROFILE names (go tool pprof it):
//
//	SHARDSQL_DEEP_CPUPROFILE=/tmp/deep.pprof SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageCPUProfile -v
func TestDeepPageCPUProfile(t *testing.T) {
	path := os.Getenv("SHARDSQL_DEEP_CPUPROFILE")
	if path == "" {
		t.Skip("SHARDSQL_DEEP_CPUPROFILE=file runs it")
	}
	_, _, sharded, _ := loadDeepProfile(t)
	const q = "SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT 10000, 10"
	for range 50 {
		_, err := runDiffQuery(sharded, q)
		require.NoError(t, err)
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, pprof.StartCPUProfile(f))
	srv, cl := cpuPer(t, sharded, q, 2000)
	pprof.StopCPUProfile()
	t.Logf("deep page 2x8: server CPU %v client CPU %v per statement (load %s)", srv, cl, loadAvg())
}
