package route

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// catalogRouter is timeRouter's topology plus t_name (hashed by a
// utf8mb4_general_ci column), with a catalog describing the tables as
// MariaDB would.
func catalogRouter(t *testing.T) (*Router, *schema.Catalog) {
	t.Helper()
	r := timeRouter(t)
	require.NoError(t, r.topo.AddTable(shard.Table{Name: "t_name", Column: "name", Nodes: "ds${0..1}.t_name_${0..3}", Algorithm: shard.Hash()}))
	table := func(name string, cols ...schema.Column) *schema.Table {
		return &schema.Table{Name: name, Columns: cols}
	}
	cat := &schema.Catalog{
		TopologyVersion: r.topo.Version(),
		Sources:         map[string]schema.Source{"ds0": {Database: "app"}, "ds1": {Database: "app"}},
		Tables: map[string]*schema.Table{
			"t_order": table("t_order", *bigintCol),
			"t_user":  table("t_user", schema.Column{Name: "id", DataType: "int", ColumnType: "int(11) unsigned", Unsigned: true}),
			"t_range": table("t_range", schema.Column{Name: "k", DataType: "bigint", ColumnType: "bigint(20)"}),
			"t_month": table("t_month", schema.Column{Name: "at", DataType: "datetime", ColumnType: "datetime"}),
			"t_name":  table("t_name", schema.Column{Name: "name", DataType: "varchar", ColumnType: "varchar(40)", Collation: "utf8mb4_general_ci"}),
		},
		Locations: map[string]*time.Location{"ds0": time.UTC, "ds1": time.UTC},
	}
	return r, cat
}

// nodesOf routes sql with the catalog and returns the plan's nodes.
func nodesOf(t *testing.T, r *Router, cat *schema.Catalog, sql string, args ...any) []string {
	t.Helper()
	p, err := r.RouteWith(sql, args, Options{Catalog: cat})
	require.NoError(t, err, sql)
	var out []string
	for _, u := range p.Units {
		out = append(out, u.Node.String())
	}
	return out
}

func TestRoutingConvertsIntegerKeys(t *testing.T) {
	r, cat := catalogRouter(t)
	one := nodesOf(t, r, cat, "SELECT * FROM t_order WHERE user_id = 1")
	require.Len(t, one, 1)
	all := nodesOf(t, r, cat, "SELECT * FROM t_order")
	require.Len(t, all, 8)
	for _, tc := range []struct {
		sql  string
		args []any
		want []string
	}{
		{"SELECT * FROM t_order WHERE user_id = '01'", nil, one},
		{"SELECT * FROM t_order WHERE user_id = ' 1'", nil, one},
		{"SELECT * FROM t_order WHERE user_id = '1.0'", nil, one},
		{"SELECT * FROM t_order WHERE user_id = '1e0'", nil, one},
		{"SELECT * FROM t_order WHERE user_id = 1.0", nil, one},
		{"SELECT * FROM t_order WHERE user_id = 1e0", nil, one},
		{"SELECT * FROM t_order WHERE user_id = '1abc'", nil, one},
		{"SELECT * FROM t_order WHERE user_id = ?", []any{"01"}, one},
		{"SELECT * FROM t_order WHERE user_id = ?", []any{[]byte("01")}, one},
		{"SELECT * FROM t_order WHERE user_id = ?", []any{1.0}, one},
		{"SELECT * FROM t_order WHERE user_id = ?", []any{true}, one},
		{"SELECT * FROM t_order WHERE '01' = user_id", nil, one},
		// 1.5 equals no integer, but MariaDB's index lookup rounds it
		// (nearKey): a list with it goes whole to every node.
		{"SELECT * FROM t_order WHERE user_id IN ('01', 1.5)", nil, all},
		{"SELECT * FROM t_order WHERE user_id = '9007199254740993'", nil, all},
		{"SELECT * FROM t_order WHERE user_id = 0x31", nil, all},
		{"SELECT * FROM t_order WHERE user_id = X'31'", nil, all},
		{"SELECT * FROM t_order WHERE user_id IN (1, 0x31)", nil, all},
		{"SELECT * FROM t_order WHERE user_id = ?", []any{time.Now()}, all},
	} {
		assert.Equal(t, tc.want, nodesOf(t, r, cat, tc.sql, tc.args...), "%s %v", tc.sql, tc.args)
	}
	// No row equals 1.5, but the server's index lookup may take it for 1
	// or 2 (nearKey): their nodes.
	assert.ElementsMatch(t, append(nodesOf(t, r, cat, "SELECT * FROM t_order WHERE user_id = 1"), nodesOf(t, r, cat, "SELECT * FROM t_order WHERE user_id = 2")...),
		nodesOf(t, r, cat, "SELECT * FROM t_order WHERE user_id = '1.5'"))
	// No row can match: one node answers the empty result.
	assert.Len(t, nodesOf(t, r, cat, "SELECT * FROM t_order WHERE user_id = NULL"), 1)
	assert.Len(t, nodesOf(t, r, cat, "SELECT * FROM t_user WHERE id = -1"), 1, "unsigned column")
}

