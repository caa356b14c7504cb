package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWrites19UpdateLimitPlan: UPDATE … LIMIT n without ORDER BY that
// reaches several nodes is planned as a DeleteLimit with Counts: for each
// unit, index for index, the locking read of the node's matching rows
// (SELECT 1 … WHERE <the same WHERE>), the driver appending LIMIT and FOR
// UPDATE. Before writes19 it was refused.
func TestWrites19UpdateLimitPlan(t *testing.T) {
	r := testRouter(t)
	cases := []struct {
		sql   string
		args  []any
		n     uint64
		units int
		args0 []any // the first unit's args (SET's then WHERE's)
		cargs []any // the first count's args (WHERE's)
	}{
		{sql: "UPDATE t_user SET name = 'x' WHERE name < 'm' LIMIT 1000", n: 1000, units: 4},
		{sql: "UPDATE t_user SET name = ? WHERE name < ? AND name IS NOT NULL LIMIT ?", args: []any{"x", "m", int64(3)}, n: 3, units: 4, args0: []any{"x", "m"}, cargs: []any{"m"}},
		{sql: "UPDATE t_user SET name = ? LIMIT ?", args: []any{"x", uint64(7)}, n: 7, units: 4, args0: []any{"x"}},
		{sql: "UPDATE t_user AS u SET u.name = 'y' WHERE u.id IN (1, 2) LIMIT 1", n: 1, units: 2},
		{sql: "UPDATE t_user SET name = 'x' LIMIT 0", n: 0, units: 4},
		{sql: "UPDATE t_order SET note = ? WHERE created < ? LIMIT ?", args: []any{"n", "2020-01-01", 100}, n: 100, units: 8, args0: []any{"n", "2020-01-01"}, cargs: []any{"2020-01-01"}},
		{sql: "UPDATE t_user SET name = 'x' WHERE name < 'm' LIMIT 5 -- batch", n: 5, units: 4},
	}
	for _, tc := range cases {
		p, err := r.Route(tc.sql, tc.args)
		require.NoError(t, err, tc.sql)
		require.NotNil(t, p.DeleteLimit, tc.sql)
		require.Equal(t, tc.n, p.DeleteLimit.N, tc.sql)
		require.Len(t, p.Units, tc.units, tc.sql)
		require.Len(t, p.DeleteLimit.Counts, tc.units, tc.sql)
		for i, u := range p.Units {
			c := p.DeleteLimit.Counts[i]
			require.Equal(t, u.DataSource, c.DataSource, tc.sql)
			require.Equal(t, u.Node, c.Node, tc.sql)
			require.NotContains(t, strings.ToLower(u.SQL), "limit", tc.sql)
			require.NotContains(t, strings.ToLower(c.SQL), "limit", tc.sql)
			require.True(t, strings.HasPrefix(strings.ToLower(c.SQL), "select 1"), c.SQL)
			require.Contains(t, c.SQL, u.Node.Table, tc.sql)
			require.Equal(t, tc.args0, u.Args, tc.sql)
			require.Equal(t, tc.cargs, c.Args, tc.sql)
		}
		cs := p.DeleteLimit.CountSQL(p.DeleteLimit.Counts[0], 5)
		require.True(t, strings.HasSuffix(cs, " limit 5 for update"), cs)
		require.NotContains(t, p.DeleteLimit.Counts[0].SQL, "--", tc.sql)
		require.Contains(t, p.String(), "counted FOR UPDATE first")
	}
	// The WHERE clause of the alias form keeps its alias in the count.
	p, err := r.Route("UPDATE t_user AS u SET u.name = 'y' WHERE u.name < 'm' LIMIT 2", nil)
	require.NoError(t, err)
	require.Contains(t, p.DeleteLimit.Counts[0].SQL, "from t_user_0 as u where u.`name` < 'm'")
	// One node: the statement goes there whole, LIMIT as written.
	p, err = r.Route("UPDATE t_user SET name = 'x' WHERE id = 1 LIMIT 5", nil)
	require.NoError(t, err)
	require.Nil(t, p.DeleteLimit)
	require.Len(t, p.Units, 1)
	require.Contains(t, p.Units[0].SQL, "limit 5")
	// DELETE … LIMIT has no counts.
	p, err = r.Route("DELETE FROM t_user WHERE name < 'm' LIMIT 5", nil)
	require.NoError(t, err)
	require.Nil(t, p.DeleteLimit.Counts)
}

