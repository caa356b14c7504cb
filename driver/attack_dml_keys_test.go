package driver_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"
)

// TestAttackDMLKeys: sharding values in every spelling and Go type the
// server converts, in INSERT, UPDATE, DELETE and point reads of integer,
// unsigned, TINYINT, text (general_ci, unicode_ci, bin, CHAR) and
// DATETIME, DATETIME(6), DATE and TIMESTAMP keys. Each statement must give
// the oracle's answer and leave every row where its key routes, or be
// refused; statements marked mustRun are exact today and must stay so.
func TestAttackDMLKeys(t *testing.T) {
	e := newDMLEnv(t, "adml_keys")
	t.Run("integer", func(t *testing.T) {
		var sts []dmlStmt
		for i, k := range []string{"7", "'7'", "' 7'", "'7 '", "'07'", "'+7'", "'7.0'", "'7e0'", "'0.7e1'", "7.0", "7e0", "-0", "'-0'", "0"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_int (k, id, v) VALUES (%s, %d, 'lit')", k, i+1), mustRun: true})
		}
		for i, k := range []string{"7.5", "'7.5'", "'7abc'", "0x07", "X'07'", "b'111'", "3+4", "'3'+4", "TRUE", "99999999999", "'2147483648'", "-2147483649", "1e10", "NULL", "DEFAULT", "@k", "LAST_INSERT_ID(7)"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_int (k, id, v) VALUES (%s, %d, 'odd')", k, 100+i)})
		}
		for _, w := range []string{"k = 7", "k = '7abc'", "k = '7.0'", "k = 7.2", "k = 3+4", "k = '3'+4", "k IN ('7', 7.0, ' 7 ', 1)",
			"k IN (7, '8', 0x07, X'07', b'111')", "k BETWEEN 6.5 AND '7.5'", "k = 7 OR k = '8'", "k = -0", "k = '  7abc'", "k = '\\t7'", "k = 7e0",
			"k = 2147483648", "k = '9007199254740993'", "k = NULL", "k <=> NULL", "k IN (NULL, 7)", "k = TRUE", "k = '0x07'"} {
			sts = append(sts,
				dmlStmt{sql: "SELECT k, id, v, n FROM d_int WHERE " + w, query: true},
				dmlStmt{sql: "UPDATE d_int SET n = n + 1 WHERE " + w},
			)
		}
		sts = append(sts,
			dmlStmt{sql: "DELETE FROM d_int WHERE k = '07' AND id = 4", mustRun: true},
			dmlStmt{sql: "DELETE FROM d_int WHERE k IN ('7.0', ' 7') AND id > 10"},
			dmlStmt{sql: "INSERT INTO d_uns (k, id) VALUES (?, 1), (18446744073709551615, 2), ('18446744073709551615', 3), (9223372036854775808, 4), ('9223372036854775807', 5)", args: []any{uint64(math.MaxUint64)}, mustRun: true},
			dmlStmt{sql: "INSERT INTO d_uns (k, id) VALUES (-1, 6)"},
			dmlStmt{sql: "INSERT INTO d_uns (k, id) VALUES (18446744073709551616, 7)"},
			dmlStmt{sql: "INSERT INTO d_uns (k, id) VALUES ('18446744073709551615.0', 8)"},
			dmlStmt{sql: "UPDATE d_uns SET n = n + 1 WHERE k = 18446744073709551615", mustRun: true},
			dmlStmt{sql: "UPDATE d_uns SET n = n + 1 WHERE k = '18446744073709551615'"},
			dmlStmt{sql: "UPDATE d_uns SET n = n + 1 WHERE k = -1"},
			dmlStmt{sql: "SELECT k, id, n FROM d_uns WHERE k IN (18446744073709551615, 9223372036854775808, -1)", query: true},
			dmlStmt{sql: "INSERT INTO d_tiny (k, id) VALUES (127, 1), ('-128', 2), (?, 3)", args: []any{int8(-7)}, mustRun: true},
			dmlStmt{sql: "INSERT INTO d_tiny (k, id) VALUES (128, 4)"},
			dmlStmt{sql: "INSERT INTO d_tiny (k, id) VALUES ('-129', 5)"},
			dmlStmt{sql: "SELECT k, id FROM d_tiny WHERE k = 300 OR k = '127'", query: true},
			dmlStmt{sql: "UPDATE d_tiny SET n = 1 WHERE k = 1000"},
			// DECIMAL keys are not converted: writes refused, reads everywhere.
			dmlStmt{sql: "INSERT INTO d_dec (k, id) VALUES (7.5, 1), ('7.50', 2), (?, 3)", args: []any{7.5}},
			dmlStmt{sql: "SELECT k, id FROM d_dec WHERE k = '7.5' OR k = 7.50", query: true},
			dmlStmt{sql: "UPDATE d_dec SET n = n + 1 WHERE k = 7.5"},
		)
		e.run(t, "integer", sts)
	})
	t.Run("text", func(t *testing.T) {
		vals := []string{"a", "A", "a ", "á", "Ä", "ß", "ss", "s", "😀", "😁", "ǅ", "ﬀ", "ff", "", " ", "\t", "a\t", "Ω", "ω"}
		var sts []dmlStmt
		for _, tb := range []string{"d_ci", "d_uca", "d_bin", "d_char"} {
			for i, v := range vals {
				if tb == "d_char" && len([]rune(v)) > 4 {
					continue
				}
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (?, %d)", tb, i+1), args: []any{v}, mustRun: true})
			}
			for i, lit := range []string{"'x' 'y'", "'a\\'b'", "'a\\_b'", "'a\\%b'", "'a\\zb'", "'a\\0b'", "_utf8mb4'q'", "_latin1'q'", "N'q'", "_binary'q'", "X'71'", "7", "7.5", "'abcdefghijklmnop'"} {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (%s, %d)", tb, lit, 100+i)})
			}
			for _, w := range []string{"k = 'SS'", "k = '😂'", "k = 'FF'", "k = 'a  '", "k = _latin1'a'", "k = 'A' COLLATE utf8mb4_bin", "k = _binary'a'", "k IN ('ss', 'ß', 'S')",
				"k = 0", "k = 'ǆ'", "k = 'dž'", "k LIKE 'a'", "k = 'a\\t'", "k = ''", "k = ' '"} {
				sts = append(sts,
					dmlStmt{sql: fmt.Sprintf("SELECT k, id, n FROM %s WHERE %s", tb, w), query: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w)},
				)
			}
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE k = 'A '", tb), mustRun: true})
		}
		e.run(t, "text", sts)
	})
	t.Run("time", func(t *testing.T) {
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			tokyo = time.FixedZone("JST", 9*3600)
		}
		edge := time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)
		var sts []dmlStmt
		for i, v := range []string{"'2025-06-01'", "20250602", "'2025-6-3 0:0:0'", "'2025/06/04 10:11:12'", "'20250605'", "20250606101112", "'2025-06-07T01:02:03'",
			"'2025-06-30 23:59:59.4'", "'2025-06-30 23:59:59.000001'", "'2025-07-01 00:00:00.5'"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_dt (at, id) VALUES (%s, %d)", v, i+1), mustRun: true})
		}
		for i, v := range []string{"'2025-06-30 23:59:59.5'", "'2025-06-30 23:59:59.9'", "20250630235959.9", "'25-06-10'", "'2025-06-31'", "'2025-00-10'", "'0000-00-00'", "20250611.5", "'2025-06-12 24:00:00'", "NOW()", "NULL", "TIMESTAMP'2025-06-08 00:00:00'", "DATE'2025-06-09'"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_dt (at, id) VALUES (%s, %d)", v, 100+i)})
		}
		for i, v := range []any{edge, edge.Add(400 * time.Millisecond), edge.Add(500 * time.Millisecond), edge.Add(999999999), time.Date(2025, 7, 1, 5, 0, 0, 0, tokyo),
			time.Date(2025, 6, 15, 12, 0, 0, 123456789, time.UTC), "2025-06-16 01:02:03.999", []byte("2025-06-17"), int64(20250618), edge.Add(time.Second + 500*time.Millisecond)} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_dt (at, id) VALUES (?, %d)", 200+i), args: []any{v}})
		}
		for i, v := range []any{edge, edge.Add(999999499), edge.Add(999999500), edge.Add(999999999), time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), "2025-06-30 23:59:59.999999", "2025-07-01"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_dt6 (at, id) VALUES (?, %d)", 300+i), args: []any{v}})
			sts = append(sts, dmlStmt{sql: "SELECT at, id FROM d_dt6 WHERE at = ?", args: []any{v}, query: true})
		}
		for i, v := range []string{"'2025-06-30 23:59:59'", "'2025-06-30 23:59:59.9'", "20250701", "'2025-07-02 12:00:00'", "'2025-7-3'"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_date (at, id) VALUES (%s, %d)", v, 400+i)})
		}
		sts = append(sts, dmlStmt{sql: "INSERT INTO d_date (at, id) VALUES (?, 410)", args: []any{edge.Add(999999999)}})
		for i, v := range []string{"'2025-06-30 23:59:59'", "'2025-07-01 00:00:00'", "'2025-06-30 23:59:59.9'", "20250701000000"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO d_ts (at, id) VALUES (%s, %d)", v, 500+i)})
		}
		for _, w := range []string{"at = '2025-06-30 23:59:59'", "at = '2025-06-30'", "at = 20250630", "at = '2025-06-30 10:00:00'", "at IN ('2025-07-01', 20250630235959)",
			"at BETWEEN '2025-06-30' AND '2025-07-01'", "at >= '2025-06-30 23:59:59.5'", "at = '2025-06-30 23:59:59.9999995'", "at = NULL",
			"at = '2025-06-30 23:59:59.9'", "at = '2025-06-30 23:59:59.4'", "at = '2025-06-30 23:59:58.6'", "at IN ('2025-06-30 23:59:59.9', '2025-07-01')",
			"at < '2025-07-01 00:00:00.4'", "at <= '2025-07-01 00:00:00.4'", "at > '2025-06-30 23:59:59.4'", "at >= '2025-06-30 23:59:59.4'",
			"at BETWEEN '2025-06-29' AND '2025-07-01 00:00:00.4'", "at > '2025-06-30 23:59:58.6' AND at < '2025-07-01 00:00:00.2'"} {
			for _, tb := range []string{"d_dt", "d_date", "d_ts", "d_dt6"} {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE %s", tb, w), query: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w)})
			}
		}
		e.run(t, "time", sts)
	})
	t.Run("arguments", func(t *testing.T) {
		e.run(t, "arguments", dmlArgumentStatements(true))
	})
}

