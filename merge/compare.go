package merge

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"unicode/utf8"

	"github.com/shardsql/shardsql/internal/coltype"
)

// cmpKey is a SortKey resolved against the column types.
type cmpKey struct {
	col  int
	kind coltype.Kind
	desc bool
	// coll is the column's collation for coltype.Text; nil compares bytes.
	coll *textColl
}

// resolve picks, for each key, how its column compares. ENUM and SET
// columns are refused: their order is their index, which the value does
// not carry (the router sorts by a hidden index column when the catalog
// says a column is an ENUM).
func resolve(keys []SortKey, kinds []coltype.Kind, colls []*textColl) ([]cmpKey, error) {
	out := make([]cmpKey, len(keys))
	for i, k := range keys {
		c := cmpKey{col: k.Col.Index, kind: kinds[k.Col.Index], desc: k.Desc}
		if c.kind == coltype.Enum {
			// Hazard (attack10): this said "without the schema catalog"
			// also where the catalog was loaded but the comparison is
			// inside an aggregate (COUNT(DISTINCT e), GROUP_CONCAT(DISTINCT
			// e ORDER BY e)), whose values carry no index either.
			return nil, fmt.Errorf("%w: ordering, grouping or DISTINCT over an ENUM or SET column across nodes whose rows do not carry its index (MySQL compares them by index; the index is fetched for ORDER BY and GROUP BY of a column the schema catalog knows, not inside aggregates such as COUNT(DISTINCT e) or GROUP_CONCAT(DISTINCT e ORDER BY e)): use CAST(col AS CHAR) to compare by name, or col+0 to compare by index)", ErrUnsupported)
		}
		if c.kind == coltype.Text {
			c.coll = colls[k.Col.Index]
		}
		out[i] = c
	}
	return out, nil
}

// decodeKeys decodes row's key columns into dst, learning the keys'
// collations from the first row that names them.
func decodeKeys(keys []cmpKey, row []driver.Value, dst []key) error {
	for i := range keys {
		k := &keys[i]
		if k.coll != nil && !k.coll.learned {
			if err := k.coll.learn(row); err != nil {
				return err
			}
		}
		if err := decode(k.kind, row[k.col], &dst[i]); err != nil {
			return err
		}
		if b := dst[i].b; k.kind == coltype.Text && len(b) > SortPrefixChars && utf8.RuneCount(b) > SortPrefixChars {
			return errLongSortKey
		}
	}
	return nil
}

// SortPrefixChars is how many characters of a text value MariaDB sorts by
// at least under the default max_sort_length (1024 bytes: 256 characters
// of four bytes; more for collations whose sort keys are shorter).
//
// Hazard (review20a): MariaDB sorts by a prefix of each string's sort key,
// not the whole value: values that share their first 256 characters tie,
// and ORDER BY lt DESC, id orders them by id where a merge comparing whole
// values ordered them by their ends; a node's stream of such values is in
// no order the merges can rely on (ORDER BY, GROUP BY and DISTINCT
// streams, windows). Sort keys of text longer than that are refused; the
// router refuses such merges outright after SET max_sort_length below its
// default (route.EvalSortLength).
const SortPrefixChars = 256

// errLongSortKey refuses a sort key longer than SortPrefixChars.
var errLongSortKey = fmt.Errorf("%w: ordering or grouping text longer than %d characters across nodes (MariaDB sorts by the first max_sort_length bytes of a value, %d characters of utf8mb4 by default, so values sharing them are in no order the merge can follow): order by a prefix such as LEFT(col, %d) and a unique column, or route the statement to one node", ErrUnsupported, SortPrefixChars, SortPrefixChars, SortPrefixChars)

// compare orders two decoded values of the key's column ascending.
func (k *cmpKey) compare(a, b *key) int {
	if k.kind == coltype.Text && k.coll != nil && k.coll.coll != nil && !a.null && !b.null {
		return k.coll.collate(a.b, b.b)
	}
	if k.kind == coltype.Text && !a.null && !b.null {
		return bytes.Compare(a.b, b.b)
	}
	return compare(k.kind, a, b)
}

// compareKeys compares two decoded rows by keys.
func compareKeys(keys []cmpKey, a, b []key) int {
	for i := range keys {
		c := keys[i].compare(&a[i], &b[i])
		if c != 0 {
			if keys[i].desc {
				return -c
			}
			return c
		}
	}
	return 0
}
