package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// partsExecutor answers each Query with the next set of cursors and
// columns, as the driver answers each route leaf in turn.
type partsExecutor struct {
	parts [][]Cursor
	cols  [][]Column
	calls int
}

func (p *partsExecutor) Query(_ context.Context, units []Unit, _ bool) ([]Cursor, []Column, error) {
	i := p.calls
	p.calls++
	if i >= len(p.parts) || len(units) != len(p.parts[i]) {
		return nil, nil, errors.New("unexpected query")
	}
	return p.parts[i], p.cols[i], nil
}

func typed(types ...string) []Column {
	out := make([]Column, len(types))
	for i, t := range types {
		out[i] = Column{Type: t}
	}
	return out
}

func openAll(t *testing.T, op Operator, ex Executor) ([][]driver.Value, *Stream) {
	t.Helper()
	s, err := op.Open(context.Background(), ex)
	require.NoError(t, err)
	rows, err := drain(t, s, s.Width())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return rows, s
}

func TestWindowRanks(t *testing.T) {
	// (partition, order key, window column)
	row := func(p, k int64) []driver.Value { return []driver.Value{p, k, int64(0)} }
	spec := Spec{
		Sort: []SortKey{{Col: At(0)}, {Col: At(1)}},
		Window: &WindowSpec{Partition: []SortKey{{Col: At(0)}}, Order: []SortKey{{Col: At(1)}},
			Funcs: []WindowFunc{{Kind: Rank, Col: At(2)}}},
	}
	types := []string{"BIGINT", "BIGINT", "BIGINT"}
	got := mustRun(t, spec, types,
		[][]driver.Value{row(1, 10), row(1, 20), row(2, 5)},
		[][]driver.Value{row(1, 10), row(1, 30), row(2, 5), row(2, 6)},
	)
	assert.Equal(t, [][]driver.Value{
		{int64(1), int64(10), int64(1)}, {int64(1), int64(10), int64(1)}, {int64(1), int64(20), int64(3)}, {int64(1), int64(30), int64(4)},
		{int64(2), int64(5), int64(1)}, {int64(2), int64(5), int64(1)}, {int64(2), int64(6), int64(3)},
	}, got)

	spec.Window.Funcs = []WindowFunc{{Kind: RowNumber, Col: At(2)}}
	got = mustRun(t, spec, types, [][]driver.Value{row(1, 10), row(1, 20)}, [][]driver.Value{row(1, 10)})
	assert.Equal(t, []driver.Value{int64(1), int64(2), int64(3)}, []driver.Value{got[0][2], got[1][2], got[2][2]})

	spec.Window.Funcs = []WindowFunc{{Kind: DenseRank, Col: At(2)}}
	got = mustRun(t, spec, types, [][]driver.Value{row(1, 10), row(1, 20)}, [][]driver.Value{row(1, 10)})
	assert.Equal(t, []driver.Value{int64(1), int64(1), int64(2)}, []driver.Value{got[0][2], got[1][2], got[2][2]})
}

func TestUnionOperator(t *testing.T) {
	leaf := func(n int) *Route { return &Route{Units: make([]Unit, n)} }
	ex := func(first, second [][]driver.Value, types1, types2 []Column) *partsExecutor {
		return &partsExecutor{parts: [][]Cursor{{&sliceCursor{rows: first}}, {&sliceCursor{rows: second}}}, cols: [][]Column{types1, types2}}
	}
	ints := typed("BIGINT")
	t.Run("all", func(t *testing.T) {
		got, _ := openAll(t, &Union{Parts: []Operator{leaf(1), leaf(1)}}, ex(intRows(3, 1), intRows(1, 2), ints, ints))
		assert.Equal(t, intRows(3, 1, 1, 2), got)
	})
	t.Run("distinct", func(t *testing.T) {
		got, _ := openAll(t, &Union{Parts: []Operator{leaf(1), leaf(1)}, Distinct: true}, ex(intRows(3, 1, 3), intRows(1, 2), ints, ints))
		assert.Equal(t, intRows(1, 2, 3), got)
	})
	t.Run("types differ", func(t *testing.T) {
		_, err := (&Union{Parts: []Operator{leaf(1), leaf(1)}}).Open(context.Background(),
			ex(intRows(1), nil, ints, []Column{{Type: "DECIMAL", Scale: 2}}))
		require.ErrorIs(t, err, ErrUnsupported)
		assert.ErrorContains(t, err, "BIGINT")
		_, err = (&Union{Parts: []Operator{leaf(1), leaf(1)}}).Open(context.Background(),
			ex(nil, nil, []Column{{Type: "DECIMAL", Scale: 1}}, []Column{{Type: "DECIMAL", Scale: 2}}))
		require.ErrorIs(t, err, ErrUnsupported)
	})
	t.Run("text only by bytes", func(t *testing.T) {
		text := typed("VARCHAR")
		_, err := (&Union{Parts: []Operator{leaf(1), leaf(1)}, Distinct: true}).Open(context.Background(),
			ex([][]driver.Value{{bs("a")}}, [][]driver.Value{{bs("A")}}, text, text))
		require.ErrorIs(t, err, ErrUnsupported)
		got, _ := openAll(t, &Union{Parts: []Operator{leaf(1), leaf(1)}, Distinct: true, TextByBytes: true},
			ex([][]driver.Value{{bs("a")}, {bs("b")}}, [][]driver.Value{{bs("A")}, {bs("a")}}, text, text))
		assert.Equal(t, [][]driver.Value{{bs("A")}, {bs("a")}, {bs("b")}}, got)
	})
}
