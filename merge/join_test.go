package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// joinExecutor serves a join's two sides from memory: the outer route's
// rows, and for each lookup the inner rows whose key is one of the
// lookup's keys (compared as the inner node would, by the test's own
// equality), recording the lookups.
type joinExecutor struct {
	outer, inner [][]driver.Value
	outerCols    []Column
	innerCols    []Column
	lookups      [][]driver.Value // keys of each lookup
	pending      []driver.Value
}

func (e *joinExecutor) Query(_ context.Context, units []Unit, _ bool) ([]Cursor, []Column, error) {
	switch units[0].SQL {
	case "outer":
		return []Cursor{&sliceCursor{rows: e.outer}}, e.outerCols, nil
	case "inner":
		var rows [][]driver.Value
		for _, r := range e.inner {
			for _, k := range e.pending {
				if r[0] != nil && foldKey(r[0]) == foldKey(k) {
					rows = append(rows, r)
					break
				}
			}
		}
		return []Cursor{&sliceCursor{rows: rows}}, e.innerCols, nil
	}
	return nil, nil, errors.New("unexpected query")
}

// foldKey is utf8mb4_general_ci equality for the test's ASCII keys.
func foldKey(v driver.Value) string {
	b := []byte(fmt.Sprint(string(v.([]byte))))
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func (e *joinExecutor) innerFor(keys []driver.Value, _ string) (Operator, error) {
	e.lookups = append(e.lookups, keys)
	e.pending = keys
	return &Route{Units: []Unit{{SQL: "inner"}}, Collations: []Collated{{Col: At(0), From: At(2)}}}, nil
}

func joinFixture() *joinExecutor {
	return &joinExecutor{
		// id, k, COLLATION(k)
		outer: [][]driver.Value{
			{int64(1), bs("a"), gci}, {int64(2), nil, gci}, {int64(3), bs("b"), gci}, {int64(4), bs("A "), gci},
		},
		// k, v, COLLATION(k)
		inner: [][]driver.Value{
			{bs("a"), int64(10), gci}, {bs("A"), int64(11), gci}, {bs("b "), int64(12), gci}, {nil, int64(13), gci}, {bs("c"), int64(14), gci},
		},
		outerCols: typed("BIGINT", "VARCHAR", "VARCHAR"),
		innerCols: typed("VARCHAR", "BIGINT", "VARCHAR"),
	}
}

// TestNestedLoopJoinKinds: text keys compare by the collation the nodes
// report (case, PAD SPACE), NULL keys match nothing, each batch looks up
// its distinct keys once, and each kind returns its rows.
func TestNestedLoopJoinKinds(t *testing.T) {
	ids := func(rows [][]driver.Value, cols ...int) [][]any {
		var out [][]any
		for _, r := range rows {
			var x []any
			for _, c := range cols {
				x = append(x, r[c])
			}
			out = append(out, x)
		}
		return out
	}
	for _, c := range []struct {
		kind JoinKind
		want [][]any
		cols []int
	}{
		{JoinInner, [][]any{{int64(1), int64(10)}, {int64(1), int64(11)}, {int64(3), int64(12)}, {int64(4), int64(10)}, {int64(4), int64(11)}}, []int{0, 4}},
		{JoinLeft, [][]any{{int64(1), int64(10)}, {int64(1), int64(11)}, {int64(2), nil}, {int64(3), int64(12)}, {int64(4), int64(10)}, {int64(4), int64(11)}}, []int{0, 4}},
		{JoinSemi, [][]any{{int64(1)}, {int64(3)}, {int64(4)}}, []int{0}},
		{JoinAnti, [][]any{{int64(2)}}, []int{0}},
	} {
		ex := joinFixture()
		j := &NestedLoopJoin{Kind: c.kind, Keys: JoinKeys{OuterKey: 1, InnerKey: 0}, Batch: 3,
			Outer: &Route{Units: []Unit{{SQL: "outer"}}, Collations: []Collated{{Col: At(1), From: At(2)}}}, Inner: ex.innerFor}
		rows, s := openAll(t, j, ex)
		require.Equal(t, c.want, ids(rows, c.cols...), joinKindNames[c.kind])
		// batches of 3 outer rows: {a, NULL, b} and {A }
		require.Len(t, ex.lookups, 2)
		require.Len(t, ex.lookups[0], 2)
		require.Len(t, ex.lookups[1], 1)
		if c.kind == JoinLeft {
			// the NULL-extended row carries the inner text column's collation
			require.Equal(t, gci, rows[2][5])
			require.NotNil(t, s.Columns())
		}
	}
}

// TestHashJoinAndLimits: the build side is read once; beyond MaxRows both
// joins fail with ErrTooLarge naming the operator and the option; keys of
// different kinds are refused.
func TestHashJoinAndLimits(t *testing.T) {
	ex := joinFixture()
	ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
	h := &HashJoin{Kind: JoinInner, Keys: JoinKeys{OuterKey: 1, InnerKey: 0}, BuildName: "i",
		Outer: &Route{Units: []Unit{{SQL: "outer"}}, Collations: []Collated{{Col: At(1), From: At(2)}}},
		Inner: &Route{Units: []Unit{{SQL: "inner"}}, Collations: []Collated{{Col: At(0), From: At(2)}}}}
	rows, _ := openAll(t, h, ex)
	require.Len(t, rows, 5)

	h.MaxRows = 2
	_, err := h.Open(context.Background(), ex)
	require.ErrorIs(t, err, ErrTooLarge)
	require.ErrorContains(t, err, "HashJoin")
	require.ErrorContains(t, err, "WithMaxMemoryRows")

	ex = joinFixture()
	j := &NestedLoopJoin{Kind: JoinInner, Keys: JoinKeys{OuterKey: 1, InnerKey: 0}, MaxRows: 1,
		Outer: &Route{Units: []Unit{{SQL: "outer"}}, Collations: []Collated{{Col: At(1), From: At(2)}}}, Inner: ex.innerFor}
	_, err = j.Open(context.Background(), ex)
	require.ErrorIs(t, err, ErrTooLarge)
	require.ErrorContains(t, err, "NestedLoopJoin")

	ex = joinFixture()
	j = &NestedLoopJoin{Kind: JoinInner, Keys: JoinKeys{OuterKey: 0, InnerKey: 0},
		Outer: &Route{Units: []Unit{{SQL: "outer"}}}, Inner: func(keys []driver.Value, _ string) (Operator, error) {
			ex.pending = nil
			return &Route{Units: []Unit{{SQL: "inner"}}}, nil
		}}
	_, err = j.Open(context.Background(), ex)
	require.ErrorIs(t, err, ErrUnsupported)
	require.ErrorContains(t, err, "BIGINT column = a VARCHAR column")
}
