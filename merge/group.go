package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
)

// grouped folds consecutive input rows with equal group keys into one row.
// The input arrives sorted by the keys, so it holds two rows at a time.
type grouped struct {
	in    Cursor
	keys  []cmpKey
	aggs  []aggState
	width int
	// global folds every row into one and returns one row even for no input.
	global bool

	next     []driver.Value // the first row of the next group, when pending
	nextKeys []key
	pending  bool
	acc      []driver.Value
	accKeys  []key
	done     bool
	emitted  bool
}

// aggState is one aggregate's running value.
type aggState struct {
	Agg
	kind  Kind   // of Col
	cmp   cmpKey // MIN/MAX comparison
	null  bool   // no non-NULL input yet
	count int64
	fsum  float64
	dsum  decimal
	best  driver.Value
	bestW driver.Value // the weight string of best, when compared by weight
	bestK key
	cnt   int64 // AVG's count
	prev  key   // the last distinct value counted
	seen  bool  // prev is set
}

func newGrouped(in Cursor, g *Group, kinds []Kind, width int) *grouped {
	gr := &grouped{in: in, width: width, global: len(g.Keys) == 0}
	gr.keys = resolve(g.Keys, kinds)
	for _, a := range g.Aggs {
		st := aggState{Agg: a, kind: kinds[a.Col]}
		st.cmp = resolve([]SortKey{{Col: a.Col, Weight: a.Weight}}, kinds)[0]
		gr.aggs = append(gr.aggs, st)
	}
	gr.next = make([]driver.Value, width)
	gr.acc = make([]driver.Value, width)
	gr.nextKeys = make([]key, len(gr.keys))
	gr.accKeys = make([]key, len(gr.keys))
	return gr
}

func (g *grouped) read() (bool, error) {
	if err := g.in.Next(g.next); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, err
	}
	return true, decodeKeys(g.keys, g.next, g.nextKeys)
}

func (g *grouped) Next(dest []driver.Value) error {
	if g.done {
		return io.EOF
	}
	if !g.pending {
		ok, err := g.read()
		if err != nil {
			return err
		}
		if !ok {
			g.done = true
			if g.global && !g.emitted {
				g.emitted = true
				return g.emitEmpty(dest)
			}
			return io.EOF
		}
	}
	// start a group with the pending row
	g.acc, g.next = g.next, g.acc
	g.accKeys, g.nextKeys = g.nextKeys, g.accKeys
	if err := g.start(); err != nil {
		return err
	}
	for {
		ok, err := g.read()
		if err != nil {
			return err
		}
		if !ok {
			g.done = true
			break
		}
		if !g.global && compareKeys(g.keys, g.accKeys, g.nextKeys) != 0 {
			g.pending = true
			break
		}
		if err := g.fold(g.next); err != nil {
			return err
		}
	}
	g.emitted = true
	return g.finish(dest)
}

func (g *grouped) start() error {
	for i := range g.aggs {
		a := &g.aggs[i]
		a.null, a.count, a.fsum, a.cnt, a.best, a.bestW, a.seen = true, 0, 0, 0, nil, nil, false
		a.dsum = decimal{}
	}
	return g.fold(g.acc)
}

func (g *grouped) fold(row []driver.Value) error {
	for i := range g.aggs {
		if err := g.aggs[i].add(row); err != nil {
			return err
		}
	}
	return nil
}

func (a *aggState) add(row []driver.Value) error {
	v := row[a.Col]
	switch a.Kind {
	case AggCount:
		n, err := toInt(v)
		if err != nil {
			return err
		}
		a.count += n
		return nil
	case AggAvg:
		n, err := toInt(row[a.CountCol])
		if err != nil {
			return err
		}
		a.cnt += n
		return a.addSum(v)
	case AggSum:
		return a.addSum(v)
	case AggCountDistinct, AggSumDistinct:
		if v == nil {
			return nil
		}
		var k key
		if err := decode(a.cmp.kind, row[a.cmp.col], &k); err != nil {
			return err
		}
		if a.seen && compare(a.cmp.kind, &k, &a.prev) == 0 {
			return nil
		}
		a.seen, a.prev = true, k
		if k.b != nil {
			a.prev.b = append(a.prev.b[:0:0], k.b...) // the row buffer is reused
		}
		if a.Kind == AggCountDistinct {
			a.count++
			return nil
		}
		return a.addSum(v)
	case AggMin, AggMax:
		if v == nil {
			return nil
		}
		var k key
		if err := decode(a.cmp.kind, row[a.cmp.col], &k); err != nil {
			return err
		}
		c := 0
		if !a.null {
			c = compare(a.cmp.kind, &k, &a.bestK)
		}
		if a.null || (a.Kind == AggMin && c < 0) || (a.Kind == AggMax && c > 0) {
			a.null, a.best, a.bestW, a.bestK = false, v, row[a.cmp.col], k
			if b, ok := k.b, k.b != nil; ok {
				a.bestK.b = append([]byte(nil), b...) // the row buffer is reused
			}
		}
	}
	return nil
}

func (a *aggState) addSum(v driver.Value) error {
	if v == nil {
		return nil
	}
	a.null = false
	if a.kind == KindFloat {
		var k key
		if err := decode(KindFloat, v, &k); err != nil {
			return err
		}
		a.fsum += k.f
		return nil
	}
	var d decimal
	switch x := v.(type) {
	case []byte:
		var err error
		if d, err = parseDecimal(x); err != nil {
			return err
		}
	case int64:
		d.small = x
	case float64:
		a.kind = KindFloat
		a.fsum += x
		return nil
	default:
		return fmt.Errorf("shardsql: merge: unexpected %T in SUM", v)
	}
	a.dsum.add(&d)
	return nil
}

// value returns the aggregate's merged value.
func (a *aggState) value() driver.Value {
	switch a.Kind {
	case AggCount, AggCountDistinct:
		return a.count
	case AggMin, AggMax:
		return a.best
	}
	if a.null {
		return nil
	}
	if a.Kind == AggAvg {
		if a.cnt == 0 {
			return nil
		}
		if a.kind == KindFloat {
			return a.fsum / float64(a.cnt)
		}
		q := a.dsum.divInt(a.cnt, 4)
		return q.bytes()
	}
	if a.kind == KindFloat {
		return a.fsum
	}
	return a.dsum.bytes()
}

func (g *grouped) finish(dest []driver.Value) error {
	copy(dest, g.acc)
	for i := range g.aggs {
		a := &g.aggs[i]
		dest[a.Col] = a.value()
		if (a.Kind == AggMin || a.Kind == AggMax) && a.cmp.col != a.Col {
			dest[a.cmp.col] = a.bestW // an ORDER BY on the aggregate sorts by it
		}
	}
	return nil
}

// emitEmpty returns the one row of aggregates over no input: COUNT 0, the
// others NULL, plain columns NULL.
func (g *grouped) emitEmpty(dest []driver.Value) error {
	for i := range dest {
		dest[i] = nil
	}
	for i := range g.aggs {
		g.aggs[i].null, g.aggs[i].count, g.aggs[i].best, g.aggs[i].cnt, g.aggs[i].seen = true, 0, nil, 0, false
		dest[g.aggs[i].Col] = g.aggs[i].value()
	}
	return nil
}

func (g *grouped) Close() error { return g.in.Close() }

func toInt(v driver.Value) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case uint64:
		return int64(x), nil
	case []byte:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("shardsql: merge: bad count %q: %w", x, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("shardsql: merge: unexpected %T count", v)
}
