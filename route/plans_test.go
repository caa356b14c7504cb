package route

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// The plan golden files, testdata/plans/<family>.txt, pin the printed plan
// (Plan.String: the operator tree with each route's node statements) of
// every statement shape the planner accepts, and the error of those it
// refuses. A case is
//
//	sql: SELECT …
//	args: [1, "x"]          (optional, a JSON array)
//	----
//	<the printed plan, or "error: …">
//
// ending at a blank line; lines starting with # are comments. A file whose
// first line is "# servers without collations" plans as for the embedded
// shards (text compared by bytes, no hidden COLLATION columns); one whose
// first line is "# with the catalog" plans with planCatalog. Run
// go test ./route -run TestPlanGolden -update to rewrite the expected
// output after a deliberate change, and review the diff.
var updatePlans = flag.Bool("update", false, "rewrite the plan golden files in testdata/plans")

// planTopology is the golden files' topology: t_order hashed on user_id
// over two nodes on each of two data sources, t_user by id modulo two
// over one node each, t_dict broadcast, t_plain on the default data
// source only.
func planTopology(t *testing.T) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds${0..1}.t_user", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	return topo
}

// planCatalog is what MariaDB servers would say about planTopology's
// tables: t_order has an ENUM column kind.
func planCatalog() *schema.Catalog {
	return &schema.Catalog{
		Sources: map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app"}},
		Tables: map[string]*schema.Table{
			"t_order": {Name: "t_order",
				Columns: []schema.Column{
					{Name: "order_id", DataType: "bigint", ColumnType: "bigint(20)"},
					{Name: "user_id", DataType: "bigint", ColumnType: "bigint(20)"},
					{Name: "status", DataType: "varchar", ColumnType: "varchar(16)", Collation: "utf8mb4_general_ci"},
					{Name: "kind", DataType: "enum", ColumnType: "enum('b','a')", Collation: "utf8mb4_general_ci"},
					{Name: "amount", DataType: "decimal", ColumnType: "decimal(10,2)", Nullable: true},
				},
				Indexes: []schema.Index{{Name: "PRIMARY", Primary: true, Columns: []string{"order_id", "user_id"}}}},
			"t_user": {Name: "t_user",
				Columns: []schema.Column{
					{Name: "id", DataType: "bigint", ColumnType: "bigint(20)"},
					{Name: "name", DataType: "varchar", ColumnType: "varchar(50)", Collation: "utf8mb4_general_ci", Nullable: true},
				},
				Indexes: []schema.Index{{Name: "PRIMARY", Primary: true, Columns: []string{"id"}}}},
		},
	}
}

type planCase struct {
	comments []string
	sql      string
	args     string // the JSON text of the args line, or ""
	want     string
}

func TestPlanGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "plans", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	r, err := New(planTopology(t))
	require.NoError(t, err)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			cases := readPlanCases(t, file)
			opts := Options{WeightStrings: true, MaxMemoryRows: 10000}
			if len(cases) > 0 && len(cases[0].comments) > 0 {
				switch cases[0].comments[0] {
				case "# servers without collations":
					opts.WeightStrings = false
				case "# with the catalog":
					opts.Catalog = planCatalog()
				}
			}
			for i := range cases {
				c := &cases[i]
				var args []any
				if c.args != "" {
					require.NoError(t, json.Unmarshal([]byte(c.args), &args), c.sql)
					for j, a := range args {
						if f, ok := a.(float64); ok && f == float64(int64(f)) {
							args[j] = int64(f) // JSON numbers: integers as int64, as the driver passes them
						}
					}
				}
				got := planOutput(r, c.sql, args, opts)
				if *updatePlans {
					c.want = got
					continue
				}
				assert.Equal(t, c.want, got, "%s: %s", file, c.sql)
			}
			if *updatePlans {
				writePlanCases(t, file, cases)
			}
		})
	}
}

func planOutput(r *Router, sql string, args []any, opts Options) string {
	p, err := r.RouteWith(sql, args, opts)
	if err != nil {
		return "error: " + err.Error()
	}
	return p.String()
}

func readPlanCases(t *testing.T, file string) []planCase {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var cases []planCase
	var cur *planCase
	var comments []string
	inWant := false
	var want []string
	flush := func() {
		if cur != nil {
			cur.want = strings.Join(want, "\n")
			cases = append(cases, *cur)
		}
		cur, inWant, want = nil, false, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case inWant && line == "":
			flush()
		case inWant:
			want = append(want, line)
		case strings.HasPrefix(line, "#"):
			comments = append(comments, line)
		case strings.HasPrefix(line, "sql: "):
			cur = &planCase{comments: comments, sql: strings.TrimPrefix(line, "sql: ")}
			comments = nil
		case strings.HasPrefix(line, "args: ") && cur != nil:
			cur.args = strings.TrimPrefix(line, "args: ")
		case line == "----" && cur != nil:
			inWant = true
		case line == "":
		default:
			t.Fatalf("%s: unexpected line %q", file, line)
		}
	}
	flush()
	return cases
}

func writePlanCases(t *testing.T, file string, cases []planCase) {
	t.Helper()
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, cm := range c.comments {
			b.WriteString(cm + "\n")
		}
		b.WriteString("sql: " + c.sql + "\n")
		if c.args != "" {
			b.WriteString("args: " + c.args + "\n")
		}
		b.WriteString("----\n" + c.want + "\n")
	}
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o644))
}
