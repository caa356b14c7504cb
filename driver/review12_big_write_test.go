package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12BigWriteCancel: one-unit INSERTs of a 6 MB value (a packet
// larger than the socket's buffers, so a context ending mid-write cuts the
// socket with part of the packet sent), as text and as a prepared
// statement inside Raw (the value then goes as long data), each under a
// random deadline of 0–20 ms, then one that completes. Every failure is the context's; each row is
// whole or absent; the pool of one connection answers exactly after.
func TestReview12BigWriteCancel(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	ctx := context.Background()
	plains := make([]*sql.DB, len(dsns))
	for i, dsn := range dsns {
		plains[i] = openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS t_big", "CREATE TABLE t_big (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, b LONGTEXT)"} {
			_, err := plains[i].ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	big := strings.Repeat("a", 6<<20)
	id := int64(0)
	for _, interp := range []bool{true, false} {
		topo := shard.NewTopology()
		for i, dsn := range dsns {
			if interp {
				dsn += "&interpolateParams=true"
			}
			require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		}
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_big", Column: "user_id", Nodes: "ds${0..1}.t_big", Algorithm: shard.Mod()}))
		db := openDB(t, topo, driver.WithMaxOpenConns(1))
		rng := rand.New(rand.NewPCG(7, 12))
		ended := 0
		for k := range 4 {
			id++
			d := time.Duration(rng.IntN(20000)) * time.Microsecond
			if k == 3 {
				d = 30 * time.Second // one that completes
			}
			cctx, cancel := context.WithTimeout(ctx, d)
			_, err := db.ExecContext(cctx, "INSERT INTO t_big (id, user_id, b) VALUES (?, ?, ?)", id, 1, big)
			cancel()
			if k == 3 {
				require.NoError(t, err, "interp=%v: the pool writes after the cuts", interp)
			}
			if err != nil {
				ended++
				assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded), "interp=%v id %d: %v", interp, id, err)
			}
			// The server may still be inserting a row whose packet arrived
			// whole (it runs what it received): only a nil Exec is known.
			if err == nil {
				var n int
				require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_big WHERE user_id = ? AND id = ? AND b = REPEAT('a', 6 * 1024 * 1024)", 1, id).Scan(&n), "interp=%v id %d", interp, id)
				assert.Equal(t, 1, n, "interp=%v id %d: a nil Exec wrote its row", interp, id)
			}
			var n int // the pool of one answers at once after
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_big WHERE user_id = ? AND id < 0", 1).Scan(&n), "interp=%v id %d", interp, id)
		}
		t.Logf("interp=%v: %d of 4 ended by their deadline", interp, ended)
	}
}
