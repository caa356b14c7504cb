package route

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview18dFirstWords: transaction control and implicit commits spelled
// in a /*M! … */ comment or behind SET STATEMENT … FOR are read as MariaDB
// runs them (first_words.go); ANALYZE of a statement does not commit.
func TestReview18dFirstWords(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"/*M! COMMIT */", "/*M!100000 ROLLBACK WORK */", "/*M! BEGIN */", "/* x */ /*M! START TRANSACTION */",
		"/*M! XA START 'x' */", "/*M! LOCK TABLES t_plain WRITE */", "/*M!*/ /*M! COMMIT */",
		"SET STATEMENT max_statement_time = 0 FOR COMMIT",
		"set statement max_statement_time=0, sql_mode='' for\n\tRollBack Work",
		"SET STATEMENT max_statement_time = 0 FOR BEGIN",
		"SET STATEMENT max_statement_time = 0 FOR START TRANSACTION",
		"SET STATEMENT max_statement_time = 0 FOR LOCK TABLE t_plain WRITE",
		"SET STATEMENT max_statement_time = 0 FOR XA START 'x'",
		"SET STATEMENT max_statement_time = 0 FOR /*M! COMMIT */",
		"/*M! SET STATEMENT max_statement_time = 0 FOR COMMIT */",
		"/*M! EXECUTE IMMEDIATE CONCAT('DELETE FROM t_ord', 'er_0') */",
		"SET STATEMENT max_statement_time = 0 FOR EXECUTE IMMEDIATE CONCAT('DELETE FROM t_ord', 'er_0')",
		"/*M! PREPARE s FROM @q */", "SET STATEMENT max_statement_time = 0 FOR PREPARE s FROM @q",
		"SELECT 1 /*M! FROM t_order_0 */",
	} {
		_, err := r.Route(q, nil)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", q, err)
	}
	for _, c := range []struct {
		sql     string
		commits bool
	}{
		{"/*M! CREATE TABLE w (a INT) */", true},
		{"/*M! CREATE TABLE w (a INT) */ SELECT 1", true},
		{"/*M!100000 CHECK TABLE t_plain */", true},
		{"SET STATEMENT max_statement_time = 0 FOR CREATE TABLE w (a INT)", true},
		{"SET STATEMENT max_statement_time = 0 FOR CHECK TABLE t_plain", true},
		{"SET STATEMENT max_statement_time = 0 FOR ALTER TABLE t_plain ADD COLUMN z INT", true},
		{"SET STATEMENT max_statement_time = 0 FOR TRUNCATE TABLE t_plain", true},
		{"SET STATEMENT max_statement_time = 0 FOR ANALYZE TABLE t_plain", true},
		{"SET STATEMENT max_statement_time = 0 FOR CREATE TEMPORARY TABLE w (a INT)", false},
		{"SET STATEMENT max_statement_time = 0 FOR SELECT 1", false},
		{"SET STATEMENT max_statement_time = 0 FOR ANALYZE SELECT 1", false},
		{"ANALYZE TABLE t_plain", true},
		{"ANALYZE LOCAL TABLE t_plain", true},
		{"ANALYZE NO_WRITE_TO_BINLOG TABLE t_plain", true},
		{"ANALYZE SELECT * FROM t_plain", false},
		{"ANALYZE FORMAT=JSON SELECT * FROM t_plain", false},
		{"OPTIMIZE TABLE t_plain", true},
		{"DO 1", false},
		{"SELECT /*M! SQL_NO_CACHE */ 1", false},
		{"SAVEPOINT a /*M! x */", false},
		{"SET STATEMENT max_statement_time = 0 FOR DO 1", false},
	} {
		p, err := r.Route(c.sql, nil)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		assert.Equal(t, c.commits, p.ImplicitCommit, c.sql)
	}
	// CALL may commit in its body (Plan.MayCommit), in any spelling.
	for _, q := range []string{"CALL p()", "/*M! CALL p() */", "SET STATEMENT max_statement_time = 0 FOR CALL p()", "call p"} {
		p, err := r.Route(q, nil)
		if assert.NoError(t, err, q) {
			assert.True(t, p.MayCommit, q)
		}
	}
	p, err := r.Route("DO 1", nil)
	require.NoError(t, err)
	assert.False(t, p.MayCommit)
}

// TestHoldsCallMatchesContainsFold checks the ASCII prefilter of isCall and the MIN/MAX check against the
// folding comparison it replaces, over spellings with characters outside
// ASCII that fold to ASCII letters (K, ſ, Å) and case mixes.
func TestHoldsCallMatchesContainsFold(t *testing.T) {
	for _, s := range []string{
		"CALL p()", "call p()", "cAlL p()", "/*M! CALL p() */", "/*!50000 CaLl p() */",
		"SELECT 1", "select callee FROM t", "SELECT ſcall", "ca ll", "CAL", "", "ÇALL p()",
		"\u212aCALL", "xcalL", "SELECT 'Call'", "SELECT MAX(k)", "select mIn(k)", "SELECT MA", "M",
	} {
		for _, w := range []string{"call", "min", "max"} {
			if got, want := holdsASCIIFold(s, w), containsFold(s, w); got != want {
				t.Errorf("holdsASCIIFold(%q, %q) = %v, containsFold says %v", s, w, got, want)
			}
		}
	}
	r := testRouter(t)
	for s, want := range map[string]bool{"CALL p()": true, "  cAlL p()": true, "/*M! CALL p() */": true, "SELECT callee FROM t": false, "SELECT 1": false} {
		if got := r.isCall(s); got != want {
			t.Errorf("isCall(%q) = %v, want %v", s, got, want)
		}
	}
}
