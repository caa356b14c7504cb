package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// passKeyCatalog is catalogWith(lctn, "app") with the default data
// source's unsharded facts: t_plain's unique integer keys (id) and (a, b).
func passKeyCatalog(lctn int) *schema.Catalog {
	c := catalogWith(lctn, "app")
	c.Unsharded = &schema.Unsharded{DataSource: "ds0", LowerCaseTableNames: lctn,
		Tables:  map[string][]string{"t_plain": {"id", "a", "b", "vc"}},
		IntKeys: map[string][][]string{"t_plain": {{"id"}, {"a", "b"}}}}
	return c
}

// TestPassKeyBound: a SELECT passed through to the default data source
// with an integer equality on every column of one of its table's unique
// integer keys (the catalog's unsharded facts) is bounded to one row, by
// the full routing and by the pass-through shortcut alike, for each call's
// arguments; nothing else is, and facts never read make the driver load
// them (SchemaUnknown).
func TestPassKeyBound(t *testing.T) {
	cases := []struct {
		sql   string
		args  []any
		bound int
	}{
		{"SELECT vc FROM t_plain WHERE id = ?", []any{int64(1)}, 1},
		{"SELECT vc FROM t_plain WHERE id = ?", []any{uint8(1)}, 1},
		{"SELECT vc FROM t_plain WHERE id = ?", []any{"1"}, 0},
		{"SELECT vc FROM t_plain WHERE id = ?", []any{1.0}, 0},
		{"SELECT vc FROM t_plain WHERE ? = id AND vc = 'x'", []any{int64(1)}, 1},
		{"SELECT vc FROM t_plain WHERE id = 7", nil, 1},
		{"SELECT vc FROM t_plain WHERE id = '7'", nil, 0},
		{"SELECT p.vc FROM t_plain AS p WHERE p.id = ?", []any{int64(1)}, 1},
		{"SELECT vc FROM t_plain WHERE t_plain.id = ?", []any{int64(1)}, 1},
		{"SELECT vc FROM t_plain WHERE a = ? AND b = ?", []any{int64(1), int64(2)}, 1},
		{"SELECT vc FROM t_plain WHERE a = ? AND b = ?", []any{int64(1), "2"}, 0},
		{"SELECT vc FROM t_plain WHERE a = ? AND b = ? LIMIT ?", []any{int64(1), "2", int64(4)}, 4},
		{"SELECT vc FROM t_plain WHERE a = ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_plain WHERE id = ? OR id = ?", []any{int64(1), int64(2)}, 0},
		{"SELECT vc FROM t_plain WHERE id <=> ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_plain WHERE id IN (?)", []any{int64(1)}, 0},
		{"SELECT vc FROM app.t_plain WHERE id = ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_plain PARTITION (p0) WHERE id = ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_other WHERE id = ?", []any{int64(1)}, 0},
		{"SELECT COUNT(*) FROM t_plain WHERE id = ? GROUP BY vc", []any{int64(1)}, 1},
		{"SELECT COUNT(*) FROM t_plain WHERE id = ? GROUP BY vc WITH ROLLUP", []any{int64(1)}, 0},
		{"SELECT p.vc FROM t_plain p JOIN t_plain q ON q.id = p.id WHERE p.id = ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_plain WHERE id = ? AND a IN (SELECT a FROM t_other)", []any{int64(1)}, 0},
		{"SELECT vc FROM (SELECT * FROM t_plain) AS d WHERE id = ?", []any{int64(1)}, 0},
		{"WITH c AS (SELECT 1) SELECT vc FROM t_plain WHERE id = ?", []any{int64(1)}, 0},
		{"SELECT vc FROM t_plain WHERE id = ? UNION ALL SELECT vc FROM t_plain WHERE id = ?", []any{int64(1), int64(1)}, 0},
	}
	for _, lctn := range []int{0, 1} {
		cat := passKeyCatalog(lctn)
		pp := newPassPair(t)
		for _, tc := range cases {
			got := pp.same(t, tc.sql, tc.args, Options{Catalog: cat})
			p, err := pp.cached.RouteWith(tc.sql, tc.args, Options{Catalog: cat})
			require.NoError(t, err, tc.sql)
			assert.Equal(t, tc.bound, p.RowBound, "%s %v: %s", tc.sql, tc.args, got)
			assert.False(t, p.SchemaUnknown)
			// another data source than the one the facts describe
			p, err = pp.cached.RouteWith(tc.sql, tc.args, Options{Catalog: cat, DataSource: "ds1"})
			require.NoError(t, err, tc.sql)
			if tc.bound == 1 {
				assert.Equal(t, 0, p.RowBound, "%s on ds1", tc.sql)
			}
		}
		// the name's case: another table to a case-sensitive server
		want := map[int]int{0: 0, 1: 1}[lctn]
		pp.same(t, "SELECT vc FROM T_PLAIN WHERE id = ?", []any{int64(1)}, Options{Catalog: cat})
		p, err := pp.cached.RouteWith("SELECT vc FROM T_PLAIN WHERE id = ?", []any{int64(1)}, Options{Catalog: cat})
		require.NoError(t, err)
		assert.Equal(t, want, p.RowBound, "lower_case_table_names=%d", lctn)
	}

	// Facts never read: the statement asks the driver to load them, and no
	// shortcut is kept from the routing that lacked them; keys read that
	// do not name the table, or name none, prove nothing and ask nothing.
	pp := newPassPair(t)
	unread := catalogWith(0, "app")
	unread.UnshardedUnread = true
	const q = "SELECT vc FROM t_plain WHERE id = ?"
	for range 3 {
		p, err := pp.cached.RouteWith(q, []any{int64(1)}, Options{Catalog: unread})
		require.NoError(t, err)
		assert.True(t, p.SchemaUnknown)
		assert.Equal(t, 0, p.RowBound)
	}
	p, err := pp.cached.RouteWith(q, []any{int64(1)}, Options{Catalog: passKeyCatalog(0)})
	require.NoError(t, err)
	assert.Equal(t, 1, p.RowBound, "the loaded catalog (another pointer) proves the bound")
	for _, cat := range []*schema.Catalog{catalogWith(0, "app"), nil} {
		for range 3 {
			p, err := pp.cached.RouteWith(q, []any{int64(1)}, Options{Catalog: cat})
			require.NoError(t, err)
			assert.False(t, p.SchemaUnknown)
			assert.Equal(t, 0, p.RowBound, "no facts, no bound: the shortcut proved under another catalog is not used")
		}
	}
}
