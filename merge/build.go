package merge

import (
	"database/sql/driver"
	"fmt"

	"vitess.io/vitess/go/sqltypes"
)

// New builds the cursor that merges the node cursors as spec says. types
// are the database type names of the node columns (hidden ones included),
// as sql.ColumnType.DatabaseTypeName reports them; they decide how values
// compare. The returned cursor's Next takes rows of the visible width,
// len(types) - spec.Hidden.
func New(spec Spec, types []string, cursors []Cursor) (Cursor, error) {
	width := len(types)
	if spec.Hidden < 0 || spec.Hidden > width {
		return nil, fmt.Errorf("shardsql: merge: %d hidden columns in a %d-column result", spec.Hidden, width)
	}
	kinds := make([]Kind, width)
	for i, t := range types {
		kinds[i] = KindOf(t)
	}
	spec = resolveHidden(spec, width-spec.Hidden)
	if err := checkCols(spec, width); err != nil {
		return nil, err
	}
	maxRows := spec.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	colls := textColls(spec, width)

	var cur Cursor
	if len(spec.Sort) > 0 && len(cursors) > 1 {
		keys, err := resolve(spec.Sort, kinds, colls)
		if err != nil {
			return nil, err
		}
		cur = newSorted(cursors, keys, width)
	} else {
		cur = Concat(cursors...)
	}
	sqlTypes := make([]sqltypes.Type, width)
	for i, t := range types {
		sqlTypes[i] = sqlType(t)
	}
	if spec.Group != nil {
		if spec.Group.Rollup != nil {
			r, err := newRolled(cur, spec.Group, kinds, colls, width)
			if err != nil {
				return nil, err
			}
			cur = r
		} else {
			g, err := newGrouped(cur, spec.Group, kinds, colls, width)
			if err != nil {
				return nil, err
			}
			cur = g
		}
		kinds = foldedKinds(spec.Group, kinds)
		for _, a := range spec.Group.Aggs {
			sqlTypes[a.Col] = foldedType(a, sqlTypes[a.Col])
		}
	}
	// Projections HAVING or the memory sort read are computed on every
	// folded row; the others only on the rows returned, as the server
	// evaluates select items (an expression that fails on a group LIMIT
	// drops must not fail the statement).
	early, late := splitProjections(spec)
	quotients := quotientCols(spec.Group)
	if len(early) > 0 {
		cur = newProjected(cur, early, sqlTypes, kinds, colls, quotients)
	}
	if spec.Having != nil {
		cur = newFilter(cur, spec.Having, sqlTypes, colls, quotients)
	}
	if len(spec.MemorySort) > 0 {
		keys, err := resolve(spec.MemorySort, kinds, colls)
		if err != nil {
			return nil, err
		}
		cur = &memSorted{in: cur, keys: keys, width: width, maxRows: maxRows}
	}
	if spec.Offset > 0 || spec.Limited {
		limit := int64(-1)
		if spec.Limited {
			limit = spec.Limit
		}
		if limit == 0 {
			cur = empty{in: cur}
		} else {
			cur = &limited{in: cur, offset: spec.Offset, limit: limit}
		}
	}
	if len(late) > 0 {
		cur = newProjected(cur, late, sqlTypes, kinds, colls, quotients)
	}
	if spec.Hidden > 0 {
		cur = &project{in: cur, buf: make([]driver.Value, width)}
	}
	return cur, nil
}

