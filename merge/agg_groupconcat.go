package merge

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/shardsql/shardsql/internal/coltype"
	"vitess.io/vitess/go/sqltypes"
)

// AggGroupConcat concatenates the values of a GROUP_CONCAT (Agg.Concat
// says where they are). Each node groups by the group keys and the
// argument and sorts by them, so the values of one group arrive from all
// nodes merged in the argument's order: GROUP_CONCAT(x ORDER BY x) of
// one server. (Without ORDER BY one server's order is unspecified; the
// merge gives x's.)
const AggGroupConcat AggKind = 48

// GroupConcat locates the node columns of a GROUP_CONCAT.
type GroupConcat struct {
	// ValueCol holds the argument, one distinct value per node row.
	ValueCol Col
	// CountCol holds how many rows of the node had the value (COUNT(x));
	// nil for DISTINCT, where each value counts once (and required
	// otherwise).
	CountCol *Col
	// MaxLenCol holds the session's @@group_concat_max_len: the result is
	// cut to that many bytes (at a character boundary), as the server cuts it.
	MaxLenCol Col
	// Separator goes between values (default ",").
	Separator string
	// Distinct keeps each value once, by the argument's type and collation.
	Distinct bool
	// Desc: ORDER BY x DESC.
	Desc bool
	// Order, when set, holds the arguments, ORDER BY and LIMIT of a
	// GROUP_CONCAT whose values the merge orders in memory; ValueCol is
	// then its first argument and CountCol the node's COUNT(*).
	Order *ConcatOrder

	// ZeroFill is the display width of ValueCol when it is a ZEROFILL
	// integer column (the router reads it from the catalog's COLUMN_TYPE,
	// `int(5) unsigned zerofill`), ZeroFills those of Order.Values; 0
	// for other columns. See appendConcatText.
	ZeroFill  int
	ZeroFills []int

	// width is ValueCol's, widths Order.Values' zero-filled width (set
	// when the aggregate opens: ZeroFill, or 4 for a YEAR column, from
	// the node columns' types): see appendConcatText.
	width  int
	widths []int
}

// groupConcatAgg builds one group's GROUP_CONCAT.
type groupConcatAgg struct {
	gc   GroupConcat
	out  *textColl // the result's collation (nil: bytes), for its length
	cmp  cmpKey    // of ValueCol, for DISTINCT
	buf  []byte
	any  bool // a value was added
	full bool // cut at the maximum length: later values are dropped
	prev key
	seen bool
}

func (g *groupConcatAgg) reset() {
	g.buf, g.any, g.full, g.seen = g.buf[:0], false, false, false
}

func (g *groupConcatAgg) add(row []driver.Value) error {
	v := row[g.gc.ValueCol.Index]
	if v == nil || g.full {
		return nil
	}
	n := int64(1)
	if g.gc.Distinct {
		var k key
		if err := decodeAgg(&g.cmp, row, &k); err != nil {
			return err
		}
		if g.seen && g.cmp.compare(&k, &g.prev) == 0 {
			if g.cmp.kind == coltype.Text && !k.null && !bytes.Equal(k.b, g.prev.b) {
				// Two spellings of one value (the nodes keep a row per
				// spelling, route/scatter_group.go): one server keeps the
				// one it reads first.
				return fmt.Errorf("%w: GROUP_CONCAT(DISTINCT …) over text values equal by collation but spelled differently (%q and %q): one server keeps the spelling it reads first, which shardsql cannot know across nodes (concatenate a _bin or binary form, e.g. GROUP_CONCAT(DISTINCT BINARY x), or run it on one node)", ErrUnsupported, g.prev.b, k.b)
			}
			return nil
		}
		g.seen, g.prev = true, k
		if k.b != nil {
			g.prev.b = append(g.prev.b[:0:0], k.b...) // the row buffer is reused
		}
	} else {
		var err error
		if n, err = toInt(row[g.gc.CountCol.Index]); err != nil {
			return err
		}
	}
	limit, err := toInt(row[g.gc.MaxLenCol.Index])
	if err != nil {
		return err
	}
	single, err := oneByteChars(g.out, row)
	if err != nil {
		return err
	}
	for ; n > 0 && !g.full; n-- {
		if g.any {
			g.buf = append(g.buf, g.gc.Separator...)
		}
		g.any = true
		if g.buf, err = appendConcatText(g.buf, v, g.gc.width); err != nil {
			return err
		}
		if b, cut := cutConcat(g.buf, limit, single); cut {
			g.buf, g.full = b, true
		}
	}
	return nil
}

