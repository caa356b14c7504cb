package driver_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// TestUpdateShardingColumnSpellings: UPDATEs of the sharding column spelled in
// ways the first key-move tests did not use; each must give one table's
// rows and counts and leave every row where its key routes, or be refused.
func TestUpdateShardingColumnSpellings(t *testing.T) {
	ctx := context.Background()
	db, nodes, oracle := keyMoveDBs(t, "keymove_attacks")
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"IN list over several nodes, target outside it", "UPDATE t_acct SET user_id = 7 WHERE user_id IN (1, 2)", nil},
		{"IN list with args", "UPDATE t_acct SET user_id = ? WHERE user_id IN (?, ?)", []any{5, 3, 4}},
		{"IN list including target value", "UPDATE t_acct SET user_id = 6 WHERE user_id IN (0, 6, 7)", nil},
		{"key as text with spaces", "UPDATE t_acct SET user_id = ' 9' WHERE id = 1", nil},
		{"key as decimal text", "UPDATE t_acct SET user_id = '10' WHERE user_id = 9", nil},
		{"qualified column", "UPDATE t_acct SET t_acct.user_id = 11 WHERE t_acct.user_id = 10", nil},
		{"where by key equality and OR", "UPDATE t_acct SET user_id = 13 WHERE user_id = 11 OR user_id = 5", nil},
		{"set references old key", "UPDATE t_acct SET note = CONCAT('was ', user_id), user_id = 14 WHERE user_id = 13", nil},
		{"set note after key", "UPDATE t_acct SET user_id = 15, note = CONCAT('now ', user_id) WHERE user_id = 14", nil},
	}
	for _, st := range steps {
		want, werr := oracle.ExecContext(ctx, st.sql, st.args...)
		require.NoError(t, werr, st.name)
		got, gerr := db.ExecContext(ctx, st.sql, st.args...)
		if !assert.NoError(t, gerr, st.name) {
			continue
		}
		wn, _ := want.RowsAffected()
		gn, _ := got.RowsAffected()
		assert.Equal(t, wn, gn, "%s: rows affected", st.name)
		assert.Equal(t, acctRows(t, oracle), acctRows(t, db), st.name)
		requirePlaced(t, nodes)
	}
}

// TestUpdateShardingColumnNonDeterministicWhere: a move evaluates its
// WHERE clause in three statements on two connections, so RAND(),
// LAST_INSERT_ID() and the like there are refused; nothing changes.
func TestUpdateShardingColumnNonDeterministicWhere(t *testing.T) {
	ctx := context.Background()
	db, nodes, _ := keyMoveDBs(t, "keymove_nondet")
	before := acctRows(t, db)
	for _, q := range []string{
		"UPDATE t_acct SET user_id = 4 WHERE RAND() < 0.5",
		"UPDATE t_acct SET user_id = 4 WHERE id = LAST_INSERT_ID() OR user_id = 1",
		"UPDATE t_acct SET user_id = 4 WHERE user_id = 1 AND CONNECTION_ID() > 0",
	} {
		_, err := db.ExecContext(ctx, q)
		require.ErrorIs(t, err, route.ErrUnsupported, q)
		assert.ErrorContains(t, err, "moves rows", q)
		assert.Equal(t, before, acctRows(t, db), q)
		requirePlaced(t, nodes)
	}
	// Not a move (every matched row is on the new value's node): runs.
	_, err := db.ExecContext(ctx, "UPDATE t_acct SET user_id = 1 WHERE user_id = 1 AND RAND() < 2")
	require.NoError(t, err)
}

// TestUpdateShardingColumnSavepoints: a move inside a transaction is
// undone by ROLLBACK TO SAVEPOINT on every data source it reached,
// those that joined with the move included; RELEASE keeps it.
func TestUpdateShardingColumnSavepoints(t *testing.T) {
	ctx := context.Background()
	db, nodes, oracle := keyMoveDBs(t, "keymove_savepoints")
	steps := [][]string{
		// the move's source and target join after the savepoint
		{"SAVEPOINT a", "UPDATE t_acct SET user_id = 6 WHERE id IN (1, 3)", "ROLLBACK TO SAVEPOINT a"},
		// one participant before the savepoint, the move reaches others
		{"UPDATE t_acct SET note = 'before' WHERE id = 2", "SAVEPOINT `Sp 1`", "UPDATE t_acct SET user_id = 3 WHERE user_id IN (1, 2, 4)", "SAVEPOINT b",
			"UPDATE t_acct SET user_id = 0 WHERE id = 5", "ROLLBACK TO SAVEPOINT `sP 1`", "UPDATE t_acct SET user_id = 9 WHERE id = 6"},
		{"SAVEPOINT a", "UPDATE t_acct SET user_id = 11 WHERE id = 7", "RELEASE SAVEPOINT a", "UPDATE t_acct SET user_id = 12 WHERE id = 8"},
	}
	for _, qs := range steps {
		for _, d := range []*sql.DB{oracle, db} {
			tx, err := d.BeginTx(ctx, nil)
			require.NoError(t, err)
			for _, q := range qs {
				_, err := tx.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
			require.NoError(t, tx.Commit())
		}
		assert.Equal(t, acctRows(t, oracle), acctRows(t, db), "%v", qs)
		requirePlaced(t, nodes)
	}
}

// TestUpdateShardingColumnHiddenColumns: a move copies rows with SELECT *
// and INSERT, so a table with an INVISIBLE column (whose value SELECT *
// leaves out: the copy got its default) or a generated column is refused,
// and nothing changes.
func TestUpdateShardingColumnHiddenColumns(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "keymove_hidden")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_inv", Column: "k", Nodes: "ds${0..1}.t_inv", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_gen", Column: "k", Nodes: "ds${0..1}.t_gen", Algorithm: shard.Mod()}))
	for _, dsn := range dsns {
		node := openPlain(t, dsn)
		for _, q := range []string{"DROP TABLE IF EXISTS t_inv", "DROP TABLE IF EXISTS t_gen",
			"CREATE TABLE t_inv (id INT PRIMARY KEY, k INT NOT NULL, secret VARCHAR(10) INVISIBLE DEFAULT 'dflt')",
			"CREATE TABLE t_gen (id INT PRIMARY KEY, k INT NOT NULL, g INT AS (id * 2) VIRTUAL)",
		} {
			_, err := node.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
	}
	db := openDB(t, topo)
	_, err := db.ExecContext(ctx, "INSERT INTO t_inv (id, k, secret) VALUES (1, 0, 'hidden')")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO t_gen (id, k) VALUES (1, 0)")
	require.NoError(t, err)
	for _, q := range []string{"UPDATE t_inv SET k = 1 WHERE id = 1", "UPDATE t_gen SET k = 1 WHERE id = 1"} {
		_, err := db.ExecContext(ctx, q)
		require.ErrorIs(t, err, route.ErrUnsupported, q)
		assert.ErrorContains(t, err, "INVISIBLE or generated", q)
	}
	var k int
	var secret string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT k, secret FROM t_inv WHERE id = 1").Scan(&k, &secret))
	assert.Equal(t, 0, k)
	assert.Equal(t, "hidden", secret)
	// Not a move: runs.
	_, err = db.ExecContext(ctx, "UPDATE t_inv SET k = 2, secret = 'kept' WHERE id = 1")
	require.NoError(t, err)
}
