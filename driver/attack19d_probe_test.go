package driver_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAttack19dStreamProbe logs how the tree behaves over many rows:
// abandoned streams, memory while streaming, cancellation.
func TestAttack19dStreamProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A19D_PROBE") == "" {
		t.Skip("SHARDSQL_A19D_PROBE not set")
	}
	e := newR19dEnv(t, "attack19d_probe", 400000)
	ctx := context.Background()
	for _, q := range []string{
		"SELECT id, v FROM w19 ORDER BY id",
		"SELECT id, v FROM w19",
		"SELECT id, v FROM w19 ORDER BY v, id LIMIT 300000",
		"SELECT g, COUNT(*) FROM w19 GROUP BY g",
	} {
		start := time.Now()
		rows, err := e.sharded.QueryContext(ctx, q)
		require.NoError(t, err)
		require.True(t, rows.Next())
		t0 := time.Since(start)
		require.NoError(t, rows.Close())
		t.Logf("%s: first row %v, closed after %v; running %q", q, t0, time.Since(start), e.running(t))
		var n int
		require.NoError(t, e.sharded.QueryRow("SELECT COUNT(*) FROM w19").Scan(&n))
		t.Logf("count after: %d", n)
	}
	// memory while streaming
	for _, q := range []string{"SELECT id, v FROM w19 ORDER BY id", "SELECT id, v FROM w19", "SELECT id, v FROM w19 ORDER BY v DESC, id LIMIT 390000"} {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		rows, err := e.sharded.QueryContext(ctx, q)
		require.NoError(t, err)
		var id int
		var v string
		n := 0
		var peak uint64
		for rows.Next() {
			require.NoError(t, rows.Scan(&id, &v))
			if n++; n%50000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		require.NoError(t, rows.Err())
		t.Logf("%s: %d rows, heap base %d MB peak %d MB", q, n, base>>20, peak>>20)
	}
	// cancel mid-merge
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := e.sharded.QueryContext(cctx, "SELECT id, v FROM w19 ORDER BY id")
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		if n++; n == 1000 {
			cancel()
		}
	}
	t.Logf("canceled after %d rows: err %v; running %q", n, rows.Err(), e.running(t))
	_ = rows.Close()
}
