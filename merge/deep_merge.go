package merge

import "container/heap"

// nodeMerge walks the rows of several nodes, each sorted by the total
// order, in global order: a heap of the nodes' next rows, O(log k)
// comparisons a row. Rows equal in the order come in node order. The
// deep page merges a few pages of rows per node this way where sorting
// them all again cost O(n log n) comparisons through an interface.
type nodeMerge struct {
	keys  []cmpKey
	lists [][][]key
	pos   []int
	heads []int // nodes with rows left, as a heap
}

func newNodeMerge(keys []cmpKey, lists [][][]key) *nodeMerge {
	m := &nodeMerge{keys: keys, lists: lists, pos: make([]int, len(lists))}
	for i, l := range lists {
		if len(l) > 0 {
			m.heads = append(m.heads, i)
		}
	}
	heap.Init(m)
	return m
}

// next returns the node and index of the next row in global order, or
// ok false when every list is exhausted.
func (m *nodeMerge) next() (node, j int, ok bool) {
	if len(m.heads) == 0 {
		return 0, 0, false
	}
	node = m.heads[0]
	j = m.pos[node]
	m.pos[node]++
	if m.pos[node] == len(m.lists[node]) {
		heap.Pop(m)
	} else {
		heap.Fix(m, 0)
	}
	return node, j, true
}

func (m *nodeMerge) Len() int { return len(m.heads) }
func (m *nodeMerge) Less(a, b int) bool {
	na, nb := m.heads[a], m.heads[b]
	if c := compareKeys(m.keys, m.lists[na][m.pos[na]], m.lists[nb][m.pos[nb]]); c != 0 {
		return c < 0
	}
	return na < nb
}
func (m *nodeMerge) Swap(a, b int) { m.heads[a], m.heads[b] = m.heads[b], m.heads[a] }
func (m *nodeMerge) Push(x any)    { m.heads = append(m.heads, x.(int)) }
func (m *nodeMerge) Pop() any {
	x := m.heads[len(m.heads)-1]
	m.heads = m.heads[:len(m.heads)-1]
	return x
}
