package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack16BroadcastOrderLimit: a broadcast UPDATE or DELETE with
// ORDER BY a unique NOT NULL key and LIMIT picks the same rows on every
// copy (the copies hold the same rows, and the order is total): it runs,
// each copy equal to the oracle after it. An order that is not total (a
// nullable unique key, a non-unique column) stays refused.
func TestAttack16BroadcastOrderLimit(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "attack16_bcast")
	oracle := openPlain(t, sharedDSNs(t, "attack16_bcast_oracle")[0])
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("b_a16"))
	db := openDB(t, topo)
	const ddl = "CREATE TABLE b_a16 (id INT NOT NULL PRIMARY KEY, code VARCHAR(8) NOT NULL, u INT NULL, n INT NOT NULL DEFAULT 0, UNIQUE KEY uc (code), UNIQUE KEY uu (u))"
	const fill = "INSERT INTO b_a16 (id, code, u, n) VALUES (1, 'e', 5, 0), (2, 'd', NULL, 0), (3, 'c', 3, 0), (4, 'b', NULL, 0), (5, 'a', 1, 0)"
	for _, x := range []*sql.DB{oracle, db} {
		for _, q := range []string{"DROP TABLE IF EXISTS b_a16", ddl, fill} {
			_, err := x.ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	read := func(x *sql.DB) string {
		rows, err := x.QueryContext(ctx, "SELECT id, code, COALESCE(u, -1), n FROM b_a16 ORDER BY id")
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, u, n int
			var code string
			require.NoError(t, rows.Scan(&id, &code, &u, &n))
			out = append(out, fmt.Sprintf("%d %s %d %d", id, code, u, n))
		}
		require.NoError(t, rows.Err())
		return strings.Join(out, ",")
	}
	for _, q := range []string{
		"UPDATE b_a16 SET n = n + 1 ORDER BY id LIMIT 2",
		"UPDATE b_a16 SET n = n + 10 ORDER BY code LIMIT 2",
		"UPDATE b_a16 SET n = n + 100 ORDER BY code DESC, id LIMIT 1",
		"UPDATE b_a16 AS x SET x.n = x.n + 1000 WHERE x.n < 100 ORDER BY x.id DESC LIMIT 2",
		"DELETE FROM b_a16 ORDER BY code LIMIT 1",
		"DELETE FROM b_a16 WHERE n > 5 ORDER BY id DESC LIMIT 1",
	} {
		want, werr := oracle.ExecContext(ctx, q)
		require.NoError(t, werr, q)
		got, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
		wn, _ := want.RowsAffected()
		gn, _ := got.RowsAffected()
		assert.Equal(t, wn, gn, q)
		w := read(oracle)
		for i, dsn := range dsns { // every copy
			assert.Equal(t, w, read(openPlain(t, dsn)), "copy %d after %s", i, q)
		}
	}
	for _, q := range []string{
		"UPDATE b_a16 SET n = n + 1 ORDER BY u LIMIT 1", // nullable unique key: NULLs tie
		"UPDATE b_a16 SET n = n + 1 ORDER BY n LIMIT 1",
		"DELETE FROM b_a16 LIMIT 1",
	} {
		_, err := db.ExecContext(ctx, q)
		require.Error(t, err, q)
		assert.ErrorIs(t, err, driver.ErrUnsupported, q)
	}
	_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS b_a16")
	require.NoError(t, err)
}
