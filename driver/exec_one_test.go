package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	shardsql "github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// execOutcome is what a caller sees of an Exec.
type execOutcome struct {
	affected, lastID int64
	err              string
}

func outcomeOf(res sql.Result, err error) execOutcome {
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "Error "); i >= 0 {
			msg = msg[i:] // the server's error, without the node shardsql names
		}
		return execOutcome{err: msg}
	}
	var o execOutcome
	var aerr, ierr error
	o.affected, aerr = res.RowsAffected()
	o.lastID, ierr = res.LastInsertId()
	if aerr != nil || ierr != nil {
		o.err = fmt.Sprint(aerr, ierr)
	}
	return o
}

type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// TestExecOneUnitResult: a one-unit write outside a transaction returns
// the server connection's own result (exec_one.go); RowsAffected and
// LastInsertId equal the plain driver's on one unsharded table for INSERT,
// INSERT IGNORE, ON DUPLICATE KEY UPDATE (inserted, updated, unchanged),
// REPLACE, UPDATE and DELETE by key and a duplicate key's error — on a
// sharded table with explicit keys, on a table shardsql generates keys for
// (its result, the generated id), and on a table passed through to the
// default data source, whose server generates the AUTO_INCREMENT id that
// LAST_INSERT_ID() then answers on the same session. Without
// interpolateParams database/sql runs the statement and shardsql's result
// folds its answer in, with the same values.
func TestExecOneUnitResult(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "exec_one")
	const ddl = "CREATE TABLE %s (id BIGINT AUTO_INCREMENT, user_id BIGINT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (id, user_id))"
	for _, dsn := range dsns {
		node := openPlain(t, dsn)
		for _, tb := range []string{"t_w", "t_g", "t_wp", "t_gp", "t_auto", "t_autop"} {
			_, err := node.ExecContext(ctx, "DROP TABLE IF EXISTS "+tb)
			require.NoError(t, err)
			_, err = node.ExecContext(ctx, fmt.Sprintf(ddl, tb))
			require.NoError(t, err)
		}
	}
	for _, params := range []string{"&interpolateParams=true", ""} {
		t.Run("params="+params, func(t *testing.T) {
			for _, dsn := range dsns {
				node := openPlain(t, dsn)
				for _, tb := range []string{"t_w", "t_g", "t_wp", "t_gp", "t_auto", "t_autop"} {
					_, err := node.ExecContext(ctx, "TRUNCATE TABLE "+tb)
					require.NoError(t, err)
				}
			}
			plain := openPlain(t, dsns[0]+params)
			topo := shard.NewTopology()
			for i, dsn := range dsns {
				require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+params))
			}
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_w", Column: "user_id", Nodes: "ds${0..1}.t_w", Algorithm: shard.Mod()}))
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_g", Column: "user_id", Nodes: "ds${0..1}.t_g", Algorithm: shard.Mod(),
				KeyColumn: "id", KeyGenerator: &dmlCounter{}}))
			db := openDB(t, topo)
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			steps := []struct {
				q    string
				args []any
			}{
				{"INSERT INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{1, 1, 1}},
				{"INSERT INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{1, 1, 1}}, // duplicate key
				{"INSERT IGNORE INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{1, 1, 5}},
				{"INSERT IGNORE INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{2, 2, 5}},
				{"INSERT INTO %s (id, user_id, n) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE n = n + 1", []any{1, 1, 0}},
				{"INSERT INTO %s (id, user_id, n) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE n = n", []any{1, 1, 0}},
				{"INSERT INTO %s (id, user_id, n) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)", []any{3, 3, 7}},
				{"REPLACE INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{3, 3, 8}},
				{"REPLACE INTO %s (id, user_id, n) VALUES (?, ?, ?)", []any{4, 2, 8}},
				{"UPDATE %s SET n = n + 1 WHERE user_id = ? AND id = ?", []any{2, 4}},
				{"UPDATE %s SET n = n + 1 WHERE user_id = ? AND id = ?", []any{2, 99}},
				{"DELETE FROM %s WHERE user_id = ? AND id = ?", []any{3, 3}},
			}
			for _, on := range []struct {
				name string
				db   execer
			}{{"db", db}, {"conn", conn}} {
				for _, dsn := range dsns {
					_, err := openPlain(t, dsn).ExecContext(ctx, "DELETE FROM t_w")
					require.NoError(t, err)
				}
				_, err := plain.ExecContext(ctx, "DELETE FROM t_wp")
				require.NoError(t, err)
				var affected []int64
				for i, s := range steps {
					want := outcomeOf(plain.ExecContext(ctx, fmt.Sprintf(s.q, "t_wp"), s.args...))
					got := outcomeOf(on.db.ExecContext(ctx, fmt.Sprintf(s.q, "t_w"), s.args...))
					assert.Equal(t, want, got, "%s step %d: %s %v", on.name, i, s.q, s.args)
					if want.err != "" {
						want.affected = -1
					}
					affected = append(affected, want.affected)
				}
				// the steps cover every answer: an error, 0, 1 and 2 rows
				assert.Equal(t, []int64{1, -1, 0, 1, 2, 0, 1, 2, 1, 1, 0, 1}, affected)
			}
			// with interpolateParams or without (prepared, executed and
			// closed inside Raw: raw_prepared.go)
			own, err := shardsql.ExecOwnResult(ctx, conn, "UPDATE t_w SET n = n + 1 WHERE user_id = ? AND id = ?", 1, 1)
			require.NoError(t, err)
			assert.True(t, own, "a one-unit write returns the server connection's result")
			// keys shardsql generates: LastInsertId is the generated id, as
			// the plain table's AUTO_INCREMENT reports its own
			for i := 0; i < 3; i++ {
				want := outcomeOf(plain.ExecContext(ctx, "INSERT INTO t_gp (user_id, n) VALUES (?, ?)", i, i))
				got := outcomeOf(conn.ExecContext(ctx, "INSERT INTO t_g (user_id, n) VALUES (?, ?)", i, i))
				assert.Equal(t, want, got, "generated key %d", i)
			}
			own, err = shardsql.ExecOwnResult(ctx, conn, "INSERT INTO t_g (user_id, n) VALUES (?, ?)", 9, 9)
			require.NoError(t, err)
			assert.False(t, own, "generated keys: shardsql's result reports them")
			// a table passed through to the default data source: the
			// server's AUTO_INCREMENT id, and LAST_INSERT_ID() on the session
			pconn, err := plain.Conn(ctx)
			require.NoError(t, err)
			defer pconn.Close()
			for i := 0; i < 3; i++ {
				want := outcomeOf(pconn.ExecContext(ctx, "INSERT INTO t_autop (user_id, n) VALUES (?, ?)", i, i))
				got := outcomeOf(conn.ExecContext(ctx, "INSERT INTO t_auto (user_id, n) VALUES (?, ?)", i, i))
				assert.Equal(t, want, got, "server id %d", i)
				var wantLast, gotLast int64
				require.NoError(t, pconn.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&wantLast))
				require.NoError(t, conn.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&gotLast))
				assert.Equal(t, wantLast, gotLast)
				assert.Equal(t, want.lastID, gotLast)
			}
		})
	}
}
