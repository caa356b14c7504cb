package driver

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRawClone: the slab copies of a scatter's bounded read are what
// bytes.Clone gives (database/sql's Scan into *any): equal bytes, nil for
// nil, empty and not nil for empty, no shared storage with the source,
// and (from the slab) a capacity equal to the length, so that appending to one value
// never overwrites the next.
func TestRawClone(t *testing.T) {
	for _, slab := range []bool{false, true} {
		r := &rawQuery{slab: slab}
		assert.Nil(t, r.clone(nil))
		empty := r.clone([]byte{})
		assert.NotNil(t, empty)
		assert.Empty(t, empty)
		src := []byte("abc")
		var got [][]byte
		for i := range 5000 { // past several chunks
			src[0] = byte(i)
			got = append(got, r.clone(src))
		}
		big := bytes.Repeat([]byte("x"), slabChunk)
		gotBig := r.clone(big)
		big[0] = 'y'
		assert.Equal(t, byte('x'), gotBig[0])
		for i, g := range got {
			require.Equal(t, []byte{byte(i), 'b', 'c'}, g)
			if slab {
				require.Equal(t, len(g), cap(g))
			}
		}
		_ = append(got[0], 'z')
		assert.Equal(t, []byte{1, 'b', 'c'}, got[1], "an append to one value leaves the next")
	}
}
