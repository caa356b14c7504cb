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
	phase1, cols, types, err := c.readUnits(ctx, p, d.Phase1)
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
	phase2 := make([][][]driver.Value, len(phase1))
	counts := make([]int64, len(phase1))
	if !b.Empty {
		units, err := d.Phase2(len(cols), b)
		if err != nil {
			return stream() // a value that does not bind back exactly
		}
		if phase2, _, _, err = c.readUnits(ctx, p, units); err != nil {
			return nil, err
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
	return &Rows{cur: cur, cols: cols[:visible], types: types[:visible], cancel: func() {}}, nil
}

// deepCounts runs the count statements of the nodes that need one.
func (c *Conn) deepCounts(ctx context.Context, p *route.Plan, d *route.DeepPage, width int, b *merge.DeepBounds) ([]int64, error) {
	cu, err := d.Counts(width, b)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(cu))
	var units []route.Unit
	var at []int
	for i, u := range cu {
		if u != nil {
			units = append(units, *u)
			at = append(at, i)
		}
	}
	if len(units) == 0 {
		return counts, nil
	}
	rows, _, _, err := c.readUnits(ctx, p, units)
	if err != nil {
		return nil, err
	}
	for j, r := range rows {
		if len(r) != 1 || len(r[0]) != 1 {
			return nil, fmt.Errorf("shardsql: deep page: a count returned %d rows", len(r))
		}
		var n int64
		switch v := r[0][0].(type) {
		case int64:
			n = v
		case []byte:
			if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				return nil, fmt.Errorf("shardsql: deep page: count %q: %w", v, err)
			}
		default:
			return nil, fmt.Errorf("shardsql: deep page: count of type %T", v)
		}
		counts[at[j]] = n
	}
	return counts, nil
}

// readUnits runs units as one concatenating plan, like p otherwise, and
// returns each unit's rows (a few pages at most), the column names and
// the column types.
func (c *Conn) readUnits(ctx context.Context, p *route.Plan, units []route.Unit) ([][][]driver.Value, []string, []*sql.ColumnType, error) {
	q := &route.Plan{SQL: p.SQL, Kind: route.KindSelect, Table: p.Table, Units: units,
		Merge: route.Merge{Kind: route.MergeConcat}, SchemaUnknown: p.SchemaUnknown, Session: p.Session}
	dr, err := c.query(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	r := dr.(*Rows)
	defer r.Close()
	out := make([][][]driver.Value, len(r.units))
	for i, u := range r.units {
		for {
			row := make([]driver.Value, len(r.cols))
			if err := u.Next(row); err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, nil, err
			}
			out[i] = append(out[i], row)
		}
	}
	return out, r.cols, r.types, r.Close()
}
