package merge

import (
	"database/sql/driver"
	"io"

	"github.com/shardsql/shardsql/internal/coltype"
)

// grouped folds consecutive input rows with equal group keys into one row.
// The input arrives sorted by the keys, so it holds two rows at a time.
type grouped struct {
	in   Cursor
	keys []cmpKey
	aggs []aggregator
	// aggCols are the columns the aggregates' results go to.
	aggCols []int
	width   int
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

func newGrouped(in Cursor, g *Group, kinds []coltype.Kind, colls []*textColl, width int) (*grouped, error) {
	gr := &grouped{in: in, width: width, global: len(g.Keys) == 0}
	var err error
	if gr.keys, err = resolve(g.Keys, kinds, colls); err != nil {
		return nil, err
	}
	for _, a := range g.Aggs {
		agg, err := newAggregator(a, kinds, colls, g.MaxRows, g.maxBytes)
		if err != nil {
			return nil, err
		}
		gr.aggs = append(gr.aggs, agg)
		gr.aggCols = append(gr.aggCols, a.Col.Index)
	}
	gr.next = make([]driver.Value, width)
	gr.acc = make([]driver.Value, width)
	gr.nextKeys = make([]key, len(gr.keys))
	gr.accKeys = make([]key, len(gr.keys))
	return gr, nil
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
	for _, a := range g.aggs {
		a.reset()
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

func (g *grouped) finish(dest []driver.Value) error {
	copy(dest, g.acc)
	for i, a := range g.aggs {
		dest[g.aggCols[i]] = a.result()
	}
	return nil
}

// emitEmpty returns the one row of aggregates over no input: COUNT 0, the
// others NULL, plain columns NULL.
func (g *grouped) emitEmpty(dest []driver.Value) error {
	for i := range dest {
		dest[i] = nil
	}
	for i, a := range g.aggs {
		a.reset()
		dest[g.aggCols[i]] = a.result()
	}
	return nil
}

func (g *grouped) Close() error { return g.in.Close() }
