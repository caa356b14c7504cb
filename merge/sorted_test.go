package merge

import (
	"cmp"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomNodes returns k node results of rows {key, node, seq}, each node
// sorted by key, and their concatenation stably sorted by key: what the
// merge must return (ties keep node order, then the node's own order).
func randomNodes(rng *rand.Rand, k int, text bool) (nodes [][][]driver.Value, want [][]driver.Value) {
	type row struct{ key, node, seq int64 }
	var all []row
	for n := 0; n < k; n++ {
		size := rng.IntN(60)
		if n == 1 {
			size = 0 // an empty node among the others
		}
		var rs []row
		for i := 0; i < size; i++ {
			rs = append(rs, row{key: rng.Int64N(40) - 20}) // few distinct keys: many ties
		}
		slices.SortFunc(rs, func(a, b row) int { return cmp.Compare(a.key, b.key) })
		for i := range rs {
			rs[i].node, rs[i].seq = int64(n), int64(i)
		}
		all = append(all, rs...)
		nodes = append(nodes, nil)
		for _, r := range rs {
			nodes[n] = append(nodes[n], encodeRow(text, r.key, r.node, r.seq))
		}
	}
	slices.SortStableFunc(all, func(a, b row) int { return cmp.Compare(a.key, b.key) })
	for _, r := range all {
		want = append(want, encodeRow(text, r.key, r.node, r.seq))
	}
	return nodes, want
}

func encodeRow(text bool, vs ...int64) []driver.Value {
	row := make([]driver.Value, len(vs))
	for i, v := range vs {
		if text {
			row[i] = bs(strconv.FormatInt(v, 10))
		} else {
			row[i] = v
		}
	}
	return row
}

func TestSortedRandomMatchesStableSort(t *testing.T) {
	types := []string{"BIGINT", "BIGINT", "BIGINT"}
	for _, k := range []int{1, 2, 3, 8} {
		for _, text := range []bool{false, true} {
			t.Run(fmt.Sprintf("k=%d/text=%v", k, text), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(42, uint64(k)))
				for round := 0; round < 20; round++ {
					nodes, want := randomNodes(rng, k, text)
					got := mustRun(t, Spec{Sort: []SortKey{{Col: At(0)}}}, types, nodes...)
					require.Equal(t, want, got, "round %d", round)
				}
			})
		}
	}
}

func TestSortedRandomDescending(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := 0; round < 20; round++ {
		nodes, _ := randomNodes(rng, 5, false)
		var all [][]driver.Value
		for _, n := range nodes {
			slices.Reverse(n)
			all = append(all, n...)
		}
		want := slices.Clone(all)
		slices.SortStableFunc(want, func(a, b []driver.Value) int { return cmp.Compare(b[0].(int64), a[0].(int64)) })
		got := mustRun(t, Spec{Sort: []SortKey{{Col: At(0), Desc: true}}}, []string{"BIGINT", "BIGINT", "BIGINT"}, nodes...)
		require.Equal(t, want, got, "round %d", round)
	}
}

