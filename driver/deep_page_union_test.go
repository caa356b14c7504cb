package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// checkUnion proves the deep page's phases run as one statement per data
// source (a UNION ALL of its nodes' statements): t_page has 4 tables on
// each of the 2 servers, so one statement per node would make phase 1
// alone 4 SELECTs on each server. With unions a server answers one SELECT
// per round trip — phase 1, phase 2 when a window misses, the page's rows
// after key-only phases — so at most 3 here (no window is empty at these
// offsets: no counts), and the page equals the one table's.
func (e *pageEnv) checkUnion(t *testing.T) {
	ctx := context.Background()
	selects := func() []int64 {
		out := make([]int64, len(e.servers))
		for i, s := range e.servers {
			db := direct(t, s)
			var n string
			require.NoError(t, db.QueryRow("SHOW GLOBAL STATUS LIKE 'Com_select'").Scan(&n, &out[i]))
			_ = db.Close()
		}
		return out
	}
	for _, q := range []pageQuery{
		{sel: "id, grp, amount", order: "grp", offset: 1000, count: 10},
		{sel: "id, name, created", order: "name DESC, grp", offset: 1500, count: 7},
		{sel: "id, amount", where: "WHERE grp > ?", args: []any{10}, order: "amount DESC", offset: 1200, count: 30},
		{sel: "id, grp", order: "2 DESC, 1", offset: 700, count: 12}, // positions: the tag must not move them
	} {
		want, err := runDiffQuery(e.oracle, q.sql(true), q.allArgs()...)
		require.NoError(t, err)
		for _, db := range []*sql.DB{e.sharded, e.keys, e.full} {
			plan, err := driver.Explain(ctx, db, q.sql(false), q.allArgs()...)
			require.NoError(t, err)
			require.NotNil(t, plan.DeepPage, q.sql(false))
			require.Len(t, plan.DeepPage.Phase1, 2, "phase 1: one statement per data source")
			require.Equal(t, [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}}, plan.DeepPage.Phase1Union)
			require.True(t, strings.HasPrefix(plan.DeepPage.Phase1[0].SQL, "(select 0 as __shardsql_u, "), plan.DeepPage.Phase1[0].SQL)
			before := selects()
			got, err := runDiffQuery(db, q.sql(false), q.allArgs()...)
			require.NoError(t, err)
			after := selects()
			require.Equal(t, want.rows, got.rows, "%s (key-only %v)", q.sql(false), plan.DeepPage.KeyOnly())
			for i := range after {
				n := after[i] - before[i]
				require.GreaterOrEqual(t, n, int64(1), "server %d", i)
				require.LessOrEqual(t, n, int64(3), "server %d answered %d SELECTs for %s (key-only %v)", i, n, q.sql(false), plan.DeepPage.KeyOnly())
			}
		}
	}
}

// TestDeepPageUnionColumnTypes: a deep page's result has the column types
// of the one table's, whether its rows came from unions or not. A UNION
// aggregates its branches' types and reports ENUM and SET as VARCHAR, TEXT
// as MEDIUMTEXT, JSON as LONGTEXT: statements whose rows are the result's
// are joined only when every column keeps its type (route.unionStable);
// the key-only phases are joined whatever the other columns.
func TestDeepPageUnionColumnTypes(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "deep_union_types")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ut", Column: "user_id", Nodes: "ds${0..1}.t_ut_${0..2}", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	full := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))
	oracle := openPlain(t, sharedDSNs(t, "deep_union_types_oracle")[0])
	ddl := `CREATE TABLE t_ut (
		id BIGINT NOT NULL PRIMARY KEY, user_id INT UNSIGNED NOT NULL, ti TINYINT NULL, d DECIMAL(9,3) NULL,
		v VARCHAR(30) NULL, c CHAR(3) NOT NULL, dt DATETIME(3) NULL, ts TIMESTAMP(2) NULL, dd DATE NULL, tm TIME NULL,
		y YEAR NULL, f FLOAT NULL, db DOUBLE NULL, bt BIT(4) NULL, vb VARBINARY(8) NULL,
		e ENUM('x','y') NULL, s SET('p','q') NULL, tx TEXT NULL, j JSON NULL)`
	for _, d := range []*sql.DB{db, oracle} {
		_, err := d.ExecContext(ctx, "DROP TABLE IF EXISTS t_ut")
		require.NoError(t, err)
		_, err = d.ExecContext(ctx, ddl)
		require.NoError(t, err)
		var sb strings.Builder
		for i := 1; i <= 600; i++ {
			fmt.Fprintf(&sb, "(%d, %d, %d, %d.5, 'v%d', 'c', '2024-01-01 00:00:01.5', '2024-01-01 00:00:02', '2024-01-02', '10:00:00', 2024, 1.5, 2.5, b'1010', 'ab', 'x', 'p,q', 'text', '{\"a\": 1}'),",
				i, i*7%11, i%100, i, i%13)
		}
		_, err = d.ExecContext(ctx, "INSERT INTO t_ut (id, user_id, ti, d, v, c, dt, ts, dd, tm, y, f, db, bt, vb, e, s, tx, j) VALUES "+strings.TrimSuffix(sb.String(), ","))
		require.NoError(t, err)
	}
	for _, c := range []struct {
		cols        string
		unionFull   bool // full-row phases joined
		unionPhase1 bool // phase 1 joined (with the page's planner choice)
	}{
		{"id, user_id, ti, d, v, c, dt, ts, dd, tm, y, f, db, bt, vb", true, true},
		{"id, e, s, tx, j", false, true}, // key-only phases joined, the fetch per node
		{"id, v, e", false, true},
	} {
		q := fmt.Sprintf("SELECT %s FROM t_ut ORDER BY ti, id LIMIT 400, 9", c.cols)
		want, err := oracle.QueryContext(ctx, q)
		require.NoError(t, err)
		wantTypes, err := want.ColumnTypes()
		require.NoError(t, err)
		wantRows, err := scanDiffRows(want)
		require.NoError(t, err)
		for _, x := range []struct {
			db    *sql.DB
			union bool
		}{{db, c.unionPhase1}, {full, c.unionFull}} {
			plan, err := driver.Explain(ctx, x.db, q)
			require.NoError(t, err)
			require.NotNil(t, plan.DeepPage, q)
			require.Equal(t, x.union, plan.DeepPage.Phase1Union != nil, "%s: phase 1 joined (key-only %v)", q, plan.DeepPage.KeyOnly())
			rows, err := x.db.QueryContext(ctx, q)
			require.NoError(t, err)
			types, err := rows.ColumnTypes()
			require.NoError(t, err)
			require.Len(t, types, len(wantTypes))
			for i, w := range wantTypes {
				g := types[i]
				require.Equal(t, w.Name(), g.Name())
				require.Equal(t, w.DatabaseTypeName(), g.DatabaseTypeName(), "column %s of %s", w.Name(), q)
				require.Equal(t, w.ScanType(), g.ScanType(), "column %s of %s", w.Name(), q)
				wn, _ := w.Nullable()
				gn, _ := g.Nullable()
				require.Equal(t, wn, gn, "column %s of %s", w.Name(), q)
				wp, ws, _ := w.DecimalSize()
				gp, gs, _ := g.DecimalSize()
				require.Equal(t, []int64{wp, ws}, []int64{gp, gs}, "column %s of %s", w.Name(), q)
			}
			got, err := scanDiffRows(rows)
			require.NoError(t, err)
			require.Equal(t, wantRows.rows, got.rows, q)
		}
	}
}
