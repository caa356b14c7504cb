package merge

import (
	"database/sql/driver"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genCursor produces n rows (key, payload) sorted by key, allocating each
// row's payload as a database driver would, without holding them.
type genCursor struct {
	node, nodes int
	i, n        int
}

func (g *genCursor) Next(dest []driver.Value) error {
	if g.i >= g.n {
		return io.EOF
	}
	dest[0] = int64(g.i*g.nodes + g.node)
	dest[1] = make([]byte, 128)
	g.i++
	return nil
}

func (g *genCursor) Close() error { return nil }

// TestMergeMillionRowsInBoundedMemory merges 1,000,000 rows of 8 nodes,
// about 150 MB of row data, and checks the heap never holds more than a
// small fraction of it: the merge streams.
func TestMergeMillionRowsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a million rows")
	}
	const nodes, perNode = 8, 125_000
	cursors := make([]Cursor, nodes)
	for i := range cursors {
		cursors[i] = &genCursor{node: i, nodes: nodes, n: perNode}
	}
	cur, err := newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT", "VARBINARY"}, cursors)
	require.NoError(t, err)
	defer cur.Close()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	row := make([]driver.Value, 2)
	n := int64(0)
	for {
		err := cur.Next(row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Equal(t, n, row[0], "rows arrive in key order")
		n++
		if n%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	assert.Equal(t, int64(nodes*perNode), n)
	resultBytes := uint64(nodes * perNode * (128 + 2*16))
	grown := peak - min(peak, base)
	t.Logf("merged %d rows (%d MB of row data); peak heap %.1f MB above the start", n, resultBytes>>20, float64(grown)/(1<<20))
	assert.Less(t, grown, resultBytes/8, "the merge must not hold the result")
}
