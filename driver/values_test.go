package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// bigKey is a named unsigned type, converted by its kind.
type bigKey uint64

// Arguments go through go-sql-driver's conversion, not database/sql's
// default: a BIGINT UNSIGNED key of 2⁶⁴-1 is written and read back, as
// argument and as sharding hint.
func TestUnsignedKeysAndArgumentTypes(t *testing.T) {
	dsns := sharedDSNs(t, t.Name())
	ctx := context.Background()
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", dsns[0]))
	require.NoError(t, topo.AddDataSource("ds1", dsns[1]))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_big", Column: "k", Nodes: "ds${0..1}.t_big_${0..1}", Algorithm: shard.Hash()}))
	db := openDB(t, topo)
	_, err := db.ExecContext(ctx, "CREATE TABLE t_big (k BIGINT UNSIGNED PRIMARY KEY, raw BLOB, doc JSON, at DATETIME)")
	require.NoError(t, err)

	const maxKey = uint64(math.MaxUint64)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	_, err = db.ExecContext(ctx, "INSERT INTO t_big (k, raw, doc, at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
		maxKey, []byte{0, 1}, json.RawMessage(`{"a":1}`), at,
		bigKey(1<<63), []byte("x"), nil, &at)
	require.NoError(t, err)

	var k uint64
	var raw []byte
	var got time.Time
	require.NoError(t, db.QueryRowContext(ctx, "SELECT k, raw, at FROM t_big WHERE k = ?", maxKey).Scan(&k, &raw, &got))
	assert.Equal(t, maxKey, k)
	assert.Equal(t, []byte{0, 1}, raw)
	assert.True(t, at.Equal(got), "%v", got)
	require.NoError(t, db.QueryRowContext(ctx, "SELECT k FROM t_big WHERE k = ?", bigKey(1<<63)).Scan(&k))
	assert.Equal(t, uint64(1<<63), k)

	// The row is on the node Hash gives the key, and a hint finds it there.
	table, _ := topo.Table("t_big")
	n, err := table.NodeFor(maxKey)
	require.NoError(t, err)
	node := table.Nodes[n]
	plain, err := sql.Open("mysql", dsns[node.DataSource[2]-'0'])
	require.NoError(t, err)
	defer plain.Close()
	require.NoError(t, plain.QueryRowContext(ctx, "SELECT k FROM "+node.Table+" WHERE k = ?", maxKey).Scan(&k))
	assert.Equal(t, maxKey, k)
	hinted := driver.WithShardingValues(ctx, "t_big", maxKey)
	var count int
	require.NoError(t, db.QueryRowContext(hinted, "SELECT COUNT(*) FROM t_big").Scan(&count))
	assert.Equal(t, 1, count, "the hint routes to the key's node only")

	var nullRaw []byte
	require.NoError(t, db.QueryRowContext(ctx, "SELECT doc FROM t_big WHERE k = ?", uint64(1<<63)).Scan(&nullRaw))
	assert.Nil(t, nullRaw)
	_, err = db.ExecContext(ctx, "SELECT ? FROM t_big WHERE k = 1", struct{}{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unsupported type struct {}")
}

// unsignedValuer is a driver.Valuer whose value is a uint64.
type unsignedValuer struct{ v uint64 }

func (u unsignedValuer) Value() (sqldriver.Value, error) { return u.v, nil }

// CheckNamedValue converts as go-sql-driver does.
func TestCheckNamedValue(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "root@tcp(127.0.0.1:1)/app"))
	c, err := driver.NewConnector(topo)
	require.NoError(t, err)
	conn, err := c.Connect(context.Background())
	require.NoError(t, err)
	checker := conn.(sqldriver.NamedValueChecker)
	var nilValuer *unsignedValuer
	at := time.Unix(0, 0)
	s := "s"
	for _, c := range []struct {
		in, want any
	}{
		{uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{uint64(5), int64(5)},
		{uint8(7), int64(7)},
		{int16(-3), int64(-3)},
		{float32(1.5), float64(1.5)},
		{json.RawMessage(`{}`), []byte(`{}`)},
		{bigKey(1 << 63), uint64(1 << 63)},
		{unsignedValuer{1 << 63}, uint64(1 << 63)},
		{unsignedValuer{1}, int64(1)},
		{nilValuer, nil},
		{&at, at},
		{&s, "s"},
		{(*string)(nil), nil},
		{true, true},
	} {
		nv := sqldriver.NamedValue{Ordinal: 1, Value: c.in}
		require.NoError(t, checker.CheckNamedValue(&nv), "%T", c.in)
		assert.Equal(t, c.want, nv.Value, "%T", c.in)
	}
	nv := sqldriver.NamedValue{Ordinal: 2, Value: []int{1}}
	err = checker.CheckNamedValue(&nv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "argument 2")
}
