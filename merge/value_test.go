package merge

import (
	"database/sql/driver"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/coltype"
)

// TestKindOfBit: go-sql-driver hands BIT values over as raw big-endian
// bytes in both protocols (b'101' is []byte{0x05}), never as decimal text.
func TestKindOfBit(t *testing.T) {
	rows, err := run(t, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIT"},
		[][]driver.Value{{[]byte{0x01}}, {[]byte{0x05}}},
		[][]driver.Value{{[]byte{0x02}}},
	)
	require.NoError(t, err)
	assert.Equal(t, [][]driver.Value{{[]byte{0x01}}, {[]byte{0x02}}, {[]byte{0x05}}}, rows)
}

func TestCompareDecimal(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"-0.10", "0", -1},
		{"0", "-0.10", 1},
		{"0.0", "-0", 0},
		{"-0.00", "0.000", 0},
		{"0", "0.00", 0},
		{"10.5", "9.99", 1},
		{"9.99", "10.5", -1},
		{"1.10", "1.1", 0},
		{"1.1", "1.10", 0},
		{"-2", "-1.5", -1},
		{"-1.5", "-2", 1},
		{"-1.5", "-1.50", 0},
		{"0.05", "0.5", -1},
		{"0.5", "0.45", 1},
		{"007.5", "7.50", 0},
		{"+3", "3", 0},
		{"-3", "3", -1},
		{"100", "99.999999", 1},
		{"-100", "-99.999999", -1},
		{"12345678901234567890.123", "12345678901234567890.124", -1},
		{"12345678901234567890.124", "12345678901234567890.123", 1},
		{"-12345678901234567890.123", "-12345678901234567890.124", 1},
		{"99999999999999999999999999999999999.9", "99999999999999999999999999999999999.90", 0},
		{"0.000000000000000000000000000001", "0", 1},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, compareDecimal(bs(c.a), bs(c.b)), "compareDecimal(%s, %s)", c.a, c.b)
	}
}

// cmpValues decodes two values of a column of kind kd and compares them.
func cmpValues(t *testing.T, kd coltype.Kind, a, b driver.Value) int {
	t.Helper()
	var x, y key
	require.NoError(t, decode(kd, a, &x))
	require.NoError(t, decode(kd, b, &y))
	return compare(kd, &x, &y)
}

func TestCompareByKind(t *testing.T) {
	t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Microsecond)
	cases := []struct {
		typ  string
		a, b driver.Value
		want int
	}{
		// signed integers, binary and text protocol
		{"BIGINT", int64(-5), int64(3), -1},
		{"BIGINT", int64(3), int64(3), 0},
		{"BIGINT", bs("-5"), bs("3"), -1},
		{"BIGINT", bs("10"), bs("9"), 1}, // numeric, not byte order
		{"INT", bs("-10"), bs("-9"), -1},
		{"BIGINT", int64(math.MinInt64), int64(math.MaxInt64), -1},
		{"BIGINT", bs("-9223372036854775808"), bs("9223372036854775807"), -1},
		{"BIGINT", uint64(7), int64(8), -1},
		// unsigned beyond int64: go-sql-driver's binary protocol sends those as text
		{"UNSIGNED BIGINT", bs("18446744073709551615"), bs("9223372036854775808"), 1},
		{"UNSIGNED BIGINT", bs("9223372036854775808"), int64(math.MaxInt64), 1},
		{"UNSIGNED BIGINT", uint64(math.MaxUint64), uint64(1), 1},
		{"UNSIGNED BIGINT", bs("10"), bs("9"), 1},
		{"UNSIGNED INT", int64(4294967295), int64(0), 1},
		// floats
		{"DOUBLE", float64(-0.5), float64(0.25), -1},
		{"DOUBLE", bs("1e3"), bs("999.5"), 1},
		{"DOUBLE", bs("-0"), float64(0), 0},
		{"FLOAT", float32(1.5), float32(1.25), 1},
		{"DOUBLE", bs("10"), bs("9"), 1},
		// decimals
		{"DECIMAL", bs("-0.10"), bs("0"), -1},
		{"DECIMAL", bs("1.10"), bs("1.1"), 0},
		{"DECIMAL", bs("12345678901234567890.123"), bs("12345678901234567890.124"), -1},
		{"DECIMAL", int64(10), bs("9.99"), 1},
		// TIME: negative and beyond 24h
		{"TIME", bs("-01:00:00"), bs("00:00:00"), -1},
		{"TIME", bs("00:00:00"), bs("25:00:00"), -1},
		{"TIME", bs("-01:00:00"), bs("25:00:00"), -1},
		{"TIME", bs("100:00:00"), bs("99:59:59"), 1},
		{"TIME", bs("-838:59:59"), bs("838:59:59"), -1},
		{"TIME", bs("-00:00:01"), bs("-00:00:00.5"), -1},
		{"TIME", bs("12:00:00.000001"), bs("12:00:00"), 1},
		{"TIME", bs("-10:00:00"), bs("-09:00:00"), -1},
		{"TIME", bs("01:30:00.500000"), bs("01:30:00.5"), 0},
		// DATETIME with parseTime (time.Time) and without ([]byte)
		{"DATETIME", t1, t2, -1},
		{"DATETIME", t2, t1, 1},
		{"DATETIME", t1, t1.In(time.FixedZone("x", 3600)), 0},
		{"DATETIME", bs("2024-01-02 03:04:05"), bs("2024-01-02 03:04:06"), -1},
		{"DATETIME", bs("2023-12-31 23:59:59.999999"), bs("2024-01-01 00:00:00.000000"), -1},
		{"DATE", bs("2024-02-01"), bs("2024-01-31"), 1},
		{"TIMESTAMP", t1, t1, 0},
		// text and bytes without weight: byte order
		{"VARCHAR", bs("Banana"), bs("apple"), -1},
		{"VARCHAR", "abc", bs("abd"), -1},
		{"VARBINARY", bs("\x00\xff"), bs("\x01"), -1},
		{"VARCHAR", bs(""), bs("a"), -1},
	}
	for _, c := range cases {
		kd := coltype.Of(c.typ)
		assert.Equal(t, c.want, cmpValues(t, kd, c.a, c.b), "%s: %v vs %v", c.typ, c.a, c.b)
		assert.Equal(t, -c.want, cmpValues(t, kd, c.b, c.a), "%s: %v vs %v", c.typ, c.b, c.a)
	}
}

