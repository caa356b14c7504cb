package merge

import (
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// TestDeepPageNodeWindows checks the bounds with a window of its own per
// node (position hints, docs/deep-pages.md "Round 9") against a brute
// force: random offsets per node with Σ oᵢ ≤ offset (often Σ oᵢ =
// offset exactly, some oᵢ = 0), random window sizes from 1, nodes that
// end inside or before their window, ties, NULLs, DESC; and the positions
// the cut records (each node's rows before the page and in it).
func TestDeepPageNodeWindows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := 0; iter < 4000; iter++ {
		k := 1 + rng.IntN(6)
		desc := rng.IntN(2) == 0
		order := deepOrder(desc)
		nodes := make([][][]driver.Value, k)
		var all [][]driver.Value
		owner := map[int64]int{}
		id := int64(0)
		for i := range nodes {
			n := rng.IntN(50)
			if rng.IntN(4) == 0 {
				n = rng.IntN(3)
			}
			for j := 0; j < n; j++ {
				id++
				var v driver.Value
				if rng.IntN(8) != 0 {
					v = int64(rng.IntN(30))
				}
				r := []driver.Value{v, id}
				nodes[i] = append(nodes[i], r)
				all = append(all, r)
				owner[id] = i
			}
			sort.Slice(nodes[i], func(a, b int) bool { return order(nodes[i][a], nodes[i][b]) < 0 })
		}
		sort.Slice(all, func(a, b int) bool { return order(all[a], all[b]) < 0 })
		offset := int64(rng.IntN(len(all) + 5))
		count := int64(1 + rng.IntN(12))
		// each node's true position of the page, then a guess around it
		truth := make([]int64, k)
		for _, r := range all[:min(offset, int64(len(all)))] {
			truth[owner[r[1].(int64)]]++
		}
		windows := make([]DeepWindow, k)
		var sum int64
		for i := range windows {
			o := truth[i] + int64(rng.IntN(9)) - 4
			switch rng.IntN(6) {
			case 0:
				o = 0
			case 1:
				o = int64(rng.IntN(60))
			}
			windows[i] = DeepWindow{Offset: max(0, o), Rows: 1 + int64(rng.IntN(8))}
			sum += windows[i].Offset
		}
		// clamp Σ oᵢ ≤ offset, taking the excess from the nodes in turn
		for i := 0; sum > offset; i++ {
			cut := min(sum-offset, windows[i].Offset)
			windows[i].Offset -= cut
			sum -= cut
		}
		if rng.IntN(3) == 0 && sum < offset { // Σ oᵢ = offset exactly
			windows[rng.IntN(k)].Offset += offset - sum
		}
		spec := Spec{Sort: []SortKey{{Col: At(0), Desc: desc}, {Col: At(1)}}}
		d := DeepPage{Spec: spec, Offset: offset, Count: count, Nodes: k, Windows: windows}
		got, _, b := simulateDeepPageBounds(t, d, nodes, order)
		var want [][]driver.Value
		for p := offset; p < offset+count && p < int64(len(all)); p++ {
			want = append(want, all[p])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("iter %d: k=%d desc=%v offset=%d count=%d windows %v:\n got %v\nwant %v", iter, k, desc, offset, count, windows, got, want)
		}
		pos := b.Positions()
		if len(want) == 0 {
			if pos != nil {
				t.Fatalf("iter %d: positions %v for an empty page", iter, pos)
			}
			continue
		}
		in := make([]int64, k)
		for _, r := range want {
			in[owner[r[1].(int64)]]++
		}
		for i := range pos {
			if pos[i] != (DeepPosition{Before: truth[i], Rows: in[i]}) {
				t.Fatalf("iter %d: node %d: position %v, want %d before, %d in the page", iter, i, pos[i], truth[i], in[i])
			}
		}
	}
}

// TestDeepPageWindowsChecked: windows the bounds cannot use are refused,
// not read: offsets past the page's, a window of no rows, a count that
// is not the nodes'.
func TestDeepPageWindowsChecked(t *testing.T) {
	spec := Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1)}}}
	phase1 := [][][]driver.Value{{{int64(1), int64(1)}}, {{int64(2), int64(2)}}}
	for _, tc := range []struct {
		w    []DeepWindow
		want string
	}{
		{[]DeepWindow{{6, 1}, {5, 1}}, "past the page's offset"},
		{[]DeepWindow{{0, 1}, {0, 0}}, "window LIMIT 0, 0"},
		{[]DeepWindow{{0, 1}}, "1 windows for 2 nodes"},
	} {
		_, err := PlanDeepPage(DeepPage{Spec: spec, Offset: 10, Count: 2, Nodes: 2, Windows: tc.w}, []string{"BIGINT", "BIGINT"}, phase1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("windows %v: %v, want an error with %q", tc.w, err, tc.want)
		}
	}
}
