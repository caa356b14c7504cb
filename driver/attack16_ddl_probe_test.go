package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack16DDLProbe runs each line of SHARDSQL_A16_DDL (statements
// separated by " ;; ", on fresh tables t16, sharded over four node
// tables, and b16, broadcast) on the oracle and through shardsql, and
// logs where they differ: one failing and not the other, a node table's
// or copy's definition (SHOW CREATE TABLE, its name made the logical
// one) other than the oracle's, or, after a refusal, a definition that
// changed.
func TestAttack16DDLProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A16_DDL")
	if file == "" {
		t.Skip("SHARDSQL_A16_DDL not set")
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	ctx := context.Background()
	dsns := sharedDSNs(t, "attack16_ddlp")
	oracle := openPlain(t, sharedDSNs(t, "attack16_ddlp_oracle")[0])
	topo := shard.NewTopology()
	var direct []*sql.DB
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		direct = append(direct, openPlain(t, dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t16", Column: "k", Nodes: "ds${0..1}.t16_${0..1}"}))
	require.NoError(t, topo.AddBroadcastTable("b16"))
	db := openDB(t, topo)
	nodeName := regexp.MustCompile("`t16_[0-9]+`")
	autoInc := regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`)
	show := func(x *sql.DB, table string) string {
		var n, c string
		if err := x.QueryRowContext(ctx, "SHOW CREATE TABLE "+table).Scan(&n, &c); err != nil {
			return "(none)"
		}
		return autoInc.ReplaceAllString(nodeName.ReplaceAllString(c, "`t16`"), "")
	}
	defs := func() []string { // every node table and copy
		var out []string
		for _, n := range []string{"t16_0", "t16_1"} {
			for _, d := range direct {
				out = append(out, show(d, n))
			}
		}
		for _, d := range direct {
			out = append(out, show(d, "b16"))
		}
		return out
	}
	const mk = "CREATE TABLE t16 (k INT NOT NULL, id INT NOT NULL, v VARCHAR(10) NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id))"
	const mkb = "CREATE TABLE b16 (id INT NOT NULL PRIMARY KEY, v VARCHAR(10) NULL)"
	const fill = "INSERT INTO t16 (k, id, v) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'a'), (4, 4, 'c'), (5, 5, 'a')"
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, x := range []*sql.DB{oracle, db} {
			for _, q := range []string{"DROP TABLE IF EXISTS t16", "DROP TABLE IF EXISTS t16_new", "DROP TABLE IF EXISTS b16", mk, mkb, fill} {
				_, err := x.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
		}
		var out []string
		for _, q := range strings.Split(line, " ;; ") {
			before := defs()
			_, gerr := db.ExecContext(ctx, q)
			if errors.Is(gerr, driver.ErrUnsupported) {
				after := defs()
				res := "refused"
				if strings.Join(before, "\n") != strings.Join(after, "\n") {
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
				res = "both failed"
			}
			want := []string{show(oracle, "t16"), show(oracle, "b16")}
			for i, d := range defs() {
				w := want[0]
				if i >= 4 {
					w = want[1]
				}
				if d != w {
					res += fmt.Sprintf(" WRONG definition %d:\n%s\noracle:\n%s", i, d, w)
					break
				}
			}
			if w, g := ddlProbeRows(oracle), ddlProbeRows(db); w != g {
				res += fmt.Sprintf(" WRONG rows: oracle %s, shardsql %s", w, g)
			}
			out = append(out, res)
		}
		t.Logf("%s\n    => %s", line, strings.Join(out, "\n    => "))
	}
}

// ddlProbeRows reads t16 whole, in a total order, as text.
func ddlProbeRows(x *sql.DB) string {
	rows, err := x.Query("SELECT * FROM t16 ORDER BY k, id")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.Join(flat(res.rows), ",")
}
