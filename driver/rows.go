package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// Rows is the merged result of a statement's units. Its columns and column
// types are those of the first unit, which are the same on every node.
type Rows struct {
	ex      *planExec // its units: every unit cursor the tree opened
	release func()    // gives back the connections reserved for the query
	cur     merge.Cursor
	cols    []string
	types   []*sql.ColumnType
	// merged are the columns whose type the merge changes (aggregates
	// merged from partial results); nil for most plans.
	merged map[int]merge.ColumnType
	cancel context.CancelFunc
	done   bool
	// lazy is the unit whose column types are read on first use (the
	// rows of a one-unit statement); nil when types is set.
	lazy *unitCursor
	// meta is the column types of rows read whole inside Raw, captured
	// there (rows_raw.go, rows_raw_scatter.go); when set, the ColumnType
	// methods answer from it (typeOf). metaFrom, when not nil, is the
	// closed go-sql-driver rows meta is captured from when first asked
	// for (meta_late.go).
	meta     []colMeta
	metaFrom driver.Rows
	// pooled is the pooled oneUnit these rows live in, given back as
	// Close's last step (rows_one_unit.go); nil for other rows.
	pooled *oneUnit
	// locking: the rows of a locking read (route.Plan.Locking), whose
	// units Close runs and reads to their ends.
	locking bool
}

var (
	_ driver.Rows                           = (*Rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*Rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*Rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*Rows)(nil)
	_ driver.RowsColumnTypeLength           = (*Rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*Rows)(nil)
)

// newRows opens the plan's operator tree over the units' cursors, so that
// an error of the statement is returned by Query rather than by the first
// Next (planExec.Query waits for the units). Its columns are those of the
// tree's first route leaf, less the hidden columns the tree drops.
//
// one, when not nil, is the allocation of a one-unit statement, which its
// rows take too (rows_one_unit.go).
func newRows(ctx context.Context, c *Conn, p *route.Plan, units []*unitCursor, cancel context.CancelFunc, one *oneUnit) (*Rows, error) {
	if p.Root == nil && len(units) == 1 {
		return unitRows(c, units[0], cancel, one)
	}
	tree := p.Tree()
	ex := &planExec{c: c, prepared: units, bufferAll: routeLeaves(tree) > 1}
	octx := ctx
	if mb := c.c.opts.maxMemoryBytes; mb != merge.DefaultMaxBytes {
		octx = merge.WithMaxBytes(ctx, mb) // the operators' byte cap (merge/memory_bytes.go)
	}
	stream, err := tree.Open(octx, ex)
	if err != nil {
		cancel()
		for _, u := range units {
			_ = u.Close()
		}
		return nil, err
	}
	r := &Rows{cancel: cancel, ex: ex, cur: stream.Cursor, locking: p.Locking}
	if cols := stream.Columns(); cols != nil {
		// A join's columns come from several statements: the tree says
		// which (merge.Stream.Columns).
		r.cols, r.types = make([]string, len(cols)), make([]*sql.ColumnType, len(cols))
		raw := false
		for i, c := range cols {
			t, _ := c.Meta.(columnType)
			if t == nil {
				_ = stream.Close()
				cancel()
				return nil, fmt.Errorf("shardsql: column %d of the result has no column type", i+1)
			}
			_, isRaw := t.(*colMeta)
			raw = raw || isRaw
			r.cols[i] = c.Name
			r.types[i], _ = c.Meta.(*sql.ColumnType)
		}
		if raw {
			// some read inside Raw (rows_raw_scatter.go): every column as
			// a colMeta
			r.types, r.meta = nil, make([]colMeta, len(cols))
			for i, c := range cols {
				r.meta[i] = metaOf(c.Meta.(columnType))
			}
		}
		r.merged = stream.ColumnTypes()
		return r, nil
	}
	width := stream.Width()
	if width > len(ex.cols) && stream.Result() == nil {
		_ = stream.Close()
		cancel()
		return nil, fmt.Errorf("shardsql: a %d-column merge over %d-column rows", width, len(ex.cols))
	}
	if res := stream.Result(); res != nil {
		// a SELECT evaluated above a merged stream names its columns and
		// takes each one's type from the node column it carries
		r.cols, r.types, r.merged = res.Names, make([]*sql.ColumnType, width), res.Types
		for i, from := range res.From {
			if from < 0 || from >= len(ex.cols) {
				_ = stream.Close()
				cancel()
				return nil, fmt.Errorf("shardsql: result column %d from column %d of %d-column rows", i, from, len(ex.cols))
			}
			if ex.meta != nil {
				if r.meta == nil {
					r.meta = make([]colMeta, width)
				}
				r.meta[i] = ex.meta[from]
				continue
			}
			r.types[i] = ex.types[from]
		}
		return r, nil
	}
	r.cols = ex.cols[:width]
	if ex.meta != nil {
		r.meta = ex.meta[:width] // read inside Raw (rows_raw_scatter.go)
	} else {
		r.types = ex.types[:width]
	}
	r.merged = stream.ColumnTypes()
	return r, nil
}

