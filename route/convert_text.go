package route

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/colldata"

	"github.com/shardsql/shardsql/internal/schema"
)

// Text sharding values are placed by what the column's collation compares,
// not by their bytes. The hazard: under utf8mb4_general_ci, 'a', 'A' and
// 'a ' (PAD SPACE) are one value, so hashing raw bytes would store 'A' on
// one node and look for 'a' on another. The key a text value hashes as:
//
//   - binary collations (binary, *_bin): its bytes, trailing spaces removed
//     when the collation pads with spaces (*_bin except *_0900_bin and
//     *_nopad_bin) — the bytes of a value without trailing spaces, as
//     before;
//   - every other collation: its weight string under that collation
//     (Vitess's implementation of the server's strnxfrm), trailing spaces
//     removed first for PAD SPACE collations. Equal values have equal
//     weight strings, so they hash alike.
//
// A collation Vitess does not implement, a value that is not valid UTF-8,
// or a non-ASCII value for a column whose charset is not utf8mb3/utf8mb4
// (the server would convert it) is unknown: reads go to every node and
// writes are refused. The connection charset is assumed to be utf8mb4,
// go-sql-driver's default.

// textKey converts v for a text column.
func textKey(col *schema.Column, v any, use keyUse) key {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case hexLiteral:
		return unknownKey("hexadecimal literal %s for a text column (it compares as a binary string; write the text)", string(x))
	default:
		n, ok := goInteger(v)
		if !ok {
			return unknownKey("a %T value for text column (write the text as a string)", v)
		}
		if use == keyCompare {
			// 'a' = 0 and '01' = 1 hold for a text column: the server
			// compares a text column with a number as DOUBLE.
			return unknownKey("number %s compared with text column (compared as numbers, '01' and ' 1' match 1 too; write it as a string)", n)
		}
		b = []byte(n.String()) // stored as its decimal text
	}
	if use == keyStore && col.MaxLength > 0 && storedLength(col, b) > col.MaxLength {
		// Stored cut to the column's width (with a warning under INSERT
		// IGNORE or a lax sql_mode, an error otherwise): placed by the
		// whole value, the row would be where a read of the stored one
		// never looks.
		return unknownKey("a value longer than the %d %s of column %s", col.MaxLength, textUnit(col), col.Name)
	}
	if col.DataType == "char" {
		// Hazard (attack9): MariaDB strips a CHAR value's trailing spaces
		// when it stores it. Under a PAD SPACE collation the weight
		// ignores them anyway; under a NO PAD one ('a ' ≠ 'a') the row
		// inserted as 'a ' holds 'a' and must be placed where k = 'a'
		// looks, not by 'a '.
		//
		// A compared value is placed without them too (review20a): under
		// sql_mode PAD_CHAR_TO_FULL_LENGTH a CHAR(6) value reads padded to
		// its width in comparisons as well, so k = 'a     ' finds the
		// row stored as 'a' (and k = 'a' none); placed by its spaces, the
		// read went to another node. Without the mode k = 'a ' matches no
		// stored CHAR value under a NO PAD collation, wherever it is sent.
		b = bytes.TrimRight(b, " ")
	}
	k, why := collationKey(col.Collation, b)
	if why != "" {
		return unknownKey("%s for text column with collation %s", why, col.Collation)
	}
	return exactKey(k)
}

// storedLength is the length of b as col's width counts it: characters for
// CHAR and VARCHAR, bytes for the TEXT types, whose CHARACTER_MAXIMUM_LENGTH
// is their byte size (review20a: 200 'é' fit TINYTEXT's 255 as characters,
// and a lax sql_mode stored them cut to 127, placed by all 200).
func storedLength(col *schema.Column, b []byte) int64 {
	if strings.HasSuffix(col.DataType, "text") {
		return int64(len(b))
	}
	return int64(utf8.RuneCount(b))
}

