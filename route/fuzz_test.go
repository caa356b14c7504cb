package route

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// logicalTableRE finds a logical table name used as a whole word.
var logicalTableRE = regexp.MustCompile(`\bt_(order|user)\b`)

// fuzzSeedNames picks golden statements to seed FuzzRoute with.
var fuzzSeedNames = []string{
	"select eq literal",
	"select eq arg",
	"select key on right literal",
	"select alias with AS",
	"select mixed case keywords and names",
	"select conflicting equalities go to the first node",
	"select hash string routes like the integer",
	"select group by having aggregate on one node",
	"select for update",
	"select in args trimmed, surrounding args kept in order",
	"select in with NULL element",
	"select or of eq and in",
	"select in trimmed beside an untrimmed in under not",
	"insert multi-row split, rows and args in order",
	"insert set form",
	"insert on duplicate key update of a non-key column",
	"update by in",
	"delete alias target",
	"create table if not exists",
	"create index",
	"unknown join",
	"show tables",
}

func FuzzRoute(f *testing.F) {
	byName := make(map[string]string, len(goldenCases))
	for _, tc := range goldenCases {
		byName[tc.name] = tc.sql
	}
	for _, name := range fuzzSeedNames {
		sql, ok := byName[name]
		require.True(f, ok, "no golden case %q", name)
		f.Add(sql)
	}
	// Scatter statements that need a merge, to reach scatter.go.
	for _, sql := range []string{
		"SELECT name, COUNT(*), AVG(age) FROM t_user WHERE id > ? GROUP BY name HAVING COUNT(*) > 1 ORDER BY name DESC LIMIT 2, 5",
		"SELECT DISTINCT name, age FROM t_order ORDER BY age LIMIT ?",
	} {
		f.Add(sql)
	}
	r := testRouter(f)
	topo := testTopology(f)
	parser, err := sqlparser.New(sqlparser.Options{})
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, sql string) {
		args := fuzzArgs(parser, sql)
		p, err := r.Route(sql, args)
		if err != nil {
			if p != nil {
				t.Fatalf("Route(%q) returned both a plan and an error %v", sql, err)
			}
			if !strings.HasPrefix(err.Error(), "shardsql: ") {
				t.Fatalf("Route(%q) error %q lacks the \"shardsql: \" prefix", sql, err)
			}
			return
		}
		again, err := r.Route(sql, args)
		require.NoError(t, err, "second Route(%q)", sql)
		require.Equal(t, actualUnits(p), actualUnits(again), "Route(%q) is not deterministic", sql)
		checkFuzzPlan(t, parser, topo, sql, args, p)
	})
}

// fuzzArgs returns one argument per ? of sql (none if it does not parse):
// small integers, so that the router can route by them.
func fuzzArgs(parser *sqlparser.Parser, sql string) []any {
	_, bv, err := parser.Parse2(sql)
	if err != nil || len(bv) == 0 {
		return nil
	}
	args := make([]any, len(bv))
	for i := range args {
		args[i] = int64(i*7 + 1)
	}
	return args
}