// unitRows are the rows of a plan of one unit and no operator tree (a
// statement that reaches one node): what its tree, a bare route leaf over
// one unit, would return, without building the tree. The unit is loaded
// now, so that its error is Query's.
func unitRows(c *Conn, u *unitCursor, cancel context.CancelFunc, one *oneUnit) (*Rows, error) {
	u.lazyTypes = c.lazyTypes // asked for by the caller, if ever (Rows.typeOf; see Conn.queryPlan)
	if err := u.load(); err != nil {
		_ = u.Close()
		cancel()
		return nil, err
	}
	if one == nil {
		one = new(oneUnit) // the rows, their executor and its unit in one allocation
	}
	one.units[0] = u
	units := one.units[:]
	one.ex = planExec{c: c, prepared: units, next: 1, opened: units, cols: u.cols, types: u.types}
	one.rows = Rows{cancel: cancel, ex: &one.ex, cur: u, cols: u.cols, types: u.types, lazy: u}
	if one.pool != nil && c.lazyTypes {
		// given back when the rows close (oneUnits): only rows that go to
		// database/sql as they are (Conn.queryPlan), never rows code of
		// ours reads and keeps (metadata.go keeps the first unit's rows
		// for their column types after closing them)
		one.rows.pooled = one
	}
	if u.meta != nil {
		one.rows.meta, one.rows.metaFrom, one.rows.lazy = u.meta, u.metaFrom, nil // read inside Raw (rows_raw.go)
	}
	return &one.rows, nil
}

// Columns returns the result's column names.
func (r *Rows) Columns() []string { return r.cols }

// Next copies the next merged row into dest.
func (r *Rows) Next(dest []driver.Value) error {
	return r.cur.Next(dest)
}

// finishRows is how many unread rows Close reads from a unit to end its
// query cleanly and keep its connection (QueryRow leaves one unread end).
const finishRows = 64

// Close stops the units' queries. A unit with at most finishRows rows left
// is read to its end, keeping its pooled connection; a longer one is
// cancelled rather than drained (go-sql-driver drops that connection), so
// closing a large result early costs no more reading.
func (r *Rows) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	finished := true
	var lockErr error
	if r.locking && r.ex != nil {
		lockErr = r.finishLocking()
	}
	if r.ex != nil {
		for _, u := range r.ex.units() {
			if !u.finish(finishRows) {
				finished = false
			}
		}
	}
	if !finished {
		r.cancel()
	}
	err := r.cur.Close()
	if r.ex != nil {
		for _, u := range r.ex.prepared[r.ex.next:] {
			_ = u.Close() // units no route leaf took
		}
	}
	r.cancel()
	if r.release != nil {
		r.release() // the units' connections are back in their pools
	}
	if errors.Is(err, context.Canceled) {
		err = nil // the cancellation was ours
	}
	if err == nil {
		err = lockErr
	}
	if one := r.pooled; one != nil {
		// Last: r lives in one, which the next statement may take at
		// once (rows_one_unit.go: oneUnits).
		one.recycle()
	}
	return err
}

// ColumnTypeDatabaseTypeName returns the database type name of column i, e.g. "BIGINT".
func (r *Rows) ColumnTypeDatabaseTypeName(i int) string {
	if m, ok := r.merged[i]; ok && m.Name != "" {
		return m.Name
	}
	return r.typeOf(i).DatabaseTypeName()
}

// ColumnTypeNullable reports whether column i may be NULL. A column
// whose type the merge names (computed above the nodes, or an aggregate
// merged from partial results) may be NULL unless it is a count.
func (r *Rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if m, ok := r.merged[i]; ok && (m.NotNull || m.Name != "" || m.Nullable) {
		return !m.NotNull, true
	}
	return r.typeOf(i).Nullable()
}

