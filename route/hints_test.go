package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHintsAgreeWithStatement: a sharding value hint that disagrees with a
// value the statement writes (INSERT rows, WHERE key = / IN) is an error
// naming both; one that agrees routes by the statement's own values.
func TestHintsAgreeWithStatement(t *testing.T) {
	r := testRouter(t)
	cases := []struct {
		name  string
		sql   string
		args  []any
		hint  map[string][]any
		err   []string // substrings of the error; nil: must route
		units []goldenUnit
	}{
		{name: "insert rows disagree", sql: "INSERT INTO t_user (id, name) VALUES (1, 'a'), (2, 'b')", hint: map[string][]any{"t_user": {42}},
			err: []string{"hint for table t_user (id = 42) contradicts id = 1"}},
		{name: "insert second row disagrees", sql: "INSERT INTO t_user (id, name) VALUES (42, 'a'), (2, 'b')", hint: map[string][]any{"t_user": {42}},
			err: []string{"(id = 42) contradicts id = 2"}},
		{name: "insert arg disagrees", sql: "INSERT INTO t_order (user_id, order_id) VALUES (?, 1)", args: []any{int64(7)}, hint: map[string][]any{"t_order": {42}},
			err: []string{"(user_id = 42) contradicts user_id = 7"}},
		{name: "insert NULL key with hint", sql: "INSERT INTO t_user (id) VALUES (NULL)", hint: map[string][]any{"t_user": {42}},
			err: []string{"(id = 42) contradicts id = NULL"}},
		{name: "insert string key disagrees", sql: "INSERT INTO t_order (user_id) VALUES ('b')", hint: map[string][]any{"t_order": {"a"}},
			err: []string{`(user_id = "a") contradicts user_id = "b"`}},
		{name: "insert rows agree", sql: "INSERT INTO t_user (id, name) VALUES (42, 'a'), (?, 'b')", args: []any{int64(42)}, hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "insert into t_user_0(id, `name`) values (42, 'a'), (?, 'b')", int64(42))}},
		{name: "insert string literal agrees with integer hint", sql: "INSERT INTO t_order (user_id) VALUES ('1')", hint: map[string][]any{"t_order": {int64(1)}},
			units: []goldenUnit{gu(hashPlacements["1"], "insert into t_order_2(user_id) values ('1')")}},
		{name: "insert rows each in hint of two values go to their own nodes", sql: "INSERT INTO t_user (id) VALUES (1), (2)", hint: map[string][]any{"t_user": {1, 2}},
			units: []goldenUnit{gu("ds0.t_user_1", "insert into t_user_1(id) values (1)"), gu("ds1.t_user_0", "insert into t_user_0(id) values (2)")}},
		{name: "insert without key column follows the hint", sql: "INSERT INTO t_user (name) VALUES ('a')", hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "insert into t_user_0(`name`) values ('a')")}},

		{name: "select where key disagrees", sql: "SELECT * FROM t_user WHERE id = 1", hint: map[string][]any{"t_user": {42}},
			err: []string{"(id = 42) contradicts id = 1"}},
		{name: "select where key on the right disagrees", sql: "SELECT * FROM t_user WHERE ? = t_user.id", args: []any{int64(3)}, hint: map[string][]any{"t_user": {42}},
			err: []string{"(id = 42) contradicts id = 3"}},
		{name: "select IN value disagrees", sql: "SELECT * FROM t_user WHERE id IN (42, 5)", hint: map[string][]any{"t_user": {42}},
			err: []string{"contradicts id = 5"}},
		{name: "select OR branch disagrees", sql: "SELECT * FROM t_user WHERE name = 'x' OR (id = 9 AND name = 'y')", hint: map[string][]any{"t_user": {42}},
			err: []string{"contradicts id = 9"}},
		{name: "update where key disagrees", sql: "UPDATE t_user SET name = 'x' WHERE id = ?", args: []any{int64(1)}, hint: map[string][]any{"t_user": {42}},
			err: []string{"contradicts id = 1"}},
		{name: "delete where key disagrees", sql: "DELETE FROM t_order WHERE user_id = 1 AND order_id = 5", hint: map[string][]any{"t_order": {42}},
			err: []string{"(user_id = 42) contradicts user_id = 1"}},
		{name: "update where key agrees", sql: "UPDATE t_user SET name = 'x' WHERE id = 42", hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "update t_user_0 set `name` = 'x' where id = 42")}},
		{name: "select NOT IN is no contradiction", sql: "SELECT * FROM t_user WHERE id NOT IN (1, 2)", hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "select * from t_user_0 where id not in (1, 2)")}},
		{name: "select other column is no contradiction", sql: "SELECT * FROM t_user WHERE age = 1", hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "select * from t_user_0 where age = 1")}},
		{name: "select key range is left to the hint", sql: "SELECT * FROM t_user WHERE id > 1", hint: map[string][]any{"t_user": {42}},
			units: []goldenUnit{gu("ds1.t_user_0", "select * from t_user_0 where id > 1")}},
		{name: "subquery where key disagrees", sql: "SELECT * FROM (SELECT * FROM t_user WHERE id = 7) AS d", hint: map[string][]any{"t_user": {42}},
			err: []string{"contradicts id = 7"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.RouteWith(tc.sql, tc.args, Options{ShardingValues: tc.hint})
			if tc.err != nil {
				require.Error(t, err, "plan:\n%v", p)
				assert.NotErrorIs(t, err, ErrUnsupported, "a contradicting hint is the caller's error")
				for _, want := range tc.err {
					assert.Contains(t, err.Error(), want)
				}
				assert.Contains(t, err.Error(), tc.sql)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.units, actualUnits(p), "plan:\n%s", p)
		})
	}
}

// TestHintsCompareConvertedValues: with the catalog, a hint and a statement
// value agree when the column holds them as one value ('01' and 1 on an
// integer column).
func TestHintsCompareConvertedValues(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog(), ShardingValues: map[string][]any{"t_order": {int64(1)}}}
	p, err := r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (5, '01')", nil, opts)
	require.NoError(t, err)
	assert.Equal(t, []goldenUnit{gu(hashPlacements["1"], "insert into t_order_2(order_id, user_id) values (5, '01')")}, actualUnits(p))
	p, err = r.RouteWith("SELECT * FROM t_order WHERE user_id = 1.0", nil, opts)
	require.NoError(t, err)
	assert.Len(t, p.Units, 1)
	_, err = r.RouteWith("SELECT * FROM t_order WHERE user_id = '2'", nil, opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `(user_id = 1) contradicts user_id = "2"`)
	_, err = r.RouteWith("UPDATE t_order SET note = 'x' WHERE user_id = 1.5", nil, opts)
	require.NoError(t, err, "1.5 matches no row of an integer column: no contradiction")
}