// TestSortedMultiKey merges on (a INT NULL ASC, b VARCHAR DESC, c DECIMAL
// ASC) and checks against an independent comparator.
func TestSortedMultiKey(t *testing.T) {
	type row struct {
		a     *int64 // nil: NULL
		b     string
		cents int64 // c × 100; written with one or two decimals
		node  int64
		seq   int64
	}
	cmpRow := func(x, y row) int {
		switch {
		case x.a == nil && y.a != nil:
			return -1
		case x.a != nil && y.a == nil:
			return 1
		case x.a != nil && y.a != nil && *x.a != *y.a:
			return cmp.Compare(*x.a, *y.a)
		}
		if c := cmp.Compare(y.b, x.b); c != 0 { // DESC, byte order
			return c
		}
		return cmp.Compare(x.cents, y.cents)
	}
	decText := func(cents int64, short bool) []byte {
		sign := ""
		if cents < 0 {
			sign, cents = "-", -cents
		}
		if short && cents%10 == 0 {
			return bs(fmt.Sprintf("%s%d.%d", sign, cents/100, cents%100/10))
		}
		return bs(fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100))
	}
	spec := Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1), Desc: true}, {Col: At(2)}}}
	types := []string{"INT", "VARCHAR", "DECIMAL", "BIGINT", "BIGINT"}
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "a", "B", "b", "ab", "Zeta"}
	for round := 0; round < 30; round++ {
		k := 1 + rng.IntN(6)
		var all []row
		nodes := make([][][]driver.Value, k)
		for n := 0; n < k; n++ {
			var rs []row
			for i := rng.IntN(30); i > 0; i-- {
				r := row{b: words[rng.IntN(len(words))], cents: rng.Int64N(41) - 20}
				if rng.IntN(5) > 0 {
					a := rng.Int64N(3)
					r.a = &a
				}
				rs = append(rs, r)
			}
			slices.SortStableFunc(rs, cmpRow)
			for i := range rs {
				rs[i].node, rs[i].seq = int64(n), int64(i)
				var a driver.Value
				if rs[i].a != nil {
					a = *rs[i].a
				}
				nodes[n] = append(nodes[n], []driver.Value{a, bs(rs[i].b), decText(rs[i].cents, rng.IntN(2) == 0), int64(n), int64(i)})
			}
			all = append(all, rs...)
		}
		slices.SortStableFunc(all, cmpRow)
		got := mustRun(t, spec, types, nodes...)
		require.Len(t, got, len(all))
		for i, r := range all {
			assert.Equal(t, []driver.Value{r.node, r.seq}, got[i][3:], "round %d row %d", round, i)
		}
	}
}

func TestSortedNulls(t *testing.T) {
	types := []string{"BIGINT", "VARCHAR"}
	asc := mustRun(t, Spec{Sort: []SortKey{{Col: At(0)}}}, types,
		[][]driver.Value{{nil, bs("a0")}, {int64(1), bs("a1")}, {int64(5), bs("a2")}},
		[][]driver.Value{{nil, bs("b0")}, {int64(-3), bs("b1")}},
	)
	assert.Equal(t, [][]driver.Value{
		{nil, bs("a0")}, {nil, bs("b0")}, {int64(-3), bs("b1")}, {int64(1), bs("a1")}, {int64(5), bs("a2")},
	}, asc)

	desc := mustRun(t, Spec{Sort: []SortKey{{Col: At(0), Desc: true}}}, types,
		[][]driver.Value{{int64(5), bs("a0")}, {int64(1), bs("a1")}, {nil, bs("a2")}},
		[][]driver.Value{{int64(-3), bs("b0")}, {nil, bs("b1")}},
	)
	assert.Equal(t, [][]driver.Value{
		{int64(5), bs("a0")}, {int64(1), bs("a1")}, {int64(-3), bs("b0")}, {nil, bs("a2")}, {nil, bs("b1")},
	}, desc)
}

