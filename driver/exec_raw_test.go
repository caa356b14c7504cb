package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestRawExecArguments: an Exec's unit runs on its pin's driver connection
// (exec_raw.go) with interpolateParams on (the driver takes the arguments)
// and off (the driver asks for a prepared statement: database/sql's path).
// Every argument type arrives as the plain driver stores it, results
// report as one table's, a failed statement leaves the session usable, and
// a connection killed under a *sql.Conn fails its next statement instead
// of running it on another session.
func TestRawExecArguments(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "raw_exec")
	ddl := []string{"DROP TABLE IF EXISTS t_raw", "DROP TABLE IF EXISTS t_auto",
		"CREATE TABLE t_raw (id BIGINT PRIMARY KEY, k BIGINT NOT NULL, u BIGINT UNSIGNED, s VARCHAR(20), b VARBINARY(20), n INT, f DOUBLE, ok BOOL, ts DATETIME(6))",
		"CREATE TABLE t_auto (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)"}
	for _, dsn := range dsns {
		node := openPlain(t, dsn)
		for _, q := range ddl {
			_, err := node.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	ts := time.Date(2026, 12, 1, 21, 30, 0, 123456000, time.UTC)
	for _, interpolate := range []bool{true, false} {
		t.Run(fmt.Sprintf("interpolateParams=%v", interpolate), func(t *testing.T) {
			topo := shard.NewTopology()
			for i, dsn := range dsns {
				require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), fmt.Sprintf("%s&interpolateParams=%v", dsn, interpolate)))
			}
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_raw", Column: "k", Nodes: "ds${0..1}.t_raw", Algorithm: shard.Mod()}))
			db := openDB(t, topo)
			base := int64(0)
			if !interpolate {
				base = 100
			}
			for i := int64(0); i < 4; i++ {
				id := base + i
				res, err := db.ExecContext(ctx, "INSERT INTO t_raw (id, k, u, s, b, n, f, ok, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					id, id, uint64(math.MaxUint64)-uint64(i), fmt.Sprintf("s'%d\\", i), []byte{0, byte(i), '\''}, nil, 1.5+float64(i), i%2 == 0, ts)
				require.NoError(t, err)
				n, err := res.RowsAffected()
				require.NoError(t, err)
				assert.Equal(t, int64(1), n)
			}
			for i := int64(0); i < 4; i++ {
				id := base + i
				node := openPlain(t, dsns[id%2])
				var (
					u  uint64
					s  string
					b  []byte
					n  sql.NullInt64
					f  float64
					ok bool
					at time.Time
				)
				require.NoError(t, node.QueryRowContext(ctx, "SELECT u, s, b, n, f, ok, ts FROM t_raw WHERE id = ?", id).Scan(&u, &s, &b, &n, &f, &ok, &at))
				assert.Equal(t, uint64(math.MaxUint64)-uint64(i), u)
				assert.Equal(t, fmt.Sprintf("s'%d\\", i), s)
				assert.Equal(t, []byte{0, byte(i), '\''}, b)
				assert.False(t, n.Valid)
				assert.Equal(t, 1.5+float64(i), f)
				assert.Equal(t, i%2 == 0, ok)
				assert.True(t, ts.Equal(at), "%v vs %v", at, ts)
			}
			// an UPDATE on one node, a duplicate key, and the session after it
			res, err := db.ExecContext(ctx, "UPDATE t_raw SET n = ? WHERE k = ? AND id = ?", 7, base+1, base+1)
			require.NoError(t, err)
			n, _ := res.RowsAffected()
			assert.Equal(t, int64(1), n)
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.ExecContext(ctx, "INSERT INTO t_raw (id, k) VALUES (?, ?)", base, base)
			require.ErrorContains(t, err, "Duplicate entry")
			_, err = conn.ExecContext(ctx, "SET @raw = ?", 41)
			require.NoError(t, err)
			var v int
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT n + @raw FROM t_raw WHERE k = ? AND id = ?", base+1, base+1).Scan(&v))
			assert.Equal(t, 48, v)
			// LAST_INSERT_ID of an unsharded table's AUTO_INCREMENT
			res, err = conn.ExecContext(ctx, "INSERT INTO t_auto (v) VALUES (?)", 5)
			require.NoError(t, err)
			id, err := res.LastInsertId()
			require.NoError(t, err)
			var last int64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last))
			assert.Equal(t, id, last)
			assert.NotZero(t, id)
			// the pin's connection is killed: the next Exec on this
			// session fails rather than running on a new session
			var connID int64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT CONNECTION_ID() FROM t_raw WHERE k = ? AND id = ?", base, base).Scan(&connID))
			admin := openPlain(t, dsns[base%2])
			_, err = admin.ExecContext(ctx, fmt.Sprintf("KILL %d", connID))
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "UPDATE t_raw SET n = ? WHERE k = ? AND id = ?", 8, base, base)
			require.Error(t, err)
			_, err = conn.ExecContext(ctx, "UPDATE t_raw SET n = ? WHERE k = ? AND id = ?", 9, base, base)
			require.Error(t, err, "the session's connection is gone: its next statement fails too")
			var got sql.NullInt64
			require.NoError(t, admin.QueryRowContext(ctx, "SELECT n FROM t_raw WHERE id = ?", base).Scan(&got))
			assert.False(t, got.Valid, "no UPDATE ran on another session")
		})
	}
}
