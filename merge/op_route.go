package merge

import (
	"context"
	"fmt"
	"strings"
)

// Route is the leaf that runs node statements: it returns their rows one
// unit after another. The operator above it may read the units at once
// instead (MergeSort).
type Route struct {
	// Units are the node statements, in node order.
	Units []Unit
	// Hidden is the number of trailing derived columns the router added
	// to the select list (sort keys, collation names, AVG counts).
	Hidden int
	// Collations names, for text columns, the column whose value on every
	// row is the column's collation name (the node computes COLLATION(x)).
	// Text columns without an entry compare by bytes, as the binary
	// collation of the embedded shards does.
	Collations []Collated
}

// Description implements Operator.
func (r *Route) Description() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Route %d unit(s)", len(r.Units))
	if r.Hidden > 0 {
		fmt.Fprintf(&b, ", %d hidden column(s)", r.Hidden)
	}
	for i, c := range r.Collations {
		if i == 0 {
			b.WriteString(", collation of")
		} else {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s in %s", colName(c.Col), colName(c.From))
	}
	return b.String()
}

// Inputs implements Operator: a route is a leaf.
func (r *Route) Inputs() []Operator { return nil }

// Open implements Operator.
func (r *Route) Open(ctx context.Context, ex Executor) (*Stream, error) {
	parts, cols, err := r.openUnits(ctx, ex, false)
	if err != nil {
		return nil, err
	}
	return &Stream{Cursor: concatenate(parts...), cols: cols}, nil
}

// openUnits runs the units and returns one cursor per unit.
func (r *Route) openUnits(ctx context.Context, ex Executor, interleaved bool) ([]Cursor, *columns, error) {
	parts, nodeCols, err := ex.Query(ctx, r.Units, interleaved && len(r.Units) > 1)
	if err != nil {
		return nil, nil, err
	}
	cols, err := newColumns(nodeCols, r.Hidden, r.Collations)
	if err != nil {
		closeAll(parts)
		return nil, nil, err
	}
	if a, ok := ex.(interface{ assembledColumns() bool }); ok && a.assembledColumns() {
		cols.assembled = true // rows held in memory: their columns are the result's (held)
	}
	if len(parts) == 0 {
		parts = []Cursor{concatenate()}
	}
	return parts, cols, nil
}

// closeAll closes cursors after a failed open.
func closeAll(cs []Cursor) {
	for _, c := range cs {
		_ = c.Close()
	}
}