// TestWrites19UpdateLimitRefused: what the count-then-update design cannot
// make exact stays refused, naming what to do instead.
func TestWrites19UpdateLimitRefused(t *testing.T) {
	r := testRouter(t)
	cases := []errorCase{
		{name: "ignore", sql: "UPDATE IGNORE t_user SET name = 'x' WHERE name < 'm' LIMIT 10",
			contains: []string{"UPDATE IGNORE … LIMIT on sharded table t_user across 4 nodes", "drop IGNORE"}},
		{name: "now", sql: "UPDATE t_user SET name = 'x' WHERE created < NOW() LIMIT 10",
			contains: []string{"in the WHERE clause of UPDATE … LIMIT on sharded table t_user", "? argument"}},
		{name: "rand", sql: "UPDATE t_user SET name = 'x' WHERE RAND() < 0.5 LIMIT 10",
			contains: []string{"RAND() in the WHERE clause of UPDATE … LIMIT"}},
		{name: "user variable", sql: "UPDATE t_user SET name = 'x' WHERE name = @n LIMIT 10",
			contains: []string{"user variable @n in the WHERE clause of UPDATE … LIMIT"}},
		{name: "stored function", sql: "UPDATE t_user SET name = 'x' WHERE myfunc(id) LIMIT 10",
			contains: []string{"call of myfunc(id)", "UPDATE … LIMIT on sharded table t_user"}},
		{name: "offset", sql: "UPDATE t_user SET name = 'x' LIMIT 1, 2",
			contains: []string{"UPDATE … LIMIT with an offset on sharded table t_user"}},
		{name: "negative argument", sql: "UPDATE t_user SET name = 'x' LIMIT ?", args: []any{int64(-1)},
			contains: []string{"UPDATE … LIMIT ? given -1 on sharded table t_user"}},
		{name: "order by without limit", sql: "UPDATE t_user SET name = 'x' ORDER BY name",
			contains: []string{"UPDATE with ORDER BY/LIMIT on sharded table t_user across 4 nodes"}},
		{name: "key move", sql: "UPDATE t_user SET id = 5 WHERE name < 'm' LIMIT 10",
			contains: []string{"UPDATE with ORDER BY/LIMIT that moves rows"}},
	}
	for _, tc := range cases {
		tc.unsupported = true
		t.Run(tc.name, func(t *testing.T) { checkRouteError(t, r, tc) })
	}
}

// TestWrites19OrderedPlan: DELETE/UPDATE … ORDER BY … LIMIT across nodes
// is planned as an OrderedWrite: the locking read of the first n rows'
// sharding column and primary key (a SELECT the driver routes as any),
// and each node's statement without LIMIT, its ORDER BY kept, its WHERE
// replaced by the key condition (the rows read are locked: they match).
func TestWrites19OrderedPlan(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog()}
	p, err := r.RouteWith("DELETE FROM t_user WHERE name < ? OR id > 3 ORDER BY name DESC, id LIMIT ?", []any{"m", 3}, opts)
	require.NoError(t, err)
	require.NotNil(t, p.Ordered)
	o := p.Ordered
	require.Equal(t, uint64(3), o.N)
	require.Equal(t, "select id from t_user where `name` < ? or id > 3 order by `name` desc, id asc limit 3 for update", o.ReadSQL)
	require.Equal(t, []any{"m"}, o.ReadArgs)
	require.Equal(t, []string{"id"}, o.KeyCols)
	require.Len(t, p.Units, 4)
	u := p.Units[0]
	require.Equal(t, "delete from t_user_0 where (id in (?, ?)) order by `name` desc, id asc", o.UnitSQL(u, 2))
	require.Equal(t, []any{7, 9}, o.KeyArgs(u, [][]any{{7}, {9}}))
	require.Equal(t, "delete from t_user_0 where false order by `name` desc, id asc", o.UnitSQL(u, 0))
	require.Contains(t, p.String(), "read FOR UPDATE first")

	// A primary key without the sharding column: the key alone first
	// (an index range), then the pair.
	cat := testCatalog()
	cat.Tables["t_order"].Indexes[0].Columns = []string{"order_id"}
	p, err = r.RouteWith("UPDATE t_order SET note = ? WHERE order_id > ? ORDER BY order_id LIMIT 5", []any{"n", 10}, Options{Catalog: cat})
	require.NoError(t, err)
	o = p.Ordered
	require.Equal(t, []string{"user_id", "order_id"}, o.KeyCols)
	require.Equal(t, "select user_id, order_id from t_order where order_id > ? order by order_id asc limit 5 for update", o.ReadSQL)
	u = p.Units[0]
	require.True(t, strings.HasSuffix(o.UnitSQL(u, 2), "set note = ? where (order_id in (?, ?) and (user_id, order_id) in ((?, ?), (?, ?))) order by order_id asc"), o.UnitSQL(u, 2))
	require.Equal(t, []any{"n", int64(1), int64(2), int64(11), int64(1), int64(12), int64(2)}, o.KeyArgs(u, [][]any{{int64(11), int64(1)}, {int64(12), int64(2)}}))

	// No WHERE, an alias.
	p, err = r.RouteWith("UPDATE t_user AS u SET u.name = 'q' ORDER BY u.name LIMIT 2", nil, opts)
	require.NoError(t, err)
	require.Equal(t, "select id from t_user as u order by u.`name` asc limit 2 for update", p.Ordered.ReadSQL)
	require.Equal(t, "update t_user_0 as u set u.`name` = 'q' where (id in (?)) order by u.`name` asc", p.Ordered.UnitSQL(p.Units[0], 1))
}

