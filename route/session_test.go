package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// Statements that depend on the session run where they reach one node;
// reaching several, they are refused, naming what depends on the session.
func TestSessionDependentStatements(t *testing.T) {
	r := testRouter(t)
	oneNode := []struct {
		sql  string
		args []any
		uses SessionUses
	}{
		{"SELECT @v", nil, UsesUserVars},
		{"SELECT LAST_INSERT_ID()", nil, UsesLastInsertID},
		{"SELECT FOUND_ROWS()", nil, UsesStatementHistory | UsesFoundRows},
		{"SELECT ROW_COUNT()", nil, UsesStatementHistory | UsesRowCount},
		{"SELECT CONNECTION_ID()", nil, UsesConnectionID},
		{"SELECT GET_LOCK('migrate', 10)", nil, UsesLocks},
		{"SELECT RELEASE_LOCK('migrate')", nil, UsesLocks},
		{"SELECT @@session.sql_mode, @@time_zone", nil, UsesSystemVars},
		{"SELECT @@global.max_connections", nil, PrimaryOnly}, // the server's own value: not a replica's
		{"CREATE TEMPORARY TABLE tmp (a INT)", nil, UsesTemporary},
		{"SELECT SQL_CALC_FOUND_ROWS * FROM t_order WHERE user_id = 1 LIMIT 1", nil, CalcFoundRows},
		{"SELECT * FROM t_order WHERE user_id = ? AND note = @v", []any{1}, UsesUserVars},
		{"INSERT INTO t_order (order_id, user_id) VALUES (LAST_INSERT_ID(), 3)", nil, UsesLastInsertID},
		{"SELECT LASTVAL(s)", nil, UsesSequences | CallsSequence},
	}
	for _, c := range oneNode {
		p, err := r.Route(c.sql, c.args)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		assert.Len(t, p.Units, 1, c.sql)
		assert.Equal(t, c.uses, p.Session&^TableFree, c.sql)
	}
	refused := []struct{ sql, want string }{
		{"SELECT * FROM t_order WHERE user_id = @v", "user variable in a statement on sharded table t_order that reaches 8 nodes"},
		{"SELECT COUNT(*) FROM t_order WHERE note = @v", "pass its value as a ? argument"},
		{"SELECT SQL_CALC_FOUND_ROWS * FROM t_order LIMIT 10", "SQL_CALC_FOUND_ROWS"},
		{"SELECT LAST_INSERT_ID(), amount FROM t_order", "LAST_INSERT_ID()"},
		{"SELECT CONNECTION_ID(), amount FROM t_order", "CONNECTION_ID()"},
		{"SELECT GET_LOCK('a', 1) FROM t_order", "named lock function"},
		{"UPDATE t_order SET note = @@session.sql_mode", "session system variable"},
		{"DELETE FROM t_order WHERE order_id = LAST_INSERT_ID()", "LAST_INSERT_ID()"},
		{"CREATE TEMPORARY TABLE t_order (a INT)", "temporary table in a statement that reaches 8 nodes"},
		{"SELECT @x := amount FROM t_order", "user variable"},
		{"SELECT @x := amount FROM t_order WHERE user_id = 7", "assigning a user variable outside SET"},
		{"SELECT GET_LOCK('x', 1) FROM t_order WHERE user_id = 5", "locks are taken on the default data source ds0"},
		{"SELECT 1 INTO @x", "assign it with SET @v = ?"},
	}
	for _, c := range refused {
		p, err := r.Route(c.sql, nil)
		assert.Nil(t, p, c.sql)
		if assert.ErrorIs(t, err, ErrUnsupported, c.sql) {
			assert.Contains(t, err.Error(), c.want, c.sql)
		}
	}
}

