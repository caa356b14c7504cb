package merge

import (
	"strings"

	"github.com/shardsql/shardsql/internal/coltype"
)

// Hazard (union22): a union's result reported the first SELECT's node
// column as its metadata, where one server reports the union column's:
// NOT NULL (ScanType int32) for `SELECT id … UNION ALL SELECT i …` whose
// second part holds NULLs (a tool allocating by ScanType fails to scan
// them), DECIMAL(5,2) for a DECIMAL(5,2) UNION ALL DECIMAL(10,2) (one
// server: DECIMAL(10,2)), and ENUM for a union of ENUM columns (one
// server: VARCHAR). unionColumnTypes corrects the metadata from every
// part's columns; the values are unchanged (the parts' types agree).

// nullabler and decimalSizer are what the executor's column metadata
// (Column.Meta, the driver's *sql.ColumnType) tells of a column.
type nullabler interface{ Nullable() (nullable, ok bool) }
type decimalSizer interface {
	DecimalSize() (precision, scale int64, ok bool)
}

// colNullable reports whether column c of cols may be NULL, and whether
// that is known.
func colNullable(cols *columns, c int) (nullable, known bool) {
	if m, ok := cols.merged[c]; ok {
		switch {
		case m.NotNull:
			return false, true
		case m.Name != "" || m.Nullable:
			return true, true
		}
	}
	if c < len(cols.meta) {
		if n, ok := cols.meta[c].(nullabler); ok {
			return n.Nullable()
		}
	}
	return false, false
}

// colPrecision is the declared precision of DECIMAL column c of cols,
// when it is a node column's.
func colPrecision(cols *columns, c int) (int64, bool) {
	if _, merged := cols.merged[c]; merged || c >= len(cols.meta) {
		return 0, false
	}
	d, ok := cols.meta[c].(decimalSizer)
	if !ok {
		return 0, false
	}
	p, _, ok := d.DecimalSize()
	return p, ok
}

// unionColumnTypes returns the column types of a union of parts (the
// first's columns first), as one server reports them: nil when they are
// the first part's.
func unionColumnTypes(parts []*columns) map[int]ColumnType {
	first := parts[0]
	var out map[int]ColumnType
	set := func(c int, m ColumnType) {
		if out == nil {
			out = make(map[int]ColumnType, len(first.merged)+1)
			for k, v := range first.merged {
				out[k] = v
			}
		}
		out[c] = m
	}
	for c := range first.types {
		anyNull, allKnown := false, true
		for _, p := range parts {
			n, known := colNullable(p, c)
			anyNull = anyNull || n
			allKnown = allKnown && known
		}
		m, hasM := first.merged[c]
		t := strings.ToUpper(first.types[c])
		switch {
		case !hasM && (t == "ENUM" || t == "SET"):
			// MariaDB's union of ENUM (SET) columns is a VARCHAR
			set(c, ColumnType{Name: "VARCHAR", NotNull: allKnown && !anyNull})
			continue
		case anyNull:
			if firstNull, known := colNullable(first, c); known && !firstNull {
				m.Nullable, m.NotNull = true, false
				set(c, m)
			}
		}
		if first.kinds[c] == coltype.Decimal && !hasM {
			var most int64
			ok := true
			for _, p := range parts {
				prec, known := colPrecision(p, c)
				ok = ok && known
				most = max(most, prec)
			}
			if fp, known := colPrecision(first, c); ok && known && most > fp {
				m := out[c]
				m.Precision = most
				set(c, m)
			}
		}
	}
	return out
}