// dmlArgumentStatements are writes and reads of integer, unsigned and
// text keys with ? arguments of every Go type go-sql-driver accepts
// (pointers, driver.Valuers, json.RawMessage, NaN and ±Inf included),
// direct and, when withPrepared, prepared too.
func dmlArgumentStatements(withPrepared bool) []dmlStmt {
	var k7 int64 = 7
	vals := []any{int8(7), int16(7), int32(7), int64(7), uint8(7), uint16(7), uint32(7), uint64(7), float32(7), 7.0, []byte("7"), "7", " 07 ", "7e0", json.RawMessage("7"),
		true, false, &k7, sql.NullInt64{Int64: 7, Valid: true}, sql.NullString{String: "7", Valid: true}, sql.NullInt64{}, nil,
		int8(math.MinInt8), int16(math.MaxInt16), int32(math.MinInt32), uint32(math.MaxUint32), int64(math.MaxInt64), uint64(math.MaxUint64), math.MaxFloat64, float32(7.5), 7.5, "7.5", "abc", math.Inf(1), math.NaN()}
	modes := []bool{false}
	if withPrepared {
		modes = append(modes, true)
	}
	var sts []dmlStmt
	for i, v := range vals {
		for _, prepared := range modes {
			id := 2*i + 1
			if prepared {
				id++
			}
			sts = append(sts,
				dmlStmt{sql: fmt.Sprintf("INSERT INTO d_int (k, id, v) VALUES (?, %d, 'arg')", id), args: []any{v}, prepared: prepared},
				dmlStmt{sql: "SELECT k, id FROM d_int WHERE k = ?", args: []any{v}, prepared: prepared, query: true},
				dmlStmt{sql: "UPDATE d_int SET n = n + 1 WHERE k = ?", args: []any{v}, prepared: prepared},
				dmlStmt{sql: fmt.Sprintf("INSERT INTO d_uns (k, id) VALUES (?, %d)", id), args: []any{v}, prepared: prepared},
				dmlStmt{sql: "UPDATE d_uns SET n = n + 1 WHERE k = ?", args: []any{v}, prepared: prepared},
				dmlStmt{sql: fmt.Sprintf("INSERT INTO d_ci (k, id) VALUES (?, %d)", id), args: []any{v}, prepared: prepared},
				dmlStmt{sql: "UPDATE d_ci SET n = n + 1 WHERE k = ?", args: []any{v}, prepared: prepared},
			)
		}
	}
	return sts
}
