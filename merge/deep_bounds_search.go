package merge

import "sort"

// boundary finds where a monotone predicate of the total order turns true
// over the rows of several nodes' windows (each sorted), as if the
// windows were merged — rows equal in the order in node order, as
// nodeMerge yields them — without merging them: lastFalse is the latest
// row whose pred is false, firstTrue the earliest whose pred is true
// (ok false: none). PlanDeepPage finds p and q so; merging the 16
// windows of 110 rows to search them was the larger part of planning the
// bounds (docs/deep-pages.md, "Round 7").
//
// Why it is exact: pred is monotone along the order (false, then true),
// and it depends on a row's keys only, so rows equal in the order agree.
// The nodes are taken in order, keeping the latest false row lf and the
// earliest true row ft found so far. In node i every row at or before lf
// in the merged order is false and every row at or after ft is true; as
// lf and ft come from nodes before i, a row of node i equal to lf comes
// after it in the merged order (node order) and one equal to ft after it
// too. So only the rows r with lf ≤ r < ft (by keys) are undecided; they
// are contiguous in node i's window, and a binary search of pred over
// them finds node i's last false and first true row among them, which
// replace lf and ft (they lie strictly after lf, strictly before ft in the
// merged order). After the last node, lf and ft are the merged order's.
// After the first node the undecided stretch of the next ones is usually
// a row or two, so the search costs about k binary searches of pred, not
// one per merged row.
func boundary(cmpf func(a, b []key) int, lists [][][]key, pred func(x []key) bool) (lfNode, lfRow int, lfOK bool, ftNode, ftRow int, ftOK bool) {
	var lf, ft []key
	for i, w := range lists {
		lo, hi := 0, len(w)
		if lf != nil {
			lo = sort.Search(len(w), func(j int) bool { return cmpf(w[j], lf) >= 0 })
		}
		if ft != nil {
			hi = sort.Search(len(w), func(j int) bool { return cmpf(w[j], ft) >= 0 })
		}
		if lo >= hi {
			continue
		}
		t := lo + sort.Search(hi-lo, func(j int) bool { return pred(w[lo+j]) })
		if t > lo {
			lf, lfNode, lfRow, lfOK = w[t-1], i, t-1, true
		}
		if t < hi {
			ft, ftNode, ftRow, ftOK = w[t], i, t, true
		}
	}
	return
}
