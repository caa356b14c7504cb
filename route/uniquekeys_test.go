package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
)

// uniqueKeyCatalog: t_order's primary key is order_id alone (unique per
// node only) and AUTO_INCREMENT; t_user's keys contain id.
func uniqueKeyCatalog() *schema.Catalog {
	c := testCatalog()
	c.Tables["t_order"] = &schema.Table{Name: "t_order",
		Columns: []schema.Column{
			{Name: "order_id", DataType: "bigint", AutoIncrement: true},
			{Name: "user_id", DataType: "bigint"},
			{Name: "sku", DataType: "varchar"},
		},
		Indexes: []schema.Index{
			{Name: "PRIMARY", Primary: true, Columns: []string{"order_id"}},
		}}
	c.Tables["t_user"].Indexes = append(c.Tables["t_user"].Indexes, schema.Index{Name: "uk_name", Columns: []string{"name", "ID"}})
	return c
}

func TestUniqueKeysAcrossNodes(t *testing.T) {
	r := testRouter(t)
	cases := []struct {
		name string
		sql  string
		cat  *schema.Catalog
		err  []string // nil: must route
	}{
		{name: "replace, key without sharding column", sql: "REPLACE INTO t_order (order_id, user_id) VALUES (1, 1)", cat: uniqueKeyCatalog(),
			err: []string{"REPLACE on sharded table t_order, whose unique key PRIMARY (order_id) does not contain sharding column user_id", "another node"}},
		{name: "insert ignore, key without sharding column", sql: "INSERT IGNORE INTO t_order (order_id, user_id) VALUES (1, 1)", cat: uniqueKeyCatalog(),
			err: []string{"INSERT IGNORE on sharded table t_order, whose unique key PRIMARY (order_id)"}},
		{name: "on duplicate key update, key without sharding column", sql: "INSERT INTO t_order (order_id, user_id, sku) VALUES (1, 1, 'a') ON DUPLICATE KEY UPDATE sku = 'b'", cat: uniqueKeyCatalog(),
			err: []string{"INSERT … ON DUPLICATE KEY UPDATE on sharded table t_order, whose unique key PRIMARY (order_id)", "UPDATE by the sharding column)"}},
		{name: "gorm's association upsert names Omit(clause.Associations)", sql: "INSERT INTO t_order (user_id, sku, order_id) VALUES (1, 'a', 7) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id)", cat: uniqueKeyCatalog(),
			err: []string{"does not contain sharding column user_id", "Omit(clause.Associations)"}},
		{name: "replace set form", sql: "REPLACE INTO t_order SET order_id = 1, user_id = 1", cat: uniqueKeyCatalog(),
			err: []string{"REPLACE on sharded table t_order"}},
		{name: "replace with unknown catalog", sql: "REPLACE INTO t_user (id) VALUES (1)",
			err: []string{"REPLACE on sharded table t_user whose unique keys shardsql does not know (the servers' catalog is not loaded)"}},
		{name: "insert ignore with table missing from catalog", sql: "INSERT IGNORE INTO t_user (id) VALUES (1)", cat: &schema.Catalog{Sources: testCatalog().Sources},
			err: []string{"whose column id the servers did not describe"}}, // refused before the unique keys are looked at
		{name: "keys contain the sharding column", sql: "REPLACE INTO t_user (id, name) VALUES (1, 'a')", cat: uniqueKeyCatalog()},
		{name: "insert ignore, keys contain the sharding column", sql: "INSERT IGNORE INTO t_user (id, name) VALUES (1, 'a')", cat: uniqueKeyCatalog()},
		{name: "plain insert is not refused", sql: "INSERT INTO t_order (order_id, user_id) VALUES (1, 1)", cat: uniqueKeyCatalog()},
		{name: "plain insert with unknown catalog", sql: "INSERT INTO t_order (order_id, user_id) VALUES (1, 1)"},

		{name: "auto increment omitted", sql: "INSERT INTO t_order (user_id) VALUES (1)", cat: uniqueKeyCatalog(),
			err: []string{"leaves AUTO_INCREMENT column order_id to the server (the column is omitted)", "shard.Table.KeyColumn = \"order_id\" and shard.Table.KeyGenerator"}},
		{name: "auto increment NULL", sql: "INSERT INTO t_order (order_id, user_id) VALUES (5, 1), (NULL, 2)", cat: uniqueKeyCatalog(),
			err: []string{"AUTO_INCREMENT column order_id to the server (NULL)"}},
		{name: "auto increment 0", sql: "INSERT INTO t_order (order_id, user_id) VALUES (0, 1)", cat: uniqueKeyCatalog(),
			err: []string{"(0)", "KeyGenerator"}},
		{name: "auto increment '0' string", sql: "INSERT INTO t_order (order_id, user_id) VALUES ('0', 1)", cat: uniqueKeyCatalog(),
			err: []string{"(0)"}},
		{name: "auto increment 0 argument", sql: "INSERT INTO t_order (order_id, user_id) VALUES (?, 1)", cat: uniqueKeyCatalog(),
			err: []string{"(0)"}},
		{name: "auto increment DEFAULT", sql: "INSERT INTO t_order (order_id, user_id) VALUES (DEFAULT, 1)", cat: uniqueKeyCatalog(),
			err: []string{"(DEFAULT)"}},
		{name: "auto increment expression", sql: "INSERT INTO t_order (order_id, user_id) VALUES (NULLIF(1, 1), 1)", cat: uniqueKeyCatalog(),
			err: []string{"an expression that may be NULL or 0"}},
		{name: "auto increment given", sql: "INSERT INTO t_order (order_id, user_id) VALUES (7, 1), (?, 2)", cat: uniqueKeyCatalog()},
		{name: "auto increment unknown without catalog", sql: "INSERT INTO t_order (user_id) VALUES (1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var args []any
			if n := countMarks(tc.sql); n > 0 {
				args = []any{int64(0)}
				if tc.err == nil {
					args = []any{int64(8)}
				}
			}
			p, err := r.RouteWith(tc.sql, args, Options{Catalog: tc.cat})
			if tc.err == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err, "plan:\n%v", p)
			assert.ErrorIs(t, err, ErrUnsupported)
			for _, want := range tc.err {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func countMarks(sql string) int {
	n := 0
	for _, c := range sql {
		if c == '?' {
			n++
		}
	}
	return n
}

// TestAutoIncrementWithKeyGenerator: a KeyGenerator for the AUTO_INCREMENT
// column fills omitted and NULL ids; 0 would still be left to the server.
func TestAutoIncrementWithKeyGenerator(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app"))
	gen, err := seq.NewSnowflake(1)
	require.NoError(t, err)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}",
		KeyColumn: "order_id", KeyGenerator: gen}))
	r, err := New(topo)
	require.NoError(t, err)
	cat := uniqueKeyCatalog()
	p, err := r.RouteWith("INSERT INTO t_order (user_id) VALUES (1), (2)", nil, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Len(t, p.GeneratedIDs, 2)
	_, err = r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (NULL, 1)", nil, Options{Catalog: cat})
	require.NoError(t, err)
	_, err = r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (0, 1)", nil, Options{Catalog: cat})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "(0)")
}

