//go:build linux

package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestDeepPageWindowCost measures, without shardsql, what the phase-1
// windows of the benchmark suite's deep page cost the servers and a
// go-sql-driver client read two ways: as today (one UNION ALL per data
// source, a row per window key) and with each window folded into one
// row by GROUP_CONCAT (a row per node), an alternative for integer keys
// that round 7 did not build (docs/deep-pages.md, "Round 7"). Both read
// every key and check the count. It only runs with SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 SHARDSQL_REQUIRE_MARIADB=1 go test ./driver -run TestDeepPageWindowCost -v
func TestDeepPageWindowCost(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	ctx := context.Background()
	_, dsns, sharded, _ := loadDeepProfile(t)
	plan, err := driver.Explain(ctx, sharded, "SELECT order_id, user_id, amount FROM t_order ORDER BY order_id LIMIT 10000, 10")
	require.NoError(t, err)
	require.NotNil(t, plan.DeepPage)
	o, w := plan.DeepPage.Page.NodeOffset(), plan.DeepPage.Page.Window()
	var rowsSQL, foldSQL []string
	for range dsns {
		var r, f []string
		for i := range 8 {
			r = append(r, fmt.Sprintf("(select %d as u, order_id from t_order_%d order by order_id limit %d, %d)", i, i, o, w))
			f = append(f, fmt.Sprintf("(select %d as u, count(*), group_concat(order_id order by order_id) from (select order_id from t_order_%d order by order_id limit %d, %d) x)", i, i, o, w))
		}
		rowsSQL, foldSQL = append(rowsSQL, strings.Join(r, " union all ")), append(foldSQL, strings.Join(f, " union all "))
	}
	dbs := make([]*sql.DB, len(dsns))
	for i, d := range dsns {
		dbs[i] = openPlain(t, d)
	}
	readRows := func() int {
		n := 0
		for i, db := range dbs {
			rs, err := db.QueryContext(ctx, rowsSQL[i])
			require.NoError(t, err)
			var u, id int64
			for rs.Next() {
				if err := rs.Scan(&u, &id); err != nil { // (require's per-row cost would be measured)
					t.Fatal(err)
				}
				n++
			}
			require.NoError(t, rs.Err())
			require.NoError(t, rs.Close())
		}
		return n
	}
	readFold := func() int {
		n := 0
		for i, db := range dbs {
			rs, err := db.QueryContext(ctx, foldSQL[i])
			require.NoError(t, err)
			var u, c int64
			var list sql.RawBytes
			for rs.Next() {
				if err := rs.Scan(&u, &c, &list); err != nil {
					t.Fatal(err)
				}
				got := int64(0)
				var v int64
				for j, ch := range list {
					if ch == ',' {
						got++
						_ = v
						v = 0
						continue
					}
					v = v*10 + int64(ch-'0')
					if j == len(list)-1 {
						got++
					}
				}
				require.Equal(t, c, got, "GROUP_CONCAT truncated")
				n += int(got)
			}
			require.NoError(t, rs.Err())
			require.NoError(t, rs.Close())
		}
		return n
	}
	// the same rows read inside sql.Conn.Raw from go-sql-driver's
	// driver.Rows, without database/sql's Rows and Scan
	conns := make([]*sql.Conn, len(dbs))
	for i, db := range dbs {
		conns[i], err = db.Conn(ctx)
		require.NoError(t, err)
		defer conns[i].Close()
	}
	readRaw := func() int {
		n := 0
		for i, c := range conns {
			require.NoError(t, c.Raw(func(dc any) error {
				rs, err := dc.(sqldriver.QueryerContext).QueryContext(ctx, rowsSQL[i], nil)
				if err != nil {
					return err
				}
				dest := make([]sqldriver.Value, 2)
				for {
					if err := rs.Next(dest); err == io.EOF {
						break
					} else if err != nil {
						return err
					}
					n++
				}
				return rs.Close()
			}))
		}
		return n
	}
	require.Equal(t, readRows(), readFold())
	require.Equal(t, readRows(), readRaw())
	for round := range 3 {
		for _, c := range []struct {
			name string
			read func() int
		}{{"a row per key", readRows}, {"the same, Raw", readRaw}, {"a row per node", readFold}} {
			const n = 500
			s0, c0 := serverCPU(t), cpuTime()
			for range n {
				c.read()
			}
			t.Logf("round %d, %-14s: server CPU %v, client CPU %v per page (load %s)", round, c.name,
				(serverCPU(t)-s0)/time.Duration(n), (cpuTime()-c0)/time.Duration(n), loadAvg())
		}
	}
}
