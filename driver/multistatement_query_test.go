package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// multiOutcome is what a reader of a multi-statement Query sees: whether
// Query failed, each result set's columns and rows as text, and whether
// the reading ended on an error (rows.Err or Close).
type multiOutcome struct {
	QueryErr bool
	Sets     [][]string
	ReadErr  bool
}

// queryier is *sql.Conn or *sql.Tx.
type queryier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readMulti runs q with Query and reads every result set; with stopAfter
// > 0 it closes the rows after that many result sets.
func readMulti(t *testing.T, q queryier, query string, stopAfter int, args ...any) multiOutcome {
	t.Helper()
	var out multiOutcome
	rows, err := q.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Logf("query error: %v", err)
		out.QueryErr = true
		return out
	}
	for {
		cols, err := rows.Columns()
		require.NoError(t, err)
		set := []string{strings.Join(cols, ",")}
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = fmt.Sprintf("%q", v)
				if v == nil {
					cells[i] = "NULL"
				}
			}
			set = append(set, strings.Join(cells, "|"))
		}
		out.Sets = append(out.Sets, set)
		if stopAfter > 0 && len(out.Sets) == stopAfter {
			break
		}
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		t.Logf("read error: %v", err)
		out.ReadErr = true
	}
	if err := rows.Close(); err != nil {
		t.Logf("close error: %v", err)
		out.ReadErr = true
	}
	return out
}

