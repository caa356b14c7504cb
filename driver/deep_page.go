package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// deepPage runs a plan's deep page (route.DeepPage, docs/deep-pages.md):
// phase 1 on every node, phase 2 between the bounds it found (and counts
// where a node's window said nothing), then cuts the page in memory from
// at most a few pages of rows. Each phase runs as its own concatenating
// plan through query, so transactions, pinned sessions and pool limits
// apply as to any statement. When the bounds cannot be bound back into SQL
// or a node's rows changed between the phases, the statement streams.
func (c *Conn) deepPage(ctx context.Context, p *route.Plan) (driver.Rows, error) {
	d := p.DeepPage
	stream := func() (driver.Rows, error) {
		q := *p
		q.DeepPage = nil
		return c.query(ctx, &q)
	}
	k := d.Page.Nodes
	phase1, cols, types, err := c.readNodes(ctx, p, d.Phase1, k)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.DatabaseTypeName()
	}
	b, err := merge.PlanDeepPage(d.Page, names, phase1)
	if err != nil {
		return nil, err
	}
	phase2 := make([][][]driver.Value, k)
	counts := make([]int64, k)
	if b.Phase2() {
		if b.Phase2Rows() > int64(c.c.opts.maxMemoryRows) {
			return stream() // skewed nodes: phase 2 could hold more rows than the cap
		}
		units, err := d.Phase2(len(cols), b)
		if err != nil {
			return stream() // a value that does not bind back exactly
		}
		if len(units) > 0 {
			if phase2, _, _, err = c.readNodes(ctx, p, units, k); err != nil {
				return nil, err
			}
		}
		if counts, err = c.deepCounts(ctx, p, d, len(cols), b); err != nil {
			return nil, err
		}
	}
	cur, err := merge.DeepPageRows(b, names, phase2, counts)
	if errors.Is(err, merge.ErrDeepPageStale) {
		return stream()
	}
	if err != nil {
		return nil, err
	}
	visible := len(cols) - d.Page.Spec.Hidden
	// An empty planExec: the deep page read its units whole; Close has none to stop.
	return &Rows{ex: &planExec{c: c}, cur: cur, cols: cols[:visible], types: types[:visible], cancel: func() {}}, nil
}

// deepCounts runs the count statements of the nodes that need one.
func (c *Conn) deepCounts(ctx context.Context, p *route.Plan, d *route.DeepPage, width int, b *merge.DeepBounds) ([]int64, error) {
	units, err := d.Counts(width, b)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, d.Page.Nodes)
	if len(units) == 0 {
		return counts, nil
	}
	rows, _, _, err := c.readNodes(ctx, p, units, d.Page.Nodes)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if len(r) != 1 || len(r[0]) != 1 {
			return nil, fmt.Errorf("shardsql: deep page: a count returned %d rows", len(r))
		}
		if counts[i], err = intValue(r[0][0]); err != nil {
			return nil, fmt.Errorf("shardsql: deep page: count: %w", err)
		}
	}
	return counts, nil
}

// intValue reads an integer column's value.
func intValue(v driver.Value) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	}
	return 0, fmt.Errorf("unexpected %T", v)
}

// readNodes runs units as one concatenating plan, like p otherwise, and
// returns the rows of each of the k nodes (a few pages at most) without
// their trailing route.DeepNodeColumn, which says whose they are, and the
// column names and types without it.
func (c *Conn) readNodes(ctx context.Context, p *route.Plan, units []route.Unit, k int) ([][][]driver.Value, []string, []*sql.ColumnType, error) {
	// No Root: the plan's tree is the concatenation of its units.
	q := &route.Plan{SQL: p.SQL, Kind: route.KindSelect, Table: p.Table, Units: units,
		SchemaUnknown: p.SchemaUnknown, Session: p.Session}
	dr, err := c.query(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	r := dr.(*Rows)
	defer r.Close()
	width := len(r.cols)
	if width < 1 || r.cols[width-1] != route.DeepNodeColumn {
		return nil, nil, nil, fmt.Errorf("shardsql: deep page: node statements without their %s column", route.DeepNodeColumn)
	}
	out := make([][][]driver.Value, k)
	for {
		row := make([]driver.Value, width)
		if err := r.Next(row); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, nil, err
		}
		i, err := intValue(row[width-1])
		if err != nil || i < 0 || i >= int64(k) {
			return nil, nil, nil, fmt.Errorf("shardsql: deep page: node marker %v", row[width-1])
		}
		out[i] = append(out[i], row[:width-1])
	}
	return out, r.cols[:width-1], r.types[:width-1], r.Close()
}