// SET runs on every data source; what could differ between them, or
// belongs to transactions or the servers, is refused.
func TestSetStatements(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql  string
		args []any
		uses SessionUses
	}{
		{"SET @v = 5", nil, SetsUserVars},
		{"SET @v := 5", nil, SetsUserVars},
		{"SET @v := ?, @w = 'a:=b'", []any{7}, SetsUserVars},
		{"SET @v = -3 * (2 + ?)", []any{1}, SetsUserVars},
		{"SET @v = NULL", nil, SetsUserVars},
		{"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ONLY_FULL_GROUP_BY'", nil, SetsUserVars | SetsSystemVars},
		{"SET @@session.time_zone := '+09:00'", nil, SetsUserVars | SetsSystemVars},
		{"SET sql_mode = DEFAULT", nil, SetsUserVars | SetsSystemVars},
		{"SET NAMES utf8mb4", nil, SetsUserVars | SetsSystemVars},
	} {
		p, err := r.Route(c.sql, c.args)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		require.Len(t, p.Units, 2, c.sql)
		for i, u := range p.Units {
			assert.Equal(t, []string{"ds0", "ds1"}[i], u.DataSource)
			assert.Equal(t, c.sql, u.SQL, "the caller's text is sent")
			assert.Equal(t, c.args, u.Args)
		}
		assert.Equal(t, c.uses, p.Session&(SetsUserVars|SetsSystemVars), c.sql)
	}
	for _, c := range []struct{ sql, want string }{
		{"SET GLOBAL max_connections = 10", "GLOBAL"},
		{"SET autocommit = 0", "SET autocommit"},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET TRANSACTION"},
		{"SET SESSION transaction_read_only = 1", "db.BeginTx"},
		{"SET @v = LAST_INSERT_ID()", "could differ between data sources"},
		{"SET @v = (SELECT MAX(amount) FROM t_order)", "could differ"},
		{"SET @v := @w + 1", "could differ"},
		{"SET @v = NOW()", "could differ"},
		{"SET insert_id = 5", "Result.LastInsertId"},
		{"SET SESSION sql_mode = 'ANSI_QUOTES'", "change how statements parse"},
		{"SET sql_mode = 'STRICT_ALL_TABLES,PIPES_AS_CONCAT'", "change how statements parse"},
		{"SET sql_mode = CONCAT(@@sql_mode, ',ANSI')", "string literal"},
		{"SET sql_select_limit = 10", "write LIMIT"},
		// variables the parser takes for keywords (attack11): sent to the
		// default data source alone before
		{"SET timestamp = 1000000000", "parser cannot read"},
		{"SET SESSION last_insert_id = 5", "parser cannot read"},
		{"/* c */ SET sql_buffer_result = 1", "parser cannot read"},
	} {
		p, err := r.Route(c.sql, nil)
		assert.Nil(t, p, c.sql)
		if assert.ErrorIs(t, err, ErrUnsupported, c.sql) {
			assert.Contains(t, err.Error(), c.want, c.sql)
		}
	}
}

// Statements that name no table are marked, so the driver can send those
// reading the previous statement's outcome where it ran.
func TestTableFree(t *testing.T) {
	r := testRouter(t)
	for sql, free := range map[string]bool{
		"SELECT FOUND_ROWS()":                        true,
		"SELECT LAST_INSERT_ID() FROM dual":          true,
		"SELECT 1":                                   true,
		"SELECT ROW_COUNT() FROM t_log":              false,
		"INSERT INTO t_log (n) VALUES (ROW_COUNT())": false,
		"SELECT * FROM t_order WHERE user_id = 1":    false,
	} {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		assert.Equal(t, free, p.Session&TableFree != 0, sql)
	}
}

// With one data source a user variable assigned in a statement is set on
// the only session there is.
func TestAssignmentsOnOneDataSource(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds0.t_order_${0..3}", Algorithm: shard.Hash()}))
	r, err := New(topo)
	require.NoError(t, err)
	p, err := r.Route("SELECT @x := amount FROM t_order WHERE user_id = 7", nil)
	require.NoError(t, err)
	assert.Len(t, p.Units, 1)
	_, err = r.Route("SELECT @x := amount FROM t_order", nil)
	assert.ErrorIs(t, err, ErrUnsupported, "four nodes, four assignments")
}
