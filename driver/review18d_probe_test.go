package driver_test

import (
	"os"
	"strings"
	"testing"
)

// TestReview18dProbe runs SHARDSQL_R18D_PROBE's scenarios (blank-line
// separated; each line a step of r18aEnv.step, "\n" written as \n) on
// fresh tables and logs every outcome.
func TestReview18dProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_R18D_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_R18D_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	e := newR18aEnv(t, "review18d_probe")
	defer e.closeConns()
	for _, sc := range strings.Split(string(data), "\n\n") {
		sc = strings.TrimSpace(sc)
		if sc == "" || strings.HasPrefix(sc, "#") {
			continue
		}
		e.reset()
		var log []string
		for _, line := range strings.Split(sc, "\n") {
			line = strings.ReplaceAll(strings.TrimSpace(line), `\n`, "\n")
			out := e.step(line)
			if len(out) > 400 {
				out = out[:400]
			}
			log = append(log, line+"\n      => "+out)
		}
		t.Logf("----\n%s", strings.Join(log, "\n"))
	}
}
