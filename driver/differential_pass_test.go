package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// The pass-through part of the differential suite: t_plain (and, on
// MariaDB, a table named `dual`) are outside the topology, so statements
// on them pass through to one data source unchanged, and those whose row
// count the text bounds (a top-level LIMIT up to route.RowBoundCap, a
// SELECT of no table) are read whole inside Raw (rows_raw.go) where the
// data source interpolates arguments. Every statement runs against the
// oracle, through shardsql to ds0 (which prepares arguments: streamed) and
// through shardsql hinted to ds1 (which interpolates them: read inside Raw
// when bounded), three times each so that the cached pass-through
// shortcut (route/pass_route.go) answers the later calls.

const passDDL = `CREATE TABLE t_plain (
	id BIGINT NOT NULL PRIMARY KEY,
	grp INT NOT NULL,
	name VARCHAR(16) NULL,
	amount DECIMAL(10,2) NULL)`

// passRows is t_plain's row count: more than RowBoundCap, so that a
// bound a statement does not prove would be exceeded.
const passRows = 3 * route.RowBoundCap

// passEdgeQueries are the hand-written pass-through statements: the row
// bound's edges and the SELECTs of no table.
func passEdgeQueries(mariadb bool) []diffQuery {
	c := route.RowBoundCap
	qs := []diffQuery{
		unordered("SELECT * FROM t_plain"),
		ordered("SELECT * FROM t_plain ORDER BY id"),
		ordered(fmt.Sprintf("SELECT id, name FROM t_plain ORDER BY id LIMIT %d", c)),
		ordered(fmt.Sprintf("SELECT id, name FROM t_plain ORDER BY id LIMIT %d", c+1)),
		ordered(fmt.Sprintf("SELECT id, name FROM t_plain ORDER BY id DESC LIMIT %d", c-1)),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT 1"),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT 0"),
		ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT 5, %d", c)),
		ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT %d OFFSET %d", c, passRows-3)),
		ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT 3, %d", c+1)),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", c),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", c+1),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", 1),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", 0),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", int64(passRows+5)),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?, ?", 2, c),
		ordered("SELECT id FROM t_plain ORDER BY id LIMIT ? OFFSET ?", c+1, 4),
		ordered("SELECT id FROM t_plain WHERE grp = ? ORDER BY id LIMIT ?", 2, c),
		ordered("SELECT grp, COUNT(*), SUM(amount) FROM t_plain GROUP BY grp ORDER BY grp LIMIT 3"),
		unordered("SELECT COUNT(*), MAX(name) FROM t_plain WHERE amount > ?", "10.00"),
		ordered("SELECT p.id, q.id FROM t_plain p JOIN t_plain q ON q.id = p.id + 1 ORDER BY p.id LIMIT 16"),
		ordered("SELECT id FROM t_plain WHERE grp IN (SELECT grp FROM t_plain WHERE id < 4) ORDER BY id LIMIT 16"),
		ordered("SELECT id FROM (SELECT id FROM t_plain ORDER BY id LIMIT 30) d ORDER BY id LIMIT 16"),
		ordered("SELECT id FROM t_plain WHERE id < 3 UNION ALL SELECT id FROM t_plain WHERE id > 45 ORDER BY id"),
		unordered("SELECT 1"),
		unordered("SELECT 1 FROM dual"),
		unordered("SELECT 1 FROM dual WHERE 1 = 0"),
		// Aliased: an interpolated ? names its column by the value.
		unordered("SELECT ? AS a, CONCAT('a', ?) AS b, UPPER(?) AS c, 7 DIV 2, COALESCE(NULL, 3)", int64(5), "b", "c"),
		unordered("SELECT LENGTH(?) AS n, DATE_FORMAT('2025-01-02', '%Y'), ROUND(2.5), 1 + 1 FROM DUAL", "héllo"),
		unordered("SELECT (SELECT COUNT(*) FROM t_plain), (SELECT MAX(id) FROM t_plain)"),
	}
	if mariadb { // go-mysql-server has no WITH ROLLUP, and reads a table named dual as DUAL
		qs = append(qs,
			ordered("SELECT grp, COUNT(*) FROM t_plain GROUP BY grp WITH ROLLUP LIMIT 16"),
			unordered("SELECT 1 FROM dual GROUP BY 1 WITH ROLLUP"),
			ordered("SELECT x FROM `dual` ORDER BY x"),
			ordered("SELECT x FROM `dual` ORDER BY x LIMIT 17"),
			ordered("SELECT d.x FROM `dual` AS d ORDER BY d.x LIMIT 1"),
			unordered("SELECT COUNT(*) FROM `dual`"),
			ordered("WITH `dual` AS (SELECT id AS x FROM t_plain) SELECT x FROM `dual` ORDER BY x"))
	}
	return qs
}

