package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestReview14BroadcastIDsFreshCatalog: the first broadcast INSERTs of a
// Connector whose catalog has not yet read the servers' VERSION() (nothing
// before them needed a fact) must run the other copies under the first
// copy's insert_id too. ds0's AUTO_INCREMENT counter is ahead of ds1's, as
// an atomic broadcast INSERT that failed on ds1 and was rolled back on ds0
// leaves it (InnoDB does not give back values a rolled-back insert took):
// the copies' rows must still get the same ids.
func TestReview14BroadcastIDsFreshCatalog(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review14_bidsfresh")
	var plains []*sql.DB
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		p := openPlain(t, dsn)
		_, err := p.ExecContext(ctx, "DROP TABLE IF EXISTS t_r14f")
		require.NoError(t, err)
		_, err = p.ExecContext(ctx, "CREATE TABLE t_r14f (id BIGINT AUTO_INCREMENT PRIMARY KEY, u VARCHAR(16) NOT NULL UNIQUE)")
		require.NoError(t, err)
		plains = append(plains, p)
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddBroadcastTable("t_r14f"))
	// ds0's counter burned by a rolled-back insert.
	tx, err := plains[0].BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "INSERT INTO t_r14f (u) VALUES ('burnt1'), ('burnt2'), ('burnt3')")
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	db := openDB(t, topo)
	res, err := db.ExecContext(ctx, "INSERT INTO t_r14f (u) VALUES ('x'), ('y')")
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	for i, p := range plains {
		var got []string
		rows, err := p.QueryContext(ctx, "SELECT id, u FROM t_r14f ORDER BY id")
		require.NoError(t, err)
		for rows.Next() {
			var n int64
			var u string
			require.NoError(t, rows.Scan(&n, &u))
			got = append(got, fmt.Sprintf("%d:%s", n, u))
		}
		require.NoError(t, rows.Err())
		rows.Close()
		require.Equal(t, []string{fmt.Sprintf("%d:x", id), fmt.Sprintf("%d:y", id+1)}, got, "ds%d's copy: LastInsertId %d must name row x on every copy", i, id)
	}
}

// TestReview14BroadcastIDsIncrement: data sources whose sessions step
// AUTO_INCREMENT by auto_increment_increment from their own
// auto_increment_offset (Galera's wsrep_auto_increment_control sets both per
// node; multi-primary setups set them per server). A statement-based
// replica replays a statement under its source's insert_id AND its
// increment and offset (the binlog event carries all three); under the
// first copy's insert_id alone, a multi-row INSERT's second row got the
// next value of the other copy's own offset: the copies' ids differed.
func TestReview14BroadcastIDsIncrement(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "review14_bidsinc")
	var plains []*sql.DB
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		p := openPlain(t, dsn)
		_, err := p.ExecContext(ctx, "DROP TABLE IF EXISTS t_r14i")
		require.NoError(t, err)
		plains = append(plains, p)
		// ds0 steps 1, 4, 7, …; ds1 2, 5, 8, … (three nodes' offsets).
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), fmt.Sprintf("%s&auto_increment_increment=3&auto_increment_offset=%d", dsn, i+1)))
	}
	require.NoError(t, topo.AddBroadcastTable("t_r14i"))
	db := openDB(t, topo)
	_, err := db.ExecContext(ctx, "CREATE TABLE t_r14i (id BIGINT AUTO_INCREMENT PRIMARY KEY, u VARCHAR(16) NOT NULL UNIQUE)")
	require.NoError(t, err)
	for _, mode := range []string{"exec", "tx", "returning", "returning-tx"} {
		stmt := fmt.Sprintf("INSERT INTO t_r14i (u) VALUES ('x%s'), ('y%s'), ('z%s')", mode, mode, mode)
		var q interface {
			ExecContext(context.Context, string, ...any) (sql.Result, error)
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		} = db
		var tx *sql.Tx
		if strings.HasSuffix(mode, "tx") {
			tx, err = db.BeginTx(ctx, nil)
			require.NoError(t, err)
			q = tx
		}
		if strings.HasPrefix(mode, "returning") {
			rows, err := q.QueryContext(ctx, stmt+" RETURNING id")
			require.NoError(t, err)
			for rows.Next() {
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
		} else {
			_, err := q.ExecContext(ctx, stmt)
			require.NoError(t, err)
		}
		if tx != nil {
			require.NoError(t, tx.Commit())
		}
		var copies []string
		for _, p := range plains {
			rows, err := p.QueryContext(ctx, "SELECT id, u FROM t_r14i ORDER BY id")
			require.NoError(t, err)
			var b strings.Builder
			for rows.Next() {
				var n int64
				var u string
				require.NoError(t, rows.Scan(&n, &u))
				fmt.Fprintf(&b, "%d:%s ", n, u)
			}
			require.NoError(t, rows.Err())
			rows.Close()
			copies = append(copies, b.String())
		}
		require.Equal(t, copies[0], copies[1], "after %s: every copy names each row by the same id", stmt)
	}
}
