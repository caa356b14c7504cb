package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestReturning compares INSERT, REPLACE and DELETE … RETURNING across
// nodes with the same statements on one unsharded database: the rows, in
// VALUES order for INSERT, and the table afterwards.
func TestReturning(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ret", Column: "user_id", Nodes: "ds${0..1}.t_ret_${0..1}"}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_retgen", Column: "id", Nodes: "ds${0..1}.t_retgen_${0..1}",
		Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: &idCounter{next: 1000}}))
	sharded := openDB(t, topo)
	oracle := oracleDB(t, shared.servers[0], name+"_oracle")
	for _, q := range []string{
		"CREATE TABLE t_ret (id BIGINT NOT NULL, user_id BIGINT NOT NULL, note VARCHAR(20), PRIMARY KEY (id, user_id))",
		"CREATE TABLE t_plain (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20))",
	} {
		_, err := sharded.Exec(q)
		require.NoError(t, err, q)
		_, err = oracle.Exec(q)
		require.NoError(t, err, q)
	}
	_, err := sharded.Exec("CREATE TABLE t_retgen (id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(20))")
	require.NoError(t, err)

	same := func(t *testing.T, ordered bool, q string, args ...any) {
		t.Helper()
		want, err := runDiffQuery(oracle, q, args...)
		require.NoError(t, err, "oracle: %s", q)
		got, err := runDiffQuery(sharded, q, args...)
		require.NoError(t, err, "shardsql: %s", q)
		if !ordered {
			sortRows(want.rows)
			sortRows(got.rows)
		}
		assert.Equal(t, want.cols, got.cols, q)
		assert.Equal(t, want.rows, got.rows, q)
	}
	table := func(t *testing.T) {
		t.Helper()
		same(t, true, "SELECT id, user_id, note FROM t_ret ORDER BY id, user_id")
	}

	t.Run("insert in VALUES order", func(t *testing.T) {
		var vals []string
		var args []any
		for i := 1; i <= 12; i++ {
			vals = append(vals, "(?, ?, ?)")
			args = append(args, i, 13-i, fmt.Sprintf("n%d", i))
		}
		same(t, true, "INSERT INTO t_ret (id, user_id, note) VALUES "+strings.Join(vals, ", ")+" RETURNING id, user_id, CONCAT(note, '!') AS n2", args...)
		same(t, true, "insert into t_ret (id, user_id, note) values (100, 7, 'returning'), (101, 8, 'x') /* returning */ returning *")
		table(t)
	})
	t.Run("replace", func(t *testing.T) {
		same(t, true, "REPLACE INTO t_ret (id, user_id, note) VALUES (1, 12, 'r1'), (2, 11, 'r2'), (3, 10, 'r3') RETURNING note, id")
		table(t)
	})
	t.Run("upsert in VALUES order", func(t *testing.T) {
		// One row per VALUES row, inserted or met (changed, unchanged, or
		// met by an earlier row of the same statement), across nodes
		// (gorm's association upsert, round 16), also in a transaction.
		same(t, true, "INSERT INTO t_ret (id, user_id, note) VALUES (1, 12, 'u1'), (40, 3, 'u40'), (2, 11, 'r2'), (40, 3, 'again'), (41, 4, 'u41') ON DUPLICATE KEY UPDATE note = VALUES(note) RETURNING id, user_id, note")
		same(t, true, "INSERT INTO t_ret (id, user_id, note) VALUES (42, 5, 'a'), (1, 12, 'b'), (43, 6, 'c') ON DUPLICATE KEY UPDATE user_id = VALUES(user_id) RETURNING id, note")
		table(t)
		for _, db := range []*sql.DB{oracle, sharded} {
			tx, err := db.Begin()
			require.NoError(t, err)
			_, err = tx.Exec("INSERT INTO t_ret (id, user_id, note) VALUES (44, 1, 'tx'), (40, 3, 'tx') ON DUPLICATE KEY UPDATE note = 'tx' RETURNING id")
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
		}
		table(t)
	})
	t.Run("delete", func(t *testing.T) {
		same(t, false, "DELETE FROM t_ret WHERE id < 5 RETURNING id, user_id, note")
		same(t, true, "DELETE FROM t_ret WHERE user_id = 7 RETURNING note")
		table(t)
	})
	t.Run("table outside the topology", func(t *testing.T) {
		same(t, true, "INSERT INTO t_plain (note) VALUES ('a'), ('b') RETURNING id, note")
	})
	t.Run("all or nothing", func(t *testing.T) {
		// (8, 5) exists: the node holding user 5 fails; the other node's
		// rows must not stay.
		_, err := sharded.Query("INSERT INTO t_ret (id, user_id, note) VALUES (200, 1, 'a'), (201, 2, 'b'), (202, 3, 'c'), (203, 4, 'd'), (8, 5, 'dup') RETURNING id")
		require.Error(t, err)
		table(t)
		ctx := context.Background()
		tx, err := sharded.BeginTx(ctx, nil)
		require.NoError(t, err)
		rows, err := tx.QueryContext(ctx, "INSERT INTO t_ret (id, user_id, note) VALUES (300, 1, 'a'), (301, 2, 'b'), (302, 3, 'c'), (303, 4, 'd') RETURNING id")
		require.NoError(t, err)
		var ids []int64
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []int64{300, 301, 302, 303}, ids)
		_, err = tx.QueryContext(ctx, "INSERT INTO t_ret (id, user_id, note) VALUES (400, 1, 'a'), (401, 2, 'b'), (8, 5, 'dup'), (403, 4, 'd') RETURNING id")
		require.Error(t, err)
		var n int
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_ret WHERE id >= 300").Scan(&n))
		assert.Equal(t, 4, n, "the failed statement's rows are undone, the first statement's stay")
		require.NoError(t, tx.Rollback())
		table(t)
	})
	t.Run("generated ids", func(t *testing.T) {
		var gen []int64
		ctx := driver.WithGeneratedIDs(context.Background(), &gen)
		rows, err := sharded.QueryContext(ctx, "INSERT INTO t_retgen (note) VALUES ('a'), ('b'), ('c'), ('d'), ('e') RETURNING id, note")
		require.NoError(t, err)
		var ids []int64
		var notes []string
		for rows.Next() {
			var id int64
			var note string
			require.NoError(t, rows.Scan(&id, &note))
			ids, notes = append(ids, id), append(notes, note)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []string{"a", "b", "c", "d", "e"}, notes)
		for i, id := range ids {
			var note string
			require.NoError(t, sharded.QueryRow("SELECT note FROM t_retgen WHERE id = ?", id).Scan(&note))
			assert.Equal(t, notes[i], note, "id %d", id)
		}
		assert.Len(t, ids, 5)
	})
	t.Run("exec discards the rows", func(t *testing.T) {
		res, err := sharded.Exec("INSERT INTO t_ret (id, user_id, note) VALUES (500, 1, 'e'), (501, 2, 'e') RETURNING id")
		require.NoError(t, err)
		_, err = oracle.Exec("INSERT INTO t_ret (id, user_id, note) VALUES (500, 1, 'e'), (501, 2, 'e') RETURNING id")
		require.NoError(t, err)
		_, err = res.RowsAffected()
		require.NoError(t, err)
		table(t)
	})
	t.Run("refused", func(t *testing.T) {
		_, err := sharded.Query("INSERT INTO t_ret (id, user_id) VALUES (1, 1) RETURNING t_ret.id")
		require.ErrorIs(t, err, driver.ErrUnsupported)
		assert.NotContains(t, err.Error(), "syntax error")
	})
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
}