func TestRoutingConvertsINListsPerNode(t *testing.T) {
	r, cat := catalogRouter(t)
	// t_user: Mod over 4 nodes, node = id mod 4.
	p, err := r.RouteWith("SELECT * FROM t_user WHERE id IN ('01', ?, 2.0, '6')", []any{[]byte(" 5")}, Options{Catalog: cat})
	require.NoError(t, err)
	var got []string
	for _, u := range p.Units {
		got = append(got, u.Node.String()+": "+u.SQL)
	}
	assert.Equal(t, []string{
		"ds0.t_user_1: select * from t_user_1 where id in ('01', ?)",
		"ds1.t_user_0: select * from t_user_0 where id in (2.0, '6')",
	}, got)
	// A number with a fraction: whole, everywhere (nearKey).
	p, err = r.RouteWith("SELECT * FROM t_user WHERE id IN ('01', '2.5')", nil, Options{Catalog: cat})
	require.NoError(t, err)
	require.Len(t, p.Units, 4)
	assert.Contains(t, p.Units[0].SQL, "in ('01', '2.5')")
}

func TestRoutingConvertsRanges(t *testing.T) {
	r, cat := catalogRouter(t)
	// t_range: Range(100, 200, 300) over 4 nodes.
	n := func(i ...int) []string {
		names := []string{"ds0.t_range_0", "ds0.t_range_1", "ds1.t_range_0", "ds1.t_range_1"}
		var out []string
		for _, x := range i {
			out = append(out, names[x])
		}
		return out
	}
	for _, tc := range []struct {
		sql  string
		args []any
		want []string
	}{
		{"SELECT * FROM t_range WHERE k < '100'", nil, n(0)},
		{"SELECT * FROM t_range WHERE k < '100.5'", nil, n(0, 1)},
		{"SELECT * FROM t_range WHERE k <= 99.5", nil, n(0)},
		{"SELECT * FROM t_range WHERE k > 199.5", nil, n(2, 3)},
		{"SELECT * FROM t_range WHERE k >= '199.5'", nil, n(2, 3)},
		{"SELECT * FROM t_range WHERE k > '-0.5' AND k < 99.9", nil, n(0)},
		{"SELECT * FROM t_range WHERE k BETWEEN '1e2' AND ?", []any{"2.99e2"}, n(1, 2)},
		{"SELECT * FROM t_range WHERE k >= '0150abc'", nil, n(1, 2, 3)},
		{"SELECT * FROM t_range WHERE k < '1e30'", nil, n(0, 1, 2, 3)},     // beyond 2^53: unbounded
		{"SELECT * FROM t_range WHERE k > 0x31 AND k < 150", nil, n(0, 1)}, // hex: that end dropped
		{"SELECT * FROM t_range WHERE k > ? AND k < 150", []any{-1.5}, n(0, 1)},
		{"SELECT * FROM t_range WHERE k = '250.0'", nil, n(2)},
	} {
		assert.Equal(t, tc.want, nodesOf(t, r, cat, tc.sql, tc.args...), "%s %v", tc.sql, tc.args)
	}
}