// TestWrites19OrderedRefused: what the design cannot make exact.
func TestWrites19OrderedRefused(t *testing.T) {
	r := testRouter(t)
	noPK := testCatalog()
	noPK.Tables["t_user"].Indexes = nil
	floatPK := testCatalog()
	floatPK.Tables["t_user"].Columns[0].DataType = "double"
	for _, c := range []struct {
		sql    string
		opts   Options
		refuse string
	}{
		{"DELETE FROM t_user ORDER BY id LIMIT 3", Options{}, "without the servers' catalog"},
		{"DELETE FROM t_user ORDER BY id LIMIT 3", Options{Catalog: noPK}, "which has no primary key"},
		{"DELETE FROM t_user ORDER BY id LIMIT 3", Options{Catalog: floatPK}, "key column id is of type double"},
		{"DELETE IGNORE FROM t_user ORDER BY id LIMIT 3", Options{Catalog: testCatalog()}, "DELETE IGNORE … ORDER BY … LIMIT"},
		{"UPDATE IGNORE t_user SET name = 'x' ORDER BY id LIMIT 3", Options{Catalog: testCatalog()}, "UPDATE IGNORE … ORDER BY … LIMIT"},
		{"DELETE FROM t_user WHERE RAND() < 0.5 ORDER BY id LIMIT 3", Options{Catalog: testCatalog()}, "RAND() in the WHERE clause of DELETE … ORDER BY … LIMIT"},
		{"DELETE FROM t_user ORDER BY myfunc(id) LIMIT 3", Options{Catalog: testCatalog()}, "call of myfunc(id)"},
		{"DELETE FROM t_user ORDER BY id LIMIT 1, 3", Options{Catalog: testCatalog()}, "DELETE … LIMIT with an offset"},
		{"UPDATE t_user SET id = 4 WHERE name = 'a' ORDER BY id LIMIT 3", Options{Catalog: testCatalog()}, "moves rows"},
		{"DELETE FROM t_user ORDER BY id LIMIT 65536", Options{Catalog: testCatalog()}, "run it in batches of at most 65535 rows"},
		{"DELETE FROM t_user ORDER BY id LIMIT 18446744073709551615", Options{Catalog: testCatalog()}, "run it in batches"},
	} {
		_, err := r.RouteWith(c.sql, nil, c.opts)
		require.ErrorIs(t, err, ErrUnsupported, c.sql)
		require.ErrorContains(t, err, c.refuse, c.sql)
	}
	_, err := r.RouteWith("DELETE FROM t_user ORDER BY id + ? LIMIT 3", []any{1}, Options{Catalog: testCatalog()})
	require.ErrorContains(t, err, "? argument in the ORDER BY")
	// RETURNING: refused by returning.go, not sent with the marker.
	_, err = r.RouteWith("DELETE FROM t_user WHERE name < 'm' ORDER BY id LIMIT 2 RETURNING id", nil, Options{Catalog: testCatalog()})
	require.ErrorIs(t, err, ErrUnsupported)
	require.ErrorContains(t, err, "DELETE … ORDER BY/LIMIT with RETURNING across nodes")
	// UPDATE … LIMIT with RETURNING is not MariaDB syntax; ORDER BY
	// without LIMIT stays refused.
	_, err = r.RouteWith("DELETE FROM t_user ORDER BY id", nil, Options{Catalog: testCatalog()})
	require.ErrorContains(t, err, "DELETE with ORDER BY/LIMIT on sharded table t_user across 4 nodes")
}