// textUnit names what storedLength counts.
func textUnit(col *schema.Column) string {
	if strings.HasSuffix(col.DataType, "text") {
		return "bytes"
	}
	return "characters"
}

// collationKey returns the bytes a text value hashes as under collation
// coll (see above), or why it cannot tell.
func collationKey(coll string, b []byte) ([]byte, string) {
	coll = strings.ToLower(coll)
	if coll == "" {
		return nil, "unknown collation"
	}
	if !isASCII(b) {
		cs, _, _ := strings.Cut(coll, "_")
		switch {
		case !utf8.Valid(b):
			return nil, "a value that is not valid UTF-8 (" + strconv.Quote(string(b)) + ")"
		case cs == "utf8mb4":
		case cs == "utf8mb3" || cs == "utf8":
			for _, r := range string(b) {
				if r > 0xFFFF {
					return nil, "a character outside utf8mb3"
				}
			}
		default:
			return nil, "a non-ASCII value the server converts to " + cs
		}
	}
	if padsSpace(coll) {
		b = bytes.TrimRight(b, " ")
	}
	if coll == "binary" || strings.HasSuffix(coll, "_bin") {
		return b, ""
	}
	c := lookupCollation(coll)
	if c.coll == nil {
		return nil, "a collation shardsql cannot compute"
	}
	w := c.coll.WeightString(nil, b, 0)
	if padsSpace(coll) {
		// Hazard (review20a): trimming trailing spaces is not enough. A
		// PAD SPACE collation compares as if the shorter value were padded
		// with spaces, weight by weight: under the UCA collations
		// (utf8mb4_unicode_ci, _unicode_520_ci and their tailorings)
		// NO-BREAK SPACE, FIGURE SPACE and IDEOGRAPHIC SPACE weigh what
		// the space weighs, and controls or ZERO WIDTH SPACE weigh
		// nothing, so 'a' = 'a\u00a0' = 'a \x01' there. Placed by their
		// weights with those trailing space weights kept, such rows were
		// on nodes where k = 'a' did not look. Trailing weights equal to
		// the space's are removed (the units are of one size per
		// collation, so a suffix of whole units is cut).
		sp := c.space
		if len(sp) == 0 || len(w)%len(sp) != 0 {
			return nil, "a collation whose weights shardsql cannot pad"
		}
		for len(w) > 0 && bytes.HasSuffix(w, sp) {
			w = w[:len(w)-len(sp)]
		}
	}
	return w, ""
}

// padsSpace reports a PAD SPACE collation, which ignores trailing spaces:
// all but binary, MySQL's UCA 9.0.0 (_0900_) and MariaDB's _nopad_ ones.
func padsSpace(coll string) bool {
	return coll != "binary" && !strings.Contains(coll, "_0900_") && !strings.Contains(coll, "_nopad_")
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// knownCollation is Vitess's implementation of a collation and the weight
// of one space under it (what PAD SPACE pads with).
type knownCollation struct {
	coll  colldata.Collation // nil: Vitess does not implement it
	space []byte
}

var (
	collationsMu sync.Mutex
	collationsBy = map[string]knownCollation{}
)

// lookupCollation returns Vitess's implementation of a collation by name
// (MariaDB's utf8mb3_* names included); its coll is nil when there is none.
func lookupCollation(name string) knownCollation {
	collationsMu.Lock()
	defer collationsMu.Unlock()
	if c, ok := collationsBy[name]; ok {
		return c
	}
	env := collations.MySQL8()
	var c knownCollation
	for _, n := range []string{name, strings.Replace(name, "utf8mb3_", "utf8_", 1), strings.Replace(name, "utf8_", "utf8mb3_", 1)} {
		if id := env.LookupByName(n); id != collations.Unknown {
			c.coll = colldata.Lookup(id)
			c.space = c.coll.WeightString(nil, []byte(" "), 0)
			break
		}
	}
	collationsBy[name] = c
	return c
}