func TestCompareNullFirst(t *testing.T) {
	for _, typ := range []string{"BIGINT", "UNSIGNED BIGINT", "DECIMAL", "DOUBLE", "VARCHAR", "DATETIME", "TIME", "VARBINARY"} {
		kd := coltype.Of(typ)
		var lowest driver.Value
		switch kd {
		case coltype.Int:
			lowest = int64(math.MinInt64)
		case coltype.Uint:
			lowest = uint64(0)
		case coltype.Decimal:
			lowest = bs("-99999999999999999999.99")
		case coltype.Float:
			lowest = math.Inf(-1)
		case coltype.Time:
			lowest = time.Time{}
		case coltype.Duration:
			lowest = bs("-838:59:59")
		default:
			lowest = bs("")
		}
		assert.Equal(t, -1, cmpValues(t, kd, nil, lowest), typ)
		assert.Equal(t, 1, cmpValues(t, kd, lowest, nil), typ)
		assert.Equal(t, 0, cmpValues(t, kd, nil, nil), typ)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		typ string
		v   driver.Value
	}{
		{"BIGINT", bs("abc")},
		{"BIGINT", bs("1.5")},
		{"BIGINT", uint64(math.MaxUint64)},
		{"BIGINT", float64(1)},
		{"UNSIGNED BIGINT", bs("-1")},
		{"DOUBLE", bs("x")},
		{"TIME", bs("12:00")},
		{"TIME", bs("aa:bb:cc")},
		{"TIME", bs("01:00:00.x")},
		{"DATETIME", int64(5)},
		{"VARCHAR", true},
	}
	for _, c := range cases {
		var k key
		assert.Error(t, decode(coltype.Of(c.typ), c.v, &k), "%s %v", c.typ, c.v)
	}
}

func TestDecimalArithmetic(t *testing.T) {
	sum := func(vs ...string) string {
		var d decimal
		for _, v := range vs {
			x, err := parseDecimal(bs(v))
			require.NoError(t, err)
			d.add(&x)
		}
		return string(d.bytes())
	}
	assert.Equal(t, "0.30", sum("0.10", "0.20"))
	assert.Equal(t, "1.25", sum("1.5", "-0.25"))
	assert.Equal(t, "0.0", sum("1.5", "-1.5"))
	assert.Equal(t, "-0.005", sum("-0.005"))
	assert.Equal(t, "12345678901234567890.13", sum("12345678901234567890.12", "0.01"))
	assert.Equal(t, "0", sum())

	avg := func(s string, n int64) string {
		d, err := parseDecimal(bs(s))
		require.NoError(t, err)
		q := d.divInt(n, 4)
		return string(q.bytes())
	}
	for _, c := range []struct {
		sum  string
		n    int64
		want string
	}{
		{"10.00", 3, "3.333333"},
		{"-2", 3, "-0.6667"},
		{"2", 3, "0.6667"},
		{"1", 2, "0.5000"},
		{"-1", 8, "-0.1250"},
		{"1", 20000, "0.0001"},   // 0.00005: half rounds away from zero
		{"-1", 20000, "-0.0001"}, // likewise below zero
		{"1", 20001, "0.0000"},
		{"12345678901234567890", 1, "12345678901234567890.0000"},
	} {
		assert.Equal(t, c.want, avg(c.sum, c.n), "%s / %d", c.sum, c.n)
	}
	_, err := parseDecimal(bs("1e5"))
	assert.Error(t, err)
}
