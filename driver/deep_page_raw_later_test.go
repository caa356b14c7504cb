package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// The later phases' suite: t_dl sharded by ranges of id over 2 data
// sources × 2 tables, every key column rising with id (NULLs between), so
// that every order is as skewed as it gets: node 3 holds too few rows for
// a window (a count statement), and the windows of the others miss the
// page (phase 2).
const laterDDL = `CREATE TABLE t_dl (
	id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, u BIGINT UNSIGNED NULL, dc DECIMAL(12,4) NULL,
	dt DATETIME(6) NULL, v VARCHAR(20) COLLATE utf8mb4_unicode_ci NULL, e ENUM('a','b','c') NULL)`

func laterEnv(t *testing.T, name string) (dsns []string, oracle *sql.DB, topo func(params string) *shard.Topology) {
	t.Helper()
	ctx := context.Background()
	dsns = sharedDSNs(t, name)
	oracle = openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo = func(params string) *shard.Topology {
		tp := shard.NewTopology()
		for i, dsn := range dsns {
			require.NoError(t, tp.AddDataSource(fmt.Sprintf("ds%d", i), dsn+params))
		}
		require.NoError(t, tp.AddTable(shard.Table{Name: "t_dl", Column: "id", Nodes: "ds${0..1}.t_dl_${0..1}", Algorithm: shard.Range(100, 200, 550)}))
		return tp
	}
	var sb strings.Builder
	for i := 1; i <= 600; i++ {
		u, dc, dt, v := "NULL", "NULL", "NULL", "NULL"
		if i%5 != 0 {
			u = fmt.Sprint(uint64(1)<<63 + uint64(i))
		}
		if i%9 != 0 {
			dc = fmt.Sprintf("%d.%04d", i/7-40, i%7)
		}
		if i%7 != 0 {
			dt = fmt.Sprintf("'2026-12-01 00:%02d:%02d.%06d'", i/60, i%60, i)
		}
		if i%6 != 0 {
			k := "k"
			if i%2 == 0 {
				k = "K" // equal under the collation, not by bytes
			}
			v = fmt.Sprintf("'%s%04d'", k, i)
		}
		fmt.Fprintf(&sb, "(%d, %d, %s, %s, %s, %s, '%s'),", i, i%17, u, dc, dt, v, []string{"a", "b", "c"}[i%3])
	}
	insert := "INSERT INTO t_dl (id, user_id, u, dc, dt, v, e) VALUES " + strings.TrimSuffix(sb.String(), ",")
	for _, db := range []*sql.DB{oracle, openDB(t, topo("&interpolateParams=true"))} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_dl", laterDDL, insert} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	return dsns, oracle, topo
}

// TestDeepPageRawLater: a deep page's later phases — phase 2, the counts
// and the key-only fetch, bounded by their LIMIT or their one row — are
// read whole inside Raw on pool connections as phase 1's windows are
// (planExec.later, rows_raw_scatter.go), and the page (values and every
// column type) equals the same page read with them streamed (inside a
// transaction) and the one table's: key-only and full rows, BIGINT,
// BIGINT UNSIGNED above 2^63, DECIMAL, DATETIME(6) and VARCHAR keys under
// utf8mb4_unicode_ci, NULL keys, DESC and mixed directions. A transaction,
// a pinned session and a connection without interpolateParams (the
// statements have an argument) keep the streamed path.
func TestDeepPageRawLater(t *testing.T) {
	ctx := context.Background()
	_, oracle, topo := laterEnv(t, "deep_raw_later")
	orders := []string{"id", "id DESC", "u DESC", "dc", "dt DESC", "v", "v DESC, dt", "dc DESC, u"}
	var sawCount, sawPhase2, sawFetch bool
	for _, mode := range []route.DeepPageKeys{route.DeepPageKeysOnly, route.DeepPageKeysFull} {
		db := openDB(t, topo("&interpolateParams=true&parseTime=true"), driver.WithDeepPageKeys(mode))
		prepared := openDB(t, topo("&parseTime=true"), driver.WithDeepPageKeys(mode))
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		pconn, err := prepared.Conn(ctx)
		require.NoError(t, err)
		pinned, err := db.Conn(ctx)
		require.NoError(t, err)
		_, err = pinned.ExecContext(ctx, "SET SESSION div_precision_increment = 9") // the session's pins
		require.NoError(t, err)
		for i, o := range orders {
			cols := "id, user_id, u, dc, dt, v, e"
			if i%2 == 1 {
				cols = "id, user_id, u, dc, dt, v" // full rows joined too
			}
			for _, off := range []int{380, 120, 560} {
				q := fmt.Sprintf("SELECT %s FROM t_dl WHERE user_id <> ? ORDER BY %s LIMIT %d, 6", cols, o, off)
				name := fmt.Sprintf("mode %d: %s", mode, q)
				p, err := driver.Explain(ctx, db, q, 3)
				require.NoError(t, err)
				require.NotNil(t, p.DeepPage, name)

				sqls, raw, err := driver.DeepPageLater(ctx, conn, false, q, int64(3))
				require.NoError(t, err, name)
				for j, s := range sqls {
					assert.True(t, raw[j], "%s: read inside Raw: %s", name, s)
					switch {
					case strings.Contains(s, "count(*)"):
						sawCount = true
					case mode == route.DeepPageKeysFull:
						sawPhase2 = true
					case strings.Contains(s, "e from"):
						sawFetch = true
					}
				}
				for _, c := range []struct {
					what string
					conn *sql.Conn
					inTx bool
				}{{"in a transaction", conn, true}, {"on a pinned session", pinned, false}, {"without interpolateParams", pconn, false}} {
					sqls, raw, err := driver.DeepPageLater(ctx, c.conn, c.inTx, q, int64(3))
					require.NoError(t, err, name)
					assert.NotContains(t, raw, true, "%s: %s the later phases stream: %v", name, c.what, sqls)
				}

				gotTypes, got := rawResult(t)(db.QueryContext(ctx, q, 3))
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				wantTypes, want := rawResult(t)(tx.QueryContext(ctx, q, 3))
				require.NoError(t, tx.Rollback())
				assert.Equal(t, wantTypes, gotTypes, name)
				assert.Equal(t, want, got, name)

				plain := strings.Replace(q, " LIMIT", ", id LIMIT", 1)
				oracleRows, err := runDiffQuery(oracle, plain, 3)
				require.NoError(t, err)
				require.NotEmpty(t, oracleRows.rows, name)
				for _, d := range []*sql.DB{db, prepared} {
					res, err := runDiffQuery(d, q, 3)
					require.NoError(t, err, name)
					assert.Equal(t, oracleRows.rows, res.rows, name)
				}
			}
		}
		for _, c := range []*sql.Conn{conn, pconn, pinned} {
			require.NoError(t, c.Close())
		}
	}
	assert.True(t, sawCount, "a count statement ran")
	assert.True(t, sawPhase2, "a phase 2 ran")
	assert.True(t, sawFetch, "a fetch ran")
}

