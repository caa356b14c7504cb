package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestTime22GrowWhileCached: reads of an Interval table prepared, cached
// and routed to no node (a range before the first month, a point after
// the last) before driver.AddNodes adds earlier and later months must find
// the rows written to the new months afterwards; and the same statements
// on a held connection and in a transaction begun before the change.
func TestTime22GrowWhileCached(t *testing.T) {
	e := newDMLEnvOf(t, "t22_grow", nil, []dmlTable{
		{name: "t22g", key: "k", cols: "k DATETIME(3) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
			alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22g_202602, ds1.t22g_202603"},
	})
	ctx := context.Background()
	reads := []struct {
		q    string
		args []any
	}{
		{"SELECT COUNT(*), MAX(id) FROM t22g WHERE k < ?", []any{"2026-02-01"}},
		{"SELECT COUNT(*), MAX(id) FROM t22g WHERE k < '2026-02-01'", nil},
		{"SELECT COUNT(*) FROM t22g WHERE k BETWEEN ? AND ?", []any{"2026-01-01", "2026-01-31 23:59:59.999"}},
		{"SELECT id FROM t22g WHERE k = ?", []any{"2026-04-10 00:00:00"}},
		{"SELECT id FROM t22g WHERE k = '2026-04-10'", nil},
		{"SELECT COUNT(*) FROM t22g WHERE k >= ?", []any{"2026-03-31 23:59:59.9995"}},
		{"SELECT k, id FROM t22g WHERE k IN (?, '2026-01-15') ORDER BY k", []any{"2026-04-10"}},
		{"SELECT COUNT(*) FROM t22g WHERE k > '2026-03-31'", nil},
	}
	insert := func(k string, id int) {
		q := fmt.Sprintf("INSERT INTO t22g (k, id) VALUES ('%s', %d)", k, id)
		_, err := e.oracle.Exec(q)
		require.NoError(t, err)
		_, err = e.sharded.Exec(q)
		require.NoError(t, err)
	}
	insert("2026-02-10", 1)
	insert("2026-03-31 23:59:59.999", 2)
	conn, err := e.sharded.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	var stmts, connStmts []*sqlStmt
	for _, r := range reads {
		ps, err := e.sharded.PrepareContext(ctx, r.q)
		require.NoError(t, err)
		defer ps.Close()
		cs, err := conn.PrepareContext(ctx, r.q)
		require.NoError(t, err)
		defer cs.Close()
		stmts, connStmts = append(stmts, ps), append(connStmts, cs)
	}
	check := func(label string) {
		t.Helper()
		for i, r := range reads {
			want, err := runDiffQuery(e.oracle, r.q, r.args...)
			require.NoError(t, err)
			for _, got := range []func() (*diffResult, error){
				func() (*diffResult, error) { return runDiffQuery(e.sharded, r.q, r.args...) },
				func() (*diffResult, error) {
					rows, err := stmts[i].QueryContext(ctx, r.args...)
					return scanOrErr(rows, err)
				},
				func() (*diffResult, error) {
					rows, err := connStmts[i].QueryContext(ctx, r.args...)
					return scanOrErr(rows, err)
				},
				func() (*diffResult, error) {
					rows, err := conn.QueryContext(ctx, r.q, r.args...)
					return scanOrErr(rows, err)
				},
			} {
				g, err := got()
				if err != nil || fmt.Sprint(g.rows) != fmt.Sprint(want.rows) {
					t.Errorf("%s: %s %v: oracle %v, shardsql %v %v", label, r.q, r.args, want.rows, g, err)
				}
			}
		}
	}
	for round := 0; round < 2; round++ { // the second round reads from the caches
		check("before")
	}
	_, err = driver.AddNodes(ctx, e.sharded, "t22g", "ds1.t22g_202601, ds0.t22g_202604")
	require.NoError(t, err)
	insert("2026-01-15", 3)
	insert("2026-01-31 23:59:59.999", 4)
	insert("2026-04-10", 5)
	insert("2026-04-01", 6)
	check("after")
	require.Empty(t, e.contents())
}

type sqlStmt = sql.Stmt

// scanOrErr is scanDiffRows after a query that may have failed.
func scanOrErr(rows *sql.Rows, err error) (*diffResult, error) {
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}
