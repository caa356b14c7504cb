package driver_test

import (
	"context"
	"os"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

func TestAttack18eExplainProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	e := newR18eEnv(t, "attack18e_eprobe")
	for _, q := range []string{
		"DELETE FROM tl WHERE created < '2025-03-01' LIMIT 5",
		"DELETE FROM tl WHERE created >= '2025-02-10' AND created < '2025-04-01' LIMIT 5",
		"DELETE FROM wc WHERE wid IN (4, 8) LIMIT 1",
		"DELETE FROM w WHERE k < 2 LIMIT 0",
	} {
		p, err := driver.Explain(context.Background(), e.sharded, q)
		t.Logf("%s\n%v %v", q, p, err)
	}
}
