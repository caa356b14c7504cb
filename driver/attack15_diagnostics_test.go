package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttack15Diagnostics: SHOW WARNINGS, SHOW ERRORS, their COUNT(*)
// forms, @@warning_count and @@error_count on a *sql.Conn answer for the
// session's previous statement, as ROW_COUNT() does. After a statement
// that ran on one data source they must be read there, after one that
// ran on several nodes (or failed) they are refused or read where it ran;
// never another data source's older statement's (round 15: SHOW WARNINGS
// after a SELECT on ds1 showed ds0's earlier warning). Each diagnostic
// runs right after its statement, on shardsql's Conn and on one oracle
// connection, and must answer alike or be refused.
func TestAttack15Diagnostics(t *testing.T) {
	ctx := context.Background()
	oc, sc := diagFixture(t, "a15_diag")
	type session = diagSession
	run := func(c session, q string, args ...any) (string, error) { return diagRun(ctx, c, q, args...) }
	// GET DIAGNOSTICS fails on the oracle when there is no condition 1;
	// then shardsql must fail (or refuse) too.
	probes := []string{"SHOW WARNINGS", "SHOW ERRORS", "SHOW COUNT(*) WARNINGS", "SHOW COUNT(*) ERRORS",
		"SELECT @@warning_count", "SELECT @@error_count", "SELECT @@session.warning_count", "SELECT ROW_COUNT()",
		"GET DIAGNOSTICS @a15n = NUMBER", "GET DIAGNOSTICS CONDITION 1 @a15n = MESSAGE_TEXT"}
	answered := 0
	var otx, stx *sql.Tx
	var o, sh session = oc, sc
	for _, stmt := range []string{
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 0",
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 1",
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2",
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 3",
		"SELECT CAST(s AS SIGNED) FROM t_w",
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id IN (1, 3)",
		"SELECT CAST('9z' AS SIGNED)",
		"SELECT 1",
		"INSERT IGNORE INTO t_w (id, s, n) VALUES (2, 'dup', 0)",
		"INSERT IGNORE INTO t_w (id, s, n) VALUES (1, 'dup', 0)",
		"INSERT INTO t_w (id, s, n) VALUES (3, 'dup', 0)",
		"UPDATE t_w SET n = '7x' WHERE id = 2",
		"UPDATE t_w SET s = 'toolongvalue!' WHERE id = 1",
		"DELETE FROM t_w WHERE id = 99",
		"UPDATE t_w SET n = n + 0 WHERE id = 3",
		"BEGIN", // the same inside a transaction
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2",
		"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 1",
		"SELECT CAST(s AS SIGNED) FROM t_w",
		"INSERT IGNORE INTO t_w (id, s, n) VALUES (2, 'dup', 0)",
		"INSERT INTO t_w (id, s, n) VALUES (3, 'dup', 0)",
		"UPDATE t_w SET n = n + 1 WHERE id = 3",
	} {
		if stmt == "BEGIN" {
			var err error
			otx, err = oc.BeginTx(ctx, nil)
			require.NoError(t, err)
			stx, err = sc.BeginTx(ctx, nil)
			require.NoError(t, err)
			o, sh = otx, stx
			continue
		}
		for _, probe := range probes {
			_, oerr := run(o, stmt)
			_, serr := run(sh, stmt)
			require.Equal(t, oerr != nil, serr != nil, "%s: oracle %v, shardsql %v", stmt, oerr, serr)
			want, werr := run(o, probe)
			got, err := run(sh, probe)
			if errors.Is(err, driver.ErrUnsupported) {
				continue
			}
			if werr != nil {
				assert.Error(t, err, "%s after %s: the oracle fails (%v), shardsql answers %s", probe, stmt, werr, got)
				continue
			}
			require.NoError(t, err, "%s after %s", probe, stmt)
			if strings.HasPrefix(probe, "GET") { // it assigned @a15n
				want, err = run(o, "SELECT @a15n")
				require.NoError(t, err)
				got, err = run(sh, "SELECT @a15n")
				require.NoError(t, err)
			}
			answered++
			assert.Equal(t, want, got, "%s after %s", probe, stmt)
		}
	}
	require.NoError(t, otx.Rollback())
	require.NoError(t, stx.Rollback())
	t.Logf("%d diagnostics answered, the rest refused", answered)
}

// TestAttack15IdentityVariables: @@identity and @@last_insert_id are
// LAST_INSERT_ID(): after an INSERT whose keys shardsql generated they
// went to the default data source and answered 0 where one server answers
// the generated id (round 15). They are refused where LAST_INSERT_ID() is,
// and read where it is.
func TestAttack15IdentityVariables(t *testing.T) {
	e := newDMLEnvOf(t, "a15_ident", nil, a8GenTables)
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, lastID: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	e.run(t, "identity", []dmlStmt{
		s("INSERT INTO g8 (user_id, name) VALUES (1, 'a')"),
		q("SELECT LAST_INSERT_ID()"),
		q("SELECT @@identity"),
		q("SELECT @@last_insert_id"),
		q("SELECT @@session.last_insert_id"),
		q("SELECT @@SESSION.identity + 0"),
		s("INSERT INTO g8k (v) VALUES ('a'), ('b'), ('c')"),
		q("SELECT @@identity"),
		q("SELECT @@last_insert_id"),
		q("SELECT id FROM g8k WHERE id = @@identity"),
	})
}
