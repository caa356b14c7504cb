package merge

import (
	"database/sql/driver"
	"fmt"
	"sort"

	"github.com/shardsql/shardsql/internal/coltype"
)

// ConcatOrder makes a GROUP_CONCAT keep its group's values in memory and
// order them when the group ends: GROUP_CONCAT(x, y ORDER BY z DESC
// LIMIT 1, 5). The nodes group by the keys, every argument (and its
// bytes, so each spelling of collation-equal text stays a row) and every
// ORDER BY expression, and send them with COUNT(*) in GroupConcat.CountCol.
type ConcatOrder struct {
	// Values are the arguments' columns, written one after another (no
	// separator) for each row; a row with a NULL argument is skipped.
	Values []Col
	// Keys are the ORDER BY expressions' columns; rows equal on them come
	// in any order, as one server's do.
	Keys []SortKey
	// Limit is the GROUP_CONCAT's LIMIT; nil: none.
	Limit *Page
}

// groupConcatSorted builds one group's GROUP_CONCAT from entries held
// in memory (at most maxRows per group, then ErrTooLarge).
type groupConcatSorted struct {
	gc      GroupConcat
	keys    []cmpKey
	maxRows int
	bytes   byteCount // the group's values' bytes against the byte cap
	entries []concatEntry
	maxLen  int64
	buf     []byte
	out     *textColl // the result's collation (nil: bytes), for its length
	single  bool      // the result's charset has one byte per character
}

type concatEntry struct {
	text []byte
	keys []key
	n    int64
}

func newGroupConcatSorted(gc GroupConcat, kinds []coltype.Kind, colls []*textColl, maxRows int, maxBytes int64) (*groupConcatSorted, error) {
	for _, c := range gc.Order.Values {
		switch kinds[c.Index] {
		case coltype.Enum, coltype.Bit, coltype.Float, coltype.Time, coltype.Duration:
			return nil, fmt.Errorf("%w: GROUP_CONCAT of an ENUM, SET, BIT, floating-point or temporal column across nodes (CAST it to CHAR)", ErrUnsupported)
		}
	}
	keys, err := resolve(gc.Order.Keys, kinds, colls)
	if err != nil {
		return nil, err
	}
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	return &groupConcatSorted{gc: gc, keys: keys, maxRows: maxRows, bytes: byteCount{max: maxBytes}}, nil
}

func (g *groupConcatSorted) reset() { g.entries, g.bytes.used = g.entries[:0], 0 }

func (g *groupConcatSorted) add(row []driver.Value) error {
	for _, c := range g.gc.Order.Values {
		if row[c.Index] == nil {
			return nil
		}
	}
	if len(g.entries) >= g.maxRows {
		return fmt.Errorf("%w: a GROUP_CONCAT needs more than %d values of one group in memory; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, g.maxRows)
	}
	if g.gc.CountCol == nil {
		return fmt.Errorf("shardsql: merge: GROUP_CONCAT without its count column")
	}
	for _, c := range g.gc.Order.Values {
		if err := g.bytes.add(row[c.Index:c.Index+1], "a GROUP_CONCAT's values of one group"); err != nil {
			return err
		}
	}
	n, err := toInt(row[g.gc.CountCol.Index])
	if err != nil {
		return err
	}
	if g.maxLen, err = toInt(row[g.gc.MaxLenCol.Index]); err != nil {
		return err
	}
	if g.single, err = oneByteChars(g.out, row); err != nil {
		return err
	}
	e := concatEntry{n: n, keys: make([]key, len(g.keys))}
	for i, c := range g.gc.Order.Values {
		if e.text, err = appendConcatText(e.text, row[c.Index], concatWidth(g.gc.widths, i)); err != nil {
			return err
		}
	}
	if err := decodeKeys(g.keys, row, e.keys); err != nil {
		return err
	}
	for i := range e.keys {
		if e.keys[i].null {
			// MariaDB orders a NULL there as the type's empty value (0,
			// ''), between the others, not first
			return fmt.Errorf("%w: GROUP_CONCAT ordered by an expression that is NULL on some row across nodes (the server orders NULL there as it chooses; order by COALESCE(expr, …) or IS NULL first)", ErrUnsupported)
		}
		if e.keys[i].b != nil {
			e.keys[i].b = append([]byte(nil), e.keys[i].b...) // the row buffer is reused
		}
	}
	g.entries = append(g.entries, e)
	return nil
}

func (g *groupConcatSorted) result() driver.Value {
	sort.SliceStable(g.entries, func(i, j int) bool {
		return compareKeys(g.keys, g.entries[i].keys, g.entries[j].keys) < 0
	})
	skip, left := int64(0), int64(-1) // -1: no LIMIT (left never reaches 0)
	if l := g.gc.Order.Limit; l != nil {
		skip, left = l.Offset, l.Count
	}
	g.buf = g.buf[:0]
	written := false
	for _, e := range g.entries {
		for n := e.n; n > 0; n-- {
			if skip > 0 {
				skip--
				continue
			}
			if left == 0 {
				break
			}
			left--
			if written {
				g.buf = append(g.buf, g.gc.Separator...)
			}
			written = true
			g.buf = append(g.buf, e.text...)
			if b, cut := cutConcat(g.buf, g.maxLen, g.single); cut {
				return append([]byte{}, b...)
			}
		}
	}
	if !written {
		if len(g.entries) > 0 {
			return []byte{} // values, all past the LIMIT: '' (NULL without values)
		}
		return nil
	}
	return append([]byte{}, g.buf...) // '' of empty values: not nil (NULL), see copyValue
}

// concatWidth is widths[i], or 0 past its end.
func concatWidth(widths []int, i int) int {
	if i < len(widths) {
		return widths[i]
	}
	return 0
}
