package route

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestLimitSaturates: each node gets LIMIT offset+count, saturated at
// math.MaxInt64 (never a negative, wrapped LIMIT); LIMITs above
// math.MaxInt64 (MySQL takes up to 2⁶⁴-1) clamp to it.
func TestLimitSaturates(t *testing.T) {
	r := testRouter(t)
	cases := []struct {
		sql           string
		args          []any
		node          string // the node LIMIT every unit must end with
		offset, count int64
	}{
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT 9223372036854775807 OFFSET 1", node: "limit 9223372036854775807", offset: 1, count: math.MaxInt64},
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT 5, 18446744073709551615", node: "limit 9223372036854775807", offset: 5, count: math.MaxInt64},
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT ?, ?", args: []any{int64(math.MaxInt64), int64(math.MaxInt64)}, node: "limit 9223372036854775807", offset: math.MaxInt64, count: math.MaxInt64},
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT ? OFFSET ?", args: []any{uint64(math.MaxUint64), "3"}, node: "limit 9223372036854775807", offset: 3, count: math.MaxInt64},
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT ? OFFSET 2", args: []any{"18446744073709551615"}, node: "limit 9223372036854775807", offset: 2, count: math.MaxInt64},
		{sql: "SELECT id FROM t_user ORDER BY id LIMIT 10 OFFSET 20", node: "limit 30", offset: 20, count: 10},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			p, err := r.Route(tc.sql, tc.args)
			require.NoError(t, err)
			require.Len(t, p.Units, 4)
			for _, u := range p.Units {
				assert.True(t, strings.HasSuffix(u.SQL, tc.node), "node SQL %q must end with %q", u.SQL, tc.node)
			}
			assert.Equal(t, &merge.Page{Offset: tc.offset, Count: tc.count}, p.spec.Limit)
		})
	}
}

// TestColonInText: a ':' inside a string literal, quoted name or comment is
// text, not a named bind variable.
func TestColonInText(t *testing.T) {
	r := testRouter(t)
	for _, tc := range []struct {
		sql  string
		args []any
	}{
		{sql: "SELECT * FROM t_user WHERE id = ? AND name = ':v1'", args: []any{int64(1)}},
		{sql: "SELECT * FROM t_user WHERE id = ? AND name = ':x'", args: []any{int64(1)}},
		{sql: "SELECT * FROM t_user WHERE name IN (':v2', \"a :b\", ?) AND id = 1", args: []any{"c"}},
		{sql: "SELECT `:v1` FROM t_user WHERE id = ?", args: []any{int64(1)}},
		{sql: "SELECT * FROM t_user WHERE id = ? /* :v1 */", args: []any{int64(1)}},
		{sql: "INSERT INTO t_user (id, name) VALUES (?, '12:30:v1')", args: []any{int64(1)}},
		{sql: "SELECT * FROM t_other WHERE a = ? AND b = '::ids'", args: []any{1}},
	} {
		p, err := r.Route(tc.sql, tc.args)
		require.NoError(t, err, tc.sql)
		for _, u := range p.Units {
			assert.Equal(t, strings.Count(u.SQL, "?"), len(u.Args), "unit %q", u.SQL)
		}
	}
}

// TestExecutableComments: versioned and MariaDB-only executable comments
// are refused on sharded and broadcast tables; /*! … */ without a version
// is read as every server reads it; other tables pass unchanged.
func TestExecutableComments(t *testing.T) {
	r := joinRouter(t)
	refused := []struct{ sql, table string }{
		{"SELECT * FROM t_order /*M! WHERE user_id = 1 */", "t_order"},
		{"DELETE FROM t_order /*M! WHERE user_id = 1 */", "t_order"},
		{"DELETE FROM t_order /*M!100500 WHERE user_id = 1 */", "t_order"},
		{"DELETE FROM t_order /*!99999 WHERE user_id = 1 */", "t_order"},
		{"SELECT * FROM t_user /*!80000 WHERE id = 1 */", "t_user"},
		{"SELECT /*!40001 SQL_NO_CACHE */ * FROM t_user", "t_user"},
		{"UPDATE t_merchant SET name = 'x' /*M! WHERE id = 1 */", "t_merchant"},
		{"SELECT * FROM t_other /*M! , t_order */", "t_order"},
		{"SELECT * FROM t_other /*!50000 JOIN t_merchant */", "t_merchant"},
		{"OPTIMIZE TABLE t_other /*M! , t_user */", "t_user"},
		{"DROP TABLE /*!40000 IF EXISTS */ t_order", "t_order"},
		// Raw text is searched, strings included (a scanner of string
		// syntax could be misled by sql_mode NO_BACKSLASH_ESCAPES).
		{"SELECT * FROM t_user WHERE id = 1 AND name = '/*M! x */'", "t_user"},
	}
	for _, tc := range refused {
		_, err := r.Route(tc.sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, tc.sql)
		assert.Contains(t, err.Error(), "executable comment", tc.sql)
		assert.Contains(t, err.Error(), "statement on "+tc.table, tc.sql)
	}
	// The parser reads a 6-digit version as 5 digits and a stray 0.
	_, err := r.Route("SELECT * FROM t_user /*!100500 WHERE id = 1 */", nil)
	require.Error(t, err)
	allowed := []struct{ sql, unit string }{
		{"SELECT * FROM t_user /*! WHERE id = 1 */", "select * from t_user_1 where id = 1"},
		{"/*!40000 ALTER TABLE `t_x` DISABLE KEYS */", "/*!40000 ALTER TABLE `t_x` DISABLE KEYS */"},
		{"SELECT * FROM t_other /*M! WHERE a = 1 */", "SELECT * FROM t_other /*M! WHERE a = 1 */"},
	}
	for _, tc := range allowed {
		p, err := r.Route(tc.sql, nil)
		require.NoError(t, err, tc.sql)
		require.Len(t, p.Units, 1, tc.sql)
		assert.Equal(t, tc.unit, p.Units[0].SQL)
	}
	// mysqldump's session lines are routed as SET statements are, never
	// refused for the comment.
	_, err = r.Route("/*!40101 SET NAMES utf8mb4 */", nil)
	if err != nil {
		assert.NotContains(t, err.Error(), "executable comment")
	}
}