func (g *groupConcatAgg) result() driver.Value {
	if !g.any {
		return nil
	}
	return append([]byte{}, g.buf...) // '' of empty values: not nil (NULL), see copyValue
}

// appendConcatText appends a value as the server writes it in a
// GROUP_CONCAT; width > 0: the value is an integer column's written
// zero-filled to that many digits (a YEAR column's, 4; a ZEROFILL
// column's, its display width).
//
// Hazard: a YEAR column's value 0 arrives from a node as `0` (the
// protocol's text of the number: the nodes group and sort by the column
// for the merge, and MariaDB sends a grouped or sorted YEAR so), but one
// server's GROUP_CONCAT reads the column as text, which is zero-filled to
// its display width: `0000` (every other YEAR value, 1901–2155, has four
// digits already). The merge writes YEAR values with four digits.
//
// Hazard (review19a): a ZEROFILL integer column's text is zero-filled to
// its display width (`INT(5) ZEROFILL` 7 is `00007`), and one server's
// GROUP_CONCAT writes that text; the value reaches the merge as a number
// (go-sql-driver parses the text protocol's integers, and its column
// types carry neither the ZEROFILL flag nor the width), so the router
// gives the width from the catalog and the merge pads to it.
func appendConcatText(b []byte, v driver.Value, width int) ([]byte, error) {
	if width > 0 {
		var digits []byte
		switch x := v.(type) {
		case uint64:
			digits = strconv.AppendUint(nil, x, 10)
		default:
			n, err := toInt(v)
			if err != nil {
				return b, err
			}
			if n < 0 {
				return appendText(b, v)
			}
			digits = strconv.AppendInt(nil, n, 10)
		}
		for i := len(digits); i < width; i++ {
			b = append(b, '0')
		}
		return append(b, digits...), nil
	}
	return appendText(b, v)
}

// appendText appends a value as the server writes it in a GROUP_CONCAT.
func appendText(b []byte, v driver.Value) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return append(b, x...), nil
	case string:
		return append(b, x...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	}
	// a float's or time's text depends on the column's declared decimals
	return b, fmt.Errorf("%w: GROUP_CONCAT of a %T value across nodes (CAST the argument to CHAR)", ErrUnsupported, v)
}

// oneByteChars reports a GROUP_CONCAT result of a one-byte charset
// (latin1, …), learning its collation from row.
//
// Hazard (review18f): @@group_concat_max_len counts bytes of the result's
// charset, and a GROUP_CONCAT of a latin1 column is latin1 text (its
// separator converted to it): one server keeps 7 characters of 'a,A,å,ä'
// under a limit of 7, where the merge, counting the UTF-8 bytes the
// values arrive in, kept 'a,A,å,'.
func oneByteChars(out *textColl, row []driver.Value) (bool, error) {
	if out == nil {
		return false, nil
	}
	if err := out.learn(row); err != nil {
		return false, err
	}
	return out.learned && out.conv != nil, nil
}

// cutConcat cuts a GROUP_CONCAT's text b (UTF-8) to limit bytes of its
// charset: bytes, or characters for a one-byte charset (single); cut
// reports that b was longer.
func cutConcat(b []byte, limit int64, single bool) ([]byte, bool) {
	if !single {
		if int64(len(b)) <= limit {
			return b, false
		}
		return cutUTF8(b, int(limit)), true
	}
	if int64(utf8.RuneCount(b)) <= limit {
		return b, false
	}
	if limit < 0 {
		limit = 0
	}
	i := 0
	for n := int64(0); n < limit; n++ {
		_, w := utf8.DecodeRune(b[i:])
		i += w
	}
	return b[:i], true
}

// cutUTF8 cuts b to at most limit bytes, not inside a character.
func cutUTF8(b []byte, limit int) []byte {
	if limit < 0 {
		limit = 0
	}
	if len(b) <= limit {
		return b
	}
	b = b[:limit]
	for j := len(b) - 1; j >= 0 && j >= len(b)-utf8.UTFMax; j-- {
		if utf8.RuneStart(b[j]) {
			if !utf8.FullRune(b[j:]) {
				b = b[:j] // an incomplete last character
			}
			break
		}
	}
	return b
}

// concatTextWidth is the width a GROUP_CONCAT zero-fills a value of SQL
// type t to: a YEAR's 4, an integer's ZEROFILL width zeroFill (0: none).
func concatTextWidth(t sqltypes.Type, zeroFill int) int {
	switch {
	case t == sqltypes.Year:
		return 4
	case zeroFill > 0 && sqltypes.IsIntegral(t):
		return zeroFill
	}
	return 0
}
