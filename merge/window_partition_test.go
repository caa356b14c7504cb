package merge

import (
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWindowPartitionFunctions computes every buffered window function
// over two partitions, the first with peers (equal ORDER BY keys) and a
// NULL argument: the default frame reaches the row's last peer.
func TestWindowPartitionFunctions(t *testing.T) {
	kinds := []WindowKind{WinSum, WinCount, WinAvg, PercentRank, CumeDist, Ntile, Lag, Lead, FirstValue, LastValue, WinMin, WinMax, Rank}
	types := []string{"BIGINT", "BIGINT", "DECIMAL"}
	var funcs []WindowFunc
	for i, k := range kinds {
		f := WindowFunc{Kind: k, Col: At(3 + i), Arg: at(2)}
		switch k {
		case Ntile:
			f.N, f.Arg = 2, nil
		case Lag, Lead:
			f.N = 1
		case PercentRank, CumeDist, Rank:
			f.Arg = nil
		}
		funcs = append(funcs, f)
		types = append(types, "DECIMAL")
	}
	row := func(p, k int64, x any) []driver.Value {
		r := make([]driver.Value, len(types))
		r[0], r[1], r[2] = p, k, x
		return r
	}
	spec := Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1)}},
		Window: &WindowSpec{Partition: []SortKey{{Col: At(0)}}, Order: []SortKey{{Col: At(1)}}, Funcs: funcs}}
	got := mustRun(t, spec, types,
		[][]driver.Value{row(1, 10, bs("1.50")), row(1, 10, bs("2.00")), row(1, 20, nil)},
		[][]driver.Value{row(2, 5, bs("3.00"))},
	)
	require.Len(t, got, 4)
	// sum, count, avg, percent_rank, cume_dist, ntile, lag, lead, first, last, min, max, rank
	want := [][]driver.Value{
		{bs("3.50"), int64(2), bs("1.750000"), 0.0, 2.0 / 3, int64(1), nil, bs("2.00"), bs("1.50"), bs("2.00"), bs("1.50"), bs("2.00"), int64(1)},
		{bs("3.50"), int64(2), bs("1.750000"), 0.0, 2.0 / 3, int64(1), bs("1.50"), nil, bs("1.50"), bs("2.00"), bs("1.50"), bs("2.00"), int64(1)},
		{bs("3.50"), int64(2), bs("1.750000"), 1.0, 1.0, int64(2), bs("2.00"), nil, bs("1.50"), nil, bs("1.50"), bs("2.00"), int64(3)},
		{bs("3.00"), int64(1), bs("3.000000"), 0.0, 1.0, int64(1), nil, nil, bs("3.00"), bs("3.00"), bs("3.00"), bs("3.00"), int64(1)},
	}
	for i := range want {
		assert.Equal(t, want[i], got[i][3:], "row %d", i)
	}
}

func TestWindowNtileBuckets(t *testing.T) {
	// 7 rows in 3 buckets: 3, 2, 2; more buckets than rows: one each
	var got []int64
	for i := 0; i < 7; i++ {
		got = append(got, ntile(i, 7, 3))
	}
	assert.Equal(t, []int64{1, 1, 1, 2, 2, 3, 3}, got)
	assert.Equal(t, int64(2), ntile(1, 2, 5))
}

func TestWindowPartitionCapAndRefusals(t *testing.T) {
	types := []string{"BIGINT", "DOUBLE", "DECIMAL"}
	rows := [][]driver.Value{{int64(1), 1.5, nil}, {int64(2), 2.5, nil}, {int64(3), 3.5, nil}}
	spec := Spec{Sort: []SortKey{{Col: At(0)}}, MaxRows: 2,
		Window: &WindowSpec{Order: []SortKey{{Col: At(0)}}, Funcs: []WindowFunc{{Kind: WinCount, Col: At(2)}}}}
	_, err := run(t, spec, types, rows)
	require.True(t, errors.Is(err, ErrTooLarge), "%v", err)
	assert.Contains(t, err.Error(), "WithMaxMemoryRows")

	// SUM of a DOUBLE: the server's additions in its row order
	spec = Spec{Sort: []SortKey{{Col: At(0)}},
		Window: &WindowSpec{Order: []SortKey{{Col: At(0)}}, Funcs: []WindowFunc{{Kind: WinSum, Col: At(2), Arg: at(1)}}}}
	_, err = newMerge(spec, types, asCursors(nodeCursors(rows)))
	require.True(t, errors.Is(err, ErrUnsupported), "%v", err)
}

func TestWindowDoubleDecimals(t *testing.T) {
	p := &partitioned{decimals: []int64{10, 0}}
	assert.Equal(t, driver.Value([]byte("0.001001001")), p.double(1.0/999, 0))
	assert.Equal(t, driver.Value([]byte("0.0003333333")), p.double(1.0/3000, 0))
	assert.Equal(t, driver.Value([]byte("1")), p.double(1, 0))
	assert.Equal(t, driver.Value([]byte("0")), p.double(0, 0))
	assert.Equal(t, driver.Value(0.5), p.double(0.5, 1))
}
