package merge

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGlobalAggregates folds one partial-aggregate row per node into the
// result of an aggregate query without GROUP BY.
func TestGlobalAggregates(t *testing.T) {
	type node = []driver.Value
	cases := []struct {
		name   string
		types  []string
		hidden int
		aggs   []Agg
		colls  []Collated
		nodes  []node // one row per node
		want   []driver.Value
	}{
		{
			name:  "COUNT sums, binary and text",
			types: []string{"BIGINT"},
			aggs:  []Agg{{Kind: AggCount, Col: At(0)}},
			nodes: []node{{int64(3)}, {bs("4")}, {int64(0)}},
			want:  []driver.Value{int64(7)},
		},
		{
			name:  "SUM DECIMAL exact",
			types: []string{"DECIMAL"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{bs("0.10")}, {bs("0.20")}},
			want:  []driver.Value{bs("0.30")},
		},
		{
			name:  "SUM DECIMAL mixed scales, negatives and NULL",
			types: []string{"DECIMAL"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{bs("1.5")}, {nil}, {bs("-0.25")}},
			want:  []driver.Value{bs("1.25")},
		},
		{
			name:  "SUM DECIMAL beyond float64",
			types: []string{"DECIMAL"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{bs("12345678901234567890.12")}, {bs("0.01")}},
			want:  []driver.Value{bs("12345678901234567890.13")},
		},
		{
			name:  "SUM of integers in the binary protocol",
			types: []string{"DECIMAL"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{int64(5)}, {int64(-2)}},
			want:  []driver.Value{bs("3")},
		},
		{
			name:  "SUM DOUBLE binary",
			types: []string{"DOUBLE"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{float64(0.5)}, {float64(0.25)}, {nil}},
			want:  []driver.Value{float64(0.75)},
		},
		{
			name:  "SUM DOUBLE text",
			types: []string{"DOUBLE"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}},
			nodes: []node{{bs("0.5")}, {bs("-1.25")}},
			want:  []driver.Value{float64(-0.75)},
		},
		{
			name:  "SUM all NULL is NULL",
			types: []string{"DECIMAL", "DOUBLE"},
			aggs:  []Agg{{Kind: AggSum, Col: At(0)}, {Kind: AggSum, Col: At(1)}},
			nodes: []node{{nil, nil}, {nil, nil}},
			want:  []driver.Value{nil, nil},
		},
		{
			name:  "MIN/MAX of ints, binary",
			types: []string{"BIGINT", "BIGINT"},
			aggs:  []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			nodes: []node{{int64(5), int64(5)}, {nil, nil}, {int64(-3), int64(9)}, {int64(4), int64(-1)}},
			want:  []driver.Value{int64(-3), int64(9)},
		},
		{
			name:  "MIN/MAX of ints, text compares numerically",
			types: []string{"BIGINT", "BIGINT"},
			aggs:  []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			nodes: []node{{bs("10"), bs("10")}, {bs("9"), bs("9")}, {bs("-1"), bs("-1")}},
			want:  []driver.Value{bs("-1"), bs("10")},
		},
		{
			name:  "MIN/MAX of decimals",
			types: []string{"DECIMAL", "DECIMAL"},
			aggs:  []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			nodes: []node{{bs("-0.25"), bs("9.99")}, {bs("-0.5"), bs("10.5")}, {bs("1.10"), bs("1.10")}},
			want:  []driver.Value{bs("-0.5"), bs("10.5")},
		},
		{
			name:  "MIN/MAX of text without weight: byte order",
			types: []string{"VARCHAR", "VARCHAR"},
			aggs:  []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			nodes: []node{{bs("apple"), bs("apple")}, {bs("Banana"), bs("Banana")}, {bs("cherry"), bs("cherry")}},
			want:  []driver.Value{bs("Banana"), bs("cherry")},
		},
		{
			name:   "MIN/MAX of text by collation",
			types:  []string{"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"},
			hidden: 2,
			aggs:   []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			colls:  []Collated{{Col: At(0), From: At(2)}, {Col: At(1), From: At(3)}},
			nodes: []node{
				{bs("Banana"), bs("Banana"), gci, gci},
				{bs("apple"), bs("apple"), gci, gci},
				{nil, nil, nil, nil},
				{bs("Cherry"), bs("Cherry"), gci, gci},
			},
			want: []driver.Value{bs("apple"), bs("Cherry")},
		},
		{
			name:   "MIN/MAX equal under the collation keep the first",
			types:  []string{"VARCHAR", "VARCHAR", "VARCHAR"},
			hidden: 1,
			aggs:   []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			colls:  []Collated{{Col: At(0), From: At(2)}, {Col: At(1), From: At(2)}},
			nodes:  []node{{bs("Abc"), bs("Abc"), gci}, {bs("abc "), bs("abc "), gci}},
			want:   []driver.Value{bs("Abc"), bs("Abc")},
		},
		{
			name:  "MIN/MAX all NULL",
			types: []string{"BIGINT", "VARCHAR"},
			aggs:  []Agg{{Kind: AggMin, Col: At(0)}, {Kind: AggMax, Col: At(1)}},
			nodes: []node{{nil, nil}, {nil, nil}},
			want:  []driver.Value{nil, nil},
		},
		{
			name:  "AVG DECIMAL: scale + 4",
			types: []string{"DECIMAL", "BIGINT"},
			aggs:  []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(1)}},
			nodes: []node{{bs("4.00"), int64(1)}, {bs("6.00"), int64(2)}},
			want:  []driver.Value{bs("3.333333"), int64(1)},
		},
		{
			name:  "AVG DECIMAL rounds half away from zero, negative",
			types: []string{"DECIMAL", "BIGINT"},
			aggs:  []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(1)}},
			nodes: []node{{bs("-1"), bs("1")}, {bs("-1"), bs("2")}},
			want:  []driver.Value{bs("-0.6667"), bs("1")},
		},
		{
			name:  "AVG DECIMAL rounds up, positive",
			types: []string{"DECIMAL", "BIGINT"},
			aggs:  []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(1)}},
			nodes: []node{{bs("2"), int64(3)}, {nil, int64(0)}},
			want:  []driver.Value{bs("0.6667"), int64(3)},
		},
		{
			name:  "AVG DECIMAL exact half",
			types: []string{"DECIMAL", "BIGINT"},
			aggs:  []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(1)}},
			nodes: []node{{bs("1"), int64(10000)}, {bs("0"), int64(10000)}},
			want:  []driver.Value{bs("0.0001"), int64(10000)},
		},
		{
			name:  "AVG DOUBLE",
			types: []string{"DOUBLE", "BIGINT"},
			aggs:  []Agg{{Kind: AggAvg, Col: At(0), CountCol: at(1)}},
			nodes: []node{{float64(3), int64(2)}, {bs("1.5"), bs("1")}},
			want:  []driver.Value{float64(1.5), int64(2)},
		},
		{
			name:  "AVG with all counts 0 is NULL",
			types: []string{"DECIMAL", "BIGINT", "DOUBLE", "BIGINT"},
			aggs: []Agg{
				{Kind: AggAvg, Col: At(0), CountCol: at(1)},
				{Kind: AggAvg, Col: At(2), CountCol: at(3)},
			},
			nodes: []node{{nil, int64(0), nil, int64(0)}, {nil, int64(0), nil, int64(0)}},
			want:  []driver.Value{nil, int64(0), nil, int64(0)},
		},
		{
			name:  "plain columns keep the first node's value",
			types: []string{"VARCHAR", "BIGINT"},
			aggs:  []Agg{{Kind: AggCount, Col: At(1)}},
			nodes: []node{{bs("first"), int64(1)}, {bs("second"), int64(2)}},
			want:  []driver.Value{bs("first"), int64(3)},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var parts [][][]driver.Value
			for _, n := range c.nodes {
				parts = append(parts, [][]driver.Value{n})
			}
			got := mustRun(t, Spec{Hidden: c.hidden, Collations: c.colls, Group: &Group{Aggs: c.aggs}}, c.types, parts...)
			assert.Equal(t, [][]driver.Value{c.want}, got)

			// every row from one node folds the same
			var all [][]driver.Value
			for _, n := range c.nodes {
				all = append(all, n)
			}
			got = mustRun(t, Spec{Hidden: c.hidden, Collations: c.colls, Group: &Group{Aggs: c.aggs}}, c.types, all)
			assert.Equal(t, [][]driver.Value{c.want}, got, "one node")
		})
	}
}

