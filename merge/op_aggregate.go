package merge

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/internal/coltype"
	"vitess.io/vitess/go/sqltypes"
)

// OrderedAggregate folds consecutive input rows with equal group keys into
// one row, merging the nodes' partial aggregates; the input arrives sorted
// by the keys, so it holds two rows at a time. Without keys it folds every
// row into one, and returns one row even for no input.
type OrderedAggregate struct {
	Group *Group
	Input Operator
}

// Description implements Operator.
func (a *OrderedAggregate) Description() string {
	var b strings.Builder
	b.WriteString("OrderedAggregate")
	if len(a.Group.Keys) > 0 {
		fmt.Fprintf(&b, " group by %s", keyList(a.Group.Keys))
		if a.Group.Rollup != nil {
			b.WriteString(" with rollup")
		}
	} else {
		b.WriteString(" of all rows")
	}
	for i, g := range a.Group.Aggs {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s", aggDescription(g))
	}
	return b.String()
}

// String names the aggregate function as Explain prints it.
func (k AggKind) String() string {
	switch k {
	case AggCount:
		return "count"
	case AggSum:
		return "sum"
	case AggMin:
		return "min"
	case AggMax:
		return "max"
	case AggAvg:
		return "avg"
	case AggCountDistinct:
		return "count_distinct"
	case AggSumDistinct:
		return "sum_distinct"
	case AggAvgDistinct:
		return "avg_distinct"
	case AggAvgInternal:
		return "avg_internal"
	case AggBitAnd:
		return "bit_and"
	case AggBitOr:
		return "bit_or"
	case AggBitXor:
		return "bit_xor"
	case AggGroupConcat:
		return "group_concat"
	}
	return fmt.Sprintf("agg%d", uint8(k))
}

// aggDescription prints one aggregate: "sum(#2)", "avg(#3 / hidden#0)".
func aggDescription(a Agg) string {
	if a.Kind == AggAvg || a.Kind == AggAvgInternal {
		count := "?"
		if a.CountCol != nil {
			count = colName(*a.CountCol)
		}
		return a.Kind.String() + "(" + colName(a.Col) + " / " + count + ")"
	}
	if a.Unsorted {
		return a.Kind.String() + "(" + colName(a.Col) + " in memory)"
	}
	return a.Kind.String() + "(" + colName(a.Col) + ")"
}

// Inputs implements Operator.
func (a *OrderedAggregate) Inputs() []Operator { return []Operator{a.Input} }

// Open implements Operator.
func (a *OrderedAggregate) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, a.Input)
	if err != nil {
		return nil, err
	}
	cur, cols, err := openGroup(in, a.Group, MaxBytes(ctx))
	if err != nil {
		_ = in.Close()
		return nil, err
	}
	return &Stream{Cursor: cur, cols: cols}, nil
}

// openGroup folds the input stream as g says and returns the folded
// columns' types.
func openGroup(in *Stream, g *Group, maxBytes int64) (Cursor, *columns, error) {
	cols := in.cols
	keys, err := cols.sortKeys(g.Keys)
	if err != nil {
		return nil, nil, err
	}
	rg := &Group{Keys: keys, MaxRows: g.MaxRows, maxBytes: maxBytes}
	if r := g.Rollup; r != nil {
		if len(r.KeyCols) != len(g.Keys) {
			return nil, nil, fmt.Errorf("shardsql: merge: ROLLUP of %d keys names the columns of %d", len(g.Keys), len(r.KeyCols))
		}
		rg.Rollup = &Rollup{KeyCols: make([][]Col, len(r.KeyCols))}
		for i, kc := range r.KeyCols {
			for _, c := range kc {
				col, err := cols.abs(c)
				if err != nil {
					return nil, nil, err
				}
				rg.Rollup.KeyCols[i] = append(rg.Rollup.KeyCols[i], col)
			}
		}
	}
	for _, ag := range g.Aggs {
		if ag.Col, err = cols.abs(ag.Col); err != nil {
			return nil, nil, err
		}
		ag.ungrouped = len(keys) == 0 && g.Rollup == nil
		if ag.Kind == AggAvg || ag.Kind == AggAvgInternal {
			if ag.CountCol, err = cols.absRequired(ag.CountCol, "AVG"); err != nil {
				return nil, nil, err
			}
			if cols.kinds[ag.Col.Index] == coltype.Float {
				ag.fixed = cols.scales[ag.Col.Index]
			}
		}
		if ag.Concat != nil {
			gc := *ag.Concat
			if gc.ValueCol, err = cols.abs(gc.ValueCol); err != nil {
				return nil, nil, err
			}
			gc.width = concatTextWidth(cols.sql[gc.ValueCol.Index], gc.ZeroFill)
			if gc.MaxLenCol, err = cols.abs(gc.MaxLenCol); err != nil {
				return nil, nil, err
			}
			if !gc.Distinct {
				if gc.CountCol, err = cols.absRequired(gc.CountCol, "GROUP_CONCAT"); err != nil {
					return nil, nil, err
				}
			}
			if o := gc.Order; o != nil {
				ro := &ConcatOrder{Limit: o.Limit}
				gc.widths = nil
				for i, c := range o.Values {
					if c, err = cols.abs(c); err != nil {
						return nil, nil, err
					}
					ro.Values = append(ro.Values, c)
					gc.widths = append(gc.widths, concatTextWidth(cols.sql[c.Index], concatWidth(gc.ZeroFills, i)))
				}
				if ro.Keys, err = cols.sortKeys(o.Keys); err != nil {
					return nil, nil, err
				}
				gc.Order = ro
			}
			ag.Concat = &gc
		}
		rg.Aggs = append(rg.Aggs, ag)
	}
	for _, a := range rg.Aggs {
		if a.Kind == AggCountDistinct && cols.sql[a.Col.Index] == sqltypes.Float32 {
			// a FLOAT's six-digit text ties values that differ (the router
			// counts a catalog FLOAT column's col+0 instead; see
			// columns.keys)
			return nil, nil, fmt.Errorf("%w: COUNT(DISTINCT) of FLOAT column %d across nodes (the servers send its values as text of six digits, which ties values that differ; count DISTINCT col+0, a DOUBLE)", ErrUnsupported, a.Col.Index+1)
		}
	}
	var grouped Cursor
	if rg.Rollup != nil {
		grouped, err = newRolled(in.Cursor, rg, cols.kinds, cols.colls, len(cols.types))
	} else {
		grouped, err = newGrouped(in.Cursor, rg, cols.kinds, cols.colls, len(cols.types))
	}
	if err != nil {
		return nil, nil, err
	}
	out := cols.clone()
	out.quotients = quotientCols(rg)
	out.avgs = avgCols(rg)
	out.kinds = foldedKinds(rg, cols.kinds)
	for _, ag := range rg.Aggs {
		out.sql[ag.Col.Index] = foldedType(ag, cols.sql[ag.Col.Index], len(rg.Keys) > 0)
	}
	out.merged = Spec{Group: g}.ColumnTypes()
	return grouped, out, nil
}
