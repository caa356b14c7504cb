package merge

import "github.com/shardsql/shardsql/internal/coltype"

// nodeMerge walks the rows of several nodes, each sorted by the total
// order, in global order: a binary heap of the nodes' next rows, O(log k)
// comparisons a row. Rows equal in the order come in node order. The
// deep page merges a few pages of rows per node this way where sorting
// them all again cost O(n log n) comparisons through an interface; the
// heap is written out rather than container/heap's, whose calls through
// an interface and boxed Push/Pop were a fifth of planning the bounds.
type nodeMerge struct {
	cmp   func(a, b []key) int
	lists [][][]key
	pos   []int
	cur   [][]key // each node's next row
	heads []int   // nodes with rows left, as a heap
	// oneInt: the order is one signed integer key (a BIGINT id, the
	// commonest deep page): less compares curInt, each node's next key
	// read out of its row, and then the node, in place of a call through
	// cmp per comparison (half of planning the bounds when they merged
	// the windows; cut still merges). NULL sorts first ascending, as
	// compare has it, and would read as 0: the specialization is used
	// only where no key is NULL (intOnly).
	oneInt, desc bool
	curInt       []int64
}

func newNodeMerge(keys []cmpKey, lists [][][]key) *nodeMerge {
	m := &nodeMerge{cmp: keyComparer(keys), lists: lists, pos: make([]int, len(lists)), cur: make([][]key, len(lists)),
		heads: make([]int, 0, len(lists))}
	if len(keys) == 1 && keys[0].kind == coltype.Int && intOnly(lists) {
		m.oneInt, m.desc, m.curInt = true, keys[0].desc, make([]int64, len(lists))
	}
	for i, l := range lists {
		if len(l) > 0 {
			m.heads = append(m.heads, i)
			m.cur[i] = l[0]
			if m.oneInt {
				m.curInt[i] = l[0][0].i
			}
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
	} else {
		m.cur[node] = m.lists[node][m.pos[node]]
		if m.oneInt {
			m.curInt[node] = m.cur[node][0].i
		}
	}
	if len(m.heads) > 1 {
		m.down(0)
	}
	return node, j, true
}

// less orders two heap entries: by their nodes' next rows, then by node.
func (m *nodeMerge) less(a, b int) bool {
	na, nb := m.heads[a], m.heads[b]
	if m.oneInt {
		x, y := m.curInt[na], m.curInt[nb]
		if m.desc {
			x, y = y, x
		}
		if x != y {
			return x < y
		}
		return na < nb
	}
	if c := m.cmp(m.cur[na], m.cur[nb]); c != 0 {
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

// intOnly reports whether no row of lists has a NULL first key.
func intOnly(lists [][][]key) bool {
	for _, l := range lists {
		for _, r := range l {
			if r[0].null {
				return false
			}
		}
	}
	return true
}

// keyComparer returns compareKeys over keys, specialized where every key
// is a signed integer (a BIGINT id, the commonest deep-page order): the
// generic path asks each key's kind and collation per comparison, which
// was most of merging the windows. The specialized one orders the same:
// NULL first, then by value, each key reversed when descending.
func keyComparer(keys []cmpKey) func(a, b []key) int {
	for i := range keys {
		if keys[i].kind != coltype.Int {
			return func(a, b []key) int { return compareKeys(keys, a, b) }
		}
	}
	return func(a, b []key) int {
		for i := range keys {
			x, y := &a[i], &b[i]
			c := 0
			switch {
			case x.null || y.null:
				if x.null != y.null {
					c = 1
					if x.null {
						c = -1
					}
				}
			case x.i < y.i:
				c = -1
			case x.i > y.i:
				c = 1
			}
			if c != 0 {
				if keys[i].desc {
					return -c
				}
				return c
			}
		}
		return 0
	}
}
