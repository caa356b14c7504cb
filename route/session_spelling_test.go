package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLockFunctionSpellings routes each named-lock and side-effect
// function in the spellings MariaDB runs as the same built-in — quoted,
// odd case, in a subquery, beside a comment — and expects the session
// uses the plain spelling records (UsesLocks keeps the session's
// connection, PrimaryOnly keeps it off replicas, either keeps the
// liveness check), or the plain spelling's refusal. Fails without
// lockFuncs: a quoted `GET_LOCK` recorded no use.
func TestLockFunctionSpellings(t *testing.T) {
	r := testRouter(t)
	same := []struct{ plain, other string }{
		{"SELECT GET_LOCK('a', 0)", "SELECT `GET_LOCK`('a', 0)"},
		{"SELECT GET_LOCK('a', 0)", "SELECT `get_lock`('a', 0)"},
		{"SELECT GET_LOCK('a', 0)", "SELECT gEt_LoCk('a', 0)"},
		{"SELECT GET_LOCK('a', 0)", "SELECT /* c */ `Get_Lock`('a', 0) -- x"},
		{"SELECT GET_LOCK('a', 0)", "SELECT (SELECT `GET_LOCK`('a', 0))"},
		{"SELECT 1 FROM dual WHERE GET_LOCK('a', 0) = 1", "SELECT 1 FROM dual WHERE 1 IN (SELECT `GET_LOCK`('a', 0))"},
		{"SELECT RELEASE_LOCK('a')", "SELECT `RELEASE_LOCK`('a')"},
		{"SELECT IS_FREE_LOCK('a')", "SELECT `IS_FREE_LOCK`('a')"},
		{"SELECT IS_USED_LOCK('a')", "SELECT `is_used_lock`('a')"},
		{"SELECT RELEASE_ALL_LOCKS()", "SELECT `RELEASE_ALL_LOCKS`()"},
		{"SELECT NEXTVAL(s)", "SELECT nextVal(s)"},
		{"SELECT LASTVAL(s)", "SELECT lastVAL(s)"},
		{"SELECT SETVAL(s, 5)", "SELECT setval(s, 5)"},
		{"SELECT LAST_INSERT_ID(5)", "SELECT `LAST_INSERT_ID`(5)"},
		{"SELECT LAST_INSERT_ID()", "SELECT `last_insert_id`()"},
		{"SELECT SLEEP(0)", "SELECT `SLEEP`(0)"},
		{"SELECT amount FROM t_order WHERE user_id = 5 AND SLEEP(0) = 0", "SELECT amount FROM t_order WHERE user_id = 5 AND `sleep`(0) = 0"},
	}
	for _, c := range same {
		p, err := r.Route(c.plain, nil)
		require.NoError(t, err, c.plain)
		q, err := r.Route(c.other, nil)
		if !assert.NoError(t, err, c.other) {
			continue
		}
		assert.Equal(t, p.Session, q.Session, "%s records what %s does", c.other, c.plain)
		assert.Equal(t, len(p.Units), len(q.Units), c.other)
	}
	locks := []string{"SELECT `GET_LOCK`('a', 0)", "SELECT (SELECT `RELEASE_LOCK`('a'))", "SELECT `IS_FREE_LOCK`('a')", "SELECT `RELEASE_ALL_LOCKS`()"}
	for _, sql := range locks {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		assert.True(t, p.Session&UsesLocks != 0 && p.Session.Changes(), "%s holds its session", sql)
	}
	refused := []struct{ sql, want string }{
		{"SELECT `GET_LOCK`('a', 1) FROM t_order", "named lock function"},
		{"SELECT amount FROM t_order WHERE user_id = 5 AND `RELEASE_LOCK`('x') = 1", "locks are taken on the default data source ds0"},
		{"SELECT `get_lock`('x', 1) FROM t_order WHERE user_id = 5", "locks are taken on the default data source ds0"},
		// MariaDB's grammar binds these names: quoted, they call a
		// stored function of that name.
		{"SELECT `NEXTVAL`(s)", "in backquotes"},
		{"SELECT `lastval`(s)", "in backquotes"},
		{"SELECT `SETVAL`(s, 5)", "in backquotes"},
	}
	for _, c := range refused {
		p, err := r.Route(c.sql, nil)
		assert.Nil(t, p, c.sql)
		if assert.ErrorIs(t, err, ErrUnsupported, c.sql) {
			assert.Contains(t, err.Error(), c.want, c.sql)
		}
	}
	// A qualified name is a stored function: primary only, as any.
	p, err := r.Route("SELECT test.GET_LOCK('a', 0)", nil)
	require.NoError(t, err)
	assert.True(t, p.Session&PrimaryOnly != 0)
	// An executable comment the parser does not read may take a lock.
	for _, sql := range []string{"SELECT 1 /*M! , GET_LOCK('a', 0) */", "SELECT 1 /*!50000 , GET_LOCK('a', 0) */"} {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		assert.True(t, p.Session&PrimaryOnly != 0 && p.Session.Changes(), "%s holds its session", sql)
	}
}