func checkCols(spec Spec, width int) error {
	var errCol *int
	check := func(c int) {
		if errCol == nil && (c < 0 || c >= width) {
			errCol = &c
		}
	}
	for _, k := range append(append([]SortKey(nil), spec.Sort...), spec.MemorySort...) {
		check(k.Col)
	}
	if spec.Group != nil {
		for _, k := range spec.Group.Keys {
			check(k.Col)
		}
		if r := spec.Group.Rollup; r != nil {
			if len(r.KeyCols) != len(spec.Group.Keys) {
				return fmt.Errorf("shardsql: merge: ROLLUP of %d keys names the columns of %d", len(spec.Group.Keys), len(r.KeyCols))
			}
			for _, cols := range r.KeyCols {
				for _, c := range cols {
					check(c)
				}
			}
		}
		for _, a := range spec.Group.Aggs {
			check(a.Col)
			if a.Kind == AggAvg || a.Kind == AggAvgInternal {
				check(a.CountCol)
			}
			if a.Concat != nil {
				check(a.Concat.ValueCol)
				check(a.Concat.MaxLenCol)
				if !a.Concat.Distinct {
					check(a.Concat.CountCol)
				}
			}
		}
	}
	for _, p := range spec.Project {
		check(p.Col)
		check(p.ScaleCol)
	}
	for _, c := range spec.Collations {
		check(c.Col)
		check(c.From)
	}
	if errCol != nil {
		return fmt.Errorf("shardsql: merge: column %d out of range for a %d-column result", *errCol, width)
	}
	return nil
}

// resolveHidden rewrites HiddenCol references to absolute column indexes,
// now that the width of the node rows is known. (The HAVING condition
// holds absolute offsets already: the router refuses * with grouping, so
// it knows where the hidden columns start.)
func resolveHidden(spec Spec, first int) Spec {
	fix := func(c int) int {
		if c >= hiddenBase {
			return first + c - hiddenBase
		}
		return c
	}
	fixKeys := func(keys []SortKey) []SortKey {
		out := make([]SortKey, len(keys))
		for i, k := range keys {
			out[i] = SortKey{Col: fix(k.Col), Desc: k.Desc}
		}
		return out
	}
	spec.Sort = fixKeys(spec.Sort)
	spec.MemorySort = fixKeys(spec.MemorySort)
	if spec.Group != nil {
		g := &Group{Keys: fixKeys(spec.Group.Keys)}
		if r := spec.Group.Rollup; r != nil {
			g.Rollup = &Rollup{KeyCols: make([][]int, len(r.KeyCols))}
			for i, cols := range r.KeyCols {
				for _, c := range cols {
					g.Rollup.KeyCols[i] = append(g.Rollup.KeyCols[i], fix(c))
				}
			}
		}
		for _, a := range spec.Group.Aggs {
			a.Col, a.CountCol = fix(a.Col), fix(a.CountCol)
			if a.Concat != nil {
				gc := *a.Concat
				gc.ValueCol, gc.CountCol, gc.MaxLenCol = fix(gc.ValueCol), fix(gc.CountCol), fix(gc.MaxLenCol)
				a.Concat = &gc
			}
			g.Aggs = append(g.Aggs, a)
		}
		spec.Group = g
	}
	project := make([]Projection, len(spec.Project))
	for i, p := range spec.Project {
		project[i] = Projection{Col: fix(p.Col), Expr: p.Expr, ScaleCol: fix(p.ScaleCol)}
	}
	spec.Project = project
	colls := make([]Collated, len(spec.Collations))
	for i, c := range spec.Collations {
		colls[i] = Collated{Col: fix(c.Col), From: fix(c.From)}
	}
	spec.Collations = colls
	return spec
}

// foldedKinds returns the column kinds after grouping: counts are integers,
// sums and averages decimals (or floats for float input), whatever the
// node column held; MIN/MAX compare as their node values do.
func foldedKinds(g *Group, kinds []Kind) []Kind {
	out := append([]Kind(nil), kinds...)
	for _, a := range g.Aggs {
		switch a.Kind {
		case AggCount, AggCountDistinct:
			out[a.Col] = KindInt
		case AggSum, AggSumDistinct, AggAvg, AggAvgDistinct, AggAvgInternal:
			if kinds[a.Col] != KindFloat {
				out[a.Col] = KindDecimal
			}
		case AggMin, AggMax:
			// MIN/MAX of an ENUM compare as text but, when the server
			// reports them as ENUM, sort by index: KindEnum keeps an
			// ORDER BY on them refused
			out[a.Col] = kinds[a.Col]
		}
	}
	return out
}
