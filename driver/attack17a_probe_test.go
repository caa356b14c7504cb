package driver_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TestAttack17aProbe runs the statements of SHARDSQL_A17_PROBE over the
// write suite's tables (round 15's and 16's), every one on the held
// session of each side (one server connection per data source: the
// sequences of one application connection, its parse memo and cached
// point routes), and logs each outcome. A line is a statement ("Q " a
// query), "A arg;;arg | statement" with typed arguments (attack16Arg;
// "AQ " a query, "AP " prepared), "RESET" recreates the tables.
// SHARDSQL_A17_INTERP=1 sets interpolateParams on every DSN,
// SHARDSQL_A17_LOC a loc.
func TestAttack17aProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A17_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A17_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tables := append(append(append([]dmlTable{}, attack15Tables...), attack16Tables...), attack17aTables...)
	interp := os.Getenv("SHARDSQL_A17_INTERP") != ""
	loc := os.Getenv("SHARDSQL_A17_LOC")
	dsn := func(c *mysql.Config) {
		c.InterpolateParams = interp
		if loc != "" {
			l, err := time.LoadLocation(loc)
			if err != nil {
				t.Fatal(err)
			}
			c.Loc = l
		}
	}
	e := newDMLEnvOf(t, "attack17a_probe", dsn, tables)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		st := dmlStmt{sql: line, session: true, query: strings.HasPrefix(strings.ToUpper(line), "SELECT")}
		switch {
		case strings.HasPrefix(line, "A ") || strings.HasPrefix(line, "AQ ") || strings.HasPrefix(line, "AP "):
			head, rest, _ := strings.Cut(line, " ")
			args, q, _ := strings.Cut(rest, " | ")
			st = dmlStmt{sql: q, session: true, query: head == "AQ" || strings.HasPrefix(strings.ToUpper(q), "SELECT"), prepared: head == "AP"}
			for _, a := range strings.Split(args, ";;") {
				st.args = append(st.args, attack16Arg(t, a))
			}
		case strings.HasPrefix(line, "Q "):
			st = dmlStmt{sql: line[2:], session: true, query: true}
		case line == "RESET":
			e.reset(t)
			continue
		}
		r := e.check(st)
		if r.diff == "" && !st.query {
			r.diff = e.contents()
		}
		out := "ok"
		if r.refused {
			out = "refused: " + runDML(e.sconn, st).err.Error()
			if len(out) > 240 {
				out = out[:240]
			}
		}
		if r.diff != "" {
			out = "WRONG " + r.diff
		}
		t.Logf("%s\n    => %s", line, out)
	}
}

// attack17aTables are round 17's own tables, whose definitions the
// probes' DDL changes.
var attack17aTables = []dmlTable{
	{name: "p17", key: "k", cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "q17", key: "k", cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
}
