package driver_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// TestAttackProbe runs the statements of SHARDSQL_ATTACK_PROBE (one per
// line) against the oracle and shardsql and logs every outcome.
func TestAttackProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_ATTACK_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_ATTACK_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	env := newAttackEnv(t, "attack_probe")
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "X ") {
			_, oerr := env.oracle.Exec(line[2:])
			_, serr := env.sharded.Exec(line[2:])
			switch {
			case serr != nil && errors.Is(serr, driver.ErrUnsupported):
				t.Logf("REFUSED %s\n   %v", line, serr)
			case oerr != nil || serr != nil:
				t.Logf("ERR %s\n   oracle %v\n   shard  %v", line, oerr, serr)
			default:
				if d := env.sameContents(); d != "" {
					t.Logf("BUG-WRITE %s\n   %s", line, d)
				} else {
					t.Logf("OK %s", line)
				}
			}
			continue
		}
		q := unordered(line)
		if strings.HasPrefix(line, "O ") {
			q = ordered(line[2:])
		}
		if strings.HasPrefix(line, "D ") {
			q = ordered(line[2:])
			plan, err := driver.Explain(context.Background(), env.sharded, q.sql)
			if err == nil && strings.Contains(plan.String(), "DeepPage") {
				t.Logf("(deep page)")
			}
		}
		want, oerr := runDiffQuery(env.oracle, q.sql)
		got, serr := runDiffQuery(env.sharded, q.sql)
		switch {
		case serr != nil && errors.Is(serr, driver.ErrUnsupported):
			t.Logf("REFUSED %s\n   %v", q.sql, serr)
		case oerr != nil && serr != nil:
			t.Logf("BOTHERR %s\n   oracle %v\n   shard  %v", q.sql, oerr, serr)
		case oerr != nil:
			t.Logf("BUG-ORACLE-ERR %s\n   oracle %v\n   shard rows %v", q.sql, oerr, got.rows)
		case serr != nil:
			t.Logf("SHARDERR %s\n   %v", q.sql, serr)
		default:
			if d := env.compareResults(q, want, got); d != "" {
				t.Logf("BUG-DIFF %s\n   %s\n   want %v\n   got  %v", q.sql, d, head(want.rows), head(got.rows))
			} else if strings.Join(want.types, ",") != strings.Join(got.types, ",") || strings.Join(want.cols, ",") != strings.Join(got.cols, ",") {
				t.Logf("BUG-META %s\n   want %v %v\n   got  %v %v", q.sql, want.cols, want.types, got.cols, got.types)
			} else {
				t.Logf("OK %s (%d rows)", q.sql, len(want.rows))
			}
		}
	}
}

func head(rows [][]string) [][]string {
	if len(rows) > 6 {
		return rows[:6]
	}
	return rows
}
