package driver_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAttack8TimeKeys attacks time- and range-sharded tables (DATETIME and
// TIMESTAMP by month, DATE and DATETIME(6) by day, with a node edge at
// 2025-06-30/07-01) with key spellings earlier rounds did not draw:
// relaxed delimiters and short fields ('2025-7-1', '2025/07/01',
// '2025.07.01 00.00.00', '250701', '20250701000000'), numbers
// (20250701, 20250701000000.5), 24:00:00 and other impossible times,
// trailing and leading spaces, 'T' separators, fractions written to 7
// digits, comparisons at the edge with BETWEEN, IN, <, <=, >, >=, and
// functions of the key (DATE(at), at + INTERVAL, YEAR(at)); Go arguments of
// every kind (time.Time in other locations and with a monotonic clock,
// strings, []byte, integers). Each must agree with the oracle, leave every
// row where its key routes, or be refused.
func TestAttack8TimeKeys(t *testing.T) {
	e := newDMLEnv(t, "a8_time")
	spellings := []string{
		"'2025-7-1'", "'2025-07-1 0:0:0'", "'2025/07/01'", "'2025.07.01 00.00.00'", "'2025-07-01T00:00:00'",
		"'250701'", "'20250701'", "'20250701000000'", "'250701000000'", "20250701", "20250701000000", "250701",
		"20250630235959.5", "'2025-06-30 24:00:00'", "'2025-06-31'", "'2025-06-30 23:59:60'", "' 2025-07-01'",
		"'2025-07-01 '", "'2025-07-01  00:00:00'", "'2025-06-30 23:59:59.9999999'", "'2025-06-30 23:59:59.999999'",
		"'2025-06-30 23:59:59.'", "'2025-07-01 00:00:00.000000000001'", "'2025-6-30 23:59:59'", "'2025-07-01 00:00'",
		"'2025-07-01 00'", "'2025-07-01x'", "'2025-07-01 00:00:00 +02:00'", "'2025-06-30 23:59:59Z'", "'0000-00-00'",
		"'2025-00-01'", "NULL", "CAST('2025-07-01' AS DATE)", "DATE'2025-07-01'",
		"TIMESTAMP'2025-06-30 23:59:59'", "'2025-07-01 00:00:00.5' + INTERVAL 0 DAY", "CURDATE()", "'2025-06-30 23:59:59.5'",
	}
	tables := []string{"d_dt", "d_date", "d_ts", "d_dt6"}
	for _, mode := range []string{"", "STRICT_ALL_TABLES", "TIME_ROUND_FRACTIONAL,STRICT_TRANS_TABLES"} {
		var sts []dmlStmt
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("SET sql_mode = '%s'", mode), session: true})
		for _, tb := range tables {
			for i, k := range spellings {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (at, id) VALUES (%s, %d)", tb, k, i+1), session: true})
			}
			for i, k := range []string{"'2025-06-30 12:00:00'", "'2025-06-30 23:59:59'", "'2025-07-01 00:00:00'", "'2025-07-01 12:30:00.25'", "'2025-07-02'"} {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (at, id) VALUES (%s, %d)", tb, k, 100+i), session: true})
			}
			for _, w := range []string{
				"at BETWEEN '2025-06-30' AND '2025-07-01'", "at BETWEEN '2025-06-30 23:59:59.5' AND '2025-07-01'",
				"at BETWEEN 20250630 AND 20250701", "at BETWEEN '2025-07-01' AND '2025-06-30'", "at >= '2025-07-01'",
				"at > '2025-06-30'", "at > '2025-06-30 23:59:59'", "at > '2025-06-30 23:59:59.5'", "at >= '2025-06-30 23:59:59.5'",
				"at < '2025-07-01'", "at <= '2025-07-01'", "at < '2025-07-01 00:00:00.5'", "at <= '2025-06-30'", "at < '2025-06-30 23:59:59.9'",
				"at <= 20250630", "at < 20250701", "at < '20250701'", "at < '2025-7-1'", "at <= '2025-06-30 24:00:00'",
				"at IN ('2025-07-01', 20250630, '2025-6-30 23:59:59')", "at IN ('2025-07-01 00:00:00.5')", "at = '2025-07-01 '",
				"at = '2025-07-01x'", "at = 20250701", "at = 20250701000000", "at = '2025-07-01 00:00:00.0000001'",
				"DATE(at) = '2025-07-01'", "at + INTERVAL 1 DAY = '2025-07-02'", "at - INTERVAL 1 SECOND < '2025-06-30 23:59:59'",
				"YEAR(at) = 2025 AND MONTH(at) = 7", "CAST(at AS DATE) = '2025-06-30'", "at LIKE '2025-07%'", "at = '2025-07-01' OR at = '2025-06-30'",
				"NOT (at < '2025-07-01')", "at <=> '2025-07-01'", "at IS NULL", "at > '2025-07-01' - INTERVAL 1 SECOND",
				"at BETWEEN '2025-06-30 23:59:59' AND '2025-07-01 00:00:00'", "at >= '2025-06-30 23:59:59.999999' AND at < '2025-07-01 00:00:00.000001'",
				"at = '2025-06-30 23:59:59.9999995'", "at < '2025-07-01 00:00:00.0000001'", "at > 20250630235959.9", "at >= 20250630235959.9",
			} {
				sts = append(sts,
					dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE %s", tb, w), query: true, session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w), session: true},
				)
			}
			sts = append(sts,
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET at = '2025-07-02 10:00:00' WHERE at = '2025-06-30 12:00:00' AND id = 100", tb), session: true},
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET at = '2025-06-29' WHERE at >= '2025-07-01' AND at < '2025-07-02' AND id = 102", tb), session: true},
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET at = at + INTERVAL 1 DAY WHERE id = 101", tb), session: true},
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET at = NULL WHERE id = 101", tb), session: true},
				dmlStmt{sql: fmt.Sprintf("UPDATE %s SET at = '2025-07-01 24:00:00' WHERE id = 103", tb), session: true},
				dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE at < '2025-07-01 00:00:00.5' AND id >= 100", tb), session: true},
			)
		}
		e.run(t, "spellings "+mode, sts)
		e.reset(t)
	}

	t.Run("arguments", func(t *testing.T) {
		tokyo := time.FixedZone("JST", 9*3600)
		ny := time.FixedZone("EDT", -4*3600)
		edge := time.Date(2025, 6, 30, 23, 59, 59, 500000000, time.UTC)
		args := []any{
			edge, edge.In(tokyo), edge.In(ny), time.Date(2025, 7, 1, 8, 0, 0, 0, tokyo), time.Date(2025, 6, 30, 20, 0, 0, 0, ny),
			time.Date(2025, 7, 1, 0, 0, 0, 999, time.UTC),
			time.Date(2025, 6, 30, 23, 59, 59, 999999999, time.UTC), time.Date(2025, 7, 1, 0, 0, 0, 0, time.Local),
			"2025-07-01", "2025-7-1", "20250701", "2025-07-01 00:00:00.5", "2025-06-30 24:00:00", " 2025-07-01", "2025-07-01 ",
			[]byte("2025-07-01"), []byte("20250630235959"), int64(20250701), 20250701000000, uint64(250701), 20250630235959.5, float32(20250701),
			"2025-07-01T00:00:00Z", "2025-07-01 00:00:00+09:00", nil, true,
		}
		var sts []dmlStmt
		for _, tb := range tables {
			for i, a := range args {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (at, id) VALUES (?, %d)", tb, i+1), args: []any{a}},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (at, id) VALUES (?, %d)", tb, 100+i), args: []any{a}, prepared: true})
			}
			for _, a := range args {
				sts = append(sts,
					dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE at = ?", tb), args: []any{a}, query: true},
					dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE at < ?", tb), args: []any{a}, query: true},
					dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE at >= ?", tb), args: []any{a}, query: true},
					dmlStmt{sql: fmt.Sprintf("SELECT at, id FROM %s WHERE at BETWEEN ? AND '2025-07-01'", tb), args: []any{a}, query: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE at IN (?, '2025-06-28')", tb), args: []any{a}},
				)
			}
		}
		e.run(t, "arguments", sts)
	})

	// Keys no node holds (the oracle stores them): the INSERT fails
	// clearly and writes nothing; reads of them find nothing.
	t.Run("out of range", func(t *testing.T) {
		e.reset(t)
		for _, tb := range tables {
			for _, k := range []any{"9999-12-31 23:59:59", "1000-01-01", time.Now(), time.Time{}} {
				_, err := e.sharded.Exec(fmt.Sprintf("INSERT INTO %s (at, id) VALUES (?, 1)", tb), k)
				// a TIMESTAMP beyond its type's range is refused first (time22)
				if err == nil || !(strings.Contains(err.Error(), "no node holds") || tb == "d_ts" && strings.Contains(err.Error(), "beyond the edge of a TIMESTAMP column's range")) {
					t.Errorf("%s: INSERT of %v: %v", tb, k, err)
				}
				var n int
				if err := e.sharded.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s", tb)).Scan(&n); err != nil || n != 0 {
					t.Errorf("%s after an INSERT of %v: %d rows, %v", tb, k, n, err)
				}
			}
		}
	})
}
