package driver_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAttackDMLGenerated draws random writes and point reads over the
// write suite's tables (dmlTables): INSERT (one or several rows across
// nodes), INSERT IGNORE, REPLACE, ON DUPLICATE KEY UPDATE, UPDATE of other
// columns and of the sharding column (key moves), UPDATE/DELETE with ORDER
// BY … LIMIT, DELETE … RETURNING and SELECT by =, IN, BETWEEN and OR, with
// every key in a random spelling or Go type, sometimes prepared, under a
// random sql_mode (strict or not, TIME_ROUND_FRACTIONAL,
// NO_AUTO_VALUE_ON_ZERO), and since round 15 over binary, latin1,
// utf8mb3 and BIGINT keys, Mod, Range and week and year Interval tables
// with INSERT … RETURNING in VALUES order, OR of (key AND id) pairs, LIMIT
// ?, ? pages and mixed-type IN lists (next15). Each must behave as on the oracle, leave the
// same contents and every row where its key routes, or be refused.
// SHARDSQL_ATTACK_SEED replays a run, SHARDSQL_ATTACK_N sets its size
// (150).
func TestAttackDMLGenerated(t *testing.T) {
	e := newDMLEnvOf(t, "adml_gen", nil, dmlTables15)
	seed, n := attackRun(t, 150)
	g := &dmlGen{r: rand.New(rand.NewSource(seed)), wide: true}
	failed, refused := 0, 0
	for i := 0; i < n && failed < 5; i++ {
		st := g.next()
		st.session = true // sql_mode set by the generator applies to what follows
		r := e.check(st)
		if r.refused {
			refused++
		}
		if os.Getenv("SHARDSQL_ATTACK_TRACE") != "" && strings.Contains(st.sql, "d_gen") {
			t.Logf("statement %d: %s (refused %v)", i, st.sql, r.refused)
		}
		if r.diff != "" {
			failed++
			t.Errorf("seed %d statement %d: %s %v (prepared %v):\n  %s", seed, i, st.sql, st.args, st.prepared, r.diff)
			e.reset(t)
		}
	}
	t.Logf("%d statements, %d refused", n, refused)
}

// dmlGen draws the generated statements.
type dmlGen struct {
	r  *rand.Rand
	id int
	// noAutoZero: the last sql_mode drawn has NO_AUTO_VALUE_ON_ZERO.
	noAutoZero bool
	// wide: draw round 15's tables (dmlTables15) and classes (next15)
	// too.
	wide bool
	// wide16: draw round 16's tables (dmlTables16) and classes (next16)
	// too; off, the draws are round 15's (its seeds replay as before).
	wide16 bool
}

func (g *dmlGen) pick(s ...string) string { return s[g.r.Intn(len(s))] }

// key is one spelling of a sharding value for a table: SQL text and, for
// "?", its argument.
type dmlGenKey struct {
	text string
	args []any
}

func dmlLit(s string) dmlGenKey { return dmlGenKey{text: s} }
func dmlArg(v any) dmlGenKey    { return dmlGenKey{text: "?", args: []any{v}} }

