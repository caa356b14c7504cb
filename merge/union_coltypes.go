package merge

import (
	"fmt"
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

// Hazard (union22): MariaDB writes a union's rows into a column of the
// union's type, and a FLOAT or DOUBLE with fixed decimals (ROUND(x, 1),
// TRUNCATE(x, 2), a DOUBLE(M,D) column) becomes a DOUBLE(M,D) there whose
// range clips larger values: `SELECT ROUND(f, 1) … UNION ALL SELECT
// ROUND(f, 1) …` answers 1e+17 for 1e20 on one server, while each node's
// own SELECT sends 1e20; and ROUND(f, 0) UNION ALL f is written in the
// shortest form. The operator cannot clip as the server does, so such a
// column is refused.

// floatDecimals is the fixed number of decimals column c of cols is
// written with, or -1 when it is a float written in its shortest form
// (or not a float).
func floatDecimals(cols *columns, c int) int64 {
	if cols.kinds[c] != coltype.Float {
		return -1
	}
	if _, merged := cols.merged[c]; !merged && c < len(cols.meta) {
		if d, ok := cols.meta[c].(decimalSizer); ok {
			if _, scale, ok := d.DecimalSize(); ok && scale < 31 {
				return scale
			}
			return -1
		}
	}
	if cols.scales[c] > 0 {
		return cols.scales[c]
	}
	return -1
}

// fixedFloats refuses a union column that is a float with fixed decimals
// in any part.
func fixedFloats(parts []*columns) error {
	for c := range parts[0].types {
		for i, p := range parts {
			if d := floatDecimals(p, c); d >= 0 {
				return fmt.Errorf("%w: UNION of column %d, a %s with %d fixed decimals in SELECT %d (ROUND, TRUNCATE, a DOUBLE(M,D) column), across data sources (MariaDB writes the rows into a column of that width, clipping larger values, which shardsql cannot do above the nodes: CAST the column AS DECIMAL(m,d) or leave the decimals free in every SELECT)", ErrUnsupported, c+1, strings.ToUpper(p.types[c]), d, i+1)
			}
		}
	}
	return nil
}

// Hazard (union22): a BIT(M) value is sent as ceil(M/8) bytes and a
// BINARY(N) value as N bytes, and MariaDB's union column is as wide as
// its widest part, padding the others: BIT(8) b'1' UNION ALL a BIT(16)
// reads 0x0001 on one server (and UNION dedupes it with the BIT(16)'s
// 0x0001), 'ab' of a BINARY(4) reads 'ab' and six zero bytes beside a
// BINARY(8). The nodes' rows carry no width, so such a column is
// answered only where the planner knows every part's width is the same.

// fixedWidths refuses a BIT or BINARY union column whose parts' widths
// are not known to agree.
func fixedWidths(parts []*columns, same []bool) error {
	for c, t := range parts[0].types {
		t = strings.ToUpper(t)
		if t != "BIT" && t != "BINARY" {
			continue
		}
		if c < len(same) && same[c] {
			continue
		}
		return fmt.Errorf("%w: UNION of %s column %d across data sources whose SELECTs' widths are not known to be one (MariaDB pads each value to the widest part's width, which shardsql cannot do above the nodes: select the same table column in every SELECT, or HEX(col) or col+0)", ErrUnsupported, t, c+1)
	}
	return nil
}
