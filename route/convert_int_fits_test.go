package route

import (
	"math"
	"testing"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestInt64FitsMatchesInt64Key: integerKey's shortcut for an int64
// argument (int64Fits, reusing the caller's boxed value) takes exactly
// the values int64Key takes, for every integer column type, signed and
// unsigned, at the edges of each range.
func TestInt64FitsMatchesInt64Key(t *testing.T) {
	var values []int64
	for _, b := range []uint{7, 8, 15, 16, 23, 24, 31, 32, 63} {
		e := int64(1) << b
		if b == 63 {
			values = append(values, math.MaxInt64, math.MaxInt64-1, math.MinInt64, math.MinInt64+1)
			continue
		}
		values = append(values, e-1, e, e+1, -e-1, -e, -e+1)
	}
	values = append(values, 0, 1, -1, 255, 256)
	for _, dt := range []string{"tinyint", "smallint", "mediumint", "int", "integer", "bigint"} {
		for _, unsigned := range []bool{false, true} {
			col := &schema.Column{DataType: dt, Unsigned: unsigned}
			for _, v := range values {
				want := int64Key(col, v, keyStore).res == keyExact
				if got := int64Fits(col, v); got != want {
					t.Errorf("%s unsigned=%v, %d: int64Fits %v, int64Key exact %v", dt, unsigned, v, got, want)
				}
				k := integerKey(col, v, keyStore)
				if want && (k.res != keyExact || k.value != any(v)) {
					t.Errorf("%s unsigned=%v, %d: integerKey %+v", dt, unsigned, v, k)
				}
			}
		}
	}
}