// TestSortedByKind merges two nodes on one key of each type, in both the
// text and the binary protocol forms.
func TestSortedByKind(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		typ  string
		a, b []driver.Value // each node's keys, ascending
		want []driver.Value
	}{
		{"BIGINT", []driver.Value{int64(-10), int64(2), int64(30)}, []driver.Value{int64(-2), int64(9)},
			[]driver.Value{int64(-10), int64(-2), int64(2), int64(9), int64(30)}},
		{"BIGINT", []driver.Value{bs("-10"), bs("2"), bs("30")}, []driver.Value{bs("-2"), bs("9")},
			[]driver.Value{bs("-10"), bs("-2"), bs("2"), bs("9"), bs("30")}},
		{"UNSIGNED BIGINT", []driver.Value{int64(5), bs("18446744073709551615")}, []driver.Value{int64(9), bs("9223372036854775808")},
			[]driver.Value{int64(5), int64(9), bs("9223372036854775808"), bs("18446744073709551615")}},
		{"DECIMAL", []driver.Value{bs("-0.10"), bs("1.1"), bs("10.5")}, []driver.Value{bs("-0.2"), bs("0"), bs("9.99")},
			[]driver.Value{bs("-0.2"), bs("-0.10"), bs("0"), bs("1.1"), bs("9.99"), bs("10.5")}},
		{"DOUBLE", []driver.Value{float64(-1.5), float64(2.25)}, []driver.Value{float64(0), float64(100)},
			[]driver.Value{float64(-1.5), float64(0), float64(2.25), float64(100)}},
		{"DOUBLE", []driver.Value{bs("-1.5"), bs("2.25")}, []driver.Value{bs("0"), bs("100")},
			[]driver.Value{bs("-1.5"), bs("0"), bs("2.25"), bs("100")}},
		{"TIME", []driver.Value{bs("-01:00:00"), bs("25:00:00")}, []driver.Value{bs("-00:30:00"), bs("00:00:00"), bs("100:00:00")},
			[]driver.Value{bs("-01:00:00"), bs("-00:30:00"), bs("00:00:00"), bs("25:00:00"), bs("100:00:00")}},
		{"DATETIME", []driver.Value{t0, t0.Add(2 * time.Hour)}, []driver.Value{t0.Add(time.Second)},
			[]driver.Value{t0, t0.Add(time.Second), t0.Add(2 * time.Hour)}},
		{"DATETIME", []driver.Value{bs("2024-03-01 12:00:00"), bs("2024-03-01 14:00:00")}, []driver.Value{bs("2024-03-01 12:00:01")},
			[]driver.Value{bs("2024-03-01 12:00:00"), bs("2024-03-01 12:00:01"), bs("2024-03-01 14:00:00")}},
		{"VARBINARY", []driver.Value{bs("\x00"), bs("\xff")}, []driver.Value{bs("\x00\x01"), bs("a")},
			[]driver.Value{bs("\x00"), bs("\x00\x01"), bs("a"), bs("\xff")}},
	}
	col := func(vs []driver.Value) [][]driver.Value {
		out := make([][]driver.Value, len(vs))
		for i, v := range vs {
			out[i] = []driver.Value{v}
		}
		return out
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%T", c.typ, c.a[0]), func(t *testing.T) {
			got := mustRun(t, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{c.typ}, col(c.a), col(c.b))
			assert.Equal(t, col(c.want), got)
			// descending: the reverse
			ra, rb, rw := slices.Clone(c.a), slices.Clone(c.b), slices.Clone(c.want)
			slices.Reverse(ra)
			slices.Reverse(rb)
			slices.Reverse(rw)
			got = mustRun(t, Spec{Sort: []SortKey{{Col: At(0), Desc: true}}}, []string{c.typ}, col(ra), col(rb))
			assert.Equal(t, col(rw), got)
		})
	}
}

// TestSortedFloatRefused: a FLOAT column's values arrive as text of six
// significant digits, which ties values that differ (1.0000001 and
// 1.0000002 are both "1"): sorting by one is refused (the router sorts
// catalog FLOAT columns by a hidden col+0 instead).
func TestSortedFloatRefused(t *testing.T) {
	a := [][]driver.Value{{float32(1)}, {float32(3)}}
	_, err := newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"FLOAT"}, asCursors(nodeCursors(a, a)))
	require.ErrorIs(t, err, ErrUnsupported)
}

func TestSortedTextCollation(t *testing.T) {
	types := []string{"VARCHAR", "VARCHAR"}
	spec := func(desc bool) Spec {
		return Spec{Hidden: 1, Sort: []SortKey{{Col: At(0), Desc: desc}}, Collations: []Collated{{Col: At(0), From: At(1)}}}
	}
	w := func(s string) []driver.Value { return []driver.Value{bs(s), gci} }

	t.Run("collation decides", func(t *testing.T) {
		got := mustRun(t, spec(false), types,
			[][]driver.Value{w("apple"), w("cherry")},
			[][]driver.Value{w("Banana")},
		)
		assert.Equal(t, [][]driver.Value{{bs("apple")}, {bs("Banana")}, {bs("cherry")}}, got)
	})
	t.Run("collation decides descending", func(t *testing.T) {
		got := mustRun(t, spec(true), types,
			[][]driver.Value{w("cherry"), w("apple")},
			[][]driver.Value{w("Banana")},
		)
		assert.Equal(t, [][]driver.Value{{bs("cherry")}, {bs("Banana")}, {bs("apple")}}, got)
	})
	t.Run("equal under the collation keep node order", func(t *testing.T) {
		// PAD SPACE: 'b ' equals 'b'; general_ci: 'é' equals 'E'
		got := mustRun(t, spec(false), types,
			[][]driver.Value{w("b "), w("c")},
			[][]driver.Value{w("A"), w("B"), w("é")},
		)
		assert.Equal(t, [][]driver.Value{{bs("A")}, {bs("b ")}, {bs("B")}, {bs("c")}, {bs("é")}}, got)
	})
	t.Run("no collation: byte order", func(t *testing.T) {
		got := mustRun(t, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"VARCHAR"},
			[][]driver.Value{{bs("apple")}, {bs("cherry")}},
			[][]driver.Value{{bs("Banana")}},
		)
		assert.Equal(t, [][]driver.Value{{bs("Banana")}, {bs("apple")}, {bs("cherry")}}, got)
	})
	t.Run("unknown collation is refused", func(t *testing.T) {
		cur, err := newMerge(spec(false), types, []Cursor{
			&sliceCursor{rows: [][]driver.Value{{bs("a"), bs("utf8mb4_no_such_ci")}}},
			&sliceCursor{rows: [][]driver.Value{{bs("b"), bs("utf8mb4_no_such_ci")}}},
		})
		require.NoError(t, err)
		err = cur.Next(make([]driver.Value, 1))
		assert.ErrorIs(t, err, ErrUnsupported)
	})
	t.Run("ENUM keys are refused", func(t *testing.T) {
		_, err := newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"ENUM"}, []Cursor{&sliceCursor{}, &sliceCursor{}})
		assert.ErrorIs(t, err, ErrUnsupported)
	})
}

