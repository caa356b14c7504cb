package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestReview13bScatterTinyPools: adaptive scatters on pools of 1–2
// connections per data source with maxParallel 1–8, mixed with contexts
// that end mid-scatter, rows closed after one row, rows abandoned by a
// panicking caller (closed by its recover), and a table missing on one
// node: every statement answers whole or fails, and afterwards no scatter
// is counted and no connection held.
func TestReview13bScatterTinyPools(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "r13b_scatter")
	for _, cfg := range []struct{ open, par int }{{1, 1}, {2, 2}, {2, 4}, {1, 8}} {
		t.Run(fmt.Sprintf("open%d_par%d", cfg.open, cfg.par), func(t *testing.T) {
			topo := dsTopology(t, dsns)
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_s", Column: "k", Nodes: "ds${0..1}.t_s_${0..1}", Algorithm: shard.Mod()}))
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_bad", Column: "k", Nodes: "ds${0..1}.t_bad_${0..1}", Algorithm: shard.Mod()}))
			c, err := driver.NewConnector(topo, driver.WithMaxOpenConns(cfg.open), driver.WithMaxParallel(cfg.par),
				driver.WithConnWaitTimeout(3*time.Second))
			require.NoError(t, err)
			db := sql.OpenDB(c)
			t.Cleanup(func() { _ = db.Close() })
			for _, q := range []string{"DROP TABLE IF EXISTS t_s", "CREATE TABLE t_s (id BIGINT PRIMARY KEY, k BIGINT NOT NULL)",
				"DROP TABLE IF EXISTS t_bad", "CREATE TABLE t_bad (id BIGINT PRIMARY KEY, k BIGINT NOT NULL)"} {
				_, err := db.ExecContext(ctx, q)
				require.NoError(t, err)
			}
			for i := 0; i < 60; i++ {
				_, err := db.ExecContext(ctx, "INSERT INTO t_s (id, k) VALUES (?, ?)", i, i%13)
				require.NoError(t, err)
			}
			// One node of t_bad is gone: its scatters fail on that node.
			var raws []*sql.DB
			for _, d := range dsns {
				raw, err := sql.Open("mysql", d)
				require.NoError(t, err)
				defer raw.Close()
				raws = append(raws, raw)
			}
			_, err = raws[1].ExecContext(ctx, "DROP TABLE t_bad_1")
			require.NoError(t, err)

			all := func(ctx context.Context) ([]int64, error) {
				return stressIDs(db.QueryContext(ctx, "SELECT id FROM t_s ORDER BY id DESC"))
			}
			var want []int64
			for i := 59; i >= 0; i-- {
				want = append(want, int64(i))
			}
			var wg sync.WaitGroup
			for g := 0; g < 6; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewSource(int64(g)))
					for i := 0; i < 12; i++ {
						switch r.Intn(5) {
						case 0:
							got, err := all(ctx)
							if err == nil {
								assert.Equal(t, want, got)
							} else {
								assert.ErrorContains(t, err, "waiting for a connection")
							}
						case 1:
							cctx, cancel := context.WithTimeout(ctx, time.Duration(r.Intn(3000))*time.Microsecond)
							got, err := all(cctx)
							cancel()
							if err == nil {
								assert.Equal(t, want, got)
							}
						case 2: // one row, then closed
							rows, err := db.QueryContext(ctx, "SELECT id FROM t_s ORDER BY k, id")
							if err == nil {
								if assert.True(t, rows.Next(), "%v", rows.Err()) {
									var id int64
									assert.NoError(t, rows.Scan(&id))
									assert.Equal(t, int64(0), id)
								}
								assert.NoError(t, rows.Close())
							}
						case 3: // a caller that panics holding the rows
							func() {
								var rows *sql.Rows
								defer func() {
									if recover() != nil && rows != nil {
										_ = rows.Close()
									}
								}()
								var err error
								rows, err = db.QueryContext(ctx, "SELECT id, k FROM t_s")
								if err == nil {
									rows.Next()
									panic("caller")
								}
							}()
						case 4:
							_, err := db.ExecContext(ctx, "SELECT id FROM t_bad ORDER BY id")
							if err == nil {
								rows, qerr := db.QueryContext(ctx, "SELECT id FROM t_bad ORDER BY id")
								if qerr == nil {
									for rows.Next() {
									}
									err = rows.Err()
									_ = rows.Close()
								} else {
									err = qerr
								}
							}
							assert.Error(t, err)
						}
					}
				}()
			}
			wg.Wait()
			require.Eventually(t, func() bool { return driver.ScatteringOf(c) == 0 }, 5*time.Second, 10*time.Millisecond,
				"scatters still counted: %d", driver.ScatteringOf(c))
			require.Eventually(t, func() bool {
				for _, n := range driver.GateUsedOf(c) {
					if n != 0 {
						return false
					}
				}
				return true
			}, 5*time.Second, 10*time.Millisecond, "connections still held: %v", driver.GateUsedOf(c))
			got, err := all(ctx)
			require.NoError(t, err)
			require.Equal(t, want, got)
			if cfg.open < 2 {
				return // one connection per data source: units read one after another on pins
			}
			// A later scatter still starts its units at once: counted on
			// the servers, not timed. The two servers are sampled one
			// after the other, so a unit ending on one while the next
			// starts on the other may be seen twice: at least
			// min(4, par), and all 4 with par 4 (a leaked count would
			// make its share 2).
			// Sampled, so a busy machine can start the units late and miss
			// the overlap: up to three scatters, the most seen counts.
			most := 0
			for try := 0; try < 3 && most < min(4, cfg.par); try++ {
				most = max(most, sleepingUnits(t, db, raws))
			}
			t.Logf("units running at once: %d", most)
			require.GreaterOrEqual(t, most, min(4, cfg.par), "units running at once on the servers")
		})
	}
}

// sleepingUnits runs a scatter of t_s whose every node sleeps 40 ms a row
// and returns how many of its units the servers were seen running at
// once at most (information_schema.PROCESSLIST of each server: threads
// in SLEEP, not ones that answered and are cleaning up).
func sleepingUnits(t *testing.T, db *sql.DB, admins []*sql.DB) int {
	ctx := context.Background()
	const q = "SELECT COUNT(*) FROM t_s WHERE SLEEP(0.04) = 0"
	done := make(chan error, 1)
	go func() {
		var n int
		err := db.QueryRowContext(ctx, q).Scan(&n)
		if err == nil && n != 60 {
			err = fmt.Errorf("count %d", n)
		}
		done <- err
	}()
	most := 0
	for {
		select {
		case err := <-done:
			require.NoError(t, err)
			return most
		default:
		}
		sum := 0
		for _, admin := range admins {
			var n int
			require.NoError(t, admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep' AND INFO LIKE '%SLEEP(0.04)%'").Scan(&n))
			sum += n
		}
		most = max(most, sum)
		time.Sleep(5 * time.Millisecond)
	}
}
