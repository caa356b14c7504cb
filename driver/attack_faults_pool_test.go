package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The pool class of the fault attack: data source pools of 1, 2 and 3
// connections (SetMaxOpenConns on pools given with AddDB) and a shardsql
// *sql.DB limited too, under every kind of statement that takes
// connections — scatters, joins of tables on different nodes (whose
// build side and lookups run while the outer side's rows stream), deep
// pages (later phases), bound subqueries, prepared statements,
// transactions, rows left open while another statement runs, contexts
// cancelled mid-stream. Nothing may wait for its deadline, every answer
// must equal the one an unlimited shardsql gives, and no server
// connection may stay in use.

// poolAttackEnv is t_pa (400 rows, sharded by user_id over 2 data
// sources × 4 tables) and t_pb (37 rows, sharded by id over 2 × 2),
// through limited pools, and the same through an unlimited shardsql.
type poolAttackEnv struct {
	pools []*sql.DB
	topo  *shard.Topology
	ref   *sql.DB
}

func newPoolAttackEnv(t *testing.T, limit int) *poolAttackEnv {
	t.Helper()
	dsns := sharedDSNs(t, t.Name())
	e := &poolAttackEnv{topo: shard.NewTopology()}
	refTopo := shard.NewTopology()
	for i, dsn := range dsns {
		pool, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		pool.SetMaxOpenConns(limit)
		t.Cleanup(func() { _ = pool.Close() })
		e.pools = append(e.pools, pool)
		require.NoError(t, e.topo.AddDB(fmt.Sprintf("ds%d", i), pool))
		require.NoError(t, refTopo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	for _, tp := range []*shard.Topology{e.topo, refTopo} {
		require.NoError(t, tp.AddTable(shard.Table{Name: "t_pa", Column: "user_id", Nodes: "ds${0..1}.t_pa_${0..3}", Algorithm: shard.Hash()}))
		require.NoError(t, tp.AddTable(shard.Table{Name: "t_pb", Column: "id", Nodes: "ds${0..1}.t_pb_${0..1}", Algorithm: shard.Mod()}))
	}
	e.ref = openDB(t, refTopo)
	for _, q := range []string{
		"CREATE TABLE t_pa (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, k BIGINT NOT NULL)",
		"CREATE TABLE t_pb (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(16) NOT NULL)",
	} {
		_, err := e.ref.Exec(q)
		require.NoError(t, err)
	}
	var a, b []string
	for id := 1; id <= 400; id++ {
		a = append(a, fmt.Sprintf("(%d, %d, %d)", id, id%50+1, id%37))
	}
	for id := 0; id < 37; id++ {
		b = append(b, fmt.Sprintf("(%d, 'n%02d')", id, id))
	}
	_, err := e.ref.Exec("INSERT INTO t_pa (id, user_id, k) VALUES " + strings.Join(a, ", "))
	require.NoError(t, err)
	_, err = e.ref.Exec("INSERT INTO t_pb (id, name) VALUES " + strings.Join(b, ", "))
	require.NoError(t, err)
	return e
}

// poolAttackQueries are the reads the pool attack runs.
var poolAttackQueries = []struct{ name, sql string }{
	{"scatter", "SELECT COUNT(*), SUM(k) FROM t_pa"},
	{"sorted scatter", "SELECT id, k FROM t_pa ORDER BY k DESC, id LIMIT 7"},
	{"join", "SELECT a.id, b.name FROM t_pa a JOIN t_pb b ON b.id = a.k WHERE a.id % 9 = 0 ORDER BY a.id"},
	{"join, outer side larger than a batch", "SELECT COUNT(*), MAX(b.name) FROM t_pa a JOIN t_pb b ON b.id = a.k"},
	{"join, few rows per node", "SELECT a.id, b.name FROM t_pa a JOIN t_pb b ON b.id = a.k WHERE a.id % 9 = 0 AND a.id <= 250 ORDER BY a.id"},
	{"join, several batches", "SELECT COUNT(*), MAX(b.name) FROM t_pa a JOIN t_pb b ON b.id = a.k WHERE a.id <= 120"},
	{"deep page", "SELECT id, user_id FROM t_pa ORDER BY id LIMIT 300, 10"},
	{"bound subquery", "SELECT COUNT(*) FROM t_pa WHERE k IN (SELECT id FROM t_pb WHERE name < 'n20')"},
	{"derived table", "SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM t_pa GROUP BY k) x ORDER BY c DESC, k LIMIT 5"},
}

// answer runs a read and returns its rows as text.
func answer(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, query string, args ...any) (string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for _, v := range vals {
			sb.Write(v)
			sb.WriteByte(',')
		}
		sb.WriteByte('\n')
	}
	return sb.String(), rows.Err()
}

// idlePools waits until no connection of the limited pools is in use.
func (e *poolAttackEnv) idlePools(t *testing.T) {
	t.Helper()
	for i, p := range e.pools {
		ok := assert.Eventually(t, func() bool { return p.Stats().InUse == 0 }, 5*time.Second, 10*time.Millisecond)
		if !ok {
			t.Errorf("ds%d: %d server connections still in use", i, p.Stats().InUse)
		}
	}
}

func TestAttackFaultsSmallPools(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("pools of %d", limit), func(t *testing.T) {
			e := newPoolAttackEnv(t, limit)
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			want := map[string]string{}
			for _, q := range poolAttackQueries {
				w, err := answer(ctx, e.ref, q.sql)
				require.NoError(t, err, q.name)
				want[q.name] = w
			}
			for round, opts := range [][]driver.Option{
				{driver.WithConnWaitTimeout(3 * time.Second)},
				// joins by lookups: the build side (37 rows) passes the cap
				{driver.WithConnWaitTimeout(3 * time.Second), driver.WithJoinBatch(16), driver.WithMaxMemoryRows(36)},
			} {
				poolAttackQueries := poolAttackQueries
				if round == 1 {
					poolAttackQueries = poolAttackQueries[4:6] // under the cap in every mode
				}
				db := openDB(t, e.topo, opts...)
				db.SetMaxOpenConns(limit + 1)
				t.Run("one at a time", func(t *testing.T) {
					for _, q := range poolAttackQueries {
						got, err := answer(ctx, db, q.sql)
						require.NoError(t, err, q.name)
						assert.Equal(t, want[q.name], got, q.name)
					}
					e.idlePools(t)
				})
				t.Run("in a transaction", func(t *testing.T) {
					tx, err := db.BeginTx(ctx, nil)
					require.NoError(t, err)
					defer func() { _ = tx.Rollback() }()
					_, err = tx.ExecContext(ctx, "UPDATE t_pa SET k = k WHERE user_id IN (1, 2, 3, 4, 5)")
					require.NoError(t, err)
					for _, q := range poolAttackQueries {
						got, err := answer(ctx, tx, q.sql)
						require.NoError(t, err, q.name)
						assert.Equal(t, want[q.name], got, q.name)
					}
					require.NoError(t, tx.Commit())
					e.idlePools(t)
				})
				t.Run("prepared", func(t *testing.T) {
					for _, q := range poolAttackQueries {
						st, err := db.PrepareContext(ctx, q.sql)
						require.NoError(t, err, q.name)
						for i := 0; i < 2; i++ {
							rows, err := st.QueryContext(ctx)
							require.NoError(t, err, q.name)
							require.NoError(t, rows.Close())
						}
						require.NoError(t, st.Close())
					}
					e.idlePools(t)
				})
				t.Run("cancelled mid-stream", func(t *testing.T) {
					for _, q := range poolAttackQueries {
						qctx, qcancel := context.WithCancel(ctx)
						rows, err := db.QueryContext(qctx, q.sql)
						require.NoError(t, err, q.name)
						rows.Next()
						qcancel()
						_ = rows.Close()
					}
					e.idlePools(t)
					for _, q := range poolAttackQueries {
						got, err := answer(ctx, db, q.sql)
						require.NoError(t, err, "after the cancels: %s", q.name)
						assert.Equal(t, want[q.name], got, q.name)
					}
				})
				t.Run("concurrent", func(t *testing.T) {
					var wg sync.WaitGroup
					for g := 0; g < 3; g++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for i := 0; i < 2*len(poolAttackQueries); i++ {
								q := poolAttackQueries[(g+i)%len(poolAttackQueries)]
								got, err := answer(ctx, db, q.sql)
								if assert.NoError(t, err, q.name) {
									assert.Equal(t, want[q.name], got, q.name)
								}
							}
						}()
					}
					wg.Wait()
					e.idlePools(t)
				})
				require.NoError(t, ctx.Err(), "nothing may wait for the deadline")
				require.NoError(t, db.Close())
			}
		})
	}
}

