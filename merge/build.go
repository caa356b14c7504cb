package merge

import (
	"database/sql/driver"
	"fmt"
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

	var cur Cursor
	if len(spec.Sort) > 0 && len(cursors) > 1 {
		cur = newSorted(cursors, resolve(spec.Sort, kinds), width)
	} else {
		cur = Concat(cursors...)
	}
	if spec.Group != nil {
		cur = newGrouped(cur, spec.Group, kinds, width)
		kinds = foldedKinds(spec.Group, kinds)
	}
	if spec.Having != nil {
		cur = &filter{in: cur, cond: spec.Having, kinds: kinds}
	}
	if len(spec.MemorySort) > 0 {
		cur = &memSorted{in: cur, keys: resolve(spec.MemorySort, kinds), width: width, maxRows: maxRows}
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
	if spec.Hidden > 0 {
		cur = &project{in: cur, buf: make([]driver.Value, width)}
	}
	return cur, nil
}

func checkCols(spec Spec, width int) error {
	bad := func(c int, weight bool) bool {
		return c >= width || c < -1 || (c == -1 && !weight)
	}
	var errCol *int
	check := func(c int, weight bool) {
		if errCol == nil && bad(c, weight) {
			errCol = &c
		}
	}
	for _, k := range append(append([]SortKey(nil), spec.Sort...), spec.MemorySort...) {
		check(k.Col, false)
		check(k.Weight, true)
	}
	if spec.Group != nil {
		for _, k := range spec.Group.Keys {
			check(k.Col, false)
			check(k.Weight, true)
		}
		for _, a := range spec.Group.Aggs {
			check(a.Col, false)
			check(a.Weight, true)
			if a.Kind == AggAvg {
				check(a.CountCol, false)
			}
		}
	}
	walkOperands(spec.Having, func(o Operand) {
		if !o.Literal {
			check(o.Col, false)
		}
	})
	if errCol != nil {
		return fmt.Errorf("shardsql: merge: column %d out of range for a %d-column result", *errCol, width)
	}
	return nil
}

// walkOperands calls f for every operand of a condition.
func walkOperands(e Expr, f func(Operand)) {
	switch x := e.(type) {
	case And:
		walkOperands(x.Left, f)
		walkOperands(x.Right, f)
	case Or:
		walkOperands(x.Left, f)
		walkOperands(x.Right, f)
	case Not:
		walkOperands(x.Expr, f)
	case Cmp:
		f(x.Left)
		f(x.Right)
	case IsNull:
		f(x.Operand)
	}
}

// resolveHidden rewrites HiddenCol references to absolute column indexes,
// now that the width of the node rows is known.
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
			out[i] = SortKey{Col: fix(k.Col), Weight: fix(k.Weight), Desc: k.Desc}
		}
		return out
	}
	spec.Sort = fixKeys(spec.Sort)
	spec.MemorySort = fixKeys(spec.MemorySort)
	if spec.Group != nil {
		g := &Group{Keys: fixKeys(spec.Group.Keys)}
		for _, a := range spec.Group.Aggs {
			a.Col, a.Weight, a.CountCol = fix(a.Col), fix(a.Weight), fix(a.CountCol)
			g.Aggs = append(g.Aggs, a)
		}
		spec.Group = g
	}
	spec.Having = fixExpr(spec.Having, fix)
	return spec
}

func fixExpr(e Expr, fix func(int) int) Expr {
	fixOp := func(o Operand) Operand {
		if !o.Literal {
			o.Col = fix(o.Col)
		}
		return o
	}
	switch x := e.(type) {
	case And:
		return And{Left: fixExpr(x.Left, fix), Right: fixExpr(x.Right, fix)}
	case Or:
		return Or{Left: fixExpr(x.Left, fix), Right: fixExpr(x.Right, fix)}
	case Not:
		return Not{Expr: fixExpr(x.Expr, fix)}
	case Cmp:
		return Cmp{Op: x.Op, Left: fixOp(x.Left), Right: fixOp(x.Right)}
	case IsNull:
		return IsNull{Operand: fixOp(x.Operand), Negate: x.Negate}
	}
	return e
}

// foldedKinds returns the column kinds after grouping: counts are integers,
// sums and averages decimals (or floats for float input), whatever the
// node column held.
func foldedKinds(g *Group, kinds []Kind) []Kind {
	out := append([]Kind(nil), kinds...)
	for _, a := range g.Aggs {
		switch a.Kind {
		case AggCount, AggCountDistinct:
			out[a.Col] = KindInt
		case AggSum, AggSumDistinct, AggAvg:
			if kinds[a.Col] != KindFloat {
				out[a.Col] = KindDecimal
			}
		}
	}
	return out
}