func TestGlobalAggregatesEmptyInput(t *testing.T) {
	types := []string{"BIGINT", "DECIMAL", "BIGINT", "DECIMAL", "BIGINT", "VARCHAR", "BIGINT"}
	spec := Spec{Hidden: 1, Group: &Group{Aggs: []Agg{
		{Kind: AggCount, Col: At(0)},
		{Kind: AggSum, Col: At(1)},
		{Kind: AggMin, Col: At(2)},
		{Kind: AggAvg, Col: At(3), CountCol: at(6)},
		{Kind: AggMax, Col: At(4)},
	}}}
	want := [][]driver.Value{{int64(0), nil, nil, nil, nil, nil}}
	assert.Equal(t, want, mustRun(t, spec, types), "no nodes")
	assert.Equal(t, want, mustRun(t, spec, types, nil, nil, nil), "empty nodes")

	// a LIMIT past the one row, or 0
	spec.Limit = &Page{Offset: 1, Count: 1}
	assert.Empty(t, mustRun(t, spec, types, nil))
	spec.Limit = &Page{}
	assert.Empty(t, mustRun(t, spec, types, nil))
}

func TestGroupByEmptyInputHasNoRows(t *testing.T) {
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{{Kind: AggCount, Col: At(1)}}}}
	assert.Empty(t, mustRun(t, spec, []string{"BIGINT", "BIGINT"}))
	assert.Empty(t, mustRun(t, spec, []string{"BIGINT", "BIGINT"}, nil, nil))
}