func TestSortedEmpty(t *testing.T) {
	spec := Spec{Sort: []SortKey{{Col: At(0)}}}
	types := []string{"BIGINT"}
	assert.Empty(t, mustRun(t, spec, types))
	assert.Empty(t, mustRun(t, spec, types, nil))
	assert.Empty(t, mustRun(t, spec, types, nil, nil, nil))
	assert.Equal(t, intRows(1, 2, 3), mustRun(t, spec, types, nil, intRows(1, 3), nil, intRows(2), nil))

	// Next after the end keeps returning io.EOF
	cur, err := newMerge(spec, types, asCursors(nodeCursors(intRows(1), intRows(2))))
	require.NoError(t, err)
	row := make([]driver.Value, 1)
	require.NoError(t, cur.Next(row))
	require.NoError(t, cur.Next(row))
	assert.Equal(t, io.EOF, cur.Next(row))
	assert.Equal(t, io.EOF, cur.Next(row))
}

func TestSortedCursorError(t *testing.T) {
	boom := errors.New("boom")
	a := &sliceCursor{rows: intRows(1, 3), err: boom}
	b := &sliceCursor{rows: intRows(2, 4, 6)}
	cur, err := newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, []Cursor{a, b})
	require.NoError(t, err)
	rows, err := drain(t, cur, 1)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, intRows(1, 2, 3), rows)
	require.NoError(t, cur.Close())
	assert.GreaterOrEqual(t, a.closed, 1)
	assert.GreaterOrEqual(t, b.closed, 1)

	// an error on the very first read
	a = &sliceCursor{err: boom}
	b = &sliceCursor{rows: intRows(2)}
	cur, err = newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, []Cursor{b, a})
	require.NoError(t, err)
	rows, err = drain(t, cur, 1)
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, rows)
}

func TestSortedBadValue(t *testing.T) {
	_, err := run(t, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"},
		intRows(1), [][]driver.Value{{bs("not a number")}})
	assert.Error(t, err)
}

func TestSortedCloseClosesEveryCursor(t *testing.T) {
	cs := nodeCursors(intRows(1, 4, 7), intRows(2, 5), intRows(3), nil)
	cur, err := newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, asCursors(cs))
	require.NoError(t, err)
	row := make([]driver.Value, 1)
	for i := 0; i < 3; i++ {
		require.NoError(t, cur.Next(row))
	}
	assert.Equal(t, []driver.Value{int64(3)}, row)
	require.NoError(t, cur.Close())
	for i, c := range cs {
		assert.GreaterOrEqual(t, c.closed, 1, "cursor %d", i)
	}
	// an exhausted node is closed as soon as it ends
	cs = nodeCursors(intRows(1), intRows(2, 3))
	cur, err = newMerge(Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, asCursors(cs))
	require.NoError(t, err)
	require.NoError(t, cur.Next(row))
	require.NoError(t, cur.Next(row))
	assert.Equal(t, 1, cs[0].closed, "node 0 ended when its successor was needed")
	assert.Equal(t, 0, cs[1].closed)
	require.NoError(t, cur.Close())
}