// checkFuzzPlan checks the properties every plan must have.
func checkFuzzPlan(t *testing.T, parser *sqlparser.Parser, topo *shard.Topology, sql string, args []any, p *Plan) {
	t.Helper()
	require.Equal(t, sql, p.SQL)
	require.NotEmpty(t, p.Units, "plan without units for %q", sql)

	if _, err := parser.Parse(sql); err != nil && p.Returning == nil {
		// A statement the parser cannot read passes through unchanged
		// (unparsed.go).
		require.Len(t, p.Units, 1, "unparsed %q", sql)
		require.Equal(t, sql, p.Units[0].SQL)
		require.Equal(t, topo.DefaultDataSource(), p.Units[0].DataSource)
		return
	}
	if p.Returning != nil {
		// Units end with the RETURNING clause the parser cannot read
		// (returning.go): check the rest.
		for _, u := range p.Units {
			base, ok := strings.CutSuffix(u.SQL, " RETURNING "+p.Returning.Clause)
			require.True(t, ok, "unit %q lacks the RETURNING clause", u.SQL)
			_, _, err := parser.Parse2(base)
			require.NoError(t, err, "unit SQL does not parse: %q (from %q)", base, sql)
		}
		return
	}
	if p.Metadata != nil {
		// A metadata plan (metadata.go): units on first nodes, rows renamed.
		require.Len(t, p.Metadata.Units, len(p.Units), "metadata units of %q", sql)
		for _, u := range p.Units {
			_, _, err := parser.Parse2(u.SQL)
			require.NoError(t, err, "unit SQL does not parse: %q (from %q)", u.SQL, sql)
		}
		return
	}
	var table *shard.ShardedTable
	if p.Table != "" {
		var ok bool
		table, ok = topo.Table(p.Table)
		require.True(t, ok, "plan for unknown table %q", p.Table)
	}
	if st, _ := parser.Parse(sql); table == nil {
		if _, ok := st.(*sqlparser.Set); ok {
			// A session SET runs on every data source's session
			// (session.go routeSet), as written, each once.
			seen := make(map[string]bool, len(p.Units))
			for _, u := range p.Units {
				_, known := topo.DataSource(u.DataSource)
				require.True(t, known, "SET unit on unknown data source %q (from %q)", u.DataSource, sql)
				require.False(t, seen[u.DataSource], "SET sent twice to %s (from %q)", u.DataSource, sql)
				seen[u.DataSource] = true
			}
			require.Len(t, seen, len(topo.DataSources()), "SET not sent to every data source (from %q)", sql)
			return
		}
	}
	lastNode := -1
	totalRows := 0
	for _, u := range p.Units {
		require.NotEmpty(t, u.DataSource, "unit without data source in %s", p)
		stmt, bv, err := parser.Parse2(u.SQL)
		require.NoError(t, err, "unit SQL does not parse: %q (from %q)", u.SQL, sql)
		require.Equal(t, countArguments(stmt, bv), len(u.Args), "placeholders vs args in unit %q (from %q)", u.SQL, sql)

		if table == nil {
			// Pass-through: the statement as written, to the default data source.
			require.Empty(t, u.Node.Table, "pass-through unit with a node")
			require.Equal(t, topo.DefaultDataSource(), u.DataSource)
			require.Equal(t, sql, u.SQL)
			require.Equal(t, args, u.Args)
			continue
		}
		if u.Node.Table == "" && p.Root != nil {
			// A join above the nodes reads a table the topology does not
			// know with a statement of its own, on the default data
			// source (join_cross.go): it has no node.
			require.Equal(t, topo.DefaultDataSource(), u.DataSource, "unsharded join side off the default data source: %q (from %q)", u.SQL, sql)
			continue
		}
		require.Equal(t, u.Node.DataSource, u.DataSource, "unit data source differs from its node")
		idx := -1
		for i, n := range table.Nodes {
			if n == u.Node {
				idx = i
			}
		}
		require.GreaterOrEqual(t, idx, 0, "node %s is not a node of %s", u.Node, table.Name)
		require.Greater(t, idx, lastNode, "units out of node order or repeated in %s", p)
		lastNode = idx

		if m := logicalTableRE.FindString(maskedSQL(stmt)); m != "" {
			t.Fatalf("unit SQL %q (from %q) still names logical table %s", u.SQL, sql, m)
		}
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if tn, ok := n.(sqlparser.TableName); ok {
				name := strings.ToLower(tn.Name.String())
				if strings.HasPrefix(name, strings.ToLower(table.Name)+"_") && name != u.Node.Table {
					t.Fatalf("unit for %s names physical table %s: %q (from %q)", u.Node, tn.Name.String(), u.SQL, sql)
				}
			}
			return true, nil
		}, stmt)
		if ins, ok := stmt.(*sqlparser.Insert); ok {
			if rows, ok := ins.Rows.(sqlparser.Values); ok {
				totalRows += len(rows)
			}
		}
	}
	if table != nil && p.Kind == KindInsert {
		in, _, err := parser.Parse2(sql)
		require.NoError(t, err)
		if ins, ok := in.(*sqlparser.Insert); ok {
			if rows, ok := ins.Rows.(sqlparser.Values); ok {
				require.Equal(t, len(rows), totalRows, "INSERT rows lost or duplicated by the split of %q", sql)
			}
		}
	}
}

