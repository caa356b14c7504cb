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

// TestCompat15BroadcastUpsertLastInsertID: ent's upsert of a broadcast
// table (Create().OnConflict().UpdateNewValues().ID(ctx), and DoNothing)
// sends INSERT … ON DUPLICATE KEY UPDATE …, id = LAST_INSERT_ID(t.id)
// and reads LastInsertId; the counter idiom UPDATE t SET n =
// LAST_INSERT_ID(n + 1) reads it with SELECT LAST_INSERT_ID(). Both were
// refused ("LAST_INSERT_ID() in a write to broadcast table"), so every
// ent upsert of a broadcast table failed. The same statements run on one
// database (the oracle) and through shardsql: the LastInsertId of each,
// SELECT LAST_INSERT_ID() after it on the same connection, and every
// copy's rows must be the oracle's.
func TestCompat15BroadcastUpsertLastInsertID(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "compat15_bupsert")
	oracleDSN := sharedDSNs(t, "compat15_bupsert_oracle")[0]
	topo := shard.NewTopology()
	var plains []*sql.DB
	for i, dsn := range append(dsns, oracleDSN) {
		plains = append(plains, openPlain(t, dsn))
		if i < len(dsns) {
			require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		}
	}
	require.NoError(t, topo.AddBroadcastTable("t_c15k"))
	db := openDB(t, topo)
	oracle := plains[len(plains)-1]

	const upsert = "INSERT INTO `t_c15k` (`name`, `legs`) VALUES %s ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `legs` = VALUES(`legs`), `id` = LAST_INSERT_ID(`t_c15k`.`id`)"
	steps := []struct {
		sql  string
		args []any
	}{
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"cat", 4}},  // inserted
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"dog", 4}},  // inserted
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"cat", 5}},  // updated: the met row's id
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"dog", 4}},  // unchanged
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"bird", 2}}, // inserted
		{fmt.Sprintf(upsert, "(?, ?)"), []any{"fish", 0}}, // inserted
		{"INSERT INTO `t_c15k` (`name`, `legs`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = LAST_INSERT_ID(`t_c15k`.`id`), `name` = `t_c15k`.`name`", []any{"bird", 9}}, // ent's DoNothing
		{"UPDATE `t_c15k` SET `legs` = LAST_INSERT_ID(`legs` + 10) WHERE `name` = ?", []any{"fish"}},                                                                     // the counter idiom
	}
	// transcript runs the steps on one connection of pool p, in a
	// transaction when inTx.
	transcript := func(p *sql.DB, inTx bool) []string {
		c, err := p.Conn(ctx)
		require.NoError(t, err)
		defer c.Close()
		var conn interface {
			ExecContext(context.Context, string, ...any) (sql.Result, error)
			QueryRowContext(context.Context, string, ...any) *sql.Row
		} = c
		if inTx {
			tx, err := c.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, tx.Commit()) }()
			conn = tx
		}
		var out []string
		for _, s := range steps {
			res, err := conn.ExecContext(ctx, s.sql, s.args...)
			require.NoError(t, err, s.sql)
			id, err := res.LastInsertId()
			require.NoError(t, err, s.sql)
			n, err := res.RowsAffected()
			require.NoError(t, err, s.sql)
			var last int64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last), s.sql)
			out = append(out, fmt.Sprintf("%v: id %d rows %d LAST_INSERT_ID() %d", s.args, id, n, last))
		}
		return out
	}
	rowsOf := func(p *sql.DB) string {
		rows, err := p.QueryContext(ctx, "SELECT id, name, legs FROM t_c15k ORDER BY id")
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, legs int64
			var name string
			require.NoError(t, rows.Scan(&id, &name, &legs))
			out = append(out, fmt.Sprintf("%d:%s:%d", id, name, legs))
		}
		require.NoError(t, rows.Err())
		return strings.Join(out, " ")
	}
	checkCopies := func() {
		wantRows := rowsOf(oracle)
		for i, p := range plains[:len(dsns)] {
			require.Equal(t, wantRows, rowsOf(p), "ds%d's copy", i)
		}
	}
	// Several rows: refused before anything is written (the first copy
	// would report the last met row's id, not a generated one).
	_, err := db.ExecContext(ctx, fmt.Sprintf(upsert, "(?, ?), (?, ?)"), "cat", 7, "dog", 8)
	require.ErrorContains(t, err, "LAST_INSERT_ID(expr) in an INSERT of several rows")
	for _, inTx := range []bool{false, true} {
		for _, p := range plains {
			for _, q := range []string{"DROP TABLE IF EXISTS t_c15k",
				"CREATE TABLE t_c15k (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(16) NOT NULL UNIQUE, legs INT NOT NULL)"} {
				_, err := p.ExecContext(ctx, q)
				require.NoError(t, err)
			}
		}
		want := transcript(oracle, inTx)
		require.Equal(t, want, transcript(db, inTx), "in a transaction: %v", inTx)
		checkCopies()
	}
}
