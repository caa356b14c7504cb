package driver

import (
	"bytes"
	"database/sql/driver"
	"io"
	"sync"
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

// TestRawBufRelease: a scatter's bounded rows go back to the pool only
// once every row was copied out (Next at the end) or the cursor closed,
// cleared; the rows copied out keep their values when the storage is
// reused; release is idempotent.
func TestRawBufRelease(t *testing.T) {
	for _, closeEarly := range []bool{false, true} {
		var pool sync.Pool
		buf := getRawBuf(&pool)
		buf.vals = make([]driver.Value, 6)
		for i := range buf.vals {
			buf.vals[i] = int64(i)
		}
		buf.held = [][]driver.Value{buf.vals[0:2:2], buf.vals[2:4:4], buf.vals[4:6:6]}
		raw := &rawRows{held: buf.held, buf: buf, pool: &pool}
		cur := &unitCursor{buffer: true, held: raw.held, pooled: raw, src: &scatterSource{started: closedChan()}}
		cur.once.Do(func() {}) // loaded
		var got [][]driver.Value
		for range 2 {
			row := make([]driver.Value, 2)
			require.NoError(t, cur.Next(row))
			got = append(got, row)
		}
		require.NotNil(t, raw.buf, "not given back while rows remain")
		if closeEarly {
			require.NoError(t, cur.Close())
		} else {
			row := make([]driver.Value, 2)
			require.NoError(t, cur.Next(row))
			got = append(got, row)
			require.ErrorIs(t, cur.Next(row), io.EOF)
			require.NoError(t, cur.Close())
		}
		require.Nil(t, raw.buf, "given back")
		raw.release() // again: nothing
		assert.Equal(t, make([]driver.Value, 6), buf.vals[:6], "cleared")
		reused := getRawBuf(&pool)
		reused.vals = append(reused.vals[:0], "x", "x", "x", "x", "x", "x")
		for i, row := range got {
			assert.Equal(t, []driver.Value{int64(2 * i), int64(2*i + 1)}, row, "rows copied out keep their values")
		}
	}
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// intRows are n-column rows of integers (a driver.Rows for the storage
// tests; no database behaviour is involved).
type intRows struct {
	n, rows, at int
}

func (r *intRows) Columns() []string { return make([]string, r.n) }
func (r *intRows) Close() error      { return nil }
func (r *intRows) Next(dest []driver.Value) error {
	if r.at == r.rows {
		return io.EOF
	}
	r.at++
	for i := range dest {
		dest[i] = int64(1000*r.at + i)
	}
	return nil
}

// TestRawBufAllClear: storage in the pool is clear in every value slot
// after reads of any size against bounds far above them (a phase 2's), up
// to and past the bound, so clearing only what a read used suffices.
func TestRawBufAllClear(t *testing.T) {
	var pool sync.Pool
	for _, c := range []struct{ n, rows, bound int }{{3, 2, 500}, {2, 40, 500}, {3, 0, 500}, {4, 7, 5}, {1, 600, 500}, {3, 1, 100}} {
		buf := getRawBuf(&pool)
		r := &rawQuery{bound: c.bound, vals: buf.vals, held: buf.held}
		require.NoError(t, r.read(&intRows{n: c.n, rows: c.rows}))
		require.Len(t, r.held, c.rows)
		for i, row := range r.held {
			require.Equal(t, int64(1000*(i+1)), row[0])
		}
		buf.keep(r)
		putRawBuf(&pool, buf)
		all := buf.vals[:cap(buf.vals)]
		for i, v := range all {
			require.Nil(t, v, "slot %d of %d after %+v", i, len(all), c)
		}
	}
}
