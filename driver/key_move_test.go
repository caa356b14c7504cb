package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// keyMoveDBs returns a sharded database (t_acct sharded by user_id with
// Mod over ds0.t_acct_0, ds0.t_acct_1, ds1.t_acct_0, ds1.t_acct_1), the
// direct pools of its two data sources, and one unsharded database with
// the same rows to compare with.
func keyMoveDBs(t *testing.T, name string, opts ...driver.Option) (sharded *sql.DB, nodes []*sql.DB, oracle *sql.DB) {
	t.Helper()
	return keyMoveDBsWith(t, name, nil, opts...)
}

// keyMoveDBsWith is keyMoveDBs with session variables set on every
// connection of the sharded topology (go-sql-driver's DSN params).
func keyMoveDBsWith(t *testing.T, name string, session map[string]string, opts ...driver.Option) (sharded *sql.DB, nodes []*sql.DB, oracle *sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsns := sharedDSNs(t, name)
	for i, dsn := range dsns {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err)
		for k, v := range session {
			if cfg.Params == nil {
				cfg.Params = map[string]string{}
			}
			cfg.Params[k] = v
		}
		dsns[i] = cfg.FormatDSN()
	}
	topo := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		db, err := sql.Open("mysql", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		nodes = append(nodes, db)
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_acct", Column: "user_id",
		Nodes: "ds${0..1}.t_acct_${0..1}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_kv", Column: "id", Nodes: "ds${0..1}.t_kv", Algorithm: shard.Mod()}))
	sharded = openDB(t, topo, opts...)
	oracle = openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	const ddl = `CREATE TABLE t_acct (
		id BIGINT NOT NULL PRIMARY KEY,
		user_id BIGINT NOT NULL,
		code VARCHAR(8) NOT NULL,
		amount DECIMAL(10,2) NOT NULL,
		note VARCHAR(20) NULL,
		UNIQUE KEY user_code (user_id, code)
	)`
	for _, db := range []*sql.DB{sharded, oracle} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_acct", ddl} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		for i := 1; i <= 12; i++ {
			_, err := db.ExecContext(ctx, "INSERT INTO t_acct (id, user_id, code, amount, note) VALUES (?, ?, ?, ?, ?)",
				i, i%5, fmt.Sprintf("c%d", i), fmt.Sprintf("%d.25", i*3), nil)
			require.NoError(t, err)
		}
	}
	return sharded, nodes, oracle
}

func openPlain(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// acctRows is the table's content in id order, as text.
func acctRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT id, user_id, code, amount, COALESCE(note, 'NULL') FROM t_acct ORDER BY id")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, user int64
		var code, amount, note string
		require.NoError(t, rows.Scan(&id, &user, &code, &amount, &note))
		out = append(out, fmt.Sprintf("%d %d %s %s %s", id, user, code, amount, note))
	}
	require.NoError(t, rows.Err())
	return out
}

// requirePlaced checks that every row is on the node its user_id routes
// to (Mod over 4 nodes: user_id%4 → ds(user_id%4/2).t_acct_(user_id%2)).
func requirePlaced(t *testing.T, nodes []*sql.DB) {
	t.Helper()
	total := 0
	for ds, db := range nodes {
		for tb := range 2 {
			rows, err := db.Query(fmt.Sprintf("SELECT id, user_id FROM t_acct_%d", tb))
			require.NoError(t, err)
			for rows.Next() {
				var id, user int64
				require.NoError(t, rows.Scan(&id, &user))
				assert.Equal(t, fmt.Sprintf("ds%d.t_acct_%d", user%4/2, user%2), fmt.Sprintf("ds%d.t_acct_%d", ds, tb), "row %d (user_id %d)", id, user)
				total++
			}
			require.NoError(t, rows.Err())
			rows.Close()
		}
	}
}

