package driver

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// queryMetadata runs a metadata plan (route.Metadata): each unit on its
// own, its rows rewritten as the plan says (node table names shown as the
// logical table's, the other nodes' tables dropped), then put together.
// Metadata results are small: they are read whole.
func (c *Conn) queryMetadata(ctx context.Context, p *route.Plan) (driver.Rows, error) {
	md := p.Metadata
	if err := c.checkMetadataNodes(ctx, p); err != nil { // metadata_nodes.go
		return nil, err
	}
	out := &metaRows{}
	for i, u := range p.Units {
		sub := *p
		sub.Units = []route.Unit{u}
		sub.Metadata = nil
		rows, err := c.query(ctx, &sub)
		if err != nil {
			return nil, err
		}
		cols := rows.Columns()
		if i == 0 {
			out.cols, out.first = cols, rows
		}
		rw := newMetaRewrite(md, md.Units[i], cols)
		for {
			dest := make([]driver.Value, len(cols))
			err := rows.Next(dest)
			if err == io.EOF {
				break
			}
			if err != nil {
				_ = rows.Close()
				return nil, err
			}
			if rw.apply(dest) && len(dest) == len(out.cols) {
				out.rows = append(out.rows, dest)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	if md.Sort && len(out.cols) > 0 {
		k := newMetaRewrite(md, route.MetadataUnit{}, out.cols).names
		if len(k) > 0 {
			col := k[0]
			sort.SliceStable(out.rows, func(a, b int) bool {
				return bytes.Compare(metaBytes(out.rows[a][col]), metaBytes(out.rows[b][col])) < 0
			})
		}
	}
	if len(md.Order) > 0 {
		sortMetaRows(out.rows, md.Order, out.numeric)
	}
	if h := md.Hidden; h > 0 && h <= len(out.cols) {
		// The ORDER BY keys the caller did not select: sorted by, dropped.
		out.cols = out.cols[:len(out.cols)-h]
		for i, r := range out.rows {
			out.rows[i] = r[:len(r)-h]
		}
	}
	return out, nil
}

// metaRewrite is one unit's rewrite, with the plan's columns found in the
// unit's result.
type metaRewrite struct {
	u                     route.MetadataUnit
	names, texts, schemas []int
}

func newMetaRewrite(md *route.Metadata, u route.MetadataUnit, cols []string) metaRewrite {
	rw := metaRewrite{u: u}
	find := func(want []string) []int {
		var out []int
		for i, c := range cols {
			for _, w := range want {
				if strings.EqualFold(c, w) || (strings.HasSuffix(w, "*") && len(c) >= len(w)-1 && strings.EqualFold(c[:len(w)-1], w[:len(w)-1])) {
					out = append(out, i)
					break
				}
			}
		}
		return out
	}
	rw.names, rw.texts, rw.schemas = find(md.NameColumns), find(md.TextColumns), find(md.SchemaColumns)
	return rw
}

// apply rewrites row in place and reports whether it is kept.
func (rw metaRewrite) apply(row []driver.Value) bool {
	renamed := false
	for _, i := range rw.names {
		name := strings.ToLower(string(metaBytes(row[i])))
		if logical, ok := rw.u.Rename[name]; ok {
			row[i] = metaValue(row[i], logical)
			renamed = true
		} else if rw.u.Hide[name] {
			return false
		}
	}
	if rw.u.Only && !renamed {
		return false
	}
	for _, i := range rw.texts {
		text := string(metaBytes(row[i]))
		for phys, logical := range rw.u.Rename {
			// CREATE TABLE `t_order_0` ( … : the first quoted name is the table's.
			if at := strings.Index(strings.ToLower(text), "`"+phys+"`"); at >= 0 {
				text = text[:at] + "`" + logical + "`" + text[at+len(phys)+2:]
			}
		}
		row[i] = metaValue(row[i], text)
	}
	if rw.u.Database != "" && rw.u.Home != "" && rw.u.Database != rw.u.Home {
		for _, i := range rw.schemas {
			if string(metaBytes(row[i])) == rw.u.Database {
				row[i] = metaValue(row[i], rw.u.Home)
			}
		}
	}
	return true
}

// metaBytes is a text value's bytes (nil for NULL and other types).
func metaBytes(v driver.Value) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// metaValue is s as a value of the same type as like.
func metaValue(like driver.Value, s string) driver.Value {
	if _, ok := like.(string); ok {
		return s
	}
	return []byte(s)
}

// metaRows are the rewritten rows of a metadata plan. Column types are the
// first unit's.
type metaRows struct {
	cols  []string
	first driver.Rows
	rows  [][]driver.Value
	next  int
}

var (
	_ driver.RowsColumnTypeDatabaseTypeName = (*metaRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*metaRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*metaRows)(nil)
	_ driver.RowsColumnTypeLength           = (*metaRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*metaRows)(nil)
)

func (m *metaRows) Columns() []string { return m.cols }

func (m *metaRows) Close() error { return nil }

func (m *metaRows) Next(dest []driver.Value) error {
	if m.next >= len(m.rows) {
		return io.EOF
	}
	if len(dest) != len(m.cols) {
		return fmt.Errorf("shardsql: metadata row has %d columns, %d destinations", len(m.cols), len(dest))
	}
	copy(dest, m.rows[m.next])
	m.next++
	return nil
}

// ColumnTypeDatabaseTypeName returns the first unit's type name of column i.
func (m *metaRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := m.first.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeNullable reports whether column i may be NULL.
func (m *metaRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := m.first.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

// ColumnTypeScanType returns the Go type column i scans into.
func (m *metaRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := m.first.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeOf(new(any)).Elem()
}

// ColumnTypeLength returns the length of a variable-length column i.
func (m *metaRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := m.first.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

// ColumnTypePrecisionScale returns the precision and scale of decimal column i.
func (m *metaRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := m.first.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