// TestUserFunctionsAcrossNodes: calls of functions that are not built-ins
// are refused in SELECTs merged from several nodes, and kept on one node.
func TestUserFunctionsAcrossNodes(t *testing.T) {
	r := joinRouter(t)
	refused := []struct{ sql, call string }{
		{"SELECT my_median(amount) FROM t_order", "my_median(amount)"},
		{"SELECT user_id, my_agg(amount) FROM t_order GROUP BY user_id", "my_agg(amount)"},
		{"SELECT mydb.f(amount) FROM t_order", "mydb.f(amount)"},
		{"SELECT mydb.concat(amount) FROM t_order ORDER BY user_id", "mydb.concat(amount)"},
		{"SELECT order_id FROM t_order WHERE f(amount) > 1", "f(amount)"},
		{"SELECT order_id FROM t_order ORDER BY g(amount) LIMIT 3", "g(amount)"},
		{"SELECT order_id FROM t_order WHERE user_id IN (1, 2) AND round(h(amount)) > 0", "h(amount)"},
		{"SELECT COUNT(*) FROM t_order HAVING f(COUNT(*)) > 1", "f(count(*))"},
		{"SELECT o.order_id FROM t_order o JOIN t_merchant m ON o.merchant_id = m.id WHERE fn(m.name) = 1", "fn(m.`name`)"},
	}
	for _, tc := range refused {
		_, err := r.Route(tc.sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, tc.sql)
		assert.Contains(t, err.Error(), "call of "+tc.call+", which is not a MySQL/MariaDB built-in function", tc.sql)
	}
	allowed := []string{
		"SELECT my_median(amount) FROM t_order WHERE user_id = 1",
		"SELECT mydb.f(amount) FROM t_order WHERE user_id = 1",
		"SELECT concat(note, 'x'), ifnull(note, ''), round(amount, 1), date_format(created, '%Y'), json_extract(doc, '$.a'), md5(note) FROM t_order ORDER BY 1",
		"SELECT upper(note), COUNT(*) FROM t_order GROUP BY upper(note)",
		"SELECT coalesce(note, 'x'), if(amount > 1, 1, 0), least(1, 2), greatest(3, 4) FROM t_order",
		"SELECT mydb.f(a) FROM t_other",
		"UPDATE t_order SET note = f(note)",
	}
	for _, sql := range allowed {
		_, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
	}
}

// TestBuiltinFunctionList: the list holds scalar built-ins and no
// aggregate or window function (those must never pass as per-row columns).
func TestBuiltinFunctionList(t *testing.T) {
	for _, f := range []string{"concat", "insert", "replace", "sha2", "ifnull", "json_extract", "st_distance", "date_format", "regexp_replace", "from_unixtime"} {
		assert.True(t, builtinFunctions[f], f)
	}
	for _, f := range []string{"sum", "count", "avg", "min", "max", "group_concat", "json_arrayagg", "json_objectagg", "bit_xor", "std", "variance",
		"median", "percentile_cont", "row_number", "rank", "lag", "lead", "first_value", "last_value", "nth_value", "ntile", "cume_dist", "st_collect", "any_value"} {
		assert.False(t, builtinFunctions[f], f)
	}
}
