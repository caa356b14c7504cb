package route

import (
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/merge"
)

// TestDeepFetchSpliced checks the fetch statements spliced from one
// printed template against every statement printed from the AST: the
// same SQL and arguments for random ranges of integer and text keys,
// ascending and descending, with the caller's arguments; and the printed
// path where a key is NULL or the statement's text holds the marker.
func TestDeepFetchSpliced(t *testing.T) {
	r := testRouter(t)
	opts := Options{Catalog: testCatalog(), WeightStrings: true, DeepPageKeys: DeepPageKeysOnly}
	rng := rand.New(rand.NewPCG(13, 7))
	for _, c := range []struct {
		q       string
		args    []any
		text    bool // key 0 is text (t_user.name)
		spliced bool
	}{
		{"SELECT order_id, user_id FROM t_order WHERE user_id > ? ORDER BY order_id DESC LIMIT 1000, 10", []any{int64(5)}, false, true},
		{"SELECT user_id, order_id FROM t_order AS o WHERE o.user_id <> ? ORDER BY order_id, user_id DESC LIMIT 5000, 20", []any{int64(-1)}, false, true},
		{"SELECT id, name FROM t_user WHERE id > ? ORDER BY name DESC LIMIT 500, 5", []any{int64(2)}, true, true},
		{"SELECT id, name, '\x001\x00' FROM t_user ORDER BY name LIMIT 500, 5", nil, true, false},
		{"SELECT id, name, '\\x001\\x00 \\0' FROM t_user ORDER BY name LIMIT 500, 5", nil, true, true},
	} {
		p, err := r.RouteWith(c.q, c.args, opts)
		require.NoError(t, err, c.q)
		require.NotNil(t, p.DeepPage, c.q)
		d := p.DeepPage
		require.True(t, d.KeyOnly() || len(d.keys) > 0, c.q)
		keyCols := make([]int, len(d.keys))
		for i := range keyCols {
			keyCols[i] = i
		}
		val := func(j int) driver.Value {
			if j == 0 && c.text {
				return []byte(fmt.Sprintf("n%03d", rng.IntN(1000)))
			}
			if rng.IntN(2) == 0 {
				return int64(rng.IntN(100_000))
			}
			return []byte(fmt.Sprint(rng.IntN(100_000))) // the text protocol's
		}
		row := func() []driver.Value {
			out := make([]driver.Value, len(keyCols))
			for j := range out {
				out[j] = val(j)
			}
			return out
		}
		for range 50 {
			var ranges []merge.DeepRange
			for n := range d.Page.Nodes {
				if rng.IntN(3) > 0 {
					ranges = append(ranges, merge.DeepRange{Node: n, First: row(), Last: row(), KeyCols: keyCols, Rows: int64(1 + rng.IntN(9))})
				}
			}
			want, err := d.fetchPrinted(ranges)
			require.NoError(t, err)
			got, ok, err := d.fetchSpliced(ranges)
			require.NoError(t, err)
			if !c.spliced || len(ranges) < 2 {
				assert.False(t, ok, c.q)
				continue
			}
			require.True(t, ok, c.q)
			require.Equal(t, len(want), len(got))
			for i := range want {
				assert.Equal(t, want[i].SQL, got[i].SQL, c.q)
				assert.Equal(t, want[i].Args, got[i].Args, c.q)
				assert.Equal(t, want[i].DataSource, got[i].DataSource)
				assert.Equal(t, want[i].Node, got[i].Node)
			}
			// a NULL key changes the condition's shape: printed
			ranges[len(ranges)-1].Last = append([]driver.Value(nil), ranges[len(ranges)-1].Last...)
			ranges[len(ranges)-1].Last[0] = nil
			_, ok, err = d.fetchSpliced(ranges)
			require.NoError(t, err)
			assert.False(t, ok)
		}
	}
}
