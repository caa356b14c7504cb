package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// probeFile is what a probe test (TestAttack16ReadProbe and the later
// rounds' probes) runs its file's lines with. A line is "<letter> <sql>":
//   - "O " / "U ": an ordered / unordered read on both sides, compared
//     exactly by outcome (names, types, text); only differences are
//     logged unless SHARDSQL_A16_READ_ALL is set;
//   - "D ": the oracle's answer alone;
//   - "E ": shardsql's plan (when sharded is set);
//   - any letter in more: its handler's log line.
//
// Blank lines and "#" comments are skipped, and other lines shorter than
// three characters unless their letter is in more.
type probeFile struct {
	oracle  *sql.DB
	sharded *sql.DB // nil: no "E" lines
	outcome func(q string, ordered bool) string
	more    map[byte]func(q string) string
}

// probeFileFrom reads the probe file env names, or skips t when env is
// not set.
func probeFileFrom(t *testing.T, env string) []string {
	t.Helper()
	file := os.Getenv(env)
	if file == "" {
		t.Skip(env + " not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\n")
}

// run runs lines and logs each outcome and the outcomes' counts.
func (p probeFile) run(t *testing.T, lines []string) {
	t.Helper()
	counts := map[string]int{}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if h, ok := p.more[line[0]]; ok {
			t.Logf("%s\n    => %s", line, h(strings.TrimSpace(line[1:])))
			continue
		}
		if len(line) < 3 {
			continue
		}
		q := line[2:]
		switch line[0] {
		case 'E':
			if p.sharded != nil {
				plan, err := driver.Explain(context.Background(), p.sharded, q)
				t.Logf("%s\n%v %v", line, plan, err)
				continue
			}
		case 'D':
			t.Logf("%s\n    oracle: %s", line, oracleAlone(p.oracle, q))
			continue
		}
		out := p.outcome(q, line[0] == 'O')
		counts[strings.SplitN(out, ":", 2)[0]]++
		if os.Getenv("SHARDSQL_A16_READ_ALL") == "" && out == "exact" {
			continue
		}
		if len(out) > 1500 {
			out = out[:1500]
		}
		t.Logf("%s\n    => %s", line, out)
	}
	t.Logf("outcomes: %v", counts)
}

// oracleAlone is q's answer on the oracle, as a probe logs it.
func oracleAlone(oracle *sql.DB, q string) string {
	r, err := runDiffQuery(oracle, q)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%v %q", r.types, r.rows)
}