// ColumnTypeScanType returns the Go type column i scans into.
//
// Hazard (review18c): a column computed above the nodes (`SELECT x.id,
// x.g * 1000000000 FROM (… LIMIT 8) x`, CONCAT of a derived table's
// column, SUM(…) * n) carries no node column; its metadata was the first
// node column's (an INT NOT NULL id), so ScanType said int32 for a
// BIGINT, DECIMAL, DOUBLE or VARCHAR value. gorm's Scan into
// []map[string]any (and any tool that allocates by ScanType) then failed
// with "converting … to a int32: value out of range / invalid syntax"
// where one database answers. The merge's type name decides, as
// go-sql-driver decides from the server's field type.
func (r *Rows) ColumnTypeScanType(i int) reflect.Type {
	m, merged := r.merged[i]
	if merged && m.Name != "" {
		if t := mergedScanType(m); t != nil {
			return t
		}
	}
	t := r.typeOf(i).ScanType()
	if merged && m.Nullable {
		return nullableScanType(t) // a LEFT JOIN's inner column (merge.nullExtended)
	}
	return t
}

// nullableScanType is the scan type go-sql-driver gives a NULL-able
// column whose NOT NULL form scans into t.
func nullableScanType(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return reflect.TypeFor[sql.NullInt64]()
	case reflect.Uint64:
		return reflect.TypeFor[sql.Null[uint64]]()
	case reflect.Float32, reflect.Float64:
		return reflect.TypeFor[sql.NullFloat64]()
	case reflect.String:
		return reflect.TypeFor[sql.NullString]()
	}
	return t // []byte, sql.Null*, *any: NULL scans into them already
}

// mergedScanType is go-sql-driver's scan type for the type names the
// merge gives a column (merge.ColumnType.Name); nil for another name.
func mergedScanType(m merge.ColumnType) reflect.Type {
	switch m.Name {
	case "BIGINT":
		if m.NotNull {
			return reflect.TypeFor[int64]()
		}
		return reflect.TypeFor[sql.NullInt64]()
	case "UNSIGNED BIGINT":
		if m.NotNull {
			return reflect.TypeFor[uint64]()
		}
		return reflect.TypeFor[sql.Null[uint64]]()
	case "DOUBLE":
		if m.NotNull {
			return reflect.TypeFor[float64]()
		}
		return reflect.TypeFor[sql.NullFloat64]()
	case "DECIMAL", "VARCHAR":
		if m.NotNull {
			return reflect.TypeFor[string]()
		}
		return reflect.TypeFor[sql.NullString]()
	}
	return nil
}

// ColumnTypeLength returns the length of a variable-length column i.
func (r *Rows) ColumnTypeLength(i int) (int64, bool) {
	if m, ok := r.merged[i]; ok && m.Name != "" {
		return 0, false
	}
	return r.typeOf(i).Length()
}

// ColumnTypePrecisionScale returns the precision and scale of decimal column i.
func (r *Rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	precision, scale, ok = r.typeOf(i).DecimalSize()
	if m, merged := r.merged[i]; merged {
		switch {
		case m.Name != "":
			return 0, 0, false
		case m.Avg && ok && r.typeOf(i).DatabaseTypeName() == "DECIMAL":
			precision, scale = coltype.AvgDecimalSize(precision, scale)
		case m.Precision > 0 && ok:
			precision = m.Precision // a union's, its widest part's
		}
	}
	return precision, scale, ok
}

// typeOf returns column i's type, read from the unit the first time for
// the rows of a one-unit statement; captured inside Raw (meta) for rows
// read there.
func (r *Rows) typeOf(i int) columnType {
	if r.meta != nil {
		if r.metaFrom != nil {
			r.captureLate() // meta_late.go
		}
		return &r.meta[i]
	}
	if r.types == nil && r.lazy != nil {
		r.types = r.lazy.columnTypes()
	}
	return r.types[i]
}

// finishLocking runs every unit of a locking read that the merge has not
// opened and reads every unit to its end, before Close closes them.
//
// Hazard (review17a): the units of a scatter are opened as the merge
// needs their rows, and Close cancelled a unit with many rows left and
// never ran the ones no leaf had taken. A locking read is run for its
// locks: `rows, _ := tx.QueryContext(ctx, "SELECT k FROM t FOR UPDATE");
// rows.Close()` locked 8 of 8 rows on one database (the server runs the
// statement whole; go-sql-driver reads the rest at Close) and 0 of 8
// through shardsql, so another transaction took rows this one believed
// it held. The first error (a lock wait timeout on a node, as one server
// would fail the statement) is Close's.
func (r *Rows) finishLocking() error {
	var first error
	for _, u := range r.ex.units() {
		if u.closed {
			continue
		}
		if u.neverRan() {
			if err := u.load(); err != nil {
				if first == nil {
					first = err
				}
				continue
			}
		}
		if !u.finish(math.MaxInt32) && first == nil {
			first = errors.New("shardsql: a locking read's rows could not be read to their end")
		}
		if err := u.err; err != nil && first == nil {
			first = err
		}
	}
	return first
}
