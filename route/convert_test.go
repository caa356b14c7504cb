package route

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

var (
	bigintCol   = &schema.Column{Name: "user_id", DataType: "bigint", ColumnType: "bigint(20)"}
	unsignedCol = &schema.Column{Name: "user_id", DataType: "bigint", ColumnType: "bigint(20) unsigned", Unsigned: true}
	tinyintCol  = &schema.Column{Name: "user_id", DataType: "tinyint", ColumnType: "tinyint(4)"}
)

// want is an expected key: an exact value, keyNone or keyUnknown.
type want struct {
	res   keyResult
	value any
}

func exact(v any) want { return want{res: keyExact, value: v} }

var (
	none    = want{res: keyNone}
	unknown = want{res: keyUnknown}
)

func checkKey(t *testing.T, got key, w want, what string) {
	t.Helper()
	require.Equal(t, w.res, got.res, "%s: %+v", what, got)
	if w.res == keyExact {
		assert.Equal(t, w.value, got.value, what)
	}
	if w.res == keyUnknown {
		assert.NotEmpty(t, got.why, what)
	}
}

// TestIntegerKeyCompare: values compared with an integer column, as MySQL
// compares them (strings and floats as DOUBLE, their numeric prefix).
func TestIntegerKeyCompare(t *testing.T) {
	for _, tc := range []struct {
		v    any
		col  *schema.Column
		want want
	}{
		{int64(1), bigintCol, exact(int64(1))},
		{int64(-5), bigintCol, exact(int64(-5))},
		{uint64(math.MaxUint64), unsignedCol, exact(uint64(math.MaxUint64))},
		{uint64(math.MaxUint64), bigintCol, none}, // beyond the column: no row
		{int64(-1), unsignedCol, none},
		{int64(128), tinyintCol, none},
		{int64(-128), tinyintCol, exact(int64(-128))},
		{true, bigintCol, exact(int64(1))},
		{"1", bigintCol, exact(int64(1))},
		{"01", bigintCol, exact(int64(1))},
		{[]byte("01"), bigintCol, exact(int64(1))},
		{" 1", bigintCol, exact(int64(1))},
		{"\t\n\r1", bigintCol, exact(int64(1))},
		{"\f1", bigintCol, unknown},
		{"1 ", bigintCol, exact(int64(1))},
		{"1.0", bigintCol, exact(int64(1))},
		{"1.", bigintCol, exact(int64(1))},
		{"1e0", bigintCol, exact(int64(1))},
		{"1e", bigintCol, exact(int64(1))},
		{"1e2", bigintCol, exact(int64(100))},
		{"100e-2", bigintCol, exact(int64(1))},
		{"+1", bigintCol, exact(int64(1))},
		{"-0", bigintCol, exact(int64(0))},
		{"- 1", bigintCol, exact(int64(0))},
		{"1abc", bigintCol, exact(int64(1))},
		{"  12abc", bigintCol, exact(int64(12))},
		{"abc", bigintCol, exact(int64(0))},
		{"", bigintCol, exact(int64(0))},
		{"0x31", bigintCol, exact(int64(0))},
		{"1.5", bigintCol, none},
		{".5", bigintCol, none},
		{"-1", unsignedCol, none},
		{"1e20", bigintCol, unknown},                 // beyond 2^53
		{"9007199254740993", bigintCol, unknown},     // 16 digits
		{"18446744073709551616", bigintCol, unknown}, // 2^64
		{"1.0000000000000001", bigintCol, unknown},   // rounds to 1.0 as DOUBLE
		{"1e999", bigintCol, unknown},
		{1.0, bigintCol, exact(int64(1))},
		{-0.0, bigintCol, exact(int64(0))},
		{1.5, bigintCol, none},
		{float64(1 << 53), bigintCol, unknown},
		{math.NaN(), bigintCol, unknown},
		{decimalText("1.0"), bigintCol, exact(int64(1))},
		{decimalText("-1.00"), bigintCol, exact(int64(-1))},
		{decimalText("1.5"), bigintCol, none},
		{decimalText("18446744073709551616"), bigintCol, unknown},
		{hexLiteral("0x31"), bigintCol, unknown},
		{hexLiteral("31"), bigintCol, unknown},
		{time.Now(), bigintCol, unknown},
		{nil, bigintCol, none},
	} {
		checkKey(t, convertKey(tc.col, tc.v, keyCompare, time.UTC), tc.want, tc.col.ColumnType+" = "+describe(tc.v))
	}
}