func TestInsertPlacesStoredInteger(t *testing.T) {
	r, cat := catalogRouter(t)
	one := nodesOf(t, r, cat, "INSERT INTO t_order (order_id, user_id) VALUES (1, 1)")
	for _, v := range []string{"'01'", "' 1 '", "'1.0'", "'1e0'", "1.0", "'+1'"} {
		assert.Equal(t, one, nodesOf(t, r, cat, "INSERT INTO t_order (order_id, user_id) VALUES (1, "+v+")"), v)
	}
	assert.Equal(t, one, nodesOf(t, r, cat, "INSERT INTO t_order (order_id, user_id) VALUES (1, ?)", []byte("01")))
	for _, tc := range []struct {
		sql  string
		args []any
		msg  string
	}{
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, '1.5')", nil, `"1.5" is not an integer the column stores exactly`},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, '1abc')", nil, "is not an integer"},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, '')", nil, "is not an integer"},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, 0x31)", nil, "hexadecimal literal"},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, ?)", []any{2.5}, "the server rounds it"},
		{"INSERT INTO t_order (order_id, user_id) VALUES (1, 18446744073709551616)", nil, "out of range"},
		{"INSERT INTO t_user (id) VALUES (-1)", nil, "out of range for int(11) unsigned"},
		{"INSERT INTO t_name (name) VALUES (?)", []any{"\xff"}, "not valid UTF-8"},
	} {
		_, err := r.RouteWith(tc.sql, tc.args, Options{Catalog: cat})
		require.ErrorIs(t, err, ErrUnsupported, tc.sql)
		assert.Contains(t, err.Error(), tc.msg, tc.sql)
		assert.Contains(t, err.Error(), "write the value exactly as the column stores it", tc.sql)
	}
}

func TestTextKeysFollowCollation(t *testing.T) {
	r, cat := catalogRouter(t)
	one := nodesOf(t, r, cat, "SELECT * FROM t_name WHERE name = 'alice'")
	require.Len(t, one, 1)
	for _, v := range []string{"'ALICE'", "'Alice  '", "'alice'"} {
		assert.Equal(t, one, nodesOf(t, r, cat, "SELECT * FROM t_name WHERE name = "+v), v)
		assert.Equal(t, one, nodesOf(t, r, cat, "INSERT INTO t_name (name) VALUES ("+v+")"), v)
	}
	assert.Len(t, nodesOf(t, r, cat, "SELECT * FROM t_name WHERE name = 5"), 8, "a number compared with text: every node")
}

func TestUnknownTableIsConservative(t *testing.T) {
	r, cat := catalogRouter(t)
	delete(cat.Tables, "t_order")
	p, err := r.RouteWith("SELECT * FROM t_order WHERE user_id = 1", nil, Options{Catalog: cat})
	require.NoError(t, err)
	assert.Len(t, p.Units, 8)
	assert.True(t, p.SchemaUnknown)
	_, err = r.RouteWith("INSERT INTO t_order (order_id, user_id) VALUES (1, 1)", nil, Options{Catalog: cat})
	require.ErrorIs(t, err, ErrUnsupported)
	require.ErrorIs(t, err, ErrSchemaUnknown)
	assert.Contains(t, err.Error(), "whose column user_id the servers did not describe")
	// A known table is not marked.
	p, err = r.RouteWith("SELECT * FROM t_user WHERE id = 1", nil, Options{Catalog: cat})
	require.NoError(t, err)
	assert.False(t, p.SchemaUnknown)
	assert.Len(t, p.Units, 1)
}

func TestTimeValuesUseTheDataSourceLoc(t *testing.T) {
	r, cat := catalogRouter(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	at := time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC) // July 1st, 05:00 in Tokyo
	assert.Equal(t, []string{"ds0.t_month_202506"}, nodesOf(t, r, cat, "INSERT INTO t_month (at) VALUES (?)", at))
	cat.Locations = map[string]*time.Location{"ds0": tokyo, "ds1": tokyo}
	assert.Equal(t, []string{"ds1.t_month_202507"}, nodesOf(t, r, cat, "INSERT INTO t_month (at) VALUES (?)", at))
	assert.Equal(t, []string{"ds1.t_month_202507"}, nodesOf(t, r, cat, "SELECT * FROM t_month WHERE at >= ? AND at < '2025-07-02'", at))

	cat.Locations = map[string]*time.Location{"ds0": time.UTC, "ds1": tokyo}
	_, err = r.RouteWith("INSERT INTO t_month (at) VALUES (?)", []any{at}, Options{Catalog: cat})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "different time zones (ds0: loc=UTC, ds1: loc=Asia/Tokyo)")
	assert.False(t, errors.Is(err, ErrSchemaUnknown))
	// Literals are wall clocks already: no zone to disagree on.
	assert.Equal(t, []string{"ds0.t_month_202506"}, nodesOf(t, r, cat, "INSERT INTO t_month (at) VALUES ('2025-06-30 20:00:00')"))
}
