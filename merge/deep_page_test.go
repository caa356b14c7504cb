package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
)

// deepRow is a test row: a sort value (nil is NULL) and a unique id.
func deepOrder(desc bool) func(a, b []driver.Value) int {
	// NULL first ascending, last descending, as MySQL; then id ascending.
	return func(a, b []driver.Value) int {
		c := 0
		switch {
		case a[0] == nil && b[0] == nil:
		case a[0] == nil:
			c = -1
		case b[0] == nil:
			c = 1
		case a[0].(int64) < b[0].(int64):
			c = -1
		case a[0].(int64) > b[0].(int64):
			c = 1
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		switch {
		case a[1].(int64) < b[1].(int64):
			return -1
		case a[1].(int64) > b[1].(int64):
			return 1
		}
		return 0
	}
}

// simulateDeepPage runs both phases against in-memory nodes (each sorted
// by order) the way the servers would, and returns the page.
func simulateDeepPage(t *testing.T, d DeepPage, nodes [][][]driver.Value, order func(a, b []driver.Value) int) ([][]driver.Value, int64) {
	t.Helper()
	out, sent, _ := simulateDeepPageBounds(t, d, nodes, order)
	return out, sent
}

// simulateDeepPageBounds is simulateDeepPage returning the bounds too.
func simulateDeepPageBounds(t *testing.T, d DeepPage, nodes [][][]driver.Value, order func(a, b []driver.Value) int) ([][]driver.Value, int64, *DeepBounds) {
	t.Helper()
	types := []string{"BIGINT", "BIGINT"}
	sent := int64(0)
	phase1 := make([][][]driver.Value, len(nodes))
	for i, n := range nodes {
		o, w := d.NodeWindow(i)
		for p := o; p < o+w && p < int64(len(n)); p++ {
			phase1[i] = append(phase1[i], n[p])
		}
		sent += int64(len(phase1[i]))
	}
	shuffle := func(rows [][]driver.Value) { // a UNION ALL may reorder
		rand.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	for _, w := range phase1 {
		shuffle(w)
	}
	b, err := PlanDeepPage(d, types, phase1)
	if err != nil {
		t.Fatal(err)
	}
	phase2 := make([][][]driver.Value, len(nodes))
	counts := make([]int64, len(nodes))
	if !b.Empty {
		for i, n := range nodes {
			nd := b.Nodes[i]
			if nd.Covered {
				continue
			}
			for _, r := range n {
				if order(r, b.Lower) < 0 {
					counts[i]++
					continue
				}
				if nd.Upper != nil && order(r, nd.Upper) > 0 {
					break
				}
				if int64(len(phase2[i])) == nd.Limit {
					break
				}
				phase2[i] = append(phase2[i], r)
			}
			sent += int64(len(phase2[i]))
			if nd.Count {
				sent++
			}
		}
	}
	for _, w := range phase2 {
		shuffle(w)
	}
	cur, err := DeepPageRows(b, types, phase2, counts)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]driver.Value
	for {
		row := make([]driver.Value, 2)
		if err := cur.Next(row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	return out, sent, b
}

func TestDeepPageAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 3000; iter++ {
		k := 1 + rng.IntN(6)
		desc := rng.IntN(2) == 0
		order := deepOrder(desc)
		nodes := make([][][]driver.Value, k)
		var all [][]driver.Value
		id := int64(0)
		skew := rng.IntN(3) // 0 even, 1 range-like, 2 some nodes tiny
		for i := range nodes {
			n := rng.IntN(60)
			if skew == 2 && rng.IntN(2) == 0 {
				n = rng.IntN(3)
			}
			for j := 0; j < n; j++ {
				id++
				var v driver.Value
				switch {
				case rng.IntN(8) == 0:
					v = nil
				case skew == 1:
					v = int64(i*1000 + rng.IntN(50))
				default:
					v = int64(rng.IntN(40)) // many ties
				}
				r := []driver.Value{v, id}
				nodes[i] = append(nodes[i], r)
				all = append(all, r)
			}
			sort.Slice(nodes[i], func(a, b int) bool { return order(nodes[i][a], nodes[i][b]) < 0 })
		}
		sort.Slice(all, func(a, b int) bool { return order(all[a], all[b]) < 0 })
		offset := int64(rng.IntN(len(all) + 5))
		count := int64(1 + rng.IntN(12))
		spec := Spec{Sort: []SortKey{{Col: At(0), Desc: desc}, {Col: At(1)}}}
		got, _ := simulateDeepPage(t, DeepPage{Spec: spec, Offset: offset, Count: count, Nodes: k, Margin: int64(rng.IntN(3) * rng.IntN(8))}, nodes, order)
		var want [][]driver.Value
		for p := offset; p < offset+count && p < int64(len(all)); p++ {
			want = append(want, all[p])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("iter %d: k=%d desc=%v skew=%d offset=%d count=%d:\n got %v\nwant %v", iter, k, desc, skew, offset, count, got, want)
		}
	}
}

// TestDeepPageTransfer checks the rows sent on evenly spread nodes stay
// near k×count while a stream would send k×(offset+count).
func TestDeepPageTransfer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const k, total = 16, 100_000
	order := deepOrder(false)
	nodes := make([][][]driver.Value, k)
	for id := int64(1); id <= total; id++ {
		i := rng.IntN(k)
		nodes[i] = append(nodes[i], []driver.Value{id, id})
	}
	for _, tc := range []struct{ offset, count, margin int64 }{{10_000, 10, 0}, {10_000, 10, 75}, {50_000, 20, 0}, {50_000, 20, 168}, {90_000, 100, 0}, {90_000, 100, 225}} {
		got, sent := simulateDeepPage(t, DeepPage{Spec: Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1)}}}, Offset: tc.offset, Count: tc.count, Nodes: k, Margin: tc.margin}, nodes, order)
		if len(got) != int(tc.count) || got[0][1].(int64) != tc.offset+1 {
			t.Fatalf("offset %d: page starts at %v", tc.offset, got[0])
		}
		stream := int64(k) * (tc.offset + tc.count)
		t.Logf("margin %d offset %d count %d: %d rows sent (stream: %d, k×count: %d)", tc.margin, tc.offset, tc.count, sent, stream, k*tc.count)
		if sent > stream/10 {
			t.Errorf("offset %d: %d rows sent, more than a tenth of streaming's %d", tc.offset, sent, stream)
		}
	}
}

