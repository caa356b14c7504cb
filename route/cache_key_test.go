package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStatementKey checks which comments the plan cache's key leaves out.
func TestStatementKey(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT 1": "SELECT 1",
		"  /* app=x */ SELECT 1 /*action='run',traceparent='00-ab-01'*/ ": "SELECT 1",
		"SELECT 'it''s /* x */' /* c */":                                  "SELECT 'it''s /* x */'",
		"SELECT 'a\\' /* x */' /* c */":                                   "SELECT 'a\\' /* x */'",
		"SELECT \"a /* \" /* c */ -- d":                                   "SELECT \"a /* \"",
		"SELECT 'unterminated /* c */":                                    "SELECT 'unterminated /* c */",
		"/* only */":                                                      "",
		"SELECT 1 /*traceparent=00-ab-01,route=x*/":                       "SELECT 1",
		"/* a */ /* b */ SELECT 1 /* c */ /* d */":                        "SELECT 1",
		"-- note\n# more\nSELECT 1":                                       "SELECT 1",
		"SELECT 1 /*! STRAIGHT_JOIN */":                                   "SELECT 1 /*! STRAIGHT_JOIN */",
		"SELECT 1 /*M!100000 , 2 */":                                      "SELECT 1 /*M!100000 , 2 */",
		"/*+ MAX_EXECUTION_TIME(1) */ SELECT 1":                           "/*+ MAX_EXECUTION_TIME(1) */ SELECT 1",
		"/*!40101 SET NAMES utf8 */":                                      "/*!40101 SET NAMES utf8 */",
		"SELECT '/* x */'":                                                "SELECT '/* x */'",
		"SELECT 'a /* b' /* c */":                                         "SELECT 'a /* b'",
		"SELECT `a /* b` FROM t /* c */":                                  "SELECT `a /* b` FROM t",
		"SELECT 1 /* a */ + 2 /* b */":                                    "SELECT 1 /* a */ + 2",
	} {
		assert.Equal(t, want, statementKey(sql), sql)
	}
}

// TestCacheIgnoresComments checks that sqlcommenter-style comments with a
// new trace id on every statement hit the cache.
func TestCacheIgnoresComments(t *testing.T) {
	r := testRouter(t)
	for i := 0; i < 10; i++ {
		sql := "/* app=shop */ SELECT * FROM t_user WHERE id = ? /*traceparent=00-" + string(rune('a'+i)) + "-01*/"
		p, err := r.Route(sql, []any{int64(3)})
		require.NoError(t, err)
		assert.Equal(t, sql, p.SQL)
		require.Len(t, p.Units, 1)
	}
	st := r.CacheStats()
	assert.EqualValues(t, 1, st.Misses)
	assert.EqualValues(t, 9, st.Hits)
	assert.Equal(t, 1, st.Entries)
}

// BenchmarkStatementKey measures the key of a typical statement with a
// sqlcommenter comment (it runs on every Route).
func BenchmarkStatementKey(b *testing.B) {
	sql := "SELECT id, user_id, status, amount FROM t_order WHERE user_id = ? AND status = 'paid' ORDER BY id LIMIT 20 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/"
	for b.Loop() {
		_ = statementKey(sql)
	}
}
