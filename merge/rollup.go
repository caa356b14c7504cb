package merge

import (
	"database/sql/driver"
	"io"

	"github.com/shardsql/shardsql/internal/coltype"
)

// Rollup adds GROUP BY … WITH ROLLUP's super-aggregate rows to a Group:
// after the last group of each value of a key prefix, a row with the
// aggregates over that prefix and the keys after it NULL; last, the grand
// total with every key NULL. The node statements group without ROLLUP;
// every node row folds into each level's aggregates (COUNT, SUM, MIN,
// MAX, AVG and the bitwise ones combine partials of any grouping).
type Rollup struct {
	// KeyCols[i] are the columns that hold the value of group key i (the
	// key itself, the select items and hidden columns computing it): they
	// are NULL in the rows that roll key i up.
	KeyCols [][]Col
}

// rolled folds sorted node rows into groups and their rollup rows.
type rolled struct {
	in      Cursor
	keys    []cmpKey
	keyCols [][]Col
	levels  [][]aggregator // levels[i]: the aggregates over the first i keys; levels[len(keys)]: the groups'
	aggCols []int
	width   int

	next, acc         []driver.Value
	nextKeys, accKeys []key
	pending, done     bool
	queue             [][]driver.Value
}

func newRolled(in Cursor, g *Group, kinds []coltype.Kind, colls []*textColl, width int) (*rolled, error) {
	r := &rolled{in: in, width: width, keyCols: g.Rollup.KeyCols}
	var err error
	if r.keys, err = resolve(g.Keys, kinds, colls); err != nil {
		return nil, err
	}
	r.levels = make([][]aggregator, len(r.keys)+1)
	for l := range r.levels {
		for _, a := range g.Aggs {
			agg, err := newAggregator(a, kinds, colls, g.MaxRows, g.maxBytes)
			if err != nil {
				return nil, err
			}
			r.levels[l] = append(r.levels[l], agg)
		}
	}
	for _, a := range g.Aggs {
		r.aggCols = append(r.aggCols, a.Col.Index)
	}
	r.next, r.acc = make([]driver.Value, width), make([]driver.Value, width)
	r.nextKeys, r.accKeys = make([]key, len(r.keys)), make([]key, len(r.keys))
	return r, nil
}

func (r *rolled) read() (bool, error) {
	if err := r.in.Next(r.next); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, err
	}
	return true, decodeKeys(r.keys, r.next, r.nextKeys)
}

func (r *rolled) fold(row []driver.Value, from int) error {
	for l := from; l < len(r.levels); l++ {
		for _, a := range r.levels[l] {
			if err := a.add(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// firstDiff is the first key where the current group and the next row differ.
func (r *rolled) firstDiff() int {
	for i, k := range r.keys {
		if k.compare(&r.accKeys[i], &r.nextKeys[i]) != 0 {
			return i
		}
	}
	return len(r.keys)
}

func (r *rolled) Next(dest []driver.Value) error {
	if len(r.queue) > 0 {
		copy(dest, r.queue[0])
		r.queue = r.queue[1:]
		return nil
	}
	if r.done {
		return io.EOF
	}
	if !r.pending {
		ok, err := r.read()
		if err != nil {
			return err
		}
		if !ok {
			r.done = true // no rows: no groups, no rollup rows
			return io.EOF
		}
		for _, lv := range r.levels {
			for _, a := range lv {
				a.reset()
			}
		}
	}
	r.acc, r.next = r.next, r.acc
	r.accKeys, r.nextKeys = r.nextKeys, r.accKeys
	for _, a := range r.levels[len(r.keys)] {
		a.reset()
	}
	if err := r.fold(r.acc, 0); err != nil {
		return err
	}
	up := 0 // the rollup levels this group closes, len(keys)-1 down to up (all at the end)
	for {
		ok, err := r.read()
		if err != nil {
			return err
		}
		if !ok {
			r.done, r.pending = true, false
			break
		}
		if d := r.firstDiff(); d < len(r.keys) {
			r.pending, up = true, d+1 // the prefixes through key d change
			break
		}
		if err := r.fold(r.next, 0); err != nil {
			return err
		}
	}
	r.emit(dest, len(r.keys))
	for l := len(r.keys) - 1; l >= up; l-- {
		row := make([]driver.Value, r.width)
		r.emit(row, l)
		r.queue = append(r.queue, row)
		for _, a := range r.levels[l] {
			a.reset()
		}
	}
	return nil
}

// emit writes the row of level l: the group's first row with the keys
// from l on NULL and level l's aggregates.
func (r *rolled) emit(dest []driver.Value, l int) {
	copy(dest, r.acc)
	for i := l; i < len(r.keyCols); i++ {
		for _, c := range r.keyCols[i] {
			dest[c.Index] = nil
		}
	}
	for i, a := range r.levels[l] {
		v := a.result()
		if b, ok := v.([]byte); ok {
			v = append([]byte{}, b...) // the level's next result may reuse its memory; '' stays '' (copyValue)
		}
		dest[r.aggCols[i]] = v
	}
}

func (r *rolled) Close() error { return r.in.Close() }