func TestGroupByOneKey(t *testing.T) {
	// SELECT k, COUNT(*), SUM(d), MIN(i), MAX(i), AVG(d) … GROUP BY k, as
	// node partials sorted by k: k, count, sum, min, max, sum(d) for AVG,
	// hidden count(d) for AVG.
	types := []string{"BIGINT", "BIGINT", "DECIMAL", "BIGINT", "BIGINT", "DECIMAL", "BIGINT"}
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{Hidden: 1, Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{
		{Kind: AggCount, Col: At(1)},
		{Kind: AggSum, Col: At(2)},
		{Kind: AggMin, Col: At(3)},
		{Kind: AggMax, Col: At(4)},
		{Kind: AggAvg, Col: At(5), CountCol: at(6)},
	}}}
	r := func(vs ...driver.Value) []driver.Value { return vs }
	got := mustRun(t, spec, types,
		[][]driver.Value{
			r(nil, int64(2), nil, nil, nil, nil, int64(0)),
			r(int64(1), int64(2), bs("1.10"), int64(5), int64(7), bs("1.10"), int64(2)),
			r(int64(3), int64(1), bs("-1"), int64(-1), int64(-1), bs("-1"), int64(1)),
		},
		[][]driver.Value{
			r(int64(1), int64(1), bs("0.9"), int64(3), int64(3), bs("0.9"), int64(1)),
			r(int64(2), int64(4), bs("10"), int64(0), int64(9), bs("10"), int64(4)),
		},
		[][]driver.Value{
			r(nil, int64(1), bs("5"), int64(1), int64(1), bs("5"), int64(1)),
			r(int64(3), int64(2), nil, nil, nil, nil, int64(0)),
			r(int64(4), int64(1), bs("0.01"), int64(8), int64(8), bs("0.01"), int64(4)),
		},
	)
	assert.Equal(t, [][]driver.Value{
		r(nil, int64(3), bs("5"), int64(1), int64(1), bs("5.0000")),
		r(int64(1), int64(3), bs("2.00"), int64(3), int64(7), bs("0.666667")),
		r(int64(2), int64(4), bs("10"), int64(0), int64(9), bs("2.5000")),
		r(int64(3), int64(3), bs("-1"), int64(-1), int64(-1), bs("-1.0000")),
		r(int64(4), int64(1), bs("0.01"), int64(8), int64(8), bs("0.002500")),
	}, got)
}

