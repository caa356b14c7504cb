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

// TestReview11AutocommitAddDB: a pool given with AddDB whose connections
// have autocommit off (its DSN's autocommit=0; NewConnector sees only the
// DSNs of AddDataSource). Before the fix a one-row INSERT on that data
// source returned nil and was never committed (another session read
// nothing), and a read on the same pooled connection kept seeing its first
// snapshot. Now every statement reaching that data source is refused with
// ErrUnsupported, in a transaction or not, while the other data source
// (autocommit on) works. (docs/faults.md, "Round 11 review".)
func TestReview11AutocommitAddDB(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := shard.NewTopology()
	var plains []*sql.DB
	for i, dsn := range dsns {
		plain := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS t_ac", "CREATE TABLE t_ac (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)"} {
			_, err := plain.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		plains = append(plains, plain)
		if i == 1 {
			dsn = withParams(t, []string{dsn}, map[string]string{"autocommit": "0"})[0]
		}
		pool := openPlain(t, dsn)
		pool.SetMaxOpenConns(1)
		require.NoError(t, topo.AddDB(fmt.Sprintf("ds%d", i), pool))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ac", Column: "user_id", Nodes: "ds${0..1}.t_ac", Algorithm: shard.Mod()}))
	db := openDB(t, topo)

	// ds0 (autocommit on) works and commits.
	_, err := db.ExecContext(ctx, "INSERT INTO t_ac (id, user_id) VALUES (1, 0)")
	require.NoError(t, err)
	var n int
	require.NoError(t, plains[0].QueryRowContext(ctx, "SELECT COUNT(*) FROM t_ac").Scan(&n))
	assert.Equal(t, 1, n)

	for _, c := range []struct{ name, sql string }{
		{"one-row insert", "INSERT INTO t_ac (id, user_id) VALUES (2, 1)"},
		{"point read", "SELECT id FROM t_ac WHERE user_id = 1"},
		{"scatter", "SELECT COUNT(*) FROM t_ac"},
		{"multi-node update", "UPDATE t_ac SET id = id WHERE user_id IN (0, 1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if strings.HasPrefix(c.sql, "SELECT") {
				var rows *sql.Rows
				if rows, err = db.QueryContext(ctx, c.sql); err == nil {
					for rows.Next() {
					}
					err = rows.Err()
					_ = rows.Close()
				}
			} else {
				_, err = db.ExecContext(ctx, c.sql)
			}
			require.ErrorIs(t, err, driver.ErrUnsupported)
			assert.Contains(t, err.Error(), "autocommit is off on the connections of data source ds1")
		})
	}
	t.Run("transaction", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO t_ac (id, user_id) VALUES (3, 1)")
		require.ErrorIs(t, err, driver.ErrUnsupported)
		_ = tx.Rollback()
	})
	require.NoError(t, plains[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM t_ac").Scan(&n))
	assert.Zero(t, n, "rows reached ds1")
	require.NoError(t, plains[0].QueryRowContext(ctx, "SELECT COUNT(*) FROM t_ac").Scan(&n))
	assert.Equal(t, 1, n, "ds0 changed")
}