// passQueryGen generates pass-through SELECTs on t_plain.
type passQueryGen struct{ r *rand.Rand }

func (g passQueryGen) query() diffQuery {
	cols := []string{"id", "grp", "name", "amount"}
	preds := []string{"", " WHERE grp = 1", " WHERE id > 20", " WHERE name IS NULL", " WHERE amount < 0", " WHERE grp <> 3 AND id < 40"}
	var args []any
	pred := preds[g.r.Intn(len(preds))]
	if g.r.Intn(4) == 0 {
		pred = " WHERE id >= ?"
		args = append(args, g.r.Intn(passRows))
	}
	lim := ""
	around := func() int { return route.RowBoundCap - 3 + g.r.Intn(7) } // the cap's edge
	switch g.r.Intn(6) {
	case 0:
		lim = fmt.Sprintf(" LIMIT %d", around())
	case 1:
		lim = fmt.Sprintf(" LIMIT %d, %d", g.r.Intn(passRows), around())
	case 2:
		lim = " LIMIT ?"
		args = append(args, around())
	case 3:
		lim = " LIMIT ? OFFSET ?"
		args = append(args, around(), g.r.Intn(passRows))
	case 4:
		lim = fmt.Sprintf(" LIMIT %d", g.r.Intn(3))
	}
	if g.r.Intn(3) == 0 {
		q := "SELECT grp, COUNT(*), SUM(amount), MIN(name) FROM t_plain" + pred + " GROUP BY grp ORDER BY grp" + lim
		return ordered(q, args...)
	}
	sel := []string{"id"}
	for i := g.r.Intn(3); i > 0; i-- {
		sel = append(sel, cols[g.r.Intn(len(cols))])
	}
	if lim == "" && g.r.Intn(2) == 0 {
		return unordered("SELECT "+strings.Join(sel, ", ")+" FROM t_plain"+pred, args...)
	}
	dir := ""
	if g.r.Intn(2) == 0 {
		dir = " DESC"
	}
	return ordered("SELECT "+strings.Join(sel, ", ")+" FROM t_plain"+pred+" ORDER BY id"+dir+lim, args...)
}

// checkPass compares q on the oracle with q through shardsql under ctx,
// three times (the shortcut answers the later ones).
func (e *diffEnv) checkPass(t *testing.T, ctx context.Context, q diffQuery, label string) bool {
	t.Helper()
	want, err := runDiffQuery(e.oracle, q.sql, q.args...)
	if err != nil {
		t.Errorf("%s: oracle failed on %s %v: %v", label, q.sql, q.args, err)
		return false
	}
	for i := 0; i < 3; i++ {
		rows, err := e.sharded.QueryContext(ctx, q.sql, q.args...)
		var got *diffResult
		if err == nil {
			got, err = scanDiffRows(rows)
		}
		if err != nil {
			t.Errorf("%s (call %d): shardsql failed on %s %v: %v", label, i+1, q.sql, q.args, err)
			return false
		}
		if diff := e.compareResults(q, want, got); diff != "" {
			t.Errorf("%s (call %d): %s %v\n  %s", label, i+1, q.sql, q.args, diff)
			return false
		}
	}
	return true
}