// intKey spells an integer key: mostly exact spellings of small values,
// sometimes a fraction, a value out of range, a hex literal or an odd Go
// type.
func (g *dmlGen) intKey(unsigned bool) dmlGenKey {
	k := int64(g.r.Intn(12))
	if unsigned && g.r.Intn(5) == 0 {
		return g.pickKey(dmlLit("18446744073709551615"), dmlArg(uint64(1<<64-1)), dmlLit("'18446744073709551615'"), dmlLit("9223372036854775808"), dmlLit("-1"), dmlArg(int64(-1)))
	}
	s := strconv.FormatInt(k, 10)
	switch g.r.Intn(24) {
	case 0:
		return dmlLit("'" + s + "'")
	case 1:
		return dmlLit("' " + s + " '")
	case 2:
		return dmlLit("'0" + s + "'")
	case 3:
		return dmlLit("'" + s + ".0'")
	case 4:
		return dmlLit(s + ".0")
	case 5:
		return dmlLit("'" + s + "e0'")
	case 6:
		return dmlLit(s + "." + g.pick("2", "5", "8", "49", "51")) // nearKey
	case 7:
		return dmlLit("'" + s + "." + g.pick("2", "5", "8") + "'")
	case 8:
		return dmlArg(float64(k) + []float64{0.2, 0.5, 0.7}[g.r.Intn(3)])
	case 9:
		return dmlLit("-" + s + ".5")
	case 10:
		return dmlLit(fmt.Sprintf("0x%02X", k))
	case 11:
		return dmlLit("'" + s + "abc'")
	case 12:
		return dmlArg(int8(k))
	case 13:
		return dmlArg(uint64(k))
	case 14:
		return dmlArg(float32(k))
	case 15:
		return dmlArg([]byte(s))
	case 16:
		return dmlArg(json.RawMessage(s))
	case 17:
		return dmlArg(" " + s)
	case 18:
		return dmlLit(g.pick("128", "-129", "2147483648", "99999999999999999999", "1e20"))
	case 19:
		return dmlLit("NULL")
	case 20:
		return dmlArg(k == 1)
	default:
		return dmlLit(s)
	}
}

func (g *dmlGen) pickKey(ks ...dmlGenKey) dmlGenKey { return ks[g.r.Intn(len(ks))] }

var dmlGenTexts = []string{"a", "A", "a ", "á", "ä", "ss", "ß", "S", "é", "e", "😀", "😁", "ﬀ", "ff", "", " ", "zz", "Zz "}

// textKey spells a text key.
func (g *dmlGen) textKey() dmlGenKey {
	s := dmlGenTexts[g.r.Intn(len(dmlGenTexts))]
	switch g.r.Intn(8) {
	case 0:
		return dmlArg([]byte(s))
	case 1:
		return dmlLit("_utf8mb4'" + s + "'")
	case 2:
		return dmlLit("'" + strings.ToUpper(s) + "'")
	case 3:
		return dmlLit(g.pick("7", "0", "'abcdefghijklmn'", "X'61'", "NULL"))
	case 4:
		return dmlArg(s)
	default:
		return dmlLit("'" + s + "'")
	}
}

// timeKey spells a time key near the June/July edge of 2025 (the d_date
// and d_dt6 tables hold June 28th to July 3rd).
func (g *dmlGen) timeKey() dmlGenKey {
	base := time.Date(2025, 6, 28+g.r.Intn(6), 0, 0, 0, 0, time.UTC)
	if g.r.Intn(3) == 0 {
		base = time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)
	}
	frac := []time.Duration{0, 0, 400 * time.Millisecond, 500 * time.Millisecond, 999999 * time.Microsecond, 999999600}[g.r.Intn(6)]
	at := base.Add(frac)
	text := at.Format("2006-01-02 15:04:05.999999")
	switch g.r.Intn(11) {
	case 9:
		// Round 8: relaxed delimiters, short fields, spaces, numbers
		// with fractions, 24:00:00, 7 fraction digits.
		return dmlLit(g.pick("'"+at.Format("2006/01/02 15:04:05")+"'", "'"+at.Format("2006.01.02")+"'", "'"+at.Format("060102150405")+"'",
			"'"+at.Format("2006-01-02T15:04:05.999999")+"'", "'"+at.Format("2006-01-02")+" '", "' "+text+"'", at.Format("20060102150405.999999"),
			"'2025-06-30 24:00:00'", "'2025-06-30 23:59:59.9999999'", "'"+at.Format("2006-01-02  15:04:05")+"'"))
	case 10:
		ny := time.FixedZone("EDT", -4*3600)
		return []dmlGenKey{dmlArg([]byte(text)), dmlArg(at.In(ny)), dmlArg(at.Format("20060102150405"))}[g.r.Intn(3)]
	case 0:
		return dmlArg(at)
	case 1:
		tokyo := time.FixedZone("JST", 9*3600)
		return dmlArg(at.In(tokyo))
	case 2:
		return dmlLit(at.Format("20060102150405"))
	case 3:
		return dmlLit("'" + at.Format("2006-1-2 15:4:5") + "'")
	case 4:
		return dmlArg(text)
	case 5:
		return dmlLit("'" + at.Format("2006-01-02") + "'")
	case 6:
		return dmlLit(g.pick("'2025-06-31'", "'25-06-30'", "NULL", "20250630"))
	default:
		return dmlLit("'" + text + "'")
	}
}

