package merge

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seq(from, to int64) [][]driver.Value {
	var vs []int64
	for i := from; i <= to; i++ {
		vs = append(vs, i)
	}
	return intRows(vs...)
}

func TestLimitOffset(t *testing.T) {
	sortKey := []SortKey{{Col: At(0)}}
	// merged: 1..9 over three nodes
	nodes := func() [][][]driver.Value {
		return [][][]driver.Value{intRows(1, 4, 7), intRows(2, 5, 8), intRows(3, 6, 9)}
	}
	cases := []struct {
		name          string
		offset, limit int64
		limited       bool
		want          [][]driver.Value
	}{
		{"no limit", 0, 0, false, seq(1, 9)},
		{"limit", 0, 4, true, seq(1, 4)},
		{"offset and limit", 2, 3, true, seq(3, 5)},
		{"limit beyond the end", 0, 100, true, seq(1, 9)},
		{"offset and limit beyond the end", 7, 100, true, seq(8, 9)},
		{"offset at the end", 9, 5, true, nil},
		{"offset beyond the end", 50, 5, true, nil},
		{"limit 0", 0, 0, true, nil},
		{"offset and limit 0", 3, 0, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := Spec{Sort: sortKey}
			if c.limited {
				spec.Limit = &Page{Offset: c.offset, Count: c.limit}
			}
			got := mustRun(t, spec, []string{"BIGINT"}, nodes()...)
			assert.Equal(t, c.want, got)
		})
	}
}

func counting(parts ...[][]driver.Value) []*countingCursor {
	out := make([]*countingCursor, len(parts))
	for i, p := range parts {
		out[i] = &countingCursor{sliceCursor: sliceCursor{rows: p}}
	}
	return out
}

func totalReads(cs []*countingCursor) int {
	n := 0
	for _, c := range cs {
		n += c.reads
	}
	return n
}

func TestLimitStopsReading(t *testing.T) {
	types := []string{"BIGINT"}
	sorted := Spec{Sort: []SortKey{{Col: At(0)}}}
	cases := []struct {
		name          string
		spec          Spec
		offset, limit int64
		want          [][]driver.Value
		reads         int
	}{
		// the merge holds one row per node, and advances a node only when its row was returned
		{"sorted limit 2", sorted, 0, 2, seq(1, 2), 3},
		{"sorted offset 1 limit 2", sorted, 1, 2, seq(2, 3), 4},
		{"sorted limit 1", sorted, 0, 1, seq(1, 1), 2},
		// concatenation reads exactly what it returns
		{"concat limit 3", Spec{}, 0, 3, intRows(1, 3, 5), 3},
		{"concat offset 2 limit 2", Spec{}, 2, 2, intRows(5, 7, 9)[:2], 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var odd, even []int64
			for i := int64(1); i <= 200; i++ {
				if i%2 == 1 {
					odd = append(odd, i)
				} else {
					even = append(even, i)
				}
			}
			cs := counting(intRows(odd...), intRows(even...))
			spec := c.spec
			spec.Limit = &Page{Offset: c.offset, Count: c.limit}
			cur, err := newMerge(spec, types, asCursors(cs))
			require.NoError(t, err)
			got, err := drain(t, cur, 1)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.reads, totalReads(cs), "rows read from the nodes")
			require.NoError(t, cur.Close())
			for i, n := range cs {
				assert.GreaterOrEqual(t, n.closed, 1, "node %d closed", i)
			}
		})
	}

	t.Run("limit 0 reads nothing", func(t *testing.T) {
		cs := counting(seq(1, 10), seq(1, 10))
		cur, err := newMerge(Spec{Sort: sorted.Sort, Limit: &Page{}}, types, asCursors(cs))
		require.NoError(t, err)
		got, err := drain(t, cur, 1)
		require.NoError(t, err)
		assert.Empty(t, got)
		assert.Equal(t, 0, totalReads(cs))
		require.NoError(t, cur.Close())
		assert.Equal(t, 1, cs[0].closed)
		assert.Equal(t, 1, cs[1].closed)
	})

	t.Run("grouped limit reads one row past the last group", func(t *testing.T) {
		// keys 1,1,2,2,3,3,...: LIMIT 2 groups needs the first row of group 3
		var a, b []int64
		for k := int64(1); k <= 50; k++ {
			a = append(a, k)
			b = append(b, k)
		}
		cs := counting(intRows(a...), intRows(b...))
		spec := Spec{
			Sort:  sorted.Sort,
			Group: &Group{Keys: sorted.Sort},
			Limit: &Page{Count: 2},
		}
		cur, err := newMerge(spec, types, asCursors(cs))
		require.NoError(t, err)
		got, err := drain(t, cur, 1)
		require.NoError(t, err)
		assert.Equal(t, seq(1, 2), got)
		assert.LessOrEqual(t, totalReads(cs), 6)
	})
}

func TestHiddenColumnsDropped(t *testing.T) {
	types := []string{"VARCHAR", "BIGINT", "VARCHAR", "BIGINT"}
	row := func(name string, n int64, _ string, extra int64) []driver.Value {
		return []driver.Value{bs(name), n, gci, extra}
	}
	spec := Spec{Hidden: 2, Sort: []SortKey{{Col: At(0)}}, Collations: []Collated{{Col: At(0), From: At(2)}}}
	got := mustRun(t, spec, types,
		[][]driver.Value{row("apple", 1, "APPLE", 100), row("cherry", 3, "CHERRY", 300)},
		[][]driver.Value{row("Banana", 2, "BANANA", 200)},
	)
	assert.Equal(t, [][]driver.Value{{bs("apple"), int64(1)}, {bs("Banana"), int64(2)}, {bs("cherry"), int64(3)}}, got)

	// with offset and limit, and a sort on a hidden column
	spec = Spec{Hidden: 2, Sort: []SortKey{{Col: At(3), Desc: true}}, Limit: &Page{Offset: 1, Count: 1}}
	got = mustRun(t, spec, types,
		[][]driver.Value{row("x", 1, "X", 30), row("y", 2, "Y", 10)},
		[][]driver.Value{row("z", 3, "Z", 20)},
	)
	assert.Equal(t, [][]driver.Value{{bs("z"), int64(3)}}, got)

	// every column hidden is allowed; the caller's rows are empty
	got = mustRun(t, Spec{Hidden: 1}, []string{"BIGINT"}, intRows(1, 2))
	assert.Equal(t, [][]driver.Value{{}, {}}, got)
}

func TestHiddenColRefersToTrailingColumns(t *testing.T) {
	// the router does not know the width of a SELECT *; HiddenCol(j) is the
	// j-th of the trailing Hidden columns
	types := []string{"VARCHAR", "BIGINT", "VARCHAR"}
	spec := Spec{Hidden: 1, Sort: []SortKey{{Col: At(0)}}, Collations: []Collated{{Col: At(0), From: HiddenCol(0)}}}
	got := mustRun(t, spec, types,
		[][]driver.Value{{bs("apple"), int64(1), gci}, {bs("cherry"), int64(3), gci}},
		[][]driver.Value{{bs("Banana"), int64(2), gci}},
	)
	assert.Equal(t, [][]driver.Value{{bs("apple"), int64(1)}, {bs("Banana"), int64(2)}, {bs("cherry"), int64(3)}}, got)
}
