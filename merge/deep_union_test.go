package merge

import (
	"context"
	"database/sql/driver"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDeepUnionDemux reads two data sources' unions, each of two nodes'
// windows, whose rows come tagged and in no order at all (MariaDB does not
// promise a UNION ALL's order): every node gets exactly its rows, without
// the tag, and the deep page planned from them is the one planned from
// the windows read one statement per node.
func TestDeepUnionDemux(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	d := DeepPage{Spec: Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1)}}}, Offset: 400, Count: 10, Nodes: 4, Margin: 20}
	types := []string{"BIGINT", "BIGINT"}
	for round := 0; round < 50; round++ {
		// node i's window: sorted rows (value, id), ties on value
		windows := make([][][]driver.Value, 4)
		for i := range windows {
			v := int64(r.IntN(50))
			for j := 0; j < int(d.Window())-r.IntN(3)*int(d.Window())/2; j++ {
				v += int64(r.IntN(2))
				windows[i] = append(windows[i], []driver.Value{v, int64(i*1000 + j)})
			}
		}
		union := [][]int{{0, 1}, {2, 3}}
		var cursors []Cursor
		for _, nodes := range union {
			var rows [][]driver.Value
			for _, n := range nodes {
				for _, w := range windows[n] {
					tag := driver.Value(int64(n))
					if r.IntN(2) == 0 {
						tag = []byte{byte('0' + n)} // the text protocol's
					}
					rows = append(rows, append([]driver.Value{tag}, w...))
				}
			}
			r.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
			cursors = append(cursors, &sliceCursor{rows: rows})
		}
		ex := fixedExecutor{cols: []Column{{Type: "INT", Name: "__shardsql_u"}, {Type: "BIGINT", Name: "v", Meta: "m0"}, {Type: "BIGINT", Name: "id", Meta: "m1"}}, cursors: cursors}
		reads := []deepRead{{union: union[0]}, {union: union[1]}}
		got, cols, err := readNodes(context.Background(), ex, &Route{Units: make([]Unit, 2)}, reads, 4, int(d.Window()), &deepScratch{})
		require.NoError(t, err)
		require.Equal(t, []Column{{Type: "BIGINT", Name: "v", Meta: "m0"}, {Type: "BIGINT", Name: "id", Meta: "m1"}}, cols, "the tag's column is dropped")
		for i := range windows {
			require.ElementsMatch(t, windows[i], got[i], "node %d", i)
		}
		want, err := PlanDeepPage(d, types, windows)
		require.NoError(t, err)
		have, err := PlanDeepPage(d, types, got)
		require.NoError(t, err)
		require.Equal(t, want.Lower, have.Lower)
		require.Equal(t, want.Nodes, have.Nodes)
		for i := range got {
			if len(windows[i]) > 0 {
				require.Equal(t, windows[i], got[i], "node %d's rows sorted by the total order", i)
			}
		}
	}
}

// TestDeepUnionDemuxRefuses: a row whose tag names no branch of its
// statement, and a phase mixing unions with single statements, fail the
// read rather than place rows on a node.
func TestDeepUnionDemuxRefuses(t *testing.T) {
	cols := []Column{{Type: "INT"}, {Type: "BIGINT"}}
	read := func(reads []deepRead, parts ...[][]driver.Value) error {
		ex := fixedExecutor{cols: cols, cursors: asCursors(nodeCursors(parts...))}
		_, _, err := readNodes(context.Background(), ex, &Route{Units: make([]Unit, len(parts))}, reads, 4, 0, nil)
		return err
	}
	require.ErrorContains(t, read([]deepRead{{union: []int{0, 1}}}, [][]driver.Value{{int64(0), int64(5)}, {int64(2), int64(6)}}), "tagged 2")
	require.ErrorContains(t, read([]deepRead{{union: []int{0, 1}}}, [][]driver.Value{{[]byte("x"), int64(5)}}), "tagged")
	require.ErrorContains(t, read([]deepRead{{union: []int{0, 1}}, {node: 2}}, nil, nil), "unions and single")
	require.NoError(t, read([]deepRead{{union: []int{0, 1}}, {union: []int{2}}}, [][]driver.Value{{int64(1), int64(5)}}, [][]driver.Value{{int64(2), int64(6)}}))
}