// keyFor spells a key of table tb.
func (g *dmlGen) keyFor(tb string) dmlGenKey {
	if k, ok := g.keyFor15(tb); ok {
		return k
	}
	switch tb {
	case "d_int", "d_tiny", "d_gcol":
		return g.intKey(false)
	case "d_uns":
		return g.intKey(true)
	case "d_dt", "d_dt6", "d_date", "d_ts":
		return g.timeKey()
	}
	return g.textKey()
}

var dmlGenTables = []string{"d_int", "d_int", "d_uns", "d_tiny", "d_ci", "d_uca", "d_bin", "d_char", "d_dt", "d_dt6", "d_date", "d_ts"}

// next draws one statement.
func (g *dmlGen) next() dmlStmt {
	tb := dmlGenTables[g.r.Intn(len(dmlGenTables))]
	if g.wide && g.r.Intn(3) == 0 {
		tb = dmlGenTables15[g.r.Intn(len(dmlGenTables15))]
	}
	if g.wide16 && g.r.Intn(4) == 0 {
		tb = g.pick("d_gcol", "d_vpad", "d_int", "d_ci", "d_char", "d_dt6")
	}
	key := "k"
	if strings.HasPrefix(tb, "d_d") || tb == "d_ts" || tb == "d_wk" || tb == "d_yr" {
		key = "at"
	}
	k1, k2 := g.keyFor(tb), g.keyFor(tb)
	args := func(ks ...dmlGenKey) []any {
		var out []any
		for _, k := range ks {
			out = append(out, k.args...)
		}
		return out
	}
	if g.wide16 && g.r.Intn(4) == 0 {
		return g.next16(tb, key, k1, k2, args)
	}
	if g.wide && g.r.Intn(4) == 0 {
		return g.next15(tb, key, k1, k2, args)
	}
	g.id++
	id := g.id
	if g.r.Intn(3) == 0 {
		id = g.r.Intn(g.id) + 1 // an id that may exist: duplicates
	}
	st := dmlStmt{prepared: g.r.Intn(4) == 0}
	switch g.r.Intn(22) {
	case 0:
		st.sql = fmt.Sprintf("INSERT INTO %s (%s, id) VALUES (%s, %d)", tb, key, k1.text, id)
		st.args = args(k1)
	case 1:
		g.id++
		st.sql = fmt.Sprintf("INSERT INTO %s (id, %s) VALUES (%d, %s), (%d, %s)", tb, key, id, k1.text, g.id, k2.text)
		st.args = args(k1, k2)
	case 2:
		st.sql = fmt.Sprintf("INSERT IGNORE INTO %s (%s, id) VALUES (%s, %d), (%s, %d)", tb, key, k1.text, id, k2.text, id)
		st.args = args(k1, k2)
	case 3:
		st.sql = fmt.Sprintf("REPLACE INTO %s (%s, id, n) VALUES (%s, %d, %d)", tb, key, k1.text, id, g.r.Intn(9))
		st.args = args(k1)
	case 4:
		tail := g.pick("n = n + 1", "n = VALUES(n) + n", key+" = VALUES("+key+")", key+" = "+key, "n = 7, "+key+" = VALUES("+key+")")
		st.sql = fmt.Sprintf("INSERT INTO %s (%s, id, n) VALUES (%s, %d, 1) ON DUPLICATE KEY UPDATE %s", tb, key, k1.text, id, tail)
		st.args = args(k1)
	case 5:
		st.sql = fmt.Sprintf("INSERT INTO %s SET %s = %s, id = %d", tb, key, k1.text, id)
		st.args = args(k1)
	case 6, 7:
		st.sql = fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s = %s", tb, key, k1.text)
		st.args = args(k1)
	case 8:
		st.sql = fmt.Sprintf("UPDATE %s SET %s = %s, n = n + 10 WHERE %s = %s", tb, key, k1.text, key, k2.text)
		st.args = args(k1, k2)
	case 9:
		st.sql = fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IN (%s, %s)", tb, key, k1.text, key, k2.text, k1.text)
		st.args = args(k1, k2, k1)
	case 10:
		st.sql = fmt.Sprintf("UPDATE %s SET n = n + 100 WHERE %s = %s ORDER BY id DESC LIMIT 1", tb, key, k1.text)
		st.args = args(k1)
	case 11:
		st.sql = fmt.Sprintf("DELETE FROM %s WHERE %s = %s%s", tb, key, k1.text, g.pick("", " AND id % 2 = 0", " ORDER BY id LIMIT 1"))
		st.args = args(k1)
	case 12:
		st.sql = fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s, %s) RETURNING id", tb, key, k1.text, k2.text)
		st.args, st.query = args(k1, k2), true
	case 13:
		where := g.pick("%[1]s = %[2]s", "%[1]s IN (%[2]s, %[3]s)", "%[1]s = %[2]s OR %[1]s = %[3]s", "%[1]s BETWEEN %[2]s AND %[3]s", "%[2]s = %[1]s",
			"%[1]s >= %[2]s AND %[1]s < %[3]s", "%[1]s > %[2]s OR %[1]s <= %[3]s")
		st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE "+where, key, tb, k1.text, k2.text)
		st.args, st.query = args(k1, k2), true
		if strings.Contains(where, "%[2]s = %[1]s") || !strings.Contains(where, "%[3]s") {
			st.args = args(k1)
		}
	case 14:
		st.sql = "SET sql_mode = " + g.pick("DEFAULT", "''", "'STRICT_TRANS_TABLES,TIME_ROUND_FRACTIONAL'", "'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO'", "'TIME_ROUND_FRACTIONAL'")
		st.prepared = false
		g.noAutoZero = strings.Contains(st.sql, "NO_AUTO_VALUE_ON_ZERO")
	case 16:
		// Round 8: functions of a time key and edge comparisons.
		if key != "at" {
			tb, key, k1 = "d_dt", "at", g.timeKey()
		}
		where := g.pick("DATE(%[1]s) = %[2]s", "%[1]s + INTERVAL 1 DAY > %[2]s", "CAST(%[1]s AS DATE) <= %[2]s", "%[1]s < %[2]s", "%[1]s <= %[2]s", "NOT (%[1]s >= %[2]s)", "%[1]s <=> %[2]s")
		st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE "+where, key, tb, k1.text)
		st.args, st.query = args(k1), true
	case 17:
		// Round 8: generated ids (d_gen: the key is the id; no explicit
		// ids, so the counter and the oracle's AUTO_INCREMENT agree).
		st.sql = g.pick("INSERT INTO d_gen (v) VALUES ('g')", "INSERT INTO d_gen (v) VALUES ('g'), ('h'), ('i')",
			"INSERT INTO d_gen (id, v) VALUES (NULL, 'n'), (DEFAULT, 'd')", "INSERT INTO d_gen SET v = 's'", "REPLACE INTO d_gen (v) VALUES ('r')",
			"INSERT IGNORE INTO d_gen (v) VALUES ('i')", "INSERT INTO d_gen (v) VALUES ('u') ON DUPLICATE KEY UPDATE n = n + 1")
		st.lastID = true
		if g.noAutoZero {
			// Refused (DEFAULT stores 0 under the mode) after the ids
			// were drawn: the counter would run ahead of the oracle's
			// AUTO_INCREMENT.
			st.sql = strings.ReplaceAll(st.sql, "DEFAULT", "NULL")
		}
	case 18, 19:
		// Round 10: NULL in IN and NOT IN, <=> NULL, reversed BETWEEN,
		// row constructors, NOT of <>, in SELECT, UPDATE and DELETE.
		where := g.pick("%[1]s IN (%[2]s, NULL)", "%[1]s NOT IN (%[2]s, NULL)", "%[1]s <=> NULL OR %[1]s = %[2]s", "%[1]s BETWEEN %[3]s AND %[2]s",
			"(%[1]s, id) IN ((%[2]s, id), (%[3]s, 1))", "(%[1]s, n) = (%[2]s, n)", "NOT (%[1]s <> %[2]s)", "%[1]s IN (NULL, %[2]s, %[3]s)", "ROW(%[1]s) = ROW(%[2]s)")
		switch g.r.Intn(3) {
		case 0:
			st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE "+where, key, tb, k1.text, k2.text)
			st.query = true
		case 1:
			st.sql = fmt.Sprintf("UPDATE %s SET n = n + 7 WHERE "+where, tb, key, k1.text, k2.text)
		default:
			st.sql = fmt.Sprintf("DELETE FROM %s WHERE "+where, tb, key, k1.text, k2.text)
		}
		st.args = args(k1, k2)
		if !strings.Contains(where, "%[3]s") {
			st.args = args(k1)
		} else if strings.Index(where, "%[3]s") < strings.Index(where, "%[2]s") {
			st.args = args(k2, k1)
		}
	case 20:
		// Round 11: session variables the operators above the nodes
		// compute with (route/session_eval.go).
		st.sql = "SET " + g.pick("div_precision_increment = "+g.pick("DEFAULT", "4", "8", "0"),
			"lc_time_names = "+g.pick("DEFAULT", "'en_US'", "'de_DE'"), "default_week_format = "+g.pick("DEFAULT", "0", "3"))
		st.prepared = false
	case 21:
		// Round 11: AVG, division, locale-dependent date functions and
		// WEEK, merged above the nodes and computed by them.
		if key == "at" {
			st.sql = fmt.Sprintf(g.pick("SELECT DATE_FORMAT(at, '%%a %%b') AS d, COUNT(*) FROM %[1]s GROUP BY d",
				"SELECT x.id, WEEK(x.at), DAYNAME(x.at) FROM (SELECT id, at FROM %[1]s ORDER BY at, id LIMIT 5) x",
				"SELECT id, MONTHNAME(at), WEEK(at), AVG(n) FROM %[1]s WHERE at = %[2]s GROUP BY id, at",
				"SELECT id, DATE_FORMAT(at, '%%W %%M'), WEEK(at) FROM %[1]s"), tb, k1.text)
		} else {
			st.sql = fmt.Sprintf(g.pick("SELECT AVG(n), SUM(n) / COUNT(*) FROM %[1]s", "SELECT AVG(n), AVG(id) FROM %[1]s WHERE k = %[2]s",
				"SELECT id %% 3 AS g, AVG(n + id) FROM %[1]s GROUP BY g", "SELECT id, n / 7, id DIV 3 FROM %[1]s",
				"SELECT AVG(x.n) FROM (SELECT n FROM %[1]s ORDER BY id, k LIMIT 4) x"), tb, k1.text)
		}
		if strings.Contains(st.sql, "?") {
			st.args = args(k1)
		}
		st.query = true
	default:
		st.sql = fmt.Sprintf("INSERT INTO d_auto (id, k) VALUES (%s, %d)", g.pick("0.4", "'0.4'", "'abc'", "0", "FALSE", strconv.Itoa(id)), g.r.Intn(6))
	}
	return st
}
