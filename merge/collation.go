package merge

import (
	"bytes"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/charset"
	"vitess.io/vitess/go/mysql/collations/colldata"
)

// textColl is the collation of one text column of a merge. The router
// cannot know it (the catalog knows table columns, not expressions such
// as LEFT(status, 1) or a CONCAT of two columns), so every node row
// carries COLLATION(x) in a hidden column and the merge learns it from
// the first row where it is not NULL.
//
// Hazard: comparing WEIGHT_STRING(x) bytes, as shardsql did before, is
// wrong for PAD SPACE collations (MariaDB's default utf8mb4_general_ci):
// WEIGHT_STRING('a ') keeps the weight of the trailing space, so 'a' and
// 'a ' made two groups where MariaDB makes one. Vitess's colldata
// implements PAD SPACE, case and accent folding of each collation.
type textColl struct {
	// from is the column holding the collation name (a text column
	// without one has no textColl and compares by bytes).
	from int
	id   collations.ID
	coll colldata.Collation // nil until learned, or for the binary collation
	pad  bool               // PAD SPACE: trailing spaces do not count
	// conv, when not nil, is the collation's own charset, one byte per
	// character (latin1, cp1250, …): the values arrive in the connection's
	// utf8mb4 and are converted to it before they are collated (buffers
	// ca, cb). Hazard: latin1_swedish_ci applied to UTF-8 bytes weighs
	// 'ä' (C3 A4) as 'Ã¤' and 'Ä' (C3 84) as 'Ã„', two values where the
	// server sees one, so merges ordered them apart.
	conv   charset.Charset
	ca, cb []byte
	// wa, wb hold weight strings (collatePadded); space is the space's.
	wa, wb, space []byte
	// learned is set once from has been read; a column whose values are
	// all NULL never needs it.
	learned bool
}

// learn reads the collation name from row, once.
func (t *textColl) learn(row []driver.Value) error {
	if t == nil || t.learned {
		return nil
	}
	v := row[t.from]
	if v == nil {
		return nil // a NULL value has no collation; learn it from a later row
	}
	var name string
	switch x := v.(type) {
	case []byte:
		name = string(x)
	case string:
		name = x
	default:
		return fmt.Errorf("shardsql: merge: unexpected %T collation name", v)
	}
	id := collationEnv.LookupByName(name)
	if id == collations.Unknown {
		return fmt.Errorf("%w: comparing text of collation %s across nodes (Vitess's collations do not implement it; use a collation such as utf8mb4_general_ci or utf8mb4_bin for the column, or sort on one node)", ErrUnsupported, name)
	}
	t.id, t.learned = id, true
	if id != collations.CollationBinaryID {
		t.coll = colldata.Lookup(id)
		t.pad = !strings.Contains(name, "_0900_") && !strings.Contains(name, "nopad")
		switch cs := t.coll.Charset(); cs.(type) {
		case charset.Charset_utf8mb4, charset.Charset_utf8mb3:
		default:
			if cs.MaxWidth() != 1 {
				return fmt.Errorf("%w: comparing text of collation %s across nodes (its charset %s is not the connection's utf8mb4 and has characters of several bytes; use a utf8mb4 collation for the column, or sort on one node)", ErrUnsupported, name, cs.Name())
			}
			t.conv = cs
		}
	}
	return nil
}

