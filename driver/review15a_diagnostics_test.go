package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestReview15aDiagnostics: diagnostics (SHOW WARNINGS/ERRORS in other
// spellings, with LIMIT, with comments; @@local.warning_count) after a
// prepared point read, LIMIT 0, a failed point write and statements
// shardsql refuses must answer as one server does or be refused. Round 15
// review: `/* c */ SHOW COUNT(*) WARNINGS` went to the default data source
// (0 where the previous statement's server counts 1), and after a refused
// statement SHOW WARNINGS answered for the statement before it.
func TestReview15aDiagnostics(t *testing.T) {
	ctx := context.Background()
	oc, sc := diagFixture(t, "r15a_diag")
	type session = diagSession
	run := func(c session, q string, args ...any) (string, error) { return diagRun(ctx, c, q, args...) }
	probes := []string{"SHOW WARNINGS LIMIT 1", "SHOW WARNINGS LIMIT 1, 1", "SHOW ERRORS LIMIT 1", "/* c */ SHOW COUNT(*) WARNINGS",
		"SHOW COUNT(*) WARNINGS /* c */", "SELECT @@local.warning_count", "SELECT @@warning_count + 0 AS w", "show warnings",
		"SHOW WARNINGS LIMIT 0", "SELECT @@SESSION.error_count, 1", "SHOW WARNINGS;"}
	// Prepared on the Conn before the statements they read after.
	for _, probe := range []string{"SHOW WARNINGS", "SELECT @@warning_count", "SHOW COUNT(*) WARNINGS"} {
		ops, err := oc.PrepareContext(ctx, probe)
		require.NoError(t, err)
		sps, err := sc.PrepareContext(ctx, probe)
		require.NoError(t, err)
		for _, q := range []string{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 1", "SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2"} {
			_, _ = run(oc, q)
			_, _ = run(sc, q)
			want, werr := scanStmt(ops)
			got, gerr := scanStmt(sps)
			if errors.Is(gerr, driver.ErrUnsupported) {
				continue
			}
			assert.Equal(t, fmt.Sprint(werr, want), fmt.Sprint(gerr, got), "prepared %s after %s", probe, q)
		}
		_ = ops.Close()
		_ = sps.Close()
	}
	type st struct {
		sql  string
		args []any
	}
	var o, sh session = oc, sc
	for _, s := range []st{
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = ?", []any{2}},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 1 LIMIT 0", nil},
		{"SELECT CAST(s AS SIGNED) FROM t_w LIMIT 0", nil},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 3", nil},
		{"UPDATE t_w SET n = '7x' WHERE id = ?", []any{3}},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 3", nil},
		{"SELECT CAST(s AS SIGNED), @x := 1 FROM t_w", nil},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2", nil},
		{"UPDATE t_w SET id = id + 1 WHERE id = 2", nil},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2", nil},
		{"DO CAST('5q' AS SIGNED)", nil},
		{"SET @r15 = CAST('6q' AS SIGNED)", nil},
		{"SELECT CAST(s AS SIGNED) FROM t_w WHERE id = 2", nil},
		{"SELECT CAST('8q' AS SIGNED)", nil},
	} {
		for _, probe := range probes {
			_, oerr := run(o, s.sql, s.args...)
			_, serr := run(sh, s.sql, s.args...)
			want, werr := run(o, probe)
			got, gerr := run(sh, probe)
			if errors.Is(gerr, driver.ErrUnsupported) {
				continue
			}
			assert.Equal(t, fmt.Sprint(werr, want), fmt.Sprint(gerr, got), "%s after %s (oracle %v, shardsql %v)", probe, s.sql, oerr, serr)
		}
	}
}

// scanStmt runs a prepared query and prints its rows.
func scanStmt(st *sql.Stmt) (string, error) {
	rows, err := st.Query()
	if err != nil {
		return "", err
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(res.rows), nil
}
