package driver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestCompat15BroadcastUpsertMet: a broadcast INSERT … ON DUPLICATE KEY
// UPDATE … RETURNING (gorm's upsert on MariaDB, where gorm uses
// RETURNING) whose row meets an existing one generates no id; the other
// copies ran under SET STATEMENT insert_id = the session's earlier
// LAST_INSERT_ID(), an existing row's id, and updated that row instead:
// the copies drifted apart silently. Every copy must stay the first one's,
// outside a transaction and in one.
func TestCompat15BroadcastUpsertMet(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "compat15_bmeet")
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("t_c15m"))
	db := openDB(t, topo)
	state := func() []string {
		var copies []string
		for _, dsn := range dsns {
			p := openPlain(t, dsn)
			rows, err := p.QueryContext(ctx, "SELECT id, code, name FROM t_c15m ORDER BY id")
			if err != nil {
				copies = append(copies, "missing")
				continue
			}
			var out []string
			for rows.Next() {
				var id int64
				var code, name string
				require.NoError(t, rows.Scan(&id, &code, &name))
				out = append(out, fmt.Sprintf("%d:%s:%s", id, code, name))
			}
			rows.Close()
			copies = append(copies, strings.Join(out, " "))
		}
		return copies
	}
	for _, q := range []string{"DROP TABLE IF EXISTS t_c15m",
		"CREATE TABLE t_c15m (id BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(8) NOT NULL UNIQUE, name VARCHAR(16) NOT NULL)",
		"INSERT INTO t_c15m (code, name) VALUES ('a', 'a0'), ('b', 'b0'), ('c', 'c0')",
		"INSERT INTO t_c15m (code, name) VALUES ('a', 'a1'), ('b', 'b1') ON DUPLICATE KEY UPDATE name = VALUES(name)",
		"INSERT INTO t_c15m (code, name) VALUES ('c', 'c2') ON DUPLICATE KEY UPDATE name = VALUES(name) RETURNING id",
		"INSERT INTO t_c15m (code, name) VALUES ('a', 'a3'), ('c', 'c3') ON DUPLICATE KEY UPDATE name = VALUES(name) RETURNING id",
		"INSERT INTO t_c15m (code, name) VALUES ('d', 'd4') ON DUPLICATE KEY UPDATE name = VALUES(name) RETURNING id",
	} {
		rows, err := db.QueryContext(ctx, q)
		require.NoError(t, err, q)
		rows.Close()
		got := state()
		require.Equal(t, got[0], got[1], "after %s", q)
	}
	// In a transaction (the statement savepoint's path).
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	for _, q := range []string{
		"INSERT INTO t_c15m (code, name) VALUES ('b', 'b5') ON DUPLICATE KEY UPDATE name = VALUES(name) RETURNING id",
		"INSERT INTO t_c15m (code, name) VALUES ('e', 'e5'), ('a', 'a5') ON DUPLICATE KEY UPDATE name = VALUES(name) RETURNING id",
	} {
		rows, err := tx.QueryContext(ctx, q)
		require.NoError(t, err, q)
		rows.Close()
	}
	require.NoError(t, tx.Commit())
	got := state()
	for _, want := range []string{"1:a:a5", "2:b:b5", "3:c:c3", ":d:d4", ":e:e5"} {
		require.Contains(t, got[0], want)
	}
	require.Equal(t, got[0], got[1])
}