// TestAttackFaultsCrossedTransactions: data source pools of one
// connection, and transactions that join the two data sources in opposite
// orders at once. Each holds one data source's only connection while it
// asks for the other's: as with any two callers holding what the other
// needs, neither can proceed. The wait must end after
// WithConnWaitTimeout with an error naming the pool (never a hang), the
// failed transaction must leave nothing, and the pools must be free
// afterwards.
func TestAttackFaultsCrossedTransactions(t *testing.T) {
	e := newPoolAttackEnv(t, 1)
	db := openDB(t, e.topo, driver.WithConnWaitTimeout(500*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// One user of t_pa on each data source.
	var users [2]int64
	for u := int64(1); users[0] == 0 || users[1] == 0; u++ {
		plan, err := driver.Explain(ctx, e.ref, "SELECT id FROM t_pa WHERE user_id = ?", u)
		require.NoError(t, err)
		if strings.Contains(plan.String(), "ds0.") && users[0] == 0 {
			users[0] = u
		} else if strings.Contains(plan.String(), "ds1.") && users[1] == 0 {
			users[1] = u
		}
	}
	var committed, failed [2]int
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, second := users[g], users[1-g]
			for i := 0; i < 4; i++ {
				id := int64(5000 + 100*g + i)
				err := func() error {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer func() { _ = tx.Rollback() }()
					if _, err := tx.ExecContext(ctx, "INSERT INTO t_pa (id, user_id, k) VALUES (?, ?, 0)", id, first); err != nil {
						return err
					}
					time.Sleep(20 * time.Millisecond) // the other joins its first data source
					if _, err := tx.ExecContext(ctx, "INSERT INTO t_pa (id, user_id, k) VALUES (?, ?, 0)", id+10000, second); err != nil {
						return err
					}
					return tx.Commit()
				}()
				if err == nil {
					committed[g]++
					continue
				}
				failed[g]++
				assert.Contains(t, err.Error(), "waiting for a connection of data source", "g%d: %v", g, err)
				var n int
				require.NoError(t, e.ref.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_pa WHERE id IN (?, ?)", id, id+10000).Scan(&n))
				assert.Zero(t, n, "g%d: a failed transaction leaves nothing", g)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "the waits end long before the deadline")
	t.Logf("committed %v, failed %v", committed, failed)
	e.idlePools(t)
	got, err := answer(ctx, db, "SELECT COUNT(*) FROM t_pa WHERE id >= 5000")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d,\n", 2*(committed[0]+committed[1])), got, "every committed transaction whole")
}