// TestIntegerKeyStore: values stored in an integer column are placed only
// when shardsql knows the integer the server stores, whatever sql_mode.
func TestIntegerKeyStore(t *testing.T) {
	for _, tc := range []struct {
		v    any
		col  *schema.Column
		want want
	}{
		{int64(1), bigintCol, exact(int64(1))},
		{int64(200), tinyintCol, unknown}, // strict mode errors, other modes clamp
		{int64(-1), unsignedCol, unknown},
		{uint64(1 << 63), unsignedCol, exact(uint64(1 << 63))},
		{"01", bigintCol, exact(int64(1))},
		{" 1 ", bigintCol, exact(int64(1))},
		{"+1", bigintCol, exact(int64(1))},
		{"-0", bigintCol, exact(int64(0))},
		{"1.0", bigintCol, exact(int64(1))},
		{"1e2", bigintCol, exact(int64(100))},
		{"1.50e1", bigintCol, exact(int64(15))},
		{"9223372036854775807", bigintCol, exact(int64(math.MaxInt64))},
		{"9223372036854775808", bigintCol, unknown},
		{"18446744073709551615", unsignedCol, exact(uint64(math.MaxUint64))},
		{"1.5", bigintCol, unknown}, // the server rounds
		{"1abc", bigintCol, unknown},
		{"  12abc", bigintCol, unknown},
		{"abc", bigintCol, unknown},
		{"", bigintCol, unknown},
		{"\t1", bigintCol, unknown},
		{1.0, bigintCol, exact(int64(1))},
		{1e18, bigintCol, exact(int64(1e18))},
		{1.5, bigintCol, unknown},
		{decimalText("2.0"), bigintCol, exact(int64(2))},
		{decimalText("2.5"), bigintCol, unknown},
		{hexLiteral("0x31"), bigintCol, unknown},
	} {
		checkKey(t, convertKey(tc.col, tc.v, keyStore, time.UTC), tc.want, "INSERT "+describe(tc.v)+" into "+tc.col.ColumnType)
	}
}

// TestTextKey: values equal under the column's collation have one key.
func TestTextKey(t *testing.T) {
	ci := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "utf8mb4_general_ci"}
	bin := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "utf8mb4_bin"}
	nopad := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "utf8mb4_0900_bin"}
	latin := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "latin1_swedish_ci"}
	unicodeCI := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "utf8mb4_unicode_ci"}
	mb3 := &schema.Column{DataType: "varchar", ColumnType: "varchar(20)", Collation: "utf8mb3_general_ci"}
	same := func(col *schema.Column, values ...any) {
		t.Helper()
		first := convertKey(col, values[0], keyCompare, time.UTC)
		require.Equal(t, keyExact, first.res, "%s %q: %s", col.Collation, values[0], first.why)
		for _, v := range values[1:] {
			k := convertKey(col, v, keyCompare, time.UTC)
			require.Equal(t, keyExact, k.res, "%s %q: %s", col.Collation, v, k.why)
			assert.Equal(t, first.value, k.value, "%s: %q and %q are equal", col.Collation, values[0], v)
		}
	}
	differ := func(col *schema.Column, a, b string) {
		t.Helper()
		ka, kb := convertKey(col, a, keyCompare, time.UTC), convertKey(col, b, keyCompare, time.UTC)
		require.Equal(t, keyExact, ka.res)
		require.Equal(t, keyExact, kb.res)
		assert.NotEqual(t, ka.value, kb.value, "%s: %q and %q differ", col.Collation, a, b)
	}
	same(ci, "abc", "ABC", "aBc  ", []byte("Abc"))
	same(ci, "été", "ETE", "Été ")
	differ(ci, "abc", "abd")
	same(unicodeCI, "straße", "STRASSE")
	same(mb3, "abc", "ABC ")
	same(latin, "abc", "ABC ")
	same(bin, "abc", "abc   ")
	differ(bin, "abc", "ABC")
	assert.Equal(t, []byte("abc"), convertKey(bin, "abc", keyCompare, time.UTC).value, "_bin keys are the bytes, as before")
	differ(nopad, "abc", "abc ")
	assert.Equal(t, []byte("abc "), convertKey(nopad, "abc ", keyCompare, time.UTC).value)

	for _, tc := range []struct {
		col *schema.Column
		v   any
		use keyUse
	}{
		{ci, int64(1), keyCompare}, // 'a1'? no: '01' = 1 — compared as numbers
		{ci, 1.5, keyStore},
		{ci, hexLiteral("0x61"), keyCompare},
		{ci, "\xff", keyCompare}, // not UTF-8
		{latin, "é", keyCompare}, // converted by the server
		{mb3, "😀", keyCompare},   // not in utf8mb3
		{&schema.Column{DataType: "varchar", Collation: "utf8mb4_uca1400_ai_ci"}, "a", keyCompare}, // not implemented by Vitess
		{&schema.Column{DataType: "varchar"}, "a", keyCompare},                                     // no collation
	} {
		checkKey(t, convertKey(tc.col, tc.v, tc.use, time.UTC), unknown, tc.col.Collation+" "+describe(tc.v))
	}
	// An integer stored in a text column is its decimal text.
	stored := convertKey(ci, int64(12), keyStore, time.UTC)
	checkKey(t, stored, exact(convertKey(ci, "12", keyCompare, time.UTC).value), "INSERT 12 into varchar")
}

