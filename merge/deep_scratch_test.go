package merge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/coltype"
)

// TestDeepScratchKeyPointers: put back, a scratch's key slab holds no
// pointer into a page's values — cleared after keys that may hold one,
// left as decoded (no pointer: decode zeroes each key) after integer and
// float keys.
func TestDeepScratchKeyPointers(t *testing.T) {
	var pool DeepScratch
	sc := pool.get()
	keys, _ := sc.grow(3, 2, true)
	for i := range keys {
		require.NoError(t, decode(coltype.Text, []byte("abc"), &keys[i]))
		keys[i].t = time.Now()
	}
	pool.put(sc)
	for i := range keys {
		require.Equal(t, key{}, keys[i], "cleared")
	}
	for _, kd := range []coltype.Kind{coltype.Int, coltype.Uint, coltype.Float} {
		require.False(t, keyHoldsPointers(kd))
		keys, _ = sc.grow(3, 2, keyHoldsPointers(kd))
		for i := range keys {
			keys[i].b, keys[i].t = []byte("stale"), time.Now() // what an earlier page could have left
			require.NoError(t, decode(kd, int64(7), &keys[i]))
			require.Nil(t, keys[i].b)
			require.Equal(t, time.Time{}, keys[i].t)
		}
		pool.put(sc)
	}
	for _, kd := range []coltype.Kind{coltype.Text, coltype.Decimal, coltype.Time} {
		require.True(t, keyHoldsPointers(kd), kd)
	}
}
