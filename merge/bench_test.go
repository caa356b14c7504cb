package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// Benchmarks merge 1<<20 node rows over k = 2, 8, 32 in-memory nodes and
// report node rows consumed per second. The nodes hand out pre-built rows
// without allocating, so allocs/op is the merge's own.

const benchRows = 1 << 20

var benchKs = []int{2, 8, 32}

// benchCursor replays pre-built rows; Next copies interface values only.
type benchCursor struct {
	rows [][]driver.Value
	i    int
}

func (c *benchCursor) Next(dest []driver.Value) error {
	if c.i >= len(c.rows) {
		return io.EOF
	}
	copy(dest, c.rows[c.i])
	c.i++
	return nil
}

func (c *benchCursor) Close() error { return nil }

// benchInts returns k sorted runs of random keys, benchRows in all.
func benchInts(k int) [][]int64 {
	rng := rand.New(rand.NewPCG(uint64(k), 99))
	runs := make([][]int64, k)
	for n := range runs {
		runs[n] = make([]int64, benchRows/k)
		for i := range runs[n] {
			runs[n][i] = rng.Int64()
		}
		slices.Sort(runs[n])
	}
	return runs
}

func runMerge(b *testing.B, spec Spec, types []string, nodes [][][]driver.Value) {
	b.Helper()
	cursors := make([]*benchCursor, len(nodes))
	cs := make([]Cursor, len(nodes))
	for i, n := range nodes {
		cursors[i] = &benchCursor{rows: n}
		cs[i] = cursors[i]
	}
	dest := make([]driver.Value, len(types)-spec.Hidden)
	b.ReportAllocs()
	b.ResetTimer()
	var out int
	for i := 0; i < b.N; i++ {
		for _, c := range cursors {
			c.i = 0
		}
		cur, err := newMerge(spec, types, cs)
		if err != nil {
			b.Fatal(err)
		}
		for {
			err := cur.Next(dest)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			out++
		}
		_ = cur.Close()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out)/float64(b.N), "out-rows/op")
}

func BenchmarkSortBigint(b *testing.B) {
	for _, k := range benchKs {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			nodes := make([][][]driver.Value, k)
			for n, run := range benchInts(k) {
				for _, v := range run {
					nodes[n] = append(nodes[n], []driver.Value{v})
				}
			}
			runMerge(b, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"BIGINT"}, nodes)
		})
	}
}

func BenchmarkSortVarchar(b *testing.B) {
	for _, k := range benchKs {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			nodes := make([][][]driver.Value, k)
			for n, run := range benchInts(k) {
				for _, v := range run {
					// fixed-width text keys share long prefixes like real names
					nodes[n] = append(nodes[n], []driver.Value{[]byte(fmt.Sprintf("customer-%020d", uint64(v)))})
				}
			}
			runMerge(b, Spec{Sort: []SortKey{{Col: At(0)}}}, []string{"VARCHAR"}, nodes)
		})
	}
}

// BenchmarkGroupBy is SELECT g, COUNT(*), SUM(d), MAX(i) … GROUP BY g over
// node partials sorted by g, with 8 node rows per group.
func BenchmarkGroupBy(b *testing.B) {
	for _, k := range benchKs {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(k), 7))
			decimals := make([]driver.Value, 1000)
			for i := range decimals {
				decimals[i] = []byte(fmt.Sprintf("%d.%02d", rng.IntN(100000)-50000, rng.IntN(100)))
			}
			nodes := make([][][]driver.Value, k)
			for g := int64(0); g < benchRows/8; g++ {
				key := driver.Value(g)
				for j := 0; j < 8; j++ {
					n := rng.IntN(k)
					nodes[n] = append(nodes[n], []driver.Value{
						key, int64(1 + rng.IntN(100)), decimals[rng.IntN(len(decimals))], rng.Int64(),
					})
				}
			}
			keys := []SortKey{{Col: At(0)}}
			spec := Spec{Sort: keys, Group: &Group{Keys: keys, Aggs: []Agg{
				{Kind: AggCount, Col: At(1)},
				{Kind: AggSum, Col: At(2)},
				{Kind: AggMax, Col: At(3)},
			}}}
			runMerge(b, spec, []string{"BIGINT", "BIGINT", "DECIMAL", "BIGINT"}, nodes)
		})
	}
}

// loserTree is a plain k-way merge of sorted []int64 runs: the ceiling the
// generic merge is measured against.
type loserTree struct {
	runs [][]int64
	pos  []int
	tree []int // tree[0]: the winner; tree[1:k]: the loser at each inner node
	k    int
}

// beats reports whether run a's head comes before run b's; exhausted runs lose.
func (lt *loserTree) beats(a, b int) bool {
	if lt.pos[b] >= len(lt.runs[b]) {
		return true
	}
	if lt.pos[a] >= len(lt.runs[a]) {
		return false
	}
	x, y := lt.runs[a][lt.pos[a]], lt.runs[b][lt.pos[b]]
	return x < y || (x == y && a < b)
}

func (lt *loserTree) build(node int) int {
	if node >= lt.k {
		return node - lt.k
	}
	l, r := lt.build(2*node), lt.build(2*node+1)
	if lt.beats(l, r) {
		lt.tree[node] = r
		return l
	}
	lt.tree[node] = l
	return r
}

func newLoserTree(runs [][]int64) *loserTree {
	lt := &loserTree{runs: runs, pos: make([]int, len(runs)), tree: make([]int, len(runs)), k: len(runs)}
	lt.tree[0] = lt.build(1)
	return lt
}

// next returns the smallest remaining value; false when every run is done.
func (lt *loserTree) next() (int64, bool) {
	w := lt.tree[0]
	if lt.pos[w] >= len(lt.runs[w]) {
		return 0, false
	}
	v := lt.runs[w][lt.pos[w]]
	lt.pos[w]++
	for node := (w + lt.k) / 2; node >= 1; node /= 2 {
		if lt.beats(lt.tree[node], w) {
			lt.tree[node], w = w, lt.tree[node]
		}
	}
	lt.tree[0] = w
	return v, true
}

func TestLoserTree(t *testing.T) {
	for _, k := range []int{1, 2, 3, 5, 8} {
		rng := rand.New(rand.NewPCG(uint64(k), 1))
		runs := make([][]int64, k)
		var all []int64
		for n := range runs {
			for i := rng.IntN(50); i > 0; i-- {
				runs[n] = append(runs[n], rng.Int64N(100))
			}
			slices.Sort(runs[n])
			all = append(all, runs[n]...)
		}
		slices.Sort(all)
		lt := newLoserTree(runs)
		var got []int64
		for v, ok := lt.next(); ok; v, ok = lt.next() {
			got = append(got, v)
		}
		if !slices.Equal(all, got) {
			t.Fatalf("k=%d: loser tree merged %v, want %v", k, got, all)
		}
	}
}

var benchSink int64

func BenchmarkCeilingLoserTree(b *testing.B) {
	for _, k := range benchKs {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			runs := benchInts(k)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lt := newLoserTree(runs)
				var sum int64
				for v, ok := lt.next(); ok; v, ok = lt.next() {
					sum += v
				}
				benchSink += sum
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
