package merge

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"
	"vitess.io/vitess/go/vt/sqlparser"
)

func TestCheckCols(t *testing.T) {
	types := []string{"BIGINT", "VARCHAR", "VARBINARY"} // width 3
	cases := []struct {
		name string
		spec Spec
		ok   bool
	}{
		{"valid", Spec{
			Sort:       []SortKey{{Col: At(1)}},
			MemorySort: []SortKey{{Col: At(0)}},
			Collations: []Collated{{Col: At(1), From: At(2)}},
			Group: &Group{Keys: []SortKey{{Col: At(1)}}, Aggs: []Agg{
				{Kind: AggAvg, Col: At(0), CountCol: at(2)},
			}},
		}, true},
		{"sort col", Spec{Sort: []SortKey{{Col: At(3)}}}, false},
		{"collation col", Spec{Collations: []Collated{{Col: At(1), From: At(3)}}}, false},
		{"collation col negative", Spec{Collations: []Collated{{Col: At(1), From: At(-1)}}}, false},
		{"memory sort col", Spec{MemorySort: []SortKey{{Col: At(7)}}}, false},
		{"group key", Spec{Group: &Group{Keys: []SortKey{{Col: At(3)}}}}, false},
		{"agg col", Spec{Group: &Group{Aggs: []Agg{{Kind: AggSum, Col: At(3)}}}}, false},
		{"agg col negative", Spec{Group: &Group{Aggs: []Agg{{Kind: AggSum, Col: At(-5)}}}}, false},
		{"avg count col", Spec{Group: &Group{Aggs: []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(3)}}}}, false},
		{"hidden col beyond the hidden ones", Spec{Hidden: 1, Sort: []SortKey{{Col: HiddenCol(1)}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, newErr := newMerge(c.spec, types, nil)
			if c.ok {
				assert.NoError(t, newErr)
				return
			}
			assert.ErrorContains(t, newErr, "out of range")
		})
	}
}

func TestNewHiddenOutOfRange(t *testing.T) {
	_, err := newMerge(Spec{Hidden: 3}, []string{"BIGINT", "BIGINT"}, nil)
	assert.Error(t, err)
	_, err = newMerge(Spec{Hidden: -1}, []string{"BIGINT"}, nil)
	assert.Error(t, err)
	_, err = newMerge(Spec{Hidden: 2}, []string{"BIGINT", "BIGINT"}, nil)
	assert.NoError(t, err)
}

// TestCheckColsMinusOne: a negative column is refused for every column
// reference (once -1 meant "no weight column"; optional columns are nil
// pointers now), and an AVG or GROUP_CONCAT without its count column is
// refused rather than read from column 0.
func TestCheckColsMinusOne(t *testing.T) {
	types := []string{"BIGINT", "BIGINT"}
	for _, spec := range []Spec{
		{Sort: []SortKey{{Col: At(-1)}}},
		{Group: &Group{Aggs: []Agg{{Kind: AggSum, Col: At(-1)}}}},
		{Group: &Group{Aggs: []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(-1)}}}},
		{Group: &Group{Aggs: []Agg{{Kind: AggAvg, Col: At(0)}}}},
		{Group: &Group{Aggs: []Agg{{Kind: AggGroupConcat, Col: At(0), Concat: &GroupConcat{ValueCol: At(0), MaxLenCol: At(1)}}}}},
		{Sort: []SortKey{{Col: HiddenCol(0)}}},
	} {
		assert.NotPanics(t, func() {
			cur, err := newMerge(spec, types, asCursors(nodeCursors(intRows(1), intRows(2))))
			if err == nil {
				_, _ = drain(t, cur, 1)
			}
			assert.Error(t, err)
		})
	}
}

// TestCheckColsHaving: HAVING operands index the merged row too.
func TestCheckColsHaving(t *testing.T) {
	types := []string{"BIGINT"}
	for _, h := range []sqlparser.Expr{
		cond(t, "c1 > 0"),
		cond(t, "NOT (c5 IS NULL)"),
		cond(t, "c0 IS NULL AND 1 = c3"),
	} {
		assert.NotPanics(t, func() {
			cur, err := newMerge(Spec{Having: h}, types, asCursors(nodeCursors([][]driver.Value{{int64(1)}})))
			if err == nil {
				_, err = drain(t, cur, 1)
			}
			assert.Error(t, err)
		})
	}
}
