package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// joinRouter adds t_order_item bound to t_order and a broadcast t_merchant.
func joinRouter(t *testing.T) *Router {
	t.Helper()
	topo := testTopology(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order_item", Column: "user_id", Nodes: "ds${0..1}.t_order_item_${0..3}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.Bind("t_order", "t_order_item"))
	require.NoError(t, topo.AddBroadcastTable("t_merchant"))
	r, err := New(topo)
	require.NoError(t, err)
	return r
}

func TestJoinBroadcastSubqueryRouting(t *testing.T) {
	r := joinRouter(t)
	cases := []struct {
		name, sql string
		args      []any
		units     []goldenUnit
	}{
		{name: "bound join by key", sql: "SELECT o.order_id, i.sku FROM t_order o JOIN t_order_item i ON o.user_id = i.user_id WHERE o.user_id = 1",
			units: []goldenUnit{{node: "ds1.t_order_2", sql: "select o.order_id, i.sku from t_order_2 as o join t_order_item_2 as i on o.user_id = i.user_id where o.user_id = 1"}}},
		{name: "bound join keyed through the other table", sql: "SELECT * FROM t_order o, t_order_item i WHERE o.user_id = i.user_id AND i.user_id = ?", args: []any{int64(1)},
			units: []goldenUnit{{node: "ds1.t_order_2", sql: "select * from t_order_2 as o, t_order_item_2 as i where o.user_id = i.user_id and i.user_id = ?", args: []any{int64(1)}}}},
		{name: "self join on the key", sql: "SELECT * FROM t_user a JOIN t_user b ON a.id = b.id WHERE a.id = 1",
			units: []goldenUnit{{node: "ds0.t_user_1", sql: "select * from t_user_1 as a join t_user_1 as b on a.id = b.id where a.id = 1"}}},
		{name: "join with a broadcast table", sql: "SELECT o.order_id, m.name FROM t_order o JOIN t_merchant m ON o.merchant_id = m.id WHERE o.user_id = 1",
			units: []goldenUnit{{node: "ds1.t_order_2", sql: "select o.order_id, m.`name` from t_order_2 as o join t_merchant as m on o.merchant_id = m.id where o.user_id = 1"}}},
		{name: "read of a broadcast table", sql: "SELECT * FROM t_merchant WHERE id = 3",
			units: []goldenUnit{{node: "ds0", sql: "SELECT * FROM t_merchant WHERE id = 3"}}},
		{name: "write of a broadcast table", sql: "UPDATE t_merchant SET name = ? WHERE id = 3", args: []any{"x"},
			units: []goldenUnit{{node: "ds0", sql: "UPDATE t_merchant SET name = ? WHERE id = 3", args: []any{"x"}}, {node: "ds1", sql: "UPDATE t_merchant SET name = ? WHERE id = 3", args: []any{"x"}}}},
		{name: "DDL of a broadcast table", sql: "CREATE TABLE t_merchant (id INT PRIMARY KEY)",
			units: []goldenUnit{{node: "ds0", sql: "CREATE TABLE t_merchant (id INT PRIMARY KEY)"}, {node: "ds1", sql: "CREATE TABLE t_merchant (id INT PRIMARY KEY)"}}},
		{name: "derived table on one node", sql: "SELECT * FROM (SELECT * FROM t_user WHERE id = 1) AS d",
			units: []goldenUnit{{node: "ds0.t_user_1", sql: "select * from (select * from t_user_1 where id = 1) as d"}}},
		{name: "scalar subquery on one node", sql: "SELECT (SELECT name FROM t_user WHERE id = 1) AS n",
			units: []goldenUnit{{node: "ds0.t_user_1", sql: "select (select `name` from t_user_1 where id = 1) as n from dual"}}},
		{name: "subquery of a bound table on the same node", sql: "SELECT * FROM t_order WHERE user_id = 1 AND order_id IN (SELECT order_id FROM t_order_item WHERE user_id = 1)",
			units: []goldenUnit{{node: "ds1.t_order_2", sql: "select * from t_order_2 where user_id = 1 and order_id in (select order_id from t_order_item_2 where user_id = 1)"}}},
		{name: "subquery of an unbound table on the same data source", sql: "SELECT * FROM t_order WHERE user_id = 1 AND note IN (SELECT name FROM t_user WHERE id = 2)",
			units: []goldenUnit{{node: "ds1.t_order_2", sql: "select * from t_order_2 where user_id = 1 and note in (select `name` from t_user_0 where id = 2)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Route(tc.sql, tc.args)
			require.NoError(t, err)
			var got []goldenUnit
			for _, u := range p.Units {
				node := u.DataSource
				if u.Node.Table != "" {
					node = u.Node.String()
				}
				got = append(got, goldenUnit{node: node, sql: u.SQL, args: u.Args})
			}
			assert.Equal(t, tc.units, got)
		})
	}
}

func TestJoinBroadcastSubqueryRefused(t *testing.T) {
	r := joinRouter(t)
	for sql, want := range map[string]string{
		"SELECT * FROM t_order o JOIN t_order_item i ON o.order_id = i.order_id":                                        "not on their sharding columns",
		"SELECT * FROM t_order o JOIN t_user u ON o.user_id = u.id":                                                     "not bound",
		"SELECT * FROM t_order o JOIN t_other x ON o.user_id = x.user_id":                                               "neither bound to it nor a broadcast table",
		"SELECT * FROM t_order o WHERE user_id = 1 AND note IN (SELECT name FROM t_user u WHERE u.id = o.user_id)":      "correlated subquery",
		"SELECT * FROM t_order o WHERE order_id IN (SELECT order_id FROM t_order_item i WHERE i.order_id = o.order_id)": "correlated subquery",
		"INSERT INTO t_merchant (id, name) SELECT id, note FROM t_other":                                                "not on every data source",
		"UPDATE t_merchant SET name = 'x' WHERE id IN (SELECT merchant_id FROM t_order WHERE user_id = 1)":              "subquery",
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), want, sql)
	}
}

func TestHints(t *testing.T) {
	r := joinRouter(t)
	p, err := r.RouteWith("UPDATE t_order SET note = 'x' WHERE order_id = 5", nil, Options{ShardingValues: map[string][]any{"T_ORDER": {int64(1)}}})
	require.NoError(t, err)
	require.Len(t, p.Units, 1)
	assert.Equal(t, "ds1.t_order_2", p.Units[0].Node.String())

	p, err = r.RouteWith("INSERT INTO t_order (order_id, note) VALUES (1, 'a'), (2, 'b')", nil, Options{ShardingValues: map[string][]any{"t_order": {int64(1)}}})
	require.NoError(t, err)
	require.Len(t, p.Units, 1)
	assert.Equal(t, "insert into t_order_2(order_id, note) values (1, 'a'), (2, 'b')", p.Units[0].SQL)

	p, err = r.RouteWith("SELECT * FROM t_other", nil, Options{DataSource: "ds1"})
	require.NoError(t, err)
	assert.Equal(t, "ds1", p.Units[0].DataSource)

	_, err = r.RouteWith("SELECT 1", nil, Options{DataSource: "ds9"})
	assert.ErrorContains(t, err, `unknown data source "ds9"`)
	_, err = r.RouteWith("SELECT 1", nil, Options{ShardingValues: map[string][]any{"nope": {1}}})
	assert.ErrorContains(t, err, "not a sharded table")
}