// TestUpdateShardingColumnMovesRows: UPDATEs that set the sharding column
// give the same rows and counts as one unsharded table, and every row ends
// on the node its new value routes to.
func TestUpdateShardingColumnMovesRows(t *testing.T) {
	ctx := context.Background()
	db, nodes, oracle := keyMoveDBs(t, "keymove")
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"unchanged key spelled as text (gorm Save)", "UPDATE t_acct SET user_id = '2', code = code, amount = ?, note = ? WHERE user_id = 2 AND id = ?", []any{"9.50", "saved", 2}},
		{"unchanged key, WHERE by primary key (gorm Save)", "UPDATE t_acct SET user_id = ?, code = ?, amount = ?, note = ? WHERE id = ?", []any{3, "c3", "1.00", "saved", 3}},
		{"one row moves", "UPDATE t_acct SET user_id = ?, amount = amount + 1 WHERE id = ?", []any{6, 4}},
		{"several rows from several nodes", "UPDATE t_acct AS a SET a.note = CONCAT('moved from ', a.user_id), a.user_id = 7 WHERE a.amount > 20", nil},
		{"nothing matches", "UPDATE t_acct SET user_id = 1 WHERE id = 999", nil},
		{"same rows again: unchanged", "UPDATE t_acct SET user_id = 7 WHERE note LIKE 'moved%'", nil},
	}
	for _, st := range steps {
		want, werr := oracle.ExecContext(ctx, st.sql, st.args...)
		got, gerr := db.ExecContext(ctx, st.sql, st.args...)
		require.NoError(t, werr, st.name)
		require.NoError(t, gerr, st.name)
		wn, _ := want.RowsAffected()
		gn, _ := got.RowsAffected()
		assert.Equal(t, wn, gn, "%s: rows affected", st.name)
		assert.Equal(t, acctRows(t, oracle), acctRows(t, db), st.name)
		requirePlaced(t, nodes)
	}

	// A unique key conflict on the target fails the statement whole, as
	// on one table, and nothing moved.
	before := acctRows(t, db)
	_, werr := oracle.ExecContext(ctx, "UPDATE t_acct SET user_id = 7 WHERE id = 1")
	_, gerr := db.ExecContext(ctx, "UPDATE t_acct SET user_id = 7, code = 'c9' WHERE id = 1")
	require.NoError(t, werr)
	var me *mysql.MySQLError
	require.ErrorAs(t, gerr, &me)
	assert.Equal(t, uint16(1062), me.Number, "duplicate key on the target: %v", gerr)
	assert.Equal(t, before, acctRows(t, db), "nothing moved")
	_, err := oracle.ExecContext(ctx, "UPDATE t_acct SET user_id = 1 WHERE id = 1")
	require.NoError(t, err)

	// In the caller's transaction: rolled back with it, or committed.
	for _, commit := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "UPDATE t_acct SET note = 'tx' WHERE id = 5")
		require.NoError(t, err)
		res, err := tx.ExecContext(ctx, "UPDATE t_acct SET user_id = 8 WHERE id IN (5, 12)")
		require.NoError(t, err)
		assertAffected(t, res, 2)
		var n int
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_acct WHERE user_id = 8").Scan(&n))
		assert.Equal(t, 2, n, "the transaction sees the moved rows")
		// A failing move inside the transaction is undone alone.
		_, err = tx.ExecContext(ctx, "UPDATE t_acct SET user_id = 7, code = 'c9' WHERE id = 1")
		require.Error(t, err)
		if commit {
			require.NoError(t, tx.Commit())
			_, err = oracle.ExecContext(ctx, "UPDATE t_acct SET note = 'tx' WHERE id = 5")
			require.NoError(t, err)
			_, err = oracle.ExecContext(ctx, "UPDATE t_acct SET user_id = 8 WHERE id IN (5, 12)")
			require.NoError(t, err)
		} else {
			require.NoError(t, tx.Rollback())
		}
		assert.Equal(t, acctRows(t, oracle), acctRows(t, db), "commit=%v", commit)
		requirePlaced(t, nodes)
	}

	// gorm's OnConflict UpdateAll sets the sharding column to the
	// inserted row's own value.
	for _, d := range []*sql.DB{db, oracle} {
		for _, q := range []string{"DROP TABLE IF EXISTS t_kv", "CREATE TABLE t_kv (id BIGINT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO t_kv (id, v) VALUES (1, 'a'), (2, 'b')"} {
			_, err := d.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	q := "INSERT INTO t_kv (id, v) VALUES (?, ?), (?, ?), (?, ?) ON DUPLICATE KEY UPDATE id = VALUES(id), v = VALUES(v)"
	args := []any{1, "x", 2, "b", 3, "c"}
	want, err := oracle.ExecContext(ctx, q, args...)
	require.NoError(t, err)
	got, err := db.ExecContext(ctx, q, args...)
	require.NoError(t, err)
	wn, _ := want.RowsAffected()
	gn, _ := got.RowsAffected()
	assert.Equal(t, wn, gn)
	rows, err := db.QueryContext(ctx, "SELECT CONCAT(id, v) FROM t_kv ORDER BY id")
	require.NoError(t, err)
	defer rows.Close()
	var kv []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		kv = append(kv, s)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"1x", "2b", "3c"}, kv)
}

// TestUpdateShardingColumnTriggers: a move is refused, and nothing
// changed, when a node table has a trigger or is referenced by a foreign
// key; an UPDATE that moves nothing still runs.
func TestUpdateShardingColumnTriggers(t *testing.T) {
	ctx := context.Background()
	db, nodes, _ := keyMoveDBs(t, "keymove_trg")
	before := acctRows(t, db)
	// user_id 1 lives on ds0.t_acct_1, 2 on ds1.t_acct_0.
	_, err := nodes[1].ExecContext(ctx, "CREATE TRIGGER t_acct_0_upd BEFORE UPDATE ON t_acct_0 FOR EACH ROW SET NEW.note = 'trg'")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "UPDATE t_acct SET user_id = 2 WHERE id = 1")
	require.ErrorIs(t, err, route.ErrUnsupported)
	assert.ErrorContains(t, err, "has triggers")
	assert.Equal(t, before, acctRows(t, db))
	_, err = db.ExecContext(ctx, "UPDATE t_acct SET user_id = 2 WHERE id = 2")
	require.NoError(t, err, "nothing to move")
	before = acctRows(t, db) // the trigger set the note of row 2
	_, err = nodes[1].ExecContext(ctx, "DROP TRIGGER t_acct_0_upd")
	require.NoError(t, err)

	_, err = nodes[0].ExecContext(ctx, "CREATE TABLE child (id INT PRIMARY KEY, acct BIGINT, FOREIGN KEY (acct) REFERENCES t_acct_1 (id))")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "UPDATE t_acct SET user_id = 2 WHERE id = 1")
	require.ErrorIs(t, err, route.ErrUnsupported)
	assert.ErrorContains(t, err, "referenced by a foreign key")
	assert.Equal(t, before, acctRows(t, db))
	requirePlaced(t, nodes)
}

// TestUpdateShardingColumnXA: a move outside a transaction commits with
// two-phase commit when the connector asks for XA.
func TestUpdateShardingColumnXA(t *testing.T) {
	ctx := context.Background()
	db, nodes, oracle := keyMoveDBs(t, "keymove_xa", driver.WithXA())
	for _, q := range []string{"UPDATE t_acct SET user_id = 5 WHERE id < 6", "UPDATE t_acct SET user_id = 2 WHERE code = 'c1'"} {
		_, err := oracle.ExecContext(ctx, q)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	assert.Equal(t, acctRows(t, oracle), acctRows(t, db))
	requirePlaced(t, nodes)
}