func TestDifferentialPassThrough(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			mariadb := b.name == "mariadb"
			var oracle *sql.DB
			var dsns []string
			if mariadb {
				// The shared servers: the oracle a database beside the
				// data sources' own on the first.
				o, err := sql.Open("mysql", sharedDSNs(t, "pass13_oracle")[0])
				require.NoError(t, err)
				t.Cleanup(func() { _ = o.Close() })
				oracle, dsns = o, sharedDSNs(t, "pass13_diff")
			} else {
				servers := b.start(t, 2)
				oracle = oracleDB(t, servers[0], "oracle")
				for _, s := range servers {
					dsns = append(dsns, s.DSN())
				}
			}
			topo := shard.NewTopology()
			for i, dsn := range dsns {
				if i == 1 && mariadb {
					dsn += "&interpolateParams=true" // ds1: bounded reads inside Raw, arguments and all
				}
				require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
			}
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..1}", Algorithm: shard.Hash()}))
			sharded := openDB(t, topo)
			ds1 := driver.WithDataSource(ctx, "ds1")
			r := rand.New(rand.NewSource(13))
			var rows [][]any
			for i := 1; i <= passRows; i++ {
				var name, amount any
				if r.Intn(5) > 0 {
					name = []string{"alpha", "Beta", "gamma", "x", "zz"}[r.Intn(5)]
				}
				if r.Intn(6) > 0 {
					amount = fmt.Sprintf("%.2f", float64(r.Intn(20000)-10000)/100)
				}
				rows = append(rows, []any{i, i % 5, name, amount})
			}
			load := func(c context.Context, exec func(context.Context, string, ...any) error) {
				require.NoError(t, exec(c, "DROP TABLE IF EXISTS t_plain"))
				require.NoError(t, exec(c, passDDL))
				var args []any
				for _, row := range rows {
					args = append(args, row...)
				}
				require.NoError(t, exec(c, "INSERT INTO t_plain (id, grp, name, amount) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(rows)), ", "), args...))
				if mariadb {
					require.NoError(t, exec(c, "DROP TABLE IF EXISTS `dual`"))
					require.NoError(t, exec(c, "CREATE TABLE `dual` (x INT)"))
					require.NoError(t, exec(c, "INSERT INTO `dual` SELECT id FROM t_plain WHERE id <= ?", route.RowBoundCap+2))
				}
			}
			load(ctx, func(c context.Context, q string, args ...any) error {
				_, err := oracle.ExecContext(c, q, args...)
				return err
			})
			load(ctx, func(c context.Context, q string, args ...any) error {
				_, err := sharded.ExecContext(c, q, args...)
				return err
			})
			load(ds1, func(c context.Context, q string, args ...any) error {
				_, err := sharded.ExecContext(c, q, args...)
				return err
			})

			env := &diffEnv{oracle: oracle, sharded: sharded, mariadb: mariadb}
			for i, q := range passEdgeQueries(mariadb) {
				env.checkPass(t, ctx, q, fmt.Sprintf("edge %d on ds0", i))
				env.checkPass(t, ds1, q, fmt.Sprintf("edge %d on ds1", i))
			}
			if mariadb {
				// The bounded statements are read whole inside Raw on ds1,
				// the others stream: the suite judges both reads.
				conn, err := sharded.Conn(ctx)
				require.NoError(t, err)
				defer conn.Close()
				c := route.RowBoundCap
				for _, b := range []struct {
					q       diffQuery
					bounded bool
				}{
					{ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT %d", c)), true},
					{ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT %d", c+1)), false},
					{ordered(fmt.Sprintf("SELECT id FROM t_plain ORDER BY id LIMIT 5, %d", c)), true},
					{ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", c), true},
					{ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", c+1), false},
					{ordered("SELECT id FROM t_plain ORDER BY id LIMIT ?", c), true},
					{unordered("SELECT 1"), true},
					{unordered("SELECT * FROM t_plain"), false},
					{ordered("SELECT x FROM `dual` ORDER BY x"), false},
				} {
					for i := 0; i < 3; i++ {
						buffered, err := driver.QueryBuffered(ds1, conn, false, b.q.sql, b.q.args...)
						require.NoError(t, err, b.q.sql)
						require.Equal(t, b.bounded, buffered, "%s %v (call %d): read whole inside Raw", b.q.sql, b.q.args, i+1)
					}
				}
			}
			seed := time.Now().UnixNano()
			if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_DIFF_SEED"), 10, 64); err == nil {
				seed = v
			}
			n := 40
			if raceBuild && !mariadb {
				n = 20
			}
			t.Logf("seed %d, %d queries", seed, n)
			gen := passQueryGen{r: rand.New(rand.NewSource(seed))}
			failed := 0
			for i := 0; i < n && failed < 10; i++ {
				q := gen.query()
				on := ctx
				if i%2 == 1 {
					on = ds1
				}
				if !env.checkPass(t, on, q, fmt.Sprintf("seed %d query %d", seed, i)) {
					failed++
				}
			}
		})
	}
}