// BenchmarkPlanDeepPage plans the bounds of the benchmark suite's deep
// page (16 nodes, LIMIT 10000, 10, margin 2√625 = 50: windows of 110
// BIGINT rows), ids spread over the nodes as a hash spreads them.
func BenchmarkPlanDeepPage(b *testing.B) {
	const k, off, c, margin = 16, 10000, 10, 50
	d := DeepPage{Spec: Spec{Sort: []SortKey{{Col: At(0)}}}, Offset: off, Count: c, Nodes: k, Margin: margin}
	rng := rand.New(rand.NewPCG(5, 6))
	nodes := make([][]int64, k)
	for id := int64(1); id <= 100_000; id++ {
		i := rng.IntN(k)
		nodes[i] = append(nodes[i], id)
	}
	phase1 := make([][][]driver.Value, k)
	for i := range phase1 {
		for p := d.NodeOffset(); p < d.NodeOffset()+d.Window(); p++ {
			phase1[i] = append(phase1[i], []driver.Value{nodes[i][p], int64(7)})
		}
	}
	types := []string{"BIGINT", "BIGINT"}
	b.ReportAllocs()
	sc := &deepScratch{} // as DeepPageScan reuses it
	for b.Loop() {
		if _, err := planDeepPage(d, types, phase1, sc); err != nil {
			b.Fatal(err)
		}
		sc.reset()
	}
}

// TestDeepPageMarginCost measures, on hash-like layouts (each row on a
// random node), what the margin trades: phase-1 rows against phase-2
// statements and rows. Its log and the costs per row and per statement
// measured on MariaDB (docs/deep-pages.md, "Tuning") chose the margin.
//
// It takes about 20 seconds, so it only runs with SHARDSQL_DEEP_PROFILE=1:
//
//	SHARDSQL_DEEP_PROFILE=1 go test ./merge -run TestDeepPageMarginCost -v
func TestDeepPageMarginCost(t *testing.T) {
	if os.Getenv("SHARDSQL_DEEP_PROFILE") == "" {
		t.Skip("SHARDSQL_DEEP_PROFILE=1 runs it")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	order := deepOrder(false)
	for _, tc := range []struct {
		k              int
		total, offset  int64
		count, layouts int64
	}{{16, 100_000, 10_000, 10, 40}, {8, 100_000, 10_000, 10, 40}, {16, 100_000, 50_000, 20, 20}} {
		layouts := make([][][][]driver.Value, tc.layouts)
		for l := range layouts {
			nodes := make([][][]driver.Value, tc.k)
			for id := int64(1); id <= tc.total; id++ {
				i := rng.IntN(tc.k)
				nodes[i] = append(nodes[i], []driver.Value{id, id})
			}
			layouts[l] = nodes
		}
		b := tc.offset / int64(tc.k)
		for _, f := range []float64{0, 0.5, 1, 1.25, 1.5, 1.75, 2, 2.5, 3} {
			margin := int64(math.Ceil(f * math.Sqrt(float64(b))))
			var rows1, rows2, stmts2, twoPhase int64
			for _, nodes := range layouts {
				d := DeepPage{Spec: Spec{Sort: []SortKey{{Col: At(0)}, {Col: At(1)}}}, Offset: tc.offset, Count: tc.count, Nodes: tc.k, Margin: margin}
				_, sent := simulateDeepPage(t, d, nodes, order)
				p1 := int64(0)
				for _, n := range nodes {
					p1 += max(0, min(int64(len(n))-d.NodeOffset(), d.Window()))
				}
				rows1 += p1
				rows2 += sent - p1
				phase1 := make([][][]driver.Value, len(nodes))
				for i, n := range nodes {
					phase1[i] = n[d.NodeOffset():min(int64(len(n)), d.NodeOffset()+d.Window())]
				}
				bounds, err := PlanDeepPage(d, []string{"BIGINT", "BIGINT"}, phase1)
				if err != nil {
					t.Fatal(err)
				}
				s := int64(0)
				for _, n := range bounds.Nodes {
					if !n.Covered {
						s++
					}
				}
				stmts2 += s
				if s > 0 {
					twoPhase++
				}
			}
			n := float64(tc.layouts)
			t.Logf("k %d offset %d count %d margin %.2f√b = %d: phase 1 %.0f rows; phase 2 in %.0f%% of pages, %.1f statements, %.0f rows a page",
				tc.k, tc.offset, tc.count, f, margin, float64(rows1)/n, 100*float64(twoPhase)/n, float64(stmts2)/n, float64(rows2)/n)
		}
	}
}
