package driver_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAttack18eSessionProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	ctx := context.Background()
	e := newR18eEnv(t, "attack18e_sprobe")
	for _, set := range []string{"SET SESSION sql_safe_updates = 1", "SET SESSION max_statement_time = 0.000001", "SET @x = 5"} {
		for _, q := range []string{"DELETE FROM w WHERE k < 2 LIMIT 3", "DELETE FROM w LIMIT 3", "DELETE FROM w WHERE k < 2 LIMIT 0"} {
			e.reset(t)
			var out [2]string
			for i, db := range e.dbs() {
				c, err := db.Conn(ctx)
				require.NoError(t, err)
				_, err = c.ExecContext(ctx, set)
				require.NoError(t, err, set)
				r, err := c.ExecContext(ctx, q)
				if err != nil {
					out[i] = err.Error()
				} else {
					n, _ := r.RowsAffected()
					out[i] = "ok " + string(rune('0'+n))
				}
				_, err = c.ExecContext(ctx, "SET SESSION sql_safe_updates = DEFAULT, max_statement_time = DEFAULT")
				require.NoError(t, err)
				_ = c.Close()
			}
			t.Logf("%s; %s\n  oracle %s\n  shardsql %s", set, q, out[0], out[1])
		}
	}
}
