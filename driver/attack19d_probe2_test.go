package driver_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAttack19dAbandonProbe: node queries that compute before their
// first row, abandoned (context canceled, rows closed): do they keep
// running on the servers?
func TestAttack19dAbandonProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A19D_PROBE") == "" {
		t.Skip("SHARDSQL_A19D_PROBE not set")
	}
	e := newR19dEnv(t, "attack19d_abandon", 40000)
	for _, q := range []string{
		"SELECT COUNT(*) FROM w19 WHERE BENCHMARK(20000, MD5(v)) = 0",
		"SELECT g, COUNT(*) FROM w19 WHERE BENCHMARK(20000, MD5(v)) = 0 GROUP BY g",
		"SELECT id FROM w19 WHERE SLEEP(0.001) = 0 ORDER BY v LIMIT 5",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		rows, err := e.sharded.QueryContext(ctx, q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			_ = rows.Close()
		}
		cancel()
		t.Logf("%s: %v after %v", q, err, time.Since(start))
		for i := 0; i < 6; i++ {
			r := e.running(t)
			t.Logf("  +%v running %d", time.Since(start).Round(100*time.Millisecond), len(r))
			if len(r) == 0 {
				break
			}
			time.Sleep(time.Second)
		}
	}
	_ = require.NoError
}
