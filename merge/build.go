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
	check := func(c int) error {
		if c < -1 || c >= width {
			return fmt.Errorf("shardsql: merge: column %d out of range for a %d-column result", c, width)
		}
		return nil
	}
	var cols []int
	for _, k := range append(append([]SortKey(nil), spec.Sort...), spec.MemorySort...) {
		cols = append(cols, k.Col, k.Weight)
	}
	if spec.Group != nil {
		for _, k := range spec.Group.Keys {
			cols = append(cols, k.Col, k.Weight)
		}
		for _, a := range spec.Group.Aggs {
			cols = append(cols, a.Col, a.Weight)
			if a.Kind == AggAvg {
				cols = append(cols, a.CountCol)
			}
		}
	}
	for _, c := range cols {
		if err := check(c); err != nil {
			return err
		}
	}
	return nil
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