// TestDeepPageRawLaterFaults: the later phases read inside Raw keep the
// pool's fault handling. Every pooled server connection killed behind the
// pool's back (the pool holding more than phase 1 takes, so the later
// phases meet dead ones too): the pages answer, exact. Deadlines that end
// anywhere in a page (a page fails only once its deadline passed), and a node's table renamed away and back while
// pages run: each page is exact or fails with the context's error or the
// server's, never a partial or wrong page; the pool goes on.
func TestDeepPageRawLaterFaults(t *testing.T) {
	ctx := context.Background()
	const name = "deep_raw_later_faults"
	dsns, oracle, topo := laterEnv(t, name)
	db := openDB(t, topo("&interpolateParams=true"), driver.WithMaxIdleConns(16), driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	const q = "SELECT id, user_id, u, dc, dt, v FROM t_dl ORDER BY dt DESC LIMIT 380, 6"
	want, err := runDiffQuery(oracle, strings.Replace(q, " LIMIT", ", id LIMIT", 1))
	require.NoError(t, err)
	require.Len(t, want.rows, 6)
	page := func(ctx context.Context) error {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		got, err := scanDiffRows(rows)
		if err != nil {
			return err
		}
		if !assert.Equal(t, want.rows, got.rows) {
			return errors.New("a wrong page")
		}
		return nil
	}
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	sqls, raw, err := driver.DeepPageLater(ctx, conn, false, q)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.NotEmpty(t, sqls)
	require.NotContains(t, raw, false, "every later phase read inside Raw: %v", sqls)

	deadline := func(ctx context.Context) time.Time { d, _ := ctx.Deadline(); return d }
	concurrently := func(n int, f func(i int)) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); f(i) }()
		}
		wg.Wait()
	}
	for round := range 3 {
		// fill the pools with idle connections, then kill them all
		concurrently(8, func(int) { assert.NoError(t, page(ctx)) })
		for _, dsn := range dsns {
			killListed(t, ctx, openPlain(t, dsn), "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", name)
		}
		for range 3 {
			require.NoError(t, page(ctx), "round %d", round)
		}
	}

	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	var ok, timedOut int
	for range 150 {
		dctx, cancel := context.WithTimeout(ctx, time.Duration(r.Intn(20000))*time.Microsecond)
		err := page(dctx)
		switch {
		case err == nil:
			ok++
		case !time.Now().Before(deadline(dctx)) && err.Error() != "a wrong page":
			// the context's error, or the dial's "i/o timeout" a
			// connection opened under the deadline gets
			timedOut++
		default:
			require.NoError(t, err, "a page fails only once its deadline passed")
		}
		cancel()
	}
	t.Logf("deadlines: %d pages exact, %d failed with the context's error", ok, timedOut)
	require.NoError(t, page(ctx), "the pool goes on")

	admin := openPlain(t, dsns[1])
	stop := make(chan struct{})
	var renames sync.WaitGroup
	renames.Add(1)
	go func() {
		defer renames.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, err := admin.ExecContext(ctx, "RENAME TABLE t_dl_1 TO t_dl_1_away")
			assert.NoError(t, err)
			time.Sleep(time.Duration(r.Intn(2000)) * time.Microsecond)
			_, err = admin.ExecContext(ctx, "RENAME TABLE t_dl_1_away TO t_dl_1")
			assert.NoError(t, err)
			time.Sleep(time.Duration(5000+r.Intn(10000)) * time.Microsecond)
		}
	}()
	var exact, missing int
	var mu sync.Mutex
	concurrently(4, func(int) {
		for range 40 {
			err := page(ctx)
			mu.Lock()
			switch {
			case err == nil:
				exact++
			case strings.Contains(err.Error(), "t_dl_1") && strings.Contains(err.Error(), "doesn't exist"):
				missing++
			default:
				assert.NoError(t, err, "a missing table fails a page with the server's error")
			}
			mu.Unlock()
		}
	})
	close(stop)
	renames.Wait()
	t.Logf("a table renamed away and back: %d pages exact, %d failed with the server's error", exact, missing)
	require.NoError(t, page(ctx), "the pool goes on")
}
