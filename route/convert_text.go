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
	if use == keyStore && col.MaxLength > 0 && int64(utf8.RuneCount(b)) > col.MaxLength {
		// Stored cut to the column's width (with a warning under INSERT
		// IGNORE or a lax sql_mode, an error otherwise): placed by the
		// whole value, the row would be where a read of the stored one
		// never looks.
		return unknownKey("a value longer than the %d characters of column %s", col.MaxLength, col.Name)
	}
	if use == keyStore && col.DataType == "char" {
		// Hazard (attack9): MariaDB strips a CHAR value's trailing spaces
		// when it stores it (without PAD_CHAR_TO_FULL_LENGTH, which pads
		// on read, not in comparisons). Under a PAD SPACE collation the
		// weight ignores them anyway; under a NO PAD one ('a ' ≠ 'a') the
		// row inserted as 'a ' holds 'a' and must be placed where k = 'a'
		// looks, not by 'a '. A compared value keeps its spaces: k = 'a '
		// matches no stored CHAR value, wherever it is sent.
		b = bytes.TrimRight(b, " ")
	}
	k, why := collationKey(col.Collation, b)
	if why != "" {
		return unknownKey("%s for text column with collation %s", why, col.Collation)
	}
	return exactKey(k)
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
	if c == nil {
		return nil, "a collation shardsql cannot compute"
	}
	return c.WeightString(nil, b, 0), ""
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

var (
	collationsMu sync.Mutex
	collationsBy = map[string]colldata.Collation{}
)

// lookupCollation returns Vitess's implementation of a collation by name
// (MariaDB's utf8mb3_* names included), or nil.
func lookupCollation(name string) colldata.Collation {
	collationsMu.Lock()
	defer collationsMu.Unlock()
	if c, ok := collationsBy[name]; ok {
		return c
	}
	env := collations.MySQL8()
	var c colldata.Collation
	for _, n := range []string{name, strings.Replace(name, "utf8mb3_", "utf8_", 1), strings.Replace(name, "utf8_", "utf8mb3_", 1)} {
		if id := env.LookupByName(n); id != collations.Unknown {
			c = colldata.Lookup(id)
			break
		}
	}
	collationsBy[name] = c
	return c
}
