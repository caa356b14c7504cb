package merge

import (
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
)

// TestDeepHintWindows checks the prediction: the same page reads each
// node's kᵢ rows and the base margin either side; the next page starts at
// hᵢ + kᵢ; Σ oᵢ never exceeds the offset (clamped, windows keeping their
// ends); every window has a row; a hint of another node count, or whose
// windows cost the cold phase's rows, is not used.
func TestDeepHintWindows(t *testing.T) {
	h := &deepHint{offset: 1000, count: 10, pos: []DeepPosition{{250, 3}, {250, 2}, {0, 0}, {500, 5}}}
	same := h.windows(1000, 10, 4, 1<<20)
	want := []DeepWindow{{249, 3 + 2}, {249, 2 + 2}, {0, 1}, {499, 5 + 2}}
	if fmt.Sprint(same) != fmt.Sprint(want) {
		t.Fatalf("same page: %v, want %v", same, want)
	}
	next := h.windows(1010, 10, 4, 1<<20)
	for i, w := range next {
		p := h.pos[i]
		if w.Offset != max(0, p.Before+p.Rows-deepHintBase) {
			t.Errorf("next page, node %d: window %v does not start %d before hᵢ + kᵢ = %d", i, w, deepHintBase, p.Before+p.Rows)
		}
	}
	for _, off := range []int64{0, 1, 7, 500, 990, 999, 1000, 1005, 1010, 1500, 5000} {
		for _, c := range []int64{1, 10, 100} {
			w := h.windows(off, c, 4, 1<<20)
			if w == nil {
				continue
			}
			if err := (DeepPage{Offset: off, Count: c, Nodes: 4, Windows: w}).checkWindows(); err != nil {
				t.Errorf("offset %d count %d: %v: %v", off, c, w, err)
			}
		}
	}
	if w := h.windows(1000, 10, 5, 1<<20); w != nil {
		t.Errorf("a hint of 4 nodes used for 5: %v", w)
	}
	if w := h.windows(1000, 10, 4, 10); w != nil {
		t.Errorf("windows of more rows than the cold phase's used: %v", w)
	}
	if w := h.windows(1<<62, 10, 4, 1<<62); w != nil {
		t.Errorf("a far offset: %v", w)
	}
}

// TestDeepHintsCache: least recently used shapes are evicted, a shape
// is replaced whole, and the cache is safe for concurrent use (-race).
func TestDeepHintsCache(t *testing.T) {
	c := NewDeepHints(2)
	c.put("a", &deepHint{offset: 1})
	c.put("b", &deepHint{offset: 2})
	if _, ok := c.get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.put("c", &deepHint{offset: 3})
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted")
	}
	c.put("a", &deepHint{offset: 4})
	if h, _ := c.get("a"); h.offset != 4 {
		t.Errorf("a not replaced: %v", h)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := fmt.Sprint((g + i) % 5)
				c.put(k, &deepHint{offset: int64(i)})
				c.get(k)
				c.hinted.Add(1)
			}
		}()
	}
	wg.Wait()
	if c.lru.Len() != 2 || len(c.entries) != 2 || c.Stats().Hinted != 1600 {
		t.Errorf("%d entries, %d in the map, %d hinted", c.lru.Len(), len(c.entries), c.Stats().Hinted)
	}
	var nilHints *DeepHints
	if nilHints.Has("a") || nilHints.Stats() != (DeepHintStats{}) {
		t.Error("a nil cache has no hints")
	}
}

// TestDeepHintExactCovers: the same page again, with the positions its
// cut recorded and the data unchanged, is cut from the hinted phase 1
// alone (no node needs phase 2) and is the page, on random layouts
// (ties, NULLs, DESC, nodes of 0–2 rows, offsets from 0 past the end).
// This is what deepHintExact = 1 must give; with 0 it fails.
func TestDeepHintExactCovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for iter := 0; iter < 4000; iter++ {
		k := 1 + rng.IntN(8)
		desc := rng.IntN(2) == 0
		order := deepOrder(desc)
		nodes := make([][][]driver.Value, k)
		var all [][]driver.Value
		owner := map[int64]int{}
		id := int64(0)
		for i := range nodes {
			n := rng.IntN(60)
			if rng.IntN(4) == 0 {
				n = rng.IntN(3)
			}
			for range n {
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
		offset := int64(rng.IntN(len(all) + 3))
		count := int64(1 + rng.IntN(12))
		pos := make([]DeepPosition, k)
		for p, r := range all {
			switch {
			case int64(p) < offset:
				pos[owner[r[1].(int64)]].Before++
			case int64(p) < offset+count:
				pos[owner[r[1].(int64)]].Rows++
			}
		}
		h := &deepHint{offset: offset, count: count, pos: pos}
		w := h.windows(offset, count, k, 1<<40)
		if w == nil {
			continue // an empty table or page: no hint is kept for it
		}
		spec := Spec{Sort: []SortKey{{Col: At(0), Desc: desc}, {Col: At(1)}}}
		d := DeepPage{Spec: spec, Offset: offset, Count: count, Nodes: k, Windows: w}
		got, _, b := simulateDeepPageBounds(t, d, nodes, order)
		var want [][]driver.Value
		for p := offset; p < offset+count && p < int64(len(all)); p++ {
			want = append(want, all[p])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("iter %d: k=%d offset=%d count=%d windows %v:\n got %v\nwant %v", iter, k, offset, count, w, got, want)
		}
		if b.Phase2() {
			t.Fatalf("iter %d: k=%d desc=%v offset=%d count=%d positions %v windows %v: an exact hint needs phase 2", iter, k, desc, offset, count, pos, w)
		}
	}
}
