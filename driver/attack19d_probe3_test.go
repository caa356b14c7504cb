package driver_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttack19dKillProbe: a node's query killed mid-stream; the caller
// must see an error, never a short result.
func TestAttack19dKillProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A19D_PROBE") == "" {
		t.Skip("SHARDSQL_A19D_PROBE not set")
	}
	e := newR19dEnv(t, "attack19d_kill", 400000)
	ctx := context.Background()
	for _, q := range []string{"SELECT id, v FROM w19", "SELECT id, v FROM w19 ORDER BY id", "SELECT g, COUNT(*) FROM w19 GROUP BY g", "SELECT id, v FROM w19 ORDER BY id LIMIT 399000", "SELECT id, v FROM w19 ORDER BY id LIMIT 10 OFFSET 390000"} {
		for _, how := range []string{"QUERY", "CONNECTION"} {
			rows, err := e.sharded.QueryContext(ctx, q)
			require.NoError(t, err)
			n := 0
			killed := 0
			for rows.Next() {
				if n++; n == 1 {
					var ids []int64
					r, err := e.nodes[1].Query("SELECT id FROM information_schema.processlist WHERE info LIKE '%from w19_1%' AND info NOT LIKE '%processlist%'")
					require.NoError(t, err)
					for r.Next() {
						var id int64
						require.NoError(t, r.Scan(&id))
						ids = append(ids, id)
					}
					_ = r.Close()
					for _, id := range ids {
						if _, err := e.nodes[1].Exec("KILL " + how + " " + itoa(int(id))); err == nil {
							killed++
						}
					}
				}
			}
			t.Logf("%s KILL %s (%d killed): %d rows, err %v", q, how, killed, n, rows.Err())
			_ = rows.Close()
		}
	}
}
