package merge

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/coltype"
)

// TestBoundarySearch checks boundary against merging the windows and
// scanning them: random sorted windows of one or two integer keys, with
// NULLs, descending keys and keys equal across nodes (a unique key that
// is unique per table only), and monotone predicates (at or after a
// random row or value of the order).
func TestBoundarySearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for iter := range 3000 {
		nk := 1 + rng.IntN(2)
		keys := make([]cmpKey, nk)
		for i := range keys {
			keys[i] = cmpKey{col: i, kind: coltype.Int, desc: rng.IntN(2) == 0}
		}
		cmpf := keyComparer(keys)
		span := 2 + rng.IntN(40)
		randKey := func() []key {
			k := make([]key, nk)
			for i := range k {
				if rng.IntN(10) == 0 {
					k[i].null = true
				} else {
					k[i].i = int64(rng.IntN(span))
				}
			}
			return k
		}
		lists := make([][][]key, 1+rng.IntN(8))
		for n := range lists {
			seen := map[[4]int64]bool{}
			for range rng.IntN(12) {
				k := randKey()
				id := [4]int64{}
				for i := range k {
					id[2*i], id[2*i+1] = k[i].i, map[bool]int64{true: 1}[k[i].null]
				}
				if !seen[id] { // unique within a node
					seen[id] = true
					lists[n] = append(lists[n], k)
				}
			}
			sortKeys(cmpf, lists[n])
		}
		pivot := randKey()
		strict := rng.IntN(2) == 0
		pred := func(x []key) bool {
			c := cmpf(x, pivot)
			return c > 0 || c == 0 && !strict
		}
		if rng.IntN(8) == 0 {
			pred = func([]key) bool { return false }
		}
		var lfN, lfJ, ftN, ftJ int
		lfOK, ftOK := false, false
		for nm := newNodeMerge(keys, lists); ; {
			n, j, ok := nm.next()
			if !ok {
				break
			}
			if !pred(lists[n][j]) {
				lfN, lfJ, lfOK = n, j, true
			} else if !ftOK {
				ftN, ftJ, ftOK = n, j, true
			}
		}
		gn, gj, gok, hn, hj, hok := boundary(cmpf, lists, pred)
		require.Equal(t, lfOK, gok, "iteration %d: last false", iter)
		if lfOK {
			require.Equal(t, [2]int{lfN, lfJ}, [2]int{gn, gj}, "iteration %d: last false", iter)
		}
		require.Equal(t, ftOK, hok, "iteration %d: first true", iter)
		if ftOK {
			require.Equal(t, [2]int{ftN, ftJ}, [2]int{hn, hj}, "iteration %d: first true", iter)
		}
	}
}

func sortKeys(cmpf func(a, b []key) int, l [][]key) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && cmpf(l[j], l[j-1]) < 0; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}
