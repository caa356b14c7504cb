package merge

import (
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDistinctSetAggregates: COUNT(DISTINCT a), COUNT(DISTINCT b) and
// SUM(DISTINCT c) in one statement. The stream is sorted by the key and
// a; b's values ('x', 'X ', 'y' under a case-insensitive PAD SPACE
// collation) and c's arrive in any order within the group.
func TestDistinctSetAggregates(t *testing.T) {
	// key, a, b, c, collation of b
	types := []string{"BIGINT", "BIGINT", "VARCHAR", "DECIMAL", "VARCHAR"}
	spec := Spec{Hidden: 1, Sort: []SortKey{{Col: At(0)}, {Col: At(1)}}, Collations: []Collated{{Col: At(2), From: At(4)}},
		Group: &Group{Keys: []SortKey{{Col: At(0)}}, Aggs: []Agg{
			{Kind: AggCountDistinct, Col: At(1)},
			{Kind: AggCountDistinct, Col: At(2), Unsorted: true},
			{Kind: AggSumDistinct, Col: At(3), Unsorted: true},
		}}}
	r := func(k, a int64, b, c any) []driver.Value {
		if s, ok := b.(string); ok {
			b = bs(s)
		}
		if s, ok := c.(string); ok {
			c = bs(s)
		}
		return []driver.Value{k, a, b, c, gci}
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{r(1, 1, "x", "1.50"), r(1, 2, "y", "2.00"), r(2, 1, nil, nil)},
		[][]driver.Value{r(1, 1, "X ", "2.00"), r(1, 3, "x", "1.50"), r(2, 1, "z", "-1.00")},
	)
	assert.Equal(t, [][]driver.Value{
		{int64(1), int64(3), int64(2), bs("3.50")},
		{int64(2), int64(1), int64(1), bs("-1.00")},
	}, got)

	// beyond the cap: ErrTooLarge
	spec.Group.MaxRows = 2
	_, err := run(t, spec, types, [][]driver.Value{r(1, 1, "a", nil), r(1, 2, "b", nil), r(1, 3, "c", nil)})
	require.True(t, errors.Is(err, ErrTooLarge), "%v", err)
}