func TestGroupByTwoKeysDescending(t *testing.T) {
	// GROUP BY region, day ORDER BY region DESC, day: plain columns keep the
	// first merged row's value
	types := []string{"VARCHAR", "DATETIME", "BIGINT", "VARCHAR"}
	keys := []SortKey{{Col: At(0), Desc: true}, {Col: At(1)}}
	spec := Spec{Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{{Kind: AggCount, Col: At(2)}}}}
	r := func(region, day string, n int64, note string) []driver.Value {
		return []driver.Value{bs(region), bs(day), n, bs(note)}
	}
	got := mustRun(t, spec, types,
		[][]driver.Value{r("west", "2024-01-01", 1, "a"), r("west", "2024-01-02", 2, "b"), r("east", "2024-01-01", 3, "c")},
		[][]driver.Value{r("west", "2024-01-02", 10, "d"), r("east", "2024-01-01", 20, "e"), r("east", "2024-01-03", 30, "f")},
	)
	assert.Equal(t, [][]driver.Value{
		r("west", "2024-01-01", 1, "a"),
		r("west", "2024-01-02", 12, "b"),
		r("east", "2024-01-01", 23, "c"),
		r("east", "2024-01-03", 30, "f"),
	}, got)
}

func TestGroupByCollation(t *testing.T) {
	// GROUP BY status on a case-insensitive PAD SPACE collation: 'Urgent',
	// 'urgent' and 'URGENT ' are one group, shown as the first seen
	types := []string{"VARCHAR", "BIGINT", "VARCHAR"}
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{Hidden: 1, Sort: keys, Collations: []Collated{{Col: At(0), From: At(2)}},
		Group: &Group{Keys: keys, Aggs: []Agg{{Kind: AggCount, Col: At(1)}}}}
	r := func(s string, n int64) []driver.Value { return []driver.Value{bs(s), n, gci} }
	got := mustRun(t, spec, types,
		[][]driver.Value{r("Urgent", 2)},
		[][]driver.Value{r("low", 1), r("urgent", 3)},
		[][]driver.Value{r("Low ", 4), r("URGENT ", 5)},
	)
	assert.Equal(t, [][]driver.Value{{bs("low"), int64(5)}, {bs("Urgent"), int64(10)}}, got)

	// without weights the binary collation makes them distinct groups
	spec = Spec{Sort: []SortKey{{Col: At(0)}}, Group: &Group{Keys: []SortKey{{Col: At(0)}}, Aggs: []Agg{{Kind: AggCount, Col: At(1)}}}}
	got = mustRun(t, spec, []string{"VARCHAR", "BIGINT"},
		[][]driver.Value{{bs("Urgent"), int64(2)}, {bs("urgent"), int64(1)}},
		[][]driver.Value{{bs("Urgent"), int64(4)}},
	)
	assert.Equal(t, [][]driver.Value{{bs("Urgent"), int64(6)}, {bs("urgent"), int64(1)}}, got)
}

