package merge

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/internal/coltype"
)

// Union returns the rows of its inputs one input after another (UNION
// ALL) or, when Distinct, without duplicates (UNION): the rows are sorted
// in memory by every column, at most MaxRows of them, and equal neighbours
// dropped. Each column must have one type in every input, which is then
// the union's column type; MySQL would convert values to a common type
// (INT and DECIMAL(5,2) to DECIMAL, printing 1 as 1.00), which the
// operator cannot do above the nodes, so other unions are refused.
type Union struct {
	Parts    []Operator
	Distinct bool
	// TextByBytes: text compares by bytes, as the binary collation of the
	// embedded shards does. Otherwise the collation of a union's text
	// columns is unknown above the nodes, and comparing them is refused.
	TextByBytes bool
	// MaxRows bounds the rows a distinct union holds (0: DefaultMaxRows).
	MaxRows int
	// MixedText marks the columns whose SELECTs' collations differ or are
	// not known to the planner: MySQL compares such a column by the
	// collation it derives from all of them (utf8mb4_bin over
	// utf8mb4_general_ci), not the first SELECT's, so comparing its text
	// (DISTINCT, an ORDER BY above) is refused.
	MixedText []bool
	// SameWidth marks the columns whose SELECTs' declared widths the
	// planner knows to agree (one catalog COLUMN_TYPE): a BIT or BINARY
	// column is answered only then, as MariaDB pads each value to the
	// widest part's width (union_coltypes.go, fixedWidths).
	SameWidth []bool
}

// Description implements Operator.
func (u *Union) Description() string {
	if u.Distinct {
		return fmt.Sprintf("Union distinct of %d inputs (sorted in memory, at most %d rows)", len(u.Parts), u.maxRows())
	}
	return fmt.Sprintf("Union all of %d inputs", len(u.Parts))
}

func (u *Union) maxRows() int {
	if u.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return u.MaxRows
}

// Inputs implements Operator.
func (u *Union) Inputs() []Operator { return u.Parts }

// Open implements Operator.
func (u *Union) Open(ctx context.Context, ex Executor) (*Stream, error) {
	if len(u.Parts) == 0 {
		return nil, fmt.Errorf("shardsql: merge: a union without inputs")
	}
	var parts []Cursor
	var cols *columns
	var partCols []*columns
	cloned := false // cols.colls is a copy of the first part's
	fail := func(err error) (*Stream, error) {
		closeAll(parts)
		return nil, err
	}
	for i, in := range u.Parts {
		s, err := in.Open(ctx, ex)
		if err != nil {
			return fail(err)
		}
		parts = append(parts, s.Cursor)
		partCols = append(partCols, s.cols)
		if i == 0 {
			cols = s.cols.clone()
			continue
		}
		if err := sameColumns(cols, s.cols, i); err != nil {
			return fail(err)
		}
	}
	if err := fixedWidths(partCols, u.SameWidth); err != nil {
		return fail(err)
	}
	if err := fixedFloats(partCols); err != nil {
		return fail(err)
	}
	if m := unionColumnTypes(partCols); m != nil {
		cols.merged = m
	}
	cols.uncollated = !u.TextByBytes
	if cols.uncollated {
		for c, mixed := range u.MixedText {
			if mixed && c < len(cols.colls) && cols.kinds[c] == coltype.Text {
				if !cloned {
					cols.colls, cloned = append([]*textColl(nil), cols.colls...), true
				}
				cols.colls[c] = nil
			}
		}
	}
	var cur Cursor = concatenate(parts...)
	if dec := decimalColumns(cols); len(dec) > 0 {
		cur = &unzeroFilled{in: cur, cols: dec}
	}
	if u.Distinct {
		keys := make([]SortKey, len(cols.types))
		for i := range keys {
			keys[i] = SortKey{Col: At(i)}
		}
		cmp, err := cols.keys(keys)
		if err != nil {
			return fail(err)
		}
		width := len(cols.types)
		g, err := newGrouped(&memSorted{in: cur, keys: cmp, width: width, maxRows: u.maxRows(), bytes: byteCount{max: MaxBytes(ctx)}, what: "a distinct UNION"}, &Group{Keys: keys}, cols.kinds, cols.colls, width)
		if err != nil {
			return fail(err)
		}
		cur = g
	}
	return &Stream{Cursor: cur, cols: cols}, nil
}

// nullKeepsType holds the types whose union with a NULL of another SELECT
// one MariaDB reports as the type itself (checked against MariaDB 10.11).
// Not an unsigned integer: a NULL is signed, and BIGINT UNSIGNED UNION
// NULL is a DECIMAL(20,0) column.
var nullKeepsType = map[string]bool{
	"INT": true, "BIGINT": true, "DECIMAL": true, "DOUBLE": true, "VARCHAR": true, "CHAR": true,
	"ENUM": true, "DATE": true, "DATETIME": true, "BIT": true,
}

// sameColumns checks that input i of a union has the columns of the first.
func sameColumns(first, other *columns, i int) error {
	if len(first.types) != len(other.types) {
		return fmt.Errorf("shardsql: the used SELECT statements have a different number of columns (%d and %d)", len(first.types), len(other.types))
	}
	for c := range first.types {
		if strings.EqualFold(other.types[c], "NULL") && nullKeepsType[strings.ToUpper(first.types[c])] {
			// a NULL of a later SELECT (SELECT i … UNION ALL SELECT
			// NULL …): MariaDB's union column is the others' type, and
			// the value stays NULL (union22; a NULL in the first
			// SELECT would name the result's column type, still refused)
			continue
		}
		a, b := unionType(first, c), unionType(other, c)
		if a != b {
			return fmt.Errorf("%w: UNION of column %d typed %s in the first SELECT and %s in SELECT %d, across data sources (shardsql cannot convert values to MySQL's common type above the nodes: CAST the column to one type in every SELECT)", ErrUnsupported, c+1, a, b, i+1)
		}
	}
	return nil
}

// unionType prints what a column's values look like: its type name as
// merged, and a DECIMAL's scale.
func unionType(cols *columns, c int) string {
	t := strings.ToUpper(cols.types[c])
	if m, ok := cols.merged[c]; ok {
		switch {
		case m.Name != "":
			t = m.Name
		case m.Avg:
			t = "AVG " + t
		}
	}
	if cols.kinds[c] == coltype.Decimal {
		t += fmt.Sprintf("(scale %d)", cols.scales[c])
	}
	if coltype.FractionalTime(t) {
		// TIME UNION ALL TIME(2) is a TIME(2) column: MySQL prints the
		// first part's 10:00:00 as 10:00:00.00.
		t += fmt.Sprintf("(%d)", cols.scales[c])
	}
	return t
}