// TestUniqueKeyOfGeneratedIDs: an upsert whose only unique key without the
// sharding column holds the generated key column, left to the generator on
// every row (gorm's Create with associations: ON DUPLICATE KEY UPDATE
// author_id = VALUES(author_id), ids omitted), is routed; a row giving its
// own key keeps the refusal. Before compat11 all of them were refused.
func TestUniqueKeyOfGeneratedIDs(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:2)/app"))
	gen, err := seq.NewSnowflake(1)
	require.NoError(t, err)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}",
		KeyColumn: "order_id", KeyGenerator: gen}))
	r, err := New(topo)
	require.NoError(t, err)
	cat := uniqueKeyCatalog()
	for _, q := range []string{
		"INSERT INTO t_order (user_id, sku) VALUES (1, 'a'), (2, 'b') ON DUPLICATE KEY UPDATE user_id = VALUES(user_id)",
		"INSERT INTO t_order (order_id, user_id) VALUES (NULL, 1), (DEFAULT, 2) ON DUPLICATE KEY UPDATE sku = 'x'",
		"INSERT IGNORE INTO t_order (user_id) VALUES (3)",
	} {
		p, err := r.RouteWith(q, nil, Options{Catalog: cat})
		require.NoError(t, err, q)
		assert.NotEmpty(t, p.GeneratedIDs, q)
	}
	for _, q := range []string{
		"INSERT INTO t_order (order_id, user_id) VALUES (NULL, 1), (7, 2) ON DUPLICATE KEY UPDATE sku = 'x'",
		"INSERT IGNORE INTO t_order (order_id, user_id) VALUES (7, 1)",
	} {
		_, err := r.RouteWith(q, nil, Options{Catalog: cat})
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.Contains(t, err.Error(), "does not contain sharding column user_id", q)
	}
	// With ? arguments: NULL leaves the key to the generator, a value does not.
	_, err = r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE sku = 'x'", []any{nil, 1}, Options{Catalog: cat})
	require.NoError(t, err)
	_, err = r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE sku = 'x'", []any{int64(9), 1}, Options{Catalog: cat})
	require.ErrorIs(t, err, ErrUnsupported)
}
