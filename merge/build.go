package merge

import (
	"context"
	"fmt"

	"github.com/shardsql/shardsql/internal/coltype"
)

// Build turns a scatter's Spec into its operator tree over a route leaf of
// units: merge-sort, aggregate or distinct, filter, memory sort, limit and
// project, each only where the Spec asks for it.
func Build(spec Spec, units []Unit) Operator {
	route := &Route{Units: units, Hidden: spec.Hidden, Collations: spec.Collations}
	var op Operator = route
	if len(spec.Sort) > 0 {
		op = &MergeSort{Keys: spec.Sort, Input: route}
	}
	if spec.Group != nil {
		if spec.Distinct && len(spec.Group.Aggs) == 0 && len(spec.Group.Keys) > 0 {
			op = &Distinct{Keys: spec.Group.Keys, Input: op}
		} else {
			op = &OrderedAggregate{Group: spec.Group, Input: op}
		}
	}
	if w := spec.Window; w != nil {
		op = &Window{Partition: w.Partition, Order: w.Order, Funcs: w.Funcs, MaxRows: spec.MaxRows, Input: op}
	}
	// Projections HAVING or the memory sort read are computed on every
	// folded row; the others only on the rows returned, as the server
	// evaluates select items (an expression that fails on a group LIMIT
	// drops must not fail the statement).
	early, late := splitProjections(spec)
	if len(early) > 0 {
		op = &Compute{Projections: early, Input: op}
	}
	if spec.Having != nil {
		op = &Filter{Cond: spec.Having, Input: op}
	}
	if len(spec.MemorySort) > 0 {
		op = &MemorySort{Keys: spec.MemorySort, MaxRows: spec.MaxRows, Input: op}
	}
	if spec.Limit != nil {
		op = &Limit{Page: *spec.Limit, Input: op}
	}
	if len(late) > 0 {
		op = &Compute{Projections: late, Input: op}
	}
	if spec.Hidden > 0 {
		op = &Project{Hidden: spec.Hidden, Input: op}
	}
	return op
}

// newMerge builds the cursor that merges the node cursors as spec says.
// types are the database type names of the node columns (hidden ones
// included), as sql.ColumnType.DatabaseTypeName reports them; they decide
// how values compare. The returned cursor's Next takes rows of the visible width,
// len(types) - spec.Hidden.
func newMerge(spec Spec, types []string, cursors []Cursor) (Cursor, error) {
	if spec.Hidden < 0 || spec.Hidden > len(types) {
		return nil, fmt.Errorf("shardsql: merge: %d hidden columns in a %d-column result", spec.Hidden, len(types))
	}
	units := make([]Unit, len(cursors))
	s, err := Build(spec, units).Open(context.Background(), fixedExecutor{types: types, cursors: cursors})
	if err != nil {
		return nil, err
	}
	return s.Cursor, nil
}

// fixedExecutor hands out cursors that are already open, for New.
type fixedExecutor struct {
	types   []string
	cols    []Column // when set, the columns (types ignored)
	cursors []Cursor
	// assembled: cols are the result's columns (Stream.Columns), not the
	// first statement's the executor ran (a deep page's held rows)
	assembled bool
}

// assembledColumns tells a route leaf that its columns are the result's.
func (f fixedExecutor) assembledColumns() bool { return f.assembled }

func (f fixedExecutor) Query(_ context.Context, units []Unit, _ bool) ([]Cursor, []Column, error) {
	if len(units) != len(f.cursors) {
		return nil, nil, fmt.Errorf("shardsql: merge: %d units for %d cursors", len(units), len(f.cursors))
	}
	if f.cols != nil {
		return f.cursors, f.cols, nil
	}
	cols := make([]Column, len(f.types))
	for i, t := range f.types {
		cols[i] = Column{Type: t}
	}
	return f.cursors, cols, nil
}

// foldedKinds returns the column kinds after grouping: counts are integers,
// sums and averages decimals (or floats for float input), whatever the
// node column held; MIN/MAX compare as their node values do.
func foldedKinds(g *Group, kinds []coltype.Kind) []coltype.Kind {
	out := append([]coltype.Kind(nil), kinds...)
	for _, a := range g.Aggs {
		switch a.Kind {
		case AggCount, AggCountDistinct:
			out[a.Col.Index] = coltype.Int
		case AggSum, AggSumDistinct, AggAvg, AggAvgDistinct, AggAvgInternal:
			if kinds[a.Col.Index] != coltype.Float {
				out[a.Col.Index] = coltype.Decimal
			}
		case AggMin, AggMax:
			// MIN/MAX of an ENUM compare as text but, when the server
			// reports them as ENUM, sort by index: coltype.Enum keeps an
			// ORDER BY on them refused
			out[a.Col.Index] = kinds[a.Col.Index]
		}
	}
	return out
}
