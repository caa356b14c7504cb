package driver_test

import (
	"os"
	"strings"
	"testing"
)

// attack15Tables are the generator's round-15 tables and those only the
// probe reads: utf8mb4_uca1400_ai_ci (refused: no collation data), a
// unique key over another column and the sharding column, and the
// algorithm-fit tables.
var attack15Tables = append(append(append([]dmlTable{}, dmlTables15...), attack15FitTables...),
	dmlTable{name: "d_u14", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	dmlTable{name: "d_uk", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id), UNIQUE KEY u (n, k)", order: "k, id"},
)

// TestAttack15Probe runs the statements of SHARDSQL_A15_PROBE (one a
// line; "Q " a query, "S " a session statement) over the write suite's
// tables and logs each outcome.
func TestAttack15Probe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A15_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A15_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	e := newDMLEnvOf(t, "attack15_probe", nil, attack15Tables)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "O ") || strings.HasPrefix(line, "U ") {
			q := unordered(line[2:])
			if line[0] == 'O' {
				q = ordered(line[2:])
			}
			out := attack15Outcome(e.diffEnv, q, "attack15_probe")
			if len(out) > 500 {
				out = out[:500]
			}
			t.Logf("%s\n    => %s", line, out)
			continue
		}
		st := dmlStmt{sql: line}
		switch {
		case strings.HasPrefix(line, "Q "):
			st = dmlStmt{sql: line[2:], query: true}
		case strings.HasPrefix(line, "S "):
			st = dmlStmt{sql: line[2:], session: true}
		case strings.HasPrefix(line, "SQ "):
			st = dmlStmt{sql: line[3:], session: true, query: true}
		case line == "RESET":
			e.reset(t)
			continue
		}
		r := e.check(st)
		out := "ok"
		if r.refused {
			out = "refused: " + runDML(e.sharded, st).err.Error()
			if len(out) > 300 {
				out = out[:300]
			}
		}
		if r.diff != "" {
			out = "WRONG " + r.diff
			if r.refused {
				out = "refused, then WRONG " + r.diff
			}
			e.reset(t)
		}
		t.Logf("%s\n    => %s", line, out)
	}
}

// attack15Outcome is joins11Outcome with "{db}" in q replaced by each
// side's database name (the oracle's is db + "_oracle").
func attack15Outcome(e *diffEnv, q diffQuery, db string) string {
	want, werr := runDiffQuery(e.oracle, strings.ReplaceAll(q.sql, "{db}", db+"_oracle"), q.args...)
	got, gerr := runDiffQuery(e.sharded, strings.ReplaceAll(q.sql, "{db}", db), q.args...)
	if out, failed := errorOutcome(werr, got, gerr); failed {
		return out
	}
	if diff := e.compareResults(q, want, got); diff != "" {
		return "WRONG: " + diff
	}
	return "exact"
}
