package driver_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

func TestJoins11Probe(t *testing.T) {
	if os.Getenv("J11_PROBE") == "" {
		t.Skip()
	}
	var opts []driver.Option
	if c, _ := strconv.Atoi(os.Getenv("J11_CAP")); c > 0 {
		opts = append(opts, driver.WithMaxMemoryRows(c), driver.WithJoinBatch(3))
	}
	env, _ := newJoins11Env(t, "joins11_probe", opts...)
	data, _ := os.ReadFile(os.Getenv("J11_PROBE"))
	for _, q := range strings.Split(string(data), "\n") {
		q = strings.TrimSpace(q)
		if q == "" || strings.HasPrefix(q, "#") {
			continue
		}
		out := joins11Outcome(env, unordered(q))
		if strings.HasPrefix(out, "WRONG") {
			t.Errorf("%s\n    %s", q, out)
		} else {
			t.Logf("%s\n    %s", q, out)
		}
	}
}
