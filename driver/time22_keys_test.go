package driver_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/shard"
)

// time22Tables are time- and range-sharded tables whose node edges sit
// at 2026-01-31/02-01 (DATETIME(3) and DATE by month, TIMESTAMP(6) by
// day), 2025/2026 (DATETIME by year) and 100/200 (BIGINT by Range).
var time22Tables = []dmlTable{
	{name: "t22_dt3", key: "k", cols: "k DATETIME(3) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22_dt3_${2026-01..2026-01|month|200601}, ds1.t22_dt3_${2026-02..2026-03|month|200601}"},
	{name: "t22_date", key: "k", cols: "k DATE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22_date_${2026-01..2026-01|month|200601}, ds1.t22_date_${2026-02..2026-03|month|200601}"},
	{name: "t22_ts", key: "k", cols: "k TIMESTAMP(6) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.t22_ts_${2026-01-30..2026-01-31|day|20060102}, ds1.t22_ts_${2026-02-01..2026-02-02|day|20060102}"},
	{name: "t22_dt", key: "k", cols: "k DATETIME NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Year, "2006"), nodes: "ds0.t22_dt_2025, ds1.t22_dt_2026"},
	{name: "t22_rng", key: "k", intKey: true, cols: "k BIGINT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(100, 200), nodes: "ds0.t22_rng_0, ds1.t22_rng_${1..2}"},
}

// time22Run checks each statement as dmlEnv.run does, except that a key
// no node holds may fail through shardsql where the oracle stores it
// (the clear ErrNoNode error: the row is not written anywhere).
// SHARDSQL_TIME22_REFUSALS=1 logs every refusal.
func time22Run(t *testing.T, e *dmlEnv, label string, sts []dmlStmt) {
	t.Helper()
	for _, st := range sts {
		r := e.check(st)
		if r.diff != "" && !(strings.Contains(r.diff, "oracle ran, shardsql failed: ") && strings.Contains(r.diff, ": no node holds ")) {
			t.Errorf("%s: %s %v (session %v, prepared %v):\n  %s", label, st.sql, st.args, st.session, st.prepared, r.diff)
		}
		if r.diff != "" {
			e.reset(t)
		} else if r.refused && os.Getenv("SHARDSQL_TIME22_REFUSALS") != "" {
			got := runDML(e.sconn, st)
			t.Logf("refused %s: %s %v: %v", label, st.sql, st.args, got.err)
		}
	}
}

// TestTime22KeySpellings attacks time- and range-sharded tables with key
// values in every form MariaDB accepts and many it does not (short
// fields, compact numbers, 'T', trailing spaces, fractions beyond the
// column's digits, zero and invalid dates, values outside every node),
// under four sql_modes, in INSERT, REPLACE, ON DUPLICATE KEY UPDATE,
// INSERT … SELECT, key moves, DELETE by range, range reads (BETWEEN
// across the edge, half-open ranges, IN lists mixing forms, functions of
// the key) with ORDER BY/LIMIT and GROUP BY DATE(k); then as Go arguments
// (time.Time in other zones, strings, []byte, numbers), with the DSNs
// plain and with interpolateParams, parseTime and loc=Asia/Tokyo. Each
// statement must agree with the oracle and leave every row where its key
// routes, or be refused. Nothing was found here in round 22.
func TestTime22KeySpellings(t *testing.T) {
	variants := map[string]func(*mysql.Config){
		"plain": nil,
		"interp_parse_tokyo": func(c *mysql.Config) {
			c.InterpolateParams = true
			c.ParseTime = true
			c.Loc, _ = time.LoadLocation("Asia/Tokyo")
		},
	}
	for vn, dsn := range variants {
		if v := os.Getenv("SHARDSQL_TIME22_VARIANT"); v != "" && v != vn {
			continue
		}
		e := newDMLEnvOf(t, "t22p_"+vn, dsn, time22Tables)
		spell := []string{"'2026-01-31'", "'2026-1-31'", "'20260131'", "'2026-01-31 23:59:59.999999'", "'2026-01-31 23:59:59.9995'",
			"'2026-01-31T10:00'", "'2026-01-31 '", "'2026-01-31 23:59:59   '", "20260131", "20260131235959", "20260131235959.9999",
			"'2026-02-01 00:00:00.000'", "'2026-01-31 23:59:59.4999'", "'2026-02-01'", "'2026-03-31 23:59:59.9999'", "'2025-12-31 23:59:59'",
			"'2026-04-01'", "'0000-00-00'", "'2026-02-00'", "NULL", "'2026-02-01 0:0:0'", "'2026-2-1 00:00:00.5'", "2026013123", "'2026-01-31 23:59:59.9999995'",
			"'26-02-01'", "260201", "'2026-02-01 00:00:00 '", "'2026/02/01'", "'2026-02-01T00:00:00.000000'", "DATE '2026-02-01'", "TIMESTAMP '2026-01-31 23:59:59.999'",
			"'2026-01-31 24:00:00'", "'2026-02-01 00:00:00.1234567'", "'2026-01-30'", "'2026-02-02 23:59:59.999999'", "'2026-02-03'",
			"'2025-06-01'", "'2026-12-31 23:59:59.5'", "'2027-01-01'", "99", "150", "'150'", "'199.5'", "199.5", "'1e2'", "100", "'  200'", "200", "-5", "'0x10'",
		}
		for _, mode := range []string{"", "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE", "TIME_ROUND_FRACTIONAL", "ALLOW_INVALID_DATES"} {
			var sts []dmlStmt
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("SET sql_mode = '%s'", mode), session: true})
			for _, tb := range time22Tables {
				for i, k := range spell {
					sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (%s, %d)", tb.name, k, i+1), session: true})
				}
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES ('2026-01-15', 200), ('2026-02-15', 201), ('2026-03-15 12:00:00.5', 202), (120, 203), (250, 204)", tb.name), session: true})
				for _, w := range []string{
					"k BETWEEN '2026-01-31' AND '2026-02-01'", "k >= '2026-01-31 23:59:59.999' AND k < '2026-02-01'", "k >= '2026-02-01' AND k < '2026-03-01'",
					"k IN ('2026-02-01', 20260131, '2026-1-15', 120)", "YEAR(k) = 2026", "DATE(k) = '2026-01-31'", "k + INTERVAL 1 DAY > '2026-02-01'",
					"MONTH(k) = 2", "k > 20260131", "k < 20260201", "k <= '2026-01-31'", "k > '2026-01-31'", "k >= '2026-01-31 23:59:59.9999'",
					"k < '2026-02-01 00:00:00.0001'", "k = '2026-02-01 00:00:00.000'", "k BETWEEN 100 AND 199", "k > 199.5", "k < '200'", "k >= '1e2'",
					"k < '2026-02'", "k > '2026'", "k = '2026-02-01 '", "k BETWEEN '2026-01-31 23:59:59.999999' AND '2026-02-01 00:00:00'",
					"k > '2026-01-31 23:59:59.9995'", "k < '2026-01-31 23:59:59.9995'", "k <= '2026-01-31 23:59:59.9995'", "k >= '2026-01-31 23:59:59.9995'",
					"k > 20260131235959.9995", "k = 20260131235959.9995", "k IS NULL", "k <=> NULL", "k = '0000-00-00'", "k > '0000-00-00'",
					"k > '2026-01-31' - INTERVAL 1 SECOND", "TO_DAYS(k) = TO_DAYS('2026-02-01')", "k LIKE '2026-02%'", "k = 'abc'", "k < 'abc'",
				} {
					sts = append(sts,
						dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE %s", tb.name, w), query: true, session: true},
						dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE %s ORDER BY k DESC, id LIMIT 3", tb.name, w), query: true, ordered: true, session: true},
						dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb.name, w), session: true},
					)
				}
				sts = append(sts,
					dmlStmt{sql: fmt.Sprintf("SELECT DATE(k), COUNT(*), SUM(n) FROM %s GROUP BY DATE(k)", tb.name), query: true, session: true},
					dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s ORDER BY k, id LIMIT 5, 5", tb.name), query: true, ordered: true, session: true},
					dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s ORDER BY k DESC, id LIMIT 20, 3", tb.name), query: true, ordered: true, session: true},
					dmlStmt{sql: fmt.Sprintf("REPLACE INTO %s (k, id, n) VALUES ('2026-01-31 23:59:59.9999', 200, 7)", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id, n) VALUES ('2026-02-01', 1, 7) ON DUPLICATE KEY UPDATE n = n + 100", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id, n) VALUES ('2026-02-01', 1, 7) ON DUPLICATE KEY UPDATE k = '2026-01-20'", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id, n) SELECT k + INTERVAL 1 DAY, id + 1000, n FROM %s WHERE id < 5", tb.name, tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id, n) SELECT '2026-02-01 00:00:00', id + 2000, n FROM %s WHERE id < 5", tb.name, tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = '2026-02-01 00:00:00.0004' WHERE k = '2026-01-15' AND id = 200", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = '2026-01-31 23:59:59.9996' WHERE id = 201", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = k - INTERVAL 1 MONTH WHERE id = 202", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = 199 WHERE id = 204", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = '2026-1-31' WHERE id = 203", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE k >= '2026-01-31' AND k < '2026-02-01 00:00:00.5'", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE k BETWEEN 100 AND 150", tb.name), session: true},
					dmlStmt{sql: fmt.Sprintf("DELETE FROM %s ORDER BY k LIMIT 2", tb.name), session: true},
				)
			}
			time22Run(t, e, vn+" "+mode, sts)
			e.reset(t)
		}
		// arguments
		tokyo := time.FixedZone("JST", 9*3600)
		args := []any{time.Date(2026, 2, 1, 8, 0, 0, 0, tokyo), time.Date(2026, 1, 31, 23, 59, 59, 999999999, time.UTC),
			time.Date(2026, 1, 31, 23, 59, 59, 999600000, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			"2026-01-31 23:59:59.9999", "20260131", int64(20260201), 20260131235959.9, []byte("2026-02-01"), int64(150), "150", uint64(199)}
		var sts []dmlStmt
		for _, tb := range time22Tables {
			for i, a := range args {
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (?, %d)", tb.name, i+1), args: []any{a}},
					dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES (?, %d)", tb.name, 100+i), args: []any{a}, prepared: true})
			}
			for _, a := range args {
				for _, w := range []string{"k = ?", "k < ?", "k >= ?", "k > ?", "k <= ?", "k BETWEEN ? AND '2026-02-01'", "DATE(k) = ?"} {
					sts = append(sts,
						dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE %s", tb.name, w), args: []any{a}, query: true},
						dmlStmt{sql: fmt.Sprintf("SELECT k, id FROM %s WHERE %s", tb.name, w), args: []any{a}, query: true, prepared: true},
						dmlStmt{sql: fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb.name, w), args: []any{a}},
					)
				}
				sts = append(sts, dmlStmt{sql: fmt.Sprintf("UPDATE %s SET k = ? WHERE id = 1", tb.name), args: []any{a}})
			}
		}
		time22Run(t, e, vn+" args", sts)
	}
}
