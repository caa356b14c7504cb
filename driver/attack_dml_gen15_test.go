package driver_test

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shardsql/shardsql/shard"
)

// dmlTables15 are the write suite's tables and the sharding column types
// and algorithms round 15 added to the generator: binary strings
// (VARBINARY, BINARY(4), which pads with zero bytes), latin1 and
// utf8mb4_unicode_520_ci and utf8mb3 text, BIGINT beyond 2⁵³ (where text
// compares with it as DOUBLE), SMALLINT UNSIGNED, Mod and Range over
// integers (Range over an unsigned column split at 2⁶³), and week and year
// intervals over DATETIME(3) and TIMESTAMP(2) keys.
var dmlTables15 = append(append([]dmlTable{}, dmlTables...),
	dmlTable{name: "d_vb", key: "k", cols: "k VARBINARY(10) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k"},
	dmlTable{name: "d_b4", key: "k", cols: "k BINARY(4) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k"},
	dmlTable{name: "d_l1", key: "k", cols: "k VARCHAR(10) CHARACTER SET latin1 NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	dmlTable{name: "d_520", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	dmlTable{name: "d_mb3", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb3 NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	dmlTable{name: "d_big", key: "k", intKey: true, cols: "k BIGINT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, v VARCHAR(10) NULL, PRIMARY KEY (k, id)", order: "k, id"},
	dmlTable{name: "d_sml", key: "k", intKey: true, cols: "k SMALLINT UNSIGNED NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	dmlTable{name: "d_mod", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Mod(), nodes: "ds${0..1}.d_mod_${0..1}"},
	dmlTable{name: "d_rng", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(0, 1000, 2000), nodes: "ds${0..1}.d_rng_${0..1}"},
	dmlTable{name: "d_rngu", key: "k", intKey: true, cols: "k BIGINT UNSIGNED NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(1000, uint64(1)<<63), nodes: "ds0.d_rngu_0, ds1.d_rngu_1, ds1.d_rngu_2"},
	dmlTable{name: "d_wk", key: "at", cols: "at DATETIME(3) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Week, "20060102"), nodes: "ds0.d_wk_${2025-06-23..2025-06-29|week|20060102}, ds1.d_wk_${2025-06-30..2025-07-13|week|20060102}"},
	dmlTable{name: "d_yr", key: "at", cols: "at TIMESTAMP(2) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Year, "2006"), nodes: "ds0.d_yr_2024, ds1.d_yr_${2025..2026|year|2006}"},
)

// dmlGenTables15 are the tables the round-15 classes draw from.
var dmlGenTables15 = []string{"d_vb", "d_b4", "d_l1", "d_520", "d_mb3", "d_big", "d_sml", "d_mod", "d_rng", "d_rngu", "d_wk", "d_yr"}

// binaryKey15 spells a VARBINARY or BINARY(4) key: strings of the full
// width and shorter (padded with zero bytes by BINARY), case and trailing
// spaces (binary: distinct), integers (stored as their decimal text), and
// literals shardsql refuses.
func (g *dmlGen) binaryKey15() dmlGenKey {
	s := g.pick("ab", "AB", "abcd", "ABCD", "ab  ", "a", "12", "1234", "é", "éé")
	switch g.r.Intn(8) {
	case 0:
		return dmlArg([]byte(s))
	case 1:
		return dmlArg(s)
	case 2:
		return dmlLit(g.pick("'ab\\0\\0'", "X'61620000'", "X'6162'", "_binary'abcd'", "12", "1234", "NULL"))
	case 3:
		return dmlArg(g.pick("ab\x00\x00", "abcd", "1234"))
	default:
		return dmlLit("'" + s + "'")
	}
}

// latin1Key15 spells a latin1_swedish_ci key: ASCII in any case and with
// trailing spaces, and characters the server converts from utf8mb4.
func (g *dmlGen) latin1Key15() dmlGenKey {
	s := g.pick("a", "A", "a ", "y", "Y", "ss", "zz", "Zz ", "ä", "ü", "ÿ", "€", "😀", "")
	switch g.r.Intn(5) {
	case 0:
		return dmlArg(s)
	case 1:
		return dmlArg([]byte(s))
	default:
		return dmlLit("'" + s + "'")
	}
}

// bigKey15 spells BIGINT keys beyond 2⁵³, where a string or a DOUBLE
// compared with the column compares as DOUBLE and several integers equal
// it.
func (g *dmlGen) bigKey15() dmlGenKey {
	n := []int64{9007199254740992, 9007199254740993, 9007199254740994, 123456789012345678, 123456789012345679, 7}[g.r.Intn(6)]
	s := strconv.FormatInt(n, 10)
	switch g.r.Intn(8) {
	case 0:
		return dmlLit("'" + s + "'")
	case 1:
		return dmlLit(s + "e0")
	case 2:
		return dmlArg(float64(n))
	case 3:
		return dmlArg(s)
	case 4:
		return dmlLit("'" + s + ".0'")
	case 5:
		return dmlArg(n)
	default:
		return dmlLit(s)
	}
}

// rangeKey15 spells keys of the Mod and Range tables: values at Range's
// bounds (0, 1000, 2000 for d_rng, 1000 and 2⁶³ for d_rngu), negative ones
// (Mod of a negative value), fractions beside a bound.
func (g *dmlGen) rangeKey15(tb string) dmlGenKey {
	if tb == "d_rngu" {
		vals := []string{"5", "999", "1000", "9223372036854775807", "9223372036854775808", "18446744073709551615"}
		s := vals[g.r.Intn(len(vals))]
		switch g.r.Intn(6) {
		case 0:
			return dmlLit("'" + s + "'")
		case 1:
			u, _ := strconv.ParseUint(s, 10, 64)
			return dmlArg(u)
		case 2:
			return dmlLit(s + ".5")
		case 3:
			return dmlLit(g.pick("-1", "-0.4", "'9.223372036854775808e18'"))
		default:
			return dmlLit(s)
		}
	}
	n := []int64{-5, -1, 0, 3, 999, 1000, 1999, 2000, 5000}[g.r.Intn(9)]
	s := strconv.FormatInt(n, 10)
	switch g.r.Intn(9) {
	case 0:
		return dmlLit("'" + s + "'")
	case 1:
		return dmlLit(s + "." + g.pick("4", "5", "6"))
	case 2:
		return dmlLit("'" + s + ".5'")
	case 3:
		return dmlArg(float64(n) - 0.5)
	case 4:
		return dmlArg(int16(n))
	case 5:
		return dmlLit(g.pick("'1e3'", "1e3", "'2e3'", "-0", "'-0'"))
	default:
		return dmlLit(s)
	}
}

// edgeTimeKey15 spells times at the week edge of d_wk (Sunday 2025-06-29
// to Monday) and the year edge of d_yr, with fractions past the columns'
// precision.
func (g *dmlGen) edgeTimeKey15(tb string) dmlGenKey {
	base := time.Date(2025, 6, 29, 23, 59, 59, 0, time.UTC)
	if tb == "d_yr" {
		base = time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)
	}
	if g.r.Intn(3) == 0 {
		base = base.Add(time.Second) // the next period's first second
	}
	at := base.Add([]time.Duration{0, 990 * time.Millisecond, 994 * time.Millisecond, 995 * time.Millisecond, 999 * time.Millisecond, 999500 * time.Microsecond, 999999 * time.Microsecond}[g.r.Intn(7)])
	text := at.Format("2006-01-02 15:04:05.999999")
	switch g.r.Intn(6) {
	case 0:
		return dmlArg(at)
	case 1:
		return dmlArg(text)
	case 2:
		return dmlLit(at.Format("20060102150405.999999"))
	case 3:
		return dmlLit("'" + at.Format("2006-01-02") + "'")
	default:
		return dmlLit("'" + text + "'")
	}
}

// keyFor15 spells a key of a round-15 table ("" for the others).
func (g *dmlGen) keyFor15(tb string) (dmlGenKey, bool) {
	switch tb {
	case "d_vb", "d_b4":
		return g.binaryKey15(), true
	case "d_l1":
		return g.latin1Key15(), true
	case "d_520", "d_mb3":
		return g.textKey(), true
	case "d_big":
		return g.bigKey15(), true
	case "d_sml":
		return g.intKey(true), true
	case "d_mod", "d_rng", "d_rngu":
		return g.rangeKey15(tb), true
	case "d_wk", "d_yr":
		return g.edgeTimeKey15(tb), true
	}
	return dmlGenKey{}, false
}

// next15 draws one of round 15's statement classes over table tb (key
// column key): multi-row INSERT/REPLACE … RETURNING compared in VALUES
// order, ORM-style OR of (key AND id) pairs, pages by LIMIT ?, ? with
// arguments of several Go types, IN lists of mixed argument types with
// NULL, key moves spelled through an alias, and range reads.
func (g *dmlGen) next15(tb, key string, k1, k2 dmlGenKey, args func(...dmlGenKey) []any) dmlStmt {
	g.id += 3
	id := g.id
	st := dmlStmt{prepared: g.r.Intn(4) == 0}
	switch g.r.Intn(6) {
	case 0:
		k3 := g.keyFor(tb)
		verb := g.pick("INSERT", "INSERT", "REPLACE")
		st.sql = fmt.Sprintf("%s INTO %s (%s, id) VALUES (%s, %d), (%s, %d), (%s, %d) RETURNING id, %s", verb, tb, key, k1.text, id-2, k2.text, id-1, k3.text, id, g.pick(key, "n", "id * 2"))
		st.args, st.query, st.ordered = args(k1, k2, k3), true, true
	case 1:
		where := fmt.Sprintf("(%[1]s = %[2]s AND id = %[4]d) OR (%[1]s = %[3]s AND id > %[5]d)", key, k1.text, k2.text, g.r.Intn(id)+1, g.r.Intn(id))
		switch g.r.Intn(3) {
		case 0:
			st.sql, st.query = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE %s", key, tb, where), true
		case 1:
			st.sql = fmt.Sprintf("UPDATE %s SET n = n + 3 WHERE %s", tb, where)
		default:
			st.sql = fmt.Sprintf("DELETE FROM %s WHERE %s", tb, where)
		}
		st.args = args(k1, k2)
	case 2:
		off, cnt := g.r.Intn(6), 1+g.r.Intn(4)
		var a, b any = off, cnt
		switch g.r.Intn(4) {
		case 0:
			a, b = strconv.Itoa(off), strconv.Itoa(cnt)
		case 1:
			a, b = uint64(off), int8(cnt)
		case 2:
			a, b = []byte(strconv.Itoa(off)), cnt
		}
		if g.r.Intn(2) == 0 {
			st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s ORDER BY %s, id LIMIT ?, ?", key, tb, key)
			st.args = []any{a, b}
		} else {
			st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s ORDER BY %s DESC, id DESC LIMIT ? OFFSET ?", key, tb, key)
			st.args = []any{b, a}
		}
		st.query, st.ordered = true, true
	case 3:
		var mixed []any
		for _, k := range []dmlGenKey{k1, k2} {
			if len(k.args) > 0 {
				mixed = append(mixed, k.args[0])
			} else {
				mixed = append(mixed, strings.Trim(k.text, "'"))
			}
		}
		mixed = append(mixed, nil)
		op := g.pick("IN", "IN", "NOT IN")
		st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE %s %s (?, ?, ?)", key, tb, key, op)
		st.args, st.query = mixed, true
	case 4:
		st.sql = fmt.Sprintf("UPDATE %s AS x SET x.%s = %s, x.n = x.n + 10 WHERE x.%s = %s", tb, key, k1.text, key, k2.text)
		st.args = args(k1, k2)
	default:
		st.sql = fmt.Sprintf("SELECT %s, id FROM %s WHERE %s %s %s AND %s %s %s", key, tb, key, g.pick(">", ">=", "<"), k1.text, key, g.pick("<", "<=", ">"), k2.text)
		st.args, st.query = args(k1, k2), true
	}
	return st
}
