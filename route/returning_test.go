package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplitReturning checks that only a top-level RETURNING after INSERT,
// REPLACE or DELETE is taken for the clause, never one in a string, a
// comment, a quoted name or parentheses.
func TestSplitReturning(t *testing.T) {
	r, err := New(testTopology(t))
	require.NoError(t, err)
	for _, c := range []struct{ sql, base, clause string }{
		{"INSERT INTO t (a) VALUES (1) RETURNING id", "INSERT INTO t (a) VALUES (1)", "id"},
		{"insert into t (a) values ('returning') returning id, a*2 AS b", "insert into t (a) values ('returning')", "id, a*2 AS b"},
		{"REPLACE INTO t (a) VALUES (1)\n  RETURNING *", "REPLACE INTO t (a) VALUES (1)", "*"},
		{"DELETE FROM t WHERE a = 1 /* returning x */ RETURNING a", "DELETE FROM t WHERE a = 1 /* returning x */", "a"},
		{"/* c */ DELETE FROM t RETURNING a", "/* c */ DELETE FROM t", "a"},
		{"INSERT INTO t (`returning`) VALUES (1)", "", ""},
		{"INSERT INTO t (a) VALUES ((SELECT 1 returning))", "", ""},
		{"UPDATE t SET a = 1 RETURNING a", "", ""},
		{"SELECT 1 RETURNING", "", ""},
		{"INSERT INTO t (a) VALUES (1) RETURNING", "", ""},
	} {
		base, clause, ok := splitReturning(r.parser, c.sql)
		assert.Equal(t, c.base != "", ok, c.sql)
		assert.Equal(t, c.base, base, c.sql)
		assert.Equal(t, c.clause, clause, c.sql)
	}
}

// TestRouteReturning checks plans and refusals of RETURNING statements.
func TestRouteReturning(t *testing.T) {
	r, err := New(testTopology(t))
	require.NoError(t, err)
	p, err := r.Route("INSERT INTO t_user (id, name) VALUES (?, 'a'), (?, 'b'), (?, 'c') RETURNING id, name", []any{int64(1), int64(2), int64(5)})
	require.NoError(t, err)
	require.NotNil(t, p.Returning)
	require.Len(t, p.Units, 2)
	for _, u := range p.Units {
		assert.Contains(t, u.SQL, " RETURNING id, name")
	}
	assert.Equal(t, [][]int{{0, 2}, {1}}, p.InsertRows)

	p, err = r.Route("DELETE FROM t_user WHERE id = 3 RETURNING *", nil)
	require.NoError(t, err)
	require.Len(t, p.Units, 1)
	assert.Contains(t, p.Units[0].SQL, "t_user_1")
	assert.Contains(t, p.Units[0].SQL, " RETURNING *")

	p, err = r.Route("INSERT INTO other (a) VALUES (1) RETURNING a", nil)
	require.NoError(t, err)
	assert.Equal(t, "INSERT INTO other (a) VALUES (1) RETURNING a", p.Units[0].SQL)

	// ON DUPLICATE KEY UPDATE returns one row per VALUES row (inserted or
	// met), so it is split by its rows like a plain INSERT (gorm's
	// association upsert, round 16).
	p, err = r.RouteWith("INSERT INTO t_user (id, name) VALUES (1, 'a'), (2, 'b'), (5, 'c') ON DUPLICATE KEY UPDATE id = VALUES(id) RETURNING id", nil, Options{Catalog: testCatalog()})
	require.NoError(t, err)
	require.NotNil(t, p.Returning)
	assert.Equal(t, [][]int{{0, 2}, {1}}, p.InsertRows)

	for sql, want := range map[string]string{
		"INSERT INTO t_user (id) SELECT id FROM other ON DUPLICATE KEY UPDATE id = id RETURNING id": "INSERT",
		"INSERT INTO t_user (id) VALUES (1) RETURNING t_user.id":                                    "qualified column t_user.id in RETURNING",
		"INSERT INTO t_user (id) VALUES (1) RETURNING ?":                                            "a ? placeholder in RETURNING",
		"INSERT INTO t_user (id) VALUES (1) RETURNING (SELECT 1)":                                   "a subquery in RETURNING",
		"INSERT IGNORE INTO t_user (id) VALUES (1), (2) RETURNING id":                               "INSERT IGNORE",
		"DELETE FROM t_user ORDER BY id LIMIT 2 RETURNING id":                                       "DELETE … ORDER BY … LIMIT", // refused as RETURNING with the catalog (TestWrites19OrderedPlan)
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), want, sql)
	}
}
