package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestReview20bDDLProbe runs each line of SHARDSQL_R20B_DDL (statements
// separated by " ;; ", on fresh tables t20 sharded over four node tables
// and b20 broadcast) on the oracle and through shardsql, and logs where
// they differ: one failing and not the other, a node table's or copy's
// definition other than the oracle's, a table on a data source that one
// database would not hold (the logical name t20 on a shard, a node table
// missing), shardsql's own SHOW CREATE TABLE or rows other than the
// oracle's (a catalog that did not learn the change), or, after a
// refusal, node tables that changed.
func TestReview20bDDLProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_R20B_DDL")
	if file == "" {
		t.Skip("SHARDSQL_R20B_DDL not set")
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	ctx := context.Background()
	dsns := sharedDSNs(t, "review20b_ddlp")
	ocfg, err := mysql.ParseDSN(sharedDSNs(t, "review20b_ddlp_oracle")[0])
	require.NoError(t, err)
	ocfg.MultiStatements = true // shardsql splits multi-statement strings itself
	oracle := openPlain(t, ocfg.FormatDSN())
	topo := shard.NewTopology()
	var direct []*sql.DB
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		direct = append(direct, openPlain(t, dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t20", Column: "k", Nodes: "ds${0..1}.t20_${0..1}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "s20", Column: "sk", Nodes: "ds${0..1}.s20_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b20"))
	db := openDB(t, topo)
	nodeName := regexp.MustCompile("`([ts]20)_[0-9]+`")
	autoInc := regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`)
	show := func(x *sql.DB, table string) string {
		var n, c string
		if err := x.QueryRowContext(ctx, "SHOW CREATE TABLE "+table).Scan(&n, &c); err != nil {
			return "(none: " + err.Error() + ")"
		}
		return autoInc.ReplaceAllString(nodeName.ReplaceAllString(c, "`$1`"), "")
	}
	tables := func(x *sql.DB) string {
		rows, err := x.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
		if err != nil {
			return err.Error()
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			out = append(out, s)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	defs := func() []string {
		var out []string
		for _, n := range []string{"t20_0", "t20_1", "s20_0", "s20_1"} {
			for _, d := range direct {
				out = append(out, show(d, n))
			}
		}
		for _, d := range direct {
			out = append(out, show(d, "b20"))
		}
		return out
	}
	const mk = "CREATE TABLE t20 (k INT NOT NULL, id INT NOT NULL, v VARCHAR(10) NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id))"
	const mkb = "CREATE TABLE b20 (id INT NOT NULL PRIMARY KEY, v VARCHAR(10) NULL)"
	const fill = "INSERT INTO t20 (k, id, v) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'a'), (4, 4, 'c'), (5, 5, 'a'), (6, 6, 'B'), (7, 7, 'á')"
	const mks = "CREATE TABLE s20 (sk VARCHAR(20) COLLATE utf8mb4_bin NOT NULL, id INT NOT NULL, v VARCHAR(10) NULL, PRIMARY KEY (sk, id))"
	const fills = "INSERT INTO s20 (sk, id, v) VALUES ('a', 1, 'x'), ('é', 2, 'y'), ('B', 3, 'z'), ('b', 4, 'w')"
	readBack := []string{"SELECT * FROM t20 ORDER BY k, id", "SELECT * FROM s20 ORDER BY id", "SELECT v, k FROM t20 ORDER BY v, k", "SELECT v, COUNT(*) FROM t20 GROUP BY v ORDER BY v"}
	rowsOf := func(x *sql.DB, q string) string {
		rows, err := x.Query(q)
		if err != nil {
			return "(" + err.Error() + ")"
		}
		res, err := scanDiffRows(rows)
		if err != nil {
			return "(" + err.Error() + ")"
		}
		return strings.Join(res.cols, ",") + ": " + strings.Join(flat(res.rows), ",")
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, d := range direct {
			for _, q := range []string{"DROP TABLE IF EXISTS b20", "DROP TABLE IF EXISTS b20x", "DROP TABLE IF EXISTS t20, s20, t20_new, t20x, t20_0, t20_1, s20_0, s20_1"} {
				_, err := d.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
		}
		for _, x := range []*sql.DB{oracle, db} {
			for _, q := range []string{"DROP TABLE IF EXISTS b20", "DROP TABLE IF EXISTS b20x", "DROP TABLE IF EXISTS t20", "DROP TABLE IF EXISTS t20_new", "DROP TABLE IF EXISTS t20x", "DROP TABLE IF EXISTS b20", "DROP TABLE IF EXISTS s20", mk, mkb, fill, mks, fills} {
				_, err := x.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
		}
		var out []string
		for _, q := range strings.Split(line, " ;; ") {
			before := defs()
			beforeTables := []string{tables(direct[0]), tables(direct[1])}
			_, gerr := db.ExecContext(ctx, q)
			if errors.Is(gerr, driver.ErrUnsupported) {
				after := defs()
				res := "refused"
				if strings.Join(before, "\n") != strings.Join(after, "\n") || beforeTables[0] != tables(direct[0]) || beforeTables[1] != tables(direct[1]) {
					res = "WRONG refused but changed node tables"
				}
				out = append(out, res+": "+gerr.Error())
				continue
			}
			_, oerr := oracle.ExecContext(ctx, q)
			res := "ok"
			switch {
			case oerr == nil && gerr != nil:
				res = fmt.Sprintf("WRONG oracle ran, shardsql failed: %v", gerr)
			case oerr != nil && gerr == nil:
				res = fmt.Sprintf("WRONG oracle failed (%v), shardsql ran", oerr)
			case oerr != nil:
				res = fmt.Sprintf("both failed (%v | %v)", oerr, gerr)
			}
			want := []string{show(oracle, "t20"), show(oracle, "s20"), show(oracle, "b20")}
			for i, d := range defs() {
				w := want[i/4]
				if d != w {
					res += fmt.Sprintf(" WRONG definition %d:\n%s\noracle:\n%s", i, d, w)
					break
				}
			}
			if g := show(db, "t20"); g != want[0] {
				res += fmt.Sprintf(" WRONG shardsql SHOW CREATE:\n%s\noracle:\n%s", g, want[0])
			}
			for _, q := range readBack {
				if w, g := rowsOf(oracle, q), rowsOf(db, q); w != g {
					res += fmt.Sprintf(" WRONG rows of %s: oracle %s, shardsql %s", q, w, g)
				}
			}
			for _, k := range []string{"'A'", "'b'", "'e'", "'é'"} {
				q := "SELECT sk, id FROM s20 WHERE sk = " + k + " ORDER BY id"
				if w, g := rowsOf(oracle, q), rowsOf(db, q); w != g {
					res += fmt.Sprintf(" WRONG rows of %s: oracle %s, shardsql %s", q, w, g)
				}
			}
			tl := []string{tables(direct[0]), tables(direct[1])}
			res += fmt.Sprintf(" [oracle tables %s; ds0 %s; ds1 %s]", tables(oracle), tl[0], tl[1])
			for _, l := range tl {
				for _, n := range strings.Split(l, ",") {
					if n == "t20" {
						res += " WRONG logical name t20 on a data source"
					}
				}
			}
			out = append(out, res)
		}
		t.Logf("%s\n    => %s", line, strings.Join(out, "\n    => "))
	}
}
