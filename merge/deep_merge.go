package merge

// nodeMerge walks the rows of several nodes, each sorted by the total
// order, in global order: a binary heap of the nodes' next rows, O(log k)
// comparisons a row. Rows equal in the order come in node order. The
// deep page merges a few pages of rows per node this way where sorting
// them all again cost O(n log n) comparisons through an interface; the
// heap is written out rather than container/heap's, whose calls through
// an interface and boxed Push/Pop were a fifth of planning the bounds.
type nodeMerge struct {
	keys  []cmpKey
	lists [][][]key
	pos   []int
	heads []int // nodes with rows left, as a heap
}

func newNodeMerge(keys []cmpKey, lists [][][]key) *nodeMerge {
	m := &nodeMerge{keys: keys, lists: lists, pos: make([]int, len(lists)), heads: make([]int, 0, len(lists))}
	for i, l := range lists {
		if len(l) > 0 {
			m.heads = append(m.heads, i)
		}
	}
	for i := len(m.heads)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
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
		last := len(m.heads) - 1
		m.heads[0] = m.heads[last]
		m.heads = m.heads[:last]
	}
	if len(m.heads) > 1 {
		m.down(0)
	}
	return node, j, true
}

// less orders two heap entries: by their nodes' next rows, then by node.
func (m *nodeMerge) less(a, b int) bool {
	na, nb := m.heads[a], m.heads[b]
	if c := compareKeys(m.keys, m.lists[na][m.pos[na]], m.lists[nb][m.pos[nb]]); c != 0 {
		return c < 0
	}
	return na < nb
}

// down restores the heap below entry i.
func (m *nodeMerge) down(i int) {
	n := len(m.heads)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && m.less(r, l) {
			c = r
		}
		if !m.less(c, i) {
			return
		}
		m.heads[i], m.heads[c] = m.heads[c], m.heads[i]
		i = c
	}
}
