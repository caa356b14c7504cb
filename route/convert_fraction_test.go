package route

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestFractionKeys: fractional seconds beyond the column's precision are
// cut (MariaDB's default) or rounded (TIME_ROUND_FRACTIONAL, MySQL); a
// value whose two forms fall on different days is unknown, others are
// placed by the cut form.
func TestFractionKeys(t *testing.T) {
	dt0 := &schema.Column{DataType: "datetime", ColumnType: "datetime"}
	dt6 := &schema.Column{DataType: "datetime", ColumnType: "datetime(6)", Scale: 6}
	ts3 := &schema.Column{DataType: "timestamp", ColumnType: "timestamp(3)", Scale: 3}
	date := &schema.Column{DataType: "date", ColumnType: "date"}
	edge := time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)
	for _, c := range []struct {
		col  *schema.Column
		in   any
		use  keyUse
		want time.Time // zero: unknown
	}{
		{dt0, "2025-06-30 23:59:59.4", keyStore, edge},
		{dt0, "2025-06-30 23:59:59.5", keyStore, time.Time{}},
		{dt0, "2025-06-30 23:59:59.9", keyCompare, time.Time{}},
		{dt0, "2025-06-30 23:59:58.9", keyStore, edge.Add(-time.Second)},
		{dt0, edge.Add(999 * time.Millisecond), keyStore, time.Time{}},
		{dt0, "2025-06-30 12:00:00.9", keyStore, time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)},
		{dt6, "2025-06-30 23:59:59.999999", keyStore, edge.Add(999999 * time.Microsecond)},
		{dt6, edge.Add(999999499), keyCompare, edge.Add(999999 * time.Microsecond)},
		{dt6, edge.Add(999999500), keyCompare, time.Time{}},
		{dt6, edge.Add(999999500), keyStore, time.Time{}},
		{ts3, "2025-06-30 23:59:59.9994", keyStore, edge.Add(999 * time.Millisecond)},
		{ts3, "2025-06-30 23:59:59.9995", keyStore, time.Time{}},
		{date, "2025-06-30 23:59:59.9", keyStore, edge.Add(900 * time.Millisecond)}, // a DATE keeps the day: placed by it
		{date, "2025-06-30 23:59:59.9", keyCompare, time.Time{}},
		{date, "2025-06-30", keyCompare, time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
	} {
		got := convertKey(c.col, c.in, c.use, time.UTC)
		if c.want.IsZero() {
			assert.Equal(t, keyUnknown, got.res, "%s %v", c.col.ColumnType, c.in)
			continue
		}
		if assert.Equal(t, keyExact, got.res, "%s %v: %s", c.col.ColumnType, c.in, got.why) {
			assert.True(t, got.value.(time.Time).Equal(c.want), "%s %v: %v, want %v", c.col.ColumnType, c.in, got.value, c.want)
		}
	}
}

// TestNearKeys: a number with a fraction compared with an integer column
// equals no integer, but names the integers beside it (in the column's
// range) for MariaDB's rounding index lookup.
func TestNearKeys(t *testing.T) {
	i32 := &schema.Column{DataType: "int", ColumnType: "int(11)"}
	tiny := &schema.Column{DataType: "tinyint", ColumnType: "tinyint(4)"}
	u64 := &schema.Column{DataType: "bigint", ColumnType: "bigint(20) unsigned", Unsigned: true}
	for _, c := range []struct {
		col  *schema.Column
		in   any
		want []any
	}{
		{i32, 7.2, []any{int64(7), int64(8)}},
		{i32, decimalText("-7.5"), []any{int64(-8), int64(-7)}},
		{i32, "7.4999", []any{int64(7), int64(8)}},
		{i32, " 0.4abc", []any{int64(0), int64(1)}},
		{tiny, 127.4, []any{int64(127)}},
		{tiny, decimalText("-128.5"), []any{int64(-128)}},
		{u64, -0.4, []any{int64(0)}},
		{i32, "1e-1", []any{int64(0), int64(1)}},
	} {
		got := convertKey(c.col, c.in, keyCompare, time.UTC)
		assert.Equal(t, keyNone, got.res, "%v", c.in)
		assert.Equal(t, c.want, got.near, "%s %v", c.col.ColumnType, c.in)
	}
	assert.Nil(t, convertKey(i32, nil, keyCompare, time.UTC).near, "NULL")
	assert.Equal(t, keyUnknown, convertKey(i32, 7.5, keyStore, time.UTC).res, "stored, a fraction is refused")
}

// TestAutoIncrementZero: the values an AUTO_INCREMENT column reads as 0.
func TestAutoIncrementZero(t *testing.T) {
	for _, v := range []any{int64(0), 0.4, -0.4, "0", " 0.49", "abc", "", "0x10", false, []byte("0.1"), decimalText("0.0")} {
		assert.True(t, isZero(v), "%v", v)
	}
	for _, v := range []any{int64(1), 0.5, -0.5, "1", " 0.5", "1abc", true, []byte("2")} {
		assert.False(t, isZero(v), "%v", v)
	}
}

// TestFractionBounds: a range bound cut to the column's precision includes
// its cut value (at < '…00:00:00.4' holds for the row of 00:00:00).
func TestFractionBounds(t *testing.T) {
	r, cat := catalogRouter(t) // t_month: DATETIME, by month
	assert.Equal(t, []string{"ds0.t_month_202506", "ds1.t_month_202507"},
		nodesOf(t, r, cat, "SELECT * FROM t_month WHERE at >= '2025-06-15' AND at < '2025-07-01 00:00:00.4'"))
	assert.Equal(t, []string{"ds0.t_month_202506"},
		nodesOf(t, r, cat, "SELECT * FROM t_month WHERE at >= '2025-06-15' AND at < '2025-07-01 00:00:00'"))
	assert.Contains(t, nodesOf(t, r, cat, "SELECT * FROM t_month WHERE at > '2025-06-30 23:59:59.4' AND at < '2025-07-15'"), "ds1.t_month_202507")
}