// TestMultiStatementQuery compares Query of multi-statement strings on a
// sharded topology with go-sql-driver's multiStatements=true on one
// MariaDB database: the result sets, where an error surfaces, and what
// the statements left in the tables and the session.
func TestMultiStatementQuery(t *testing.T) {
	name := strings.ToLower(t.Name())
	dsns := sharedDSNs(t, name)
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_mq", Column: "user_id", Nodes: "ds${0..1}.t_mq_${0..1}"}))
	sharded := openDB(t, topo)
	oracleDB(t, shared.servers[0], name+"_oracle").Close()
	cfg, err := mysql.ParseDSN(shared.servers[0].DSN())
	require.NoError(t, err)
	cfg.DBName, cfg.MultiStatements, cfg.InterpolateParams = name+"_oracle", true, true
	oracle, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })

	ctx := context.Background()
	conns := map[string]*sql.Conn{}
	for label, db := range map[string]*sql.DB{"oracle": oracle, "sharded": sharded} {
		_, err := db.Exec("CREATE TABLE t_mq (id BIGINT NOT NULL, user_id BIGINT NOT NULL, note VARCHAR(40), PRIMARY KEY (id, user_id))")
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO t_mq (id, user_id, note) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c'), (4, 4, 'd')")
		require.NoError(t, err)
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		conns[label] = conn
	}
	table := "SELECT id, user_id, note FROM t_mq ORDER BY id"

	cases := []struct {
		name      string
		sql       string
		args      []any
		stopAfter int
	}{
		{name: "scatter then point", sql: "SELECT id, note FROM t_mq ORDER BY id; SELECT note FROM t_mq WHERE user_id = ?", args: []any{3}},
		{name: "aggregate scatter and literal", sql: "SELECT COUNT(*), SUM(id) FROM t_mq; SELECT 1 AS one, 'x' AS two"},
		{name: "writes between reads", sql: "SELECT note FROM t_mq WHERE user_id = 1; UPDATE t_mq SET note = 'a2' WHERE user_id = 1; INSERT INTO t_mq (id, user_id, note) VALUES (5, 5, 'e'); SELECT id, note FROM t_mq ORDER BY id"},
		{name: "write first", sql: "DELETE FROM t_mq WHERE user_id = 5; SELECT COUNT(*) FROM t_mq"},
		{name: "session variable", sql: "SET @v = 42; SELECT @v, @v + 1"},
		{name: "variable in a point select", sql: "SET @u = 3; SELECT note, @u FROM t_mq WHERE user_id = 3; SELECT COUNT(*), @u FROM t_mq WHERE user_id IN (1, 5)"},
		{name: "only writes", sql: "UPDATE t_mq SET note = 'b2' WHERE user_id = 2; UPDATE t_mq SET note = 'c2' WHERE user_id = 3"},
		{name: "empty result set kept", sql: "SELECT id FROM t_mq WHERE user_id = 99; SELECT id FROM t_mq WHERE user_id = 4"},
		{name: "error mid-way stops the rest", sql: "SELECT id FROM t_mq WHERE user_id = 1; SELECT nope FROM t_mq_missing; UPDATE t_mq SET note = 'never' WHERE user_id = 1"},
		{name: "error after a write", sql: "UPDATE t_mq SET note = 'd2' WHERE user_id = 4; SELECT nope FROM t_mq_missing; SELECT 1"},
		{name: "duplicate key mid-way", sql: "SELECT 1; INSERT INTO t_mq (id, user_id, note) VALUES (1, 1, 'dup'); SELECT 2"},
		{name: "close early runs the rest", sql: "SELECT id FROM t_mq WHERE user_id = 1; UPDATE t_mq SET note = 'closed' WHERE user_id = 2; SELECT 3", stopAfter: 1},
		{name: "close early surfaces the error", sql: "SELECT 1; SELECT nope FROM t_mq_missing", stopAfter: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := readMulti(t, conns["oracle"], tc.sql, tc.stopAfter, tc.args...)
			got := readMulti(t, conns["sharded"], tc.sql, tc.stopAfter, tc.args...)
			assert.Equal(t, want, got)
			assert.Equal(t, readMulti(t, conns["oracle"], table, 0), readMulti(t, conns["sharded"], table, 0), "tables after")
		})
	}

	// A refused statement stops the string where it stands, as a failing
	// one does; the statements before it ran.
	rows, err := conns["sharded"].QueryContext(ctx, "SELECT 1; SELECT @w := note FROM t_mq WHERE user_id = 2; SELECT @w")
	require.NoError(t, err)
	for rows.Next() {
	}
	assert.False(t, rows.NextResultSet())
	require.ErrorIs(t, rows.Err(), driver.ErrUnsupported)
	assert.Contains(t, rows.Err().Error(), "statement 2 of 3")
	require.NoError(t, rows.Close())
	_, err = conns["sharded"].QueryContext(ctx, "SELECT 1; SELECT 2", 5)
	require.ErrorContains(t, err, "0 ? placeholder(s) but 1 argument(s)")

	// A cancelled context stops the statements not yet run; those run
	// stay applied.
	cctx, cancel := context.WithCancel(ctx)
	cconn, err := sharded.Conn(ctx)
	require.NoError(t, err)
	defer cconn.Close()
	rows, err = cconn.QueryContext(cctx, "SELECT id FROM t_mq WHERE user_id = 1; UPDATE t_mq SET note = 'cancelled' WHERE user_id = 1")
	require.NoError(t, err)
	cancel()
	_ = rows.Close()
	var note string
	require.NoError(t, sharded.QueryRowContext(ctx, "SELECT note FROM t_mq WHERE user_id = 1").Scan(&note))
	assert.Equal(t, "a2", note)

	// A SET sent alone with Query sets the session's variable for the
	// statements after it on every node, as with Exec.
	for label, conn := range conns {
		rows, err := conn.QueryContext(ctx, "SET @q = 5")
		require.NoError(t, err)
		require.NoError(t, rows.Close())
		for uid := 1; uid <= 4; uid++ {
			var q sql.NullInt64
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT @q FROM t_mq WHERE user_id = ?", uid).Scan(&q))
			assert.Equal(t, sql.NullInt64{Int64: 5, Valid: true}, q, "%s: user %d", label, uid)
		}
	}

	// Inside a transaction the statements are the transaction's: a
	// rollback undoes them, and the session variable is the session's.
	for label, conn := range conns {
		tx, err := conn.BeginTx(ctx, nil)
		require.NoError(t, err)
		out := readMulti(t, tx, "UPDATE t_mq SET note = 'tx' WHERE user_id IN (1, 2, 3, 4); SELECT note FROM t_mq ORDER BY id; SET @t = 7", 0)
		assert.Equal(t, multiOutcome{Sets: [][]string{{"note", `"tx"`, `"tx"`, `"tx"`, `"tx"`}}}, out, label)
		require.NoError(t, tx.Rollback())
		out = readMulti(t, conn, "SELECT note FROM t_mq WHERE user_id = 1; SELECT @t", 0)
		assert.Equal(t, multiOutcome{Sets: [][]string{{"note", `"a2"`}, {"@t", `"7"`}}}, out, label)
	}
}