// collate compares two strings of the collation as MySQL does.
//
// Hazard: colldata's Collate is NO PAD (as its weight strings for VARCHAR
// are), while MySQL compares with PAD SPACE, as if the shorter string
// were padded with spaces, for every collation but the NO PAD ones: weight
// by weight, the longer string's remaining weights against the space's.
// Trimming trailing spaces and comparing NO PAD is the same only for
// printable ASCII. It is not where a character weighs what the space
// weighs (NO-BREAK SPACE, IDEOGRAPHIC SPACE under the UCA collations:
// 'a' = 'a\u00a0' in utf8mb4_unicode_ci), where characters without weight
// follow a space ('a \x01' = 'a' there), or where a weight below the
// space's follows the shorter string's end ('a\t' < 'a' in every PAD
// SPACE collation): such values are compared by their weight strings with
// MySQL's padding (review20a; round 11 padded with spaces for control
// characters, which the UCA collations ignore).
func (t *textColl) collate(a, b []byte) int {
	if t.conv != nil {
		// Values the column's charset holds convert exactly; a value it
		// cannot hold (from an expression) becomes '?' as the server's
		// conversion would make it.
		t.ca, _ = charset.ConvertFromUTF8(convBuf(t.ca), t.conv, a)
		t.cb, _ = charset.ConvertFromUTF8(convBuf(t.cb), t.conv, b)
		a, b = t.ca, t.cb
	}
	if t.pad {
		if !plainText(a) || !plainText(b) {
			return t.collatePadded(a, b)
		}
		a, b = bytes.TrimRight(a, " "), bytes.TrimRight(b, " ")
	}
	c := t.coll.Collate(a, b, false)
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// collatePadded compares a and b (in the collation's charset) by their
// weight strings as a PAD SPACE collation does: weight by weight, then the
// longer one's remaining weights against the space's.
func (t *textColl) collatePadded(a, b []byte) int {
	sp := t.spaceWeight()
	t.wa = t.coll.WeightString(t.wa[:0], a, 0)
	t.wb = t.coll.WeightString(t.wb[:0], b, 0)
	wa, wb := t.wa, t.wb
	n := min(len(wa), len(wb))
	if c := bytes.Compare(wa[:n], wb[:n]); c != 0 {
		return c
	}
	sign, rest := 1, wa[n:]
	if len(wb) > n {
		sign, rest = -1, wb[n:]
	}
	for u := len(sp); len(rest) >= u; rest = rest[u:] {
		if c := bytes.Compare(rest[:u], sp); c != 0 {
			return c * sign
		}
	}
	return 0
}

// spaceWeight is the weight string of one space under the collation.
func (t *textColl) spaceWeight() []byte {
	if t.space == nil {
		t.space = t.coll.WeightString(nil, []byte(" "), 0)
	}
	return t.space
}

// padHazard reports whether the evaluator, which compares NO PAD after
// trailing spaces are trimmed, would compare b otherwise than the PAD
// SPACE collation does: b (in the connection's utf8mb4) holds, after its
// trailing spaces, weights of the space (NO-BREAK SPACE under the UCA
// collations, or a space followed by characters without weight), or a
// weight below the space's (a tab, a control character), which orders a
// longer value before a prefix of it.
func (t *textColl) padHazard(b []byte) bool {
	if t == nil || !t.pad || t.coll == nil || plainText(b) {
		return false
	}
	if t.conv != nil {
		t.ca, _ = charset.ConvertFromUTF8(convBuf(t.ca), t.conv, b)
		b = t.ca
	}
	sp := t.spaceWeight()
	t.wa = t.coll.WeightString(t.wa[:0], bytes.TrimRight(b, " "), 0)
	w := t.wa
	if len(sp) == 0 || len(w)%len(sp) != 0 || bytes.HasSuffix(w, sp) {
		return true
	}
	for u := len(sp); len(w) >= u; w = w[u:] {
		if bytes.Compare(w[:u], sp) < 0 {
			return true
		}
	}
	return false
}

// plainText reports printable ASCII, which every PAD SPACE collation
// weighs above the space (the space itself included): trimming trailing
// spaces and comparing NO PAD is exact for it.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// convBuf is buf emptied for reuse by charset.ConvertFromUTF8, or nil
// when it has no room.
//
// Hazard (attack15, seed 15104): converting an empty string leaves a buffer of
// capacity 0, not nil; Vitess's conversion grows a non-nil buffer by
// doubling its length and then writes into it, so the next value (any
// non-empty one) indexed an empty slice and panicked: ORDER BY over a
// latin1 column whose merged rows held an empty string crashed the
// caller's goroutine. A nil buffer is allocated to the value's size.
func convBuf(buf []byte) []byte {
	if cap(buf) == 0 {
		return nil
	}
	return buf[:0]
}

// collationEnv names the collations node rows report. MariaDB's names of
// the collations merges compare (utf8mb4_general_ci, utf8mb4_unicode_ci,
// utf8mb4_bin, latin1_swedish_ci, …) are MySQL's.
var collationEnv = collations.MySQL8()

// ErrUnsupported is wrapped by the error a merge returns for values it
// cannot compare or compute exactly (the router's refusals wrap the same
// error, so errors.Is finds both).
var ErrUnsupported = errors.New("shardsql: unsupported")

// textColls returns, for each column, its collation tracker or nil.
func textColls(spec Spec, width int) []*textColl {
	out := make([]*textColl, width)
	for _, c := range spec.Collations {
		out[c.Col.Index] = &textColl{from: c.From.Index}
	}
	return out
}