// TestBinaryKey: binary strings are their bytes; BINARY(n) only at full
// width, since the server pads shorter values with zero bytes.
func TestBinaryKey(t *testing.T) {
	vb := &schema.Column{DataType: "varbinary", ColumnType: "varbinary(16)", MaxLength: 16}
	fixed := &schema.Column{DataType: "binary", ColumnType: "binary(4)", MaxLength: 4}
	checkKey(t, convertKey(vb, "ab ", keyCompare, time.UTC), exact([]byte("ab ")), "varbinary")
	checkKey(t, convertKey(vb, []byte{0, 1}, keyStore, time.UTC), exact([]byte{0, 1}), "varbinary")
	checkKey(t, convertKey(vb, int64(1), keyCompare, time.UTC), unknown, "number compared with varbinary")
	checkKey(t, convertKey(vb, int64(12), keyStore, time.UTC), exact([]byte("12")), "number stored in varbinary")
	checkKey(t, convertKey(fixed, "abcd", keyCompare, time.UTC), exact([]byte("abcd")), "binary(4)")
	checkKey(t, convertKey(fixed, "ab", keyStore, time.UTC), unknown, "padded by the server")
	checkKey(t, convertKey(&schema.Column{DataType: "decimal", ColumnType: "decimal(10,2)"}, int64(1), keyCompare, time.UTC), unknown, "decimal")
}

// TestTimeKey: a time.Time is placed by its wall clock in the data
// source's loc, which is what go-sql-driver writes.
func TestTimeKey(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	dt := &schema.Column{DataType: "datetime", ColumnType: "datetime"}
	at := time.Date(2025, 3, 31, 20, 0, 0, 0, time.UTC) // April 1st, 05:00 in Tokyo
	checkKey(t, convertKey(dt, at, keyStore, tokyo), exact(time.Date(2025, 4, 1, 5, 0, 0, 0, time.UTC)), "Tokyo")
	checkKey(t, convertKey(dt, at, keyStore, time.UTC), exact(at), "UTC")
	checkKey(t, convertKey(nil, at, keyCompare, tokyo), exact(time.Date(2025, 4, 1, 5, 0, 0, 0, time.UTC)), "unknown column")
	checkKey(t, convertKey(dt, "2025-03-31 20:00:00", keyCompare, tokyo), exact(time.Date(2025, 3, 31, 20, 0, 0, 0, time.UTC)), "literals are wall clocks, whatever the loc")
	checkKey(t, convertKey(bigintCol, at, keyCompare, tokyo), unknown, "time for an integer column")
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return quoteValue(x)
	case []byte:
		return "[]byte(" + quoteValue(string(x)) + ")"
	}
	return fmtValue(v)
}

func fmtValue(v any) string { return fmt.Sprintf("%T(%v)", v, v) }
