package driver_test

import (
	"os"
	"strings"
	"testing"
)

// TestAttack14Probe runs the statements of SHARDSQL_A14_PROBE (one a
// line; "O " marks a total ORDER BY) over the round-11 join tables (j_a,
// j_b sharded by id and not bound, j_c broadcast), or with
// SHARDSQL_A14_ENV=cross over the cross-join suite's tables, and logs each
// outcome.
func TestAttack14Probe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A14_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A14_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var env *diffEnv
	if os.Getenv("SHARDSQL_A14_ENV") == "cross" { // t_order, t_item (bound), t_user, t_tag, t_city
		env = newCrossEnv(t).diffEnv
	} else {
		env, _ = newJoins11Env(t, "attack14_probe")
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q := unordered(line)
		if strings.HasPrefix(line, "O ") {
			q = ordered(line[2:])
		}
		out := joins11Outcome(env, q)
		if len(out) > 400 {
			out = out[:400]
		}
		t.Logf("%s\n    => %s", line, out)
		if strings.HasPrefix(out, "WRONG") && os.Getenv("SHARDSQL_A14_SHOW") != "" {
			want, _ := runDiffQuery(env.oracle, q.sql)
			got, _ := runDiffQuery(env.sharded, q.sql)
			if want != nil && got != nil {
				t.Logf("    oracle %v\n    shard  %v", want.rows, got.rows)
			}
		}
	}
}
