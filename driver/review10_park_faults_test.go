package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// TestReview10ParkedCut cuts the network (fault proxy) under every parked
// connection, on pools of one connection per data source so the next
// statement takes exactly the dead parked one, then runs each kind of
// statement: a one-row INSERT, a multi-node UPDATE, a point read, a
// scatter, a deep page, a best-effort and an XA transaction over both data
// sources. Each must succeed on a fresh connection (nothing was sent on
// the dead one) and every write be applied exactly once.
func TestReview10ParkedCut(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review10_cut")
	topo := shard.NewTopology()
	var proxies []*shardtest.Proxy
	var plains []*sql.DB
	for i, dsn := range dsns {
		s := shared.servers[i]
		px, err := shardtest.StartProxy(s.Addr())
		require.NoError(t, err)
		t.Cleanup(func() { _ = px.Close() })
		proxies = append(proxies, px)
		plain := openPlain(t, dsn)
		plains = append(plains, plain)
		for _, q := range []string{"DROP TABLE IF EXISTS t_cut", "CREATE TABLE t_cut (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, n INT NOT NULL DEFAULT 0)"} {
			_, err = plain.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		var vals []string
		for id := 1; id <= 300; id++ {
			if id%2 == i {
				vals = append(vals, fmt.Sprintf("(%d, %d, 0)", id, id))
			}
		}
		_, err = plain.ExecContext(ctx, "INSERT INTO t_cut (id, user_id, n) VALUES "+strings.Join(vals, ","))
		require.NoError(t, err)
		pdsn := strings.Replace(dsn, "("+s.Addr()+")", "("+px.Addr()+")", 1)
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), pdsn+"&interpolateParams=true"))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_cut", Column: "user_id", Nodes: "ds${0..1}.t_cut", Algorithm: shard.Mod()}))
	db := openDB(t, topo, driver.WithMaxOpenConns(1))
	park := func() {
		// One statement per data source leaves its connection parked; the
		// 20 ms timer may give it back to the pool before the cut (slow
		// machines, -race), so warm again until both are parked at once,
		// then cut. A dead connection in the pool is go-sql-driver's
		// check's to find, also fine.
		for try := 0; try < 50; try++ {
			for _, u := range []int{2, 1} {
				var n int
				require.NoError(t, db.QueryRowContext(ctx, "SELECT n FROM t_cut WHERE user_id = ? AND id = ?", u, u).Scan(&n))
			}
			both := true
			for i := range proxies {
				parked, _, err := driver.ParkState(ctx, db, fmt.Sprintf("ds%d", i))
				require.NoError(t, err)
				both = both && parked == 1
			}
			if both {
				break
			}
		}
		for _, px := range proxies {
			px.CutAll()
		}
	}
	sumN := func() int {
		total := 0
		for _, p := range plains {
			var n int
			require.NoError(t, p.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM t_cut").Scan(&n))
			total += n
		}
		return total
	}
	nextID := int64(1000)
	steps := []struct {
		name  string
		run   func() error
		delta int // how much SUM(n) grows when the step applied once
	}{
		{"one-row insert", func() error {
			nextID++
			_, err := db.ExecContext(ctx, "INSERT INTO t_cut (id, user_id, n) VALUES (?, ?, 1)", nextID, nextID)
			return err
		}, 1},
		{"multi-node update", func() error {
			_, err := db.ExecContext(ctx, "UPDATE t_cut SET n = n + 1 WHERE id IN (1, 2)")
			return err
		}, 2},
		{"point read", func() error {
			var n int
			return db.QueryRowContext(ctx, "SELECT n FROM t_cut WHERE user_id = ? AND id = ?", 7, 7).Scan(&n)
		}, 0},
		{"scatter", func() error {
			var n int
			err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_cut WHERE id <= 300").Scan(&n)
			if err == nil && n != 300 {
				err = fmt.Errorf("count %d", n)
			}
			return err
		}, 0},
		{"deep page", func() error {
			ids, err := stressIDs(db.QueryContext(ctx, "SELECT id FROM t_cut WHERE id <= 300 ORDER BY id LIMIT 3 OFFSET 280"))
			if err == nil && fmt.Sprint(ids) != "[281 282 283]" {
				err = fmt.Errorf("deep page %v", ids)
			}
			return err
		}, 0},
		{"transaction", func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "UPDATE t_cut SET n = n + 1 WHERE user_id IN (3, 4)")
			return errors.Join(err, tx.Commit())
		}, 2},
		{"XA transaction", func() error {
			xctx := driver.WithXATransaction(ctx)
			tx, err := db.BeginTx(xctx, nil)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(xctx, "UPDATE t_cut SET n = n + 1 WHERE user_id IN (5, 6)")
			return errors.Join(err, tx.Commit())
		}, 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := sumN()
			park()
			require.NoError(t, st.run())
			assert.Equal(t, before+st.delta, sumN(), "applied exactly once")
		})
	}
}