// TestGroupByRandom checks COUNT/SUM/MIN/MAX per group against a map,
// over random node partials in both protocols.
func TestGroupByRandom(t *testing.T) {
	types := []string{"BIGINT", "BIGINT", "DECIMAL", "BIGINT", "BIGINT"}
	keys := []SortKey{{Col: At(0)}}
	spec := Spec{Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{
		{Kind: AggCount, Col: At(1)},
		{Kind: AggSum, Col: At(2)},
		{Kind: AggMin, Col: At(3)},
		{Kind: AggMax, Col: At(4)},
	}}}
	type acc struct{ count, cents, min, max int64 }
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 30; round++ {
		text := round%2 == 1
		val := func(v int64) driver.Value {
			if text {
				return bs(strconv.FormatInt(v, 10))
			}
			return v
		}
		want := map[int64]*acc{}
		k := 1 + rng.IntN(8)
		nodes := make([][][]driver.Value, k)
		for n := range nodes {
			for key := int64(0); key < 30; key++ {
				if rng.IntN(3) == 0 {
					continue // this node has no rows of the group
				}
				c, cents, lo := 1+rng.Int64N(5), rng.Int64N(2001)-1000, rng.Int64N(200)-100
				hi := lo + rng.Int64N(50)
				sum := bs(fmt.Sprintf("%.2f", float64(cents)/100))
				nodes[n] = append(nodes[n], []driver.Value{val(key), val(c), sum, val(lo), val(hi)})
				a := want[key]
				if a == nil {
					a = &acc{min: lo, max: hi}
					want[key] = a
				}
				a.count += c
				a.cents += cents
				a.min, a.max = min(a.min, lo), max(a.max, hi)
			}
		}
		got := mustRun(t, spec, types, nodes...)
		wantKeys := make([]int64, 0, len(want))
		for key := range want {
			wantKeys = append(wantKeys, key)
		}
		slices.SortFunc(wantKeys, cmp.Compare)
		require.Len(t, got, len(wantKeys), "round %d", round)
		for i, key := range wantKeys {
			a := want[key]
			sum, err := parseDecimal(got[i][2].([]byte))
			require.NoError(t, err)
			assert.Equal(t, []driver.Value{val(key), int64(a.count), val(a.min), val(a.max)},
				[]driver.Value{got[i][0], got[i][1], got[i][3], got[i][4]}, "round %d key %d", round, key)
			assert.Equal(t, 2, sum.scale)
			assert.Equal(t, a.cents, sum.toBig().Int64(), "round %d key %d", round, key)
		}
	}
}

func TestGroupErrors(t *testing.T) {
	cases := []struct {
		name  string
		types []string
		agg   Agg
		v     driver.Value
	}{
		{"bad count", []string{"BIGINT"}, Agg{Kind: AggCount, Col: At(0)}, bs("x")},
		{"bad decimal sum", []string{"DECIMAL"}, Agg{Kind: AggSum, Col: At(0)}, bs("1.2.3")},
		{"unexpected sum type", []string{"DECIMAL"}, Agg{Kind: AggSum, Col: At(0)}, true},
		{"bad min", []string{"BIGINT"}, Agg{Kind: AggMin, Col: At(0)}, bs("x")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, Spec{Group: &Group{Aggs: []Agg{c.agg}}}, c.types, [][]driver.Value{{c.v}})
			assert.Error(t, err)
		})
	}
}

// A group whose MIN is NULL must not inherit the previous group's value.
func TestGroupMinResetsPerGroup(t *testing.T) {
	// columns: key, MIN(note), COLLATION(MIN(note))
	a := &sliceCursor{rows: [][]driver.Value{
		{int64(1), []byte("alpha"), gci},
		{int64(2), nil, gci},
	}}
	cur, err := newMerge(Spec{
		Sort:       []SortKey{{Col: At(0)}},
		Collations: []Collated{{Col: At(1), From: At(2)}},
		Group:      &Group{Keys: []SortKey{{Col: At(0)}}, Aggs: []Agg{{Kind: AggMin, Col: At(1)}}},
	}, []string{"BIGINT", "VARCHAR", "VARCHAR"}, []Cursor{a})
	require.NoError(t, err)
	row := make([]driver.Value, 3)
	require.NoError(t, cur.Next(row))
	require.NoError(t, cur.Next(row))
	assert.Equal(t, []driver.Value{int64(2), nil, gci}, row)
}
