package driver_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shardtest"
)

// TestFaults16RollbackOnTimeout: the server runs with
// innodb_rollback_on_timeout=ON, where a lock wait timeout (1205) rolls
// back the whole transaction, as a deadlock does. In a transaction over
// both data sources (best effort and XA) a statement on ds1 times out
// behind another session's row lock: ds1's work is gone, so shardsql must
// roll back ds0's too, refuse the transaction's later statements, fail
// Commit, and leave nothing on either server — in XA mode too, where
// before round 16 the transaction ran on (ds0 took writes, ds1 answered
// 1399 ROLLBACK ONLY) until Commit rolled it back; one MariaDB refuses
// every statement of a rollback-only XA transaction. XA with a
// single-node statement and with a multi-node one (whose ds0 part ran),
// best effort with the multi-node one.
func TestFaults16RollbackOnTimeout(t *testing.T) {
	if !shardtest.HaveMariaDB() {
		shardtest.MariaDB(t, 1) // skips, or fails under SHARDSQL_REQUIRE_MARIADB=1
	}
	// One server, two databases (a data source each): one start instead
	// of two keeps the test under its time.
	srv, err := shardtest.StartMariaDBArgs("app", "--innodb-rollback-on-timeout=ON", "--innodb-lock-wait-timeout=1")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	var dsns []string
	var directs []*sql.DB
	for _, name := range []string{"f16a", "f16b"} {
		cfg, err := mysql.ParseDSN(srv.DSN())
		require.NoError(t, err)
		_, err = direct(t, srv).Exec("CREATE DATABASE " + name)
		require.NoError(t, err)
		cfg.DBName = name
		dsns = append(dsns, cfg.FormatDSN())
		directs = append(directs, openPlain(t, cfg.FormatDSN()))
	}
	count := func(lo, hi int) []int {
		out := make([]int, 2)
		for i, d := range directs {
			for _, tbl := range []string{"t_xa_0", "t_xa_1"} {
				var n int
				require.NoError(t, d.QueryRow("SELECT COUNT(*) FROM "+tbl+" WHERE id >= ? AND id < ?", lo, hi).Scan(&n))
				out[i] += n
			}
		}
		return out
	}
	db := openDB(t, xaTopology(t, dsns))
	_, err = db.Exec(xaDDL)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO t_xa (id, user_id) VALUES (100, 2)")
	require.NoError(t, err)
	d1 := directs[1]
	for mi, mode := range lockModes {
		for _, multi := range []bool{false, true} {
			if mode.name != "XA" && !multi {
				continue // (best effort: the multi-node statement is the harder case)
			}
			name := mode.name
			if multi {
				name += ", multi-node statement"
			}
			base := 200 + 10*mi
			if multi {
				base += 100
			}
			ctx, cancel := context.WithTimeout(mode.ctx(context.Background()), 20*time.Second)
			holder, err := d1.Begin()
			require.NoError(t, err)
			for _, tbl := range []string{"t_xa_0", "t_xa_1"} {
				_, err := holder.Exec("SELECT id FROM " + tbl + " WHERE id = 100 FOR UPDATE")
				require.NoError(t, err)
			}
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0), (?, 2)", base, base+1)
			require.NoError(t, err, name)
			if multi {
				_, err = tx.ExecContext(ctx, "DELETE FROM t_xa WHERE id IN (?, 100)", base)
			} else {
				_, err = tx.ExecContext(ctx, "DELETE FROM t_xa WHERE id = 100 AND user_id = 2")
			}
			require.True(t, isCode(err, 1205), "%s: lock wait timeout: %v", name, err)
			_, err2 := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 2)", base+2)
			_, err3 := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, 0)", base+3)
			cerr := tx.Commit()
			require.NoError(t, holder.Rollback())
			cancel()
			recoverAll(t, db)
			got := count(base, base+10)
			t.Logf("%s: timeout %v; later statements %v / %v; commit %v; rows %v", name, err, err2, err3, cerr, got)
			assert.Equal(t, []int{0, 0}, got, "%s: the server rolled ds1 back: nothing may stay anywhere", name)
			for _, e := range []error{err2, err3, cerr} {
				// Before round 16, in XA mode: ds0's INSERT succeeded
				// (err3 nil) and ds1's failed with 1399.
				require.Error(t, e, "%s: every later statement and Commit is refused", name)
				assert.Contains(t, e.Error(), "rolled back on every data source after data source ds1 rolled it back", name)
				assert.True(t, isCode(e, 1205), "%s: the server's error is kept: %v", name, e)
			}
		}
	}
}