// countArguments counts the ? placeholders of a parsed statement by its
// Argument nodes. Statements the parser keeps opaque (no AST) fall back to
// the parser's bind variable count.
func countArguments(stmt sqlparser.Statement, bv sqlparser.BindVars) int {
	switch stmt.(type) {
	case *sqlparser.OtherAdmin, *sqlparser.Load:
		return len(bv)
	}
	n := 0
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if _, ok := node.(*sqlparser.Argument); ok {
			n++
		}
		return true, nil
	}, stmt)
	return n
}

// maskedSQL prints stmt with everything that may legitimately be spelled
// "t_user" or "t_order" without being a table reference masked out: string
// and number literals, column/function/index names (IdentifierCI),
// comments, table aliases and CTE names, and column qualifiers naming an
// alias. What is left of a logical name is a table reference.
func maskedSQL(stmt sqlparser.Statement) string {
	aliases := make(map[string]bool)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.AliasedTableExpr:
			if !n.As.IsEmpty() {
				aliases[strings.ToLower(n.As.String())] = true
			}
		case *sqlparser.CommonTableExpr:
			aliases[strings.ToLower(n.ID.String())] = true
		}
		return true, nil
	}, stmt)
	format := func(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
		switch n := node.(type) {
		case *sqlparser.Literal:
			buf.WriteString("'lit'")
			return
		case sqlparser.IdentifierCI:
			buf.WriteString("ident")
			return
		case *sqlparser.ParsedComments:
			return
		case *sqlparser.AliasedTableExpr:
			c := *n
			if !c.As.IsEmpty() {
				c.As = sqlparser.NewIdentifierCS("alias")
			}
			c.Format(buf)
			return
		case *sqlparser.CommonTableExpr:
			c := *n
			c.ID = sqlparser.NewIdentifierCS("alias")
			c.Format(buf)
			return
		case *sqlparser.ColName:
			if n.Qualifier.Qualifier.IsEmpty() && aliases[strings.ToLower(n.Qualifier.Name.String())] {
				buf.WriteString("alias.ident")
				return
			}
		}
		node.Format(buf)
	}
	buf := sqlparser.NewTrackedBuffer(format)
	buf.Myprintf("%v", stmt)
	return buf.String()
}

// TestFuzzSeeds runs the fuzz checks on every golden statement.
func TestFuzzSeeds(t *testing.T) {
	r := testRouter(t)
	topo := testTopology(t)
	parser, err := sqlparser.New(sqlparser.Options{})
	require.NoError(t, err)
	for _, tc := range goldenCases {
		if tc.bug != "" {
			continue
		}
		p, err := r.RouteWith(tc.sql, tc.args, tc.options())
		require.NoError(t, err, tc.sql)
		checkFuzzPlan(t, parser, topo, tc.sql, tc.args, p)
	}
}

// TestMaskedSQL checks the masking used by the fuzz check.
func TestMaskedSQL(t *testing.T) {
	parser, err := sqlparser.New(sqlparser.Options{})
	require.NoError(t, err)
	for sql, names := range map[string]bool{
		"select t_user from t_user_1 as t_order where t_order.id = 't_user'": false,
		"select * from t_user_1 where id = 1":                                false,
		"select t_user.id from t_user_1 where id = 1":                        true,
		"select * from t_user where id = 1":                                  true,
	} {
		stmt, err := parser.Parse(sql)
		require.NoError(t, err)
		require.Equal(t, names, logicalTableRE.MatchString(maskedSQL(stmt)), "%s → %s", sql, maskedSQL(stmt))
	}
}
