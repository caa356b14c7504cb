package merge

import (
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupedNodes are partials of SELECT k, COUNT(*), SUM(d) … GROUP BY k
// from three nodes, sorted by k. Merged: k1 → 3, 6.00; k2 → 5, 1.5;
// k3 → 3, 10.10; k4 → 1, NULL; k5 → 5, -2.
func groupedNodes() [][][]driver.Value {
	return [][][]driver.Value{
		{{int64(1), int64(2), bs("4.00")}, {int64(2), int64(4), bs("1")}, {int64(5), int64(1), bs("-2")}},
		{{int64(1), int64(1), bs("2")}, {int64(3), int64(3), bs("10.10")}},
		{{int64(2), int64(1), bs("0.5")}, {int64(4), int64(1), nil}, {int64(5), int64(4), nil}},
	}
}

func groupedSpec() Spec {
	keys := []SortKey{{Col: At(0)}}
	return Spec{Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{
		{Kind: AggCount, Col: At(1)},
		{Kind: AggSum, Col: At(2)},
	}}}
}

var groupedTypes = []string{"BIGINT", "BIGINT", "DECIMAL"}

func TestMemorySortByAggregate(t *testing.T) {
	r := func(k, n int64, s driver.Value) []driver.Value { return []driver.Value{k, n, s} }
	cases := []struct {
		name string
		keys []SortKey
		want [][]driver.Value
	}{
		{"COUNT DESC: ties keep group order", []SortKey{{Col: At(1), Desc: true}}, [][]driver.Value{
			r(2, 5, bs("1.5")), r(5, 5, bs("-2")), r(1, 3, bs("6.00")), r(3, 3, bs("10.10")), r(4, 1, nil),
		}},
		{"SUM DESC: NULL last, decimals exactly", []SortKey{{Col: At(2), Desc: true}}, [][]driver.Value{
			r(3, 3, bs("10.10")), r(1, 3, bs("6.00")), r(2, 5, bs("1.5")), r(5, 5, bs("-2")), r(4, 1, nil),
		}},
		{"SUM ASC: NULL first", []SortKey{{Col: At(2)}}, [][]driver.Value{
			r(4, 1, nil), r(5, 5, bs("-2")), r(2, 5, bs("1.5")), r(1, 3, bs("6.00")), r(3, 3, bs("10.10")),
		}},
		{"COUNT ASC, k DESC", []SortKey{{Col: At(1)}, {Col: At(0), Desc: true}}, [][]driver.Value{
			r(4, 1, nil), r(3, 3, bs("10.10")), r(1, 3, bs("6.00")), r(5, 5, bs("-2")), r(2, 5, bs("1.5")),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := groupedSpec()
			spec.MemorySort = c.keys
			assert.Equal(t, c.want, mustRun(t, spec, groupedTypes, groupedNodes()...))
		})
	}

	t.Run("top 2 by SUM", func(t *testing.T) {
		spec := groupedSpec()
		spec.MemorySort = []SortKey{{Col: At(2), Desc: true}}
		spec.Limit = &Page{Offset: 1, Count: 2}
		assert.Equal(t, [][]driver.Value{r(1, 3, bs("6.00")), r(2, 5, bs("1.5"))}, mustRun(t, spec, groupedTypes, groupedNodes()...))
	})
	t.Run("HAVING then sort by a hidden aggregate", func(t *testing.T) {
		spec := groupedSpec()
		spec.Hidden = 1 // SUM only orders
		spec.Having = cond(t, "c1 >= 3")
		spec.MemorySort = []SortKey{{Col: At(2)}}
		assert.Equal(t, [][]driver.Value{{int64(5), int64(5)}, {int64(2), int64(5)}, {int64(1), int64(3)}, {int64(3), int64(3)}},
			mustRun(t, spec, groupedTypes, groupedNodes()...))
	})
}

func TestMemorySortCap(t *testing.T) {
	spec := groupedSpec()
	spec.MemorySort = []SortKey{{Col: At(1)}}

	spec.MaxRows = 5 // exactly the five groups
	assert.Len(t, mustRun(t, spec, groupedTypes, groupedNodes()...), 5)

	spec.MaxRows = 4
	rows, err := run(t, spec, groupedTypes, groupedNodes()...)
	require.Error(t, err)
	assert.Empty(t, rows)
	assert.True(t, errors.Is(err, ErrTooLarge), "%v wraps ErrTooLarge", err)
	assert.Contains(t, err.Error(), "driver.WithMaxMemoryRows")
	assert.Contains(t, err.Error(), "4")

	// the input's own error wins over sorting
	boom := errors.New("boom")
	a := &sliceCursor{rows: intRows(3, 1), err: boom}
	cur, err := newMerge(Spec{MemorySort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, []Cursor{a})
	require.NoError(t, err)
	_, err = drain(t, cur, 1)
	assert.ErrorIs(t, err, boom)
}

func TestMemorySortDefaultCap(t *testing.T) {
	// MaxRows 0 means DefaultMaxRows: a handful of rows sort fine
	got := mustRun(t, Spec{MemorySort: []SortKey{{Col: At(0), Desc: true}}}, []string{"BIGINT"},
		intRows(3, 1), intRows(2))
	assert.Equal(t, intRows(3, 2, 1), got)
}

// TestMemorySortByTextAggregate is ORDER BY MIN(name) on a server that
// reports collations: the router makes Agg{AggMin, Col: name}, a
// MemorySort key {Col: name} and the collation column of MIN(name).
func TestMemorySortByTextAggregate(t *testing.T) {
	// k, MIN(name), COLLATION(MIN(name))
	types := []string{"BIGINT", "VARCHAR", "VARCHAR"}
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{
		Hidden:     1,
		Sort:       keys,
		Collations: []Collated{{Col: At(1), From: At(2)}},
		Group:      &Group{Keys: keys, Aggs: []Agg{{Kind: AggMin, Col: At(1)}}},
		MemorySort: []SortKey{{Col: At(1)}},
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{{int64(1), bs("cherry"), gci}, {int64(2), bs("Banana"), gci}},
		[][]driver.Value{{int64(1), bs("apple"), gci}},
	)
	// group 1's MIN is apple, which sorts before group 2's Banana
	assert.Equal(t, [][]driver.Value{{int64(1), bs("apple")}, {int64(2), bs("Banana")}}, got)
}
