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
	bestK key
	cnt   int64 // AVG's count
	prev  key   // the last distinct value counted
	seen  bool  // prev is set
}

func newGrouped(in Cursor, g *Group, kinds []Kind, colls []*textColl, width int) (*grouped, error) {
	gr := &grouped{in: in, width: width, global: len(g.Keys) == 0}
	var err error
	if gr.keys, err = resolve(g.Keys, kinds, colls); err != nil {
		return nil, err
	}
	for _, a := range g.Aggs {
		st := aggState{Agg: a, kind: kinds[a.Col]}
		st.cmp = cmpKey{col: a.Col, kind: aggCmpKind(a.Kind, kinds[a.Col])}
		if st.cmp.kind == KindText {
			st.cmp.coll = colls[a.Col]
		}
		if st.kind == KindEnum && (a.Kind == AggCountDistinct || a.Kind == AggSumDistinct) {
			return nil, fmt.Errorf("%w: COUNT/SUM(DISTINCT) of an ENUM or SET column across nodes (nodes send the values in index order; use COUNT(DISTINCT CAST(col AS CHAR)))", ErrUnsupported)
		}
		if st.kind == KindBit && (a.Kind == AggMin || a.Kind == AggMax) {
			// MariaDB sends MIN/MAX of a BIT column as decimal text or as
			// the column's bytes, depending on the plan: a value such as
			// "7" is both 7 and 55.
			return nil, fmt.Errorf("%w: MIN/MAX of a BIT column across nodes (the servers send it as text or as bytes depending on the plan; use MAX(col+0))", ErrUnsupported)
		}
		if st.kind == KindFloat && a.Kind == AggSumDistinct {
			// Each node's distinct values are summed in another order
			// than one server sums them: the last digits differ.
			return nil, fmt.Errorf("%w: SUM(DISTINCT) of a floating-point expression across nodes (its last digits depend on the order of the additions; cast it to DECIMAL)", ErrUnsupported)
		}
		gr.aggs = append(gr.aggs, st)
	}
	gr.next = make([]driver.Value, width)
	gr.acc = make([]driver.Value, width)
	gr.nextKeys = make([]key, len(gr.keys))
	gr.accKeys = make([]key, len(gr.keys))
	return gr, nil
}

// aggCmpKind is how the values of an aggregate's node column compare.
func aggCmpKind(agg AggKind, kd Kind) Kind {
	if kd == KindEnum {
		return KindText // MIN/MAX of ENUM/SET compare (and arrive) as text
	}
	return kd
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
		a.null, a.count, a.fsum, a.cnt, a.best, a.seen = true, 0, 0, 0, nil, false
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
		if err := a.decode(row, &k); err != nil {
			return err
		}
		if a.seen && a.cmp.compare(&k, &a.prev) == 0 {
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
		if err := a.decode(row, &k); err != nil {
			return err
		}
		c := 0
		if !a.null {
			c = a.cmp.compare(&k, &a.bestK)
		}
		if a.null || (a.Kind == AggMin && c < 0) || (a.Kind == AggMax && c > 0) {
			a.null, a.best, a.bestK = false, v, k
			if b, ok := k.b, k.b != nil; ok {
				a.bestK.b = append([]byte(nil), b...) // the row buffer is reused
			}
		}
	}
	return nil
}

// decode reads the aggregate's node value for comparison, learning its
// collation from the first row that names it.
func (a *aggState) decode(row []driver.Value, k *key) error {
	if a.cmp.coll != nil && !a.cmp.coll.learned {
		if err := a.cmp.coll.learn(row); err != nil {
			return err
		}
	}
	return decode(a.cmp.kind, row[a.cmp.col], k)
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
