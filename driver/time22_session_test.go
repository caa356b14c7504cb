package driver_test

import (
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/shard"
)

var time22Tables2 = []dmlTable{
	{name: "t22_wk", key: "k", cols: "k DATE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Week, "20060102"), nodes: "ds0.t22_wk_20251222, ds0.t22_wk_20251229, ds1.t22_wk_20260105"},
	{name: "t22_def", key: "k", cols: "k DATETIME NOT NULL DEFAULT '2026-02-01 00:00:00', id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22_def_202601, ds1.t22_def_202602"},
	{name: "t22_now", key: "k", cols: "k TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.t22_now_${2026-10..2026-11|month|200601}, ds1.t22_now_${2026-12..2027-02|month|200601}"},
	{name: "t22_uns", key: "k", intKey: true, cols: "k BIGINT UNSIGNED NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(100, 200), nodes: "ds0.t22_uns_0, ds1.t22_uns_${1..2}"},
	{name: "t22_yr", key: "k", cols: "k YEAR NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(2026), nodes: "ds0.t22_yr_0, ds1.t22_yr_1"},
	{name: "t22_ts0", key: "k", cols: "k TIMESTAMP NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.t22_ts0_${2026-01-30..2026-01-31|day|20060102}, ds1.t22_ts0_${2026-02-01..2026-02-02|day|20060102}"},
	{name: "t22_si", key: "k", intKey: true, cols: "k SMALLINT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(0, 32767), nodes: "ds0.t22_si_0, ds1.t22_si_${1..2}"},
}

// TestTime22SessionAndTypes attacks the session and the key types around
// time sharding: every spelling of SET time_zone (SESSION, @@, LOCAL,
// :=, a conditional comment, a list with other variables), SET STATEMENT
// … FOR, zone offsets in literals, CONVERT_TZ and FROM_UNIXTIME keys,
// a DEFAULT or DEFAULT CURRENT_TIMESTAMP key left out or written as
// DEFAULT, NOW() and CURDATE() keys, ISO weeks across a year's end
// (WEEK(k, 3), YEARWEEK), and Range over BIGINT UNSIGNED, SMALLINT and
// YEAR columns with negative, huge, fractional, hexadecimal, bit and
// two-digit-year values. Each must agree with the oracle or be refused.
func TestTime22SessionAndTypes(t *testing.T) {
	e := newDMLEnvOf(t, "t22p2", nil, time22Tables2)
	var sts []dmlStmt
	add := func(q string) { sts = append(sts, dmlStmt{sql: q, session: true}) }
	addQ := func(q string) { sts = append(sts, dmlStmt{sql: q, session: true, query: true}) }
	for _, set := range []string{"SET time_zone = '+05:00'", "SET @@time_zone = '+05:00'", "SET SESSION time_zone='+05:00'", "SET @@session.time_zone='+05:00'",
		"/*!40103 SET TIME_ZONE='+05:00' */", "SET sql_mode = '', time_zone = '+05:00'", "SET @x = 1, @@time_zone='+05:00'", "SET LOCAL time_zone = '+05:00'",
		"SET time_zone = '-10:00'", "SET @@local.time_zone = '+05:00'", "SET time_zone := '+05:00'", "SET @@SESSION.TIME_ZONE = '+05:00'"} {
		add(set)
		add("INSERT INTO t22_ts0 (k, id) VALUES ('2026-02-01 03:00:00', 1), ('2026-01-31 22:00:00', 2)")
		addQ("SELECT k, id FROM t22_ts0 WHERE k = '2026-02-01 03:00:00'")
		add("SET time_zone = DEFAULT")
		addQ("SELECT k, id FROM t22_ts0 WHERE k >= '2026-01-31'")
		add("DELETE FROM t22_ts0")
	}
	for _, q := range []string{
		"SET STATEMENT time_zone='+05:00' FOR INSERT INTO t22_ts0 (k, id) VALUES ('2026-02-01 03:00:00', 1)",
		"SET STATEMENT time_zone='+05:00' FOR SELECT k, id FROM t22_ts0 WHERE k = '2026-02-01 03:00:00'",
		"SET STATEMENT sql_mode='TIME_ROUND_FRACTIONAL' FOR INSERT INTO t22_ts0 (k, id) VALUES ('2026-01-31 23:59:59.9', 3)",
		"INSERT INTO t22_ts0 (k, id) VALUES (CONVERT_TZ('2026-02-01 03:00:00', '+05:00', '+00:00'), 4)",
		"INSERT INTO t22_ts0 (k, id) VALUES (FROM_UNIXTIME(1769904000), 5)",
		"INSERT INTO t22_ts0 (k, id) VALUES ('2026-02-01 03:00:00+05:00', 6)",
		"INSERT INTO t22_ts0 (k, id) VALUES ('2026-01-31 23:00:00-05:00', 7)",
		"INSERT INTO t22_ts0 (k, id) VALUES (TIMESTAMP'2026-02-01 03:00:00+05:00', 8)",
		"SELECT k, id FROM t22_ts0 WHERE k = '2026-02-01 03:00:00+05:00'",
		"SELECT k, id FROM t22_ts0 WHERE k = '2026-01-31 22:00:00'",
		"SELECT k, id FROM t22_ts0 WHERE k < '2026-02-01 00:00:00+05:00'",
		"SELECT k, id FROM t22_ts0 WHERE UNIX_TIMESTAMP(k) = 1769904000",
		"INSERT INTO t22_def (id) VALUES (1)", "INSERT INTO t22_def (k, id) VALUES (DEFAULT, 2)", "INSERT INTO t22_def SET id = 3",
		"INSERT INTO t22_def (id, n) SELECT id + 10, n FROM t22_def", "REPLACE INTO t22_def (id) VALUES (1)",
		"INSERT INTO t22_def (k, id) VALUES (DEFAULT(k), 4)", "UPDATE t22_def SET k = DEFAULT WHERE id = 1", "UPDATE t22_def SET k = '2026-01-05' WHERE id = 2",
		"UPDATE t22_def SET k = DEFAULT WHERE id = 2", "INSERT INTO t22_def (k, id) VALUES ('2026-01-05', 5) ON DUPLICATE KEY UPDATE k = DEFAULT",
		"INSERT INTO t22_def (k, id) VALUES ('2026-01-05', 5) ON DUPLICATE KEY UPDATE k = DEFAULT",
		"INSERT INTO t22_now (id) VALUES (1)", "INSERT INTO t22_now (k, id) VALUES (NOW(), 2)", "INSERT INTO t22_now (k, id) VALUES (CURRENT_TIMESTAMP, 3)",
		"INSERT INTO t22_now (k, id) VALUES (DEFAULT, 4)", "INSERT INTO t22_now SET id = 5", "INSERT INTO t22_now (k, id) VALUES (CURDATE(), 6)",
		"INSERT INTO t22_now (k, id) VALUES (UTC_TIMESTAMP(), 7)", "INSERT INTO t22_now (k, id) VALUES ('2026-12-01' + INTERVAL 1 DAY, 8)",
		"INSERT INTO t22_now (k, id) VALUES (NULL, 9)", "UPDATE t22_now SET k = NOW() WHERE id = 8", "UPDATE t22_now SET k = NULL WHERE id = 8",
		"INSERT INTO t22_now (k, id) VALUES (0, 10)", "INSERT INTO t22_now (k, id) VALUES ('2026-12-05', 11) ON DUPLICATE KEY UPDATE n = 1",
		"SELECT id FROM t22_now WHERE k >= CURDATE() - INTERVAL 40 DAY",
	} {
		if len(q) > 6 && q[:6] == "SELECT" {
			addQ(q)
		} else {
			add(q)
		}
	}
	for _, mode := range []string{"", "STRICT_ALL_TABLES", "TIME_ROUND_FRACTIONAL"} {
		add(fmt.Sprintf("SET sql_mode = '%s'", mode))
		for i, k := range []string{"'2025-12-28'", "'2025-12-29'", "'2026-01-04'", "'2026-01-05'", "'2026-01-11'", "20251229", "'2025-12-28 23:59:59.9'", "'2026-01-04 23:59:59.5'", "'2026-01-12'", "'2025-12-21'"} {
			add(fmt.Sprintf("INSERT INTO t22_wk (k, id) VALUES (%s, %d)", k, i+1))
		}
		for _, w := range []string{"WEEK(k, 3) = 1", "YEARWEEK(k, 3) = 202601", "k BETWEEN '2025-12-28' AND '2025-12-29'", "k >= '2025-12-29' AND k < '2026-01-05'", "k > '2026-01-04 23:59:59.9'", "k < '2026-01-05'", "WEEKDAY(k) = 0", "k = '2026-01-04 23:59:59.9'", "k >= 20260104235959.9"} {
			addQ("SELECT k, id FROM t22_wk WHERE " + w)
			add("UPDATE t22_wk SET n = n + 1 WHERE " + w)
		}
		add("UPDATE t22_wk SET k = k + INTERVAL 1 DAY WHERE id IN (3, 4)")
		add("UPDATE t22_wk SET k = k - INTERVAL 1 DAY")
		for i, k := range []string{"-1", "'-1'", "18446744073709551615", "'18446744073709551615'", "'1e30'", "99.5", "'99.9'", "' 100'", "'100abc'", "199.49", "1e2", "0x64", "b'1100100'", "X'3939'", "true", "'9.95e1'", "-0.4", "'-0.4'"} {
			add(fmt.Sprintf("INSERT INTO t22_uns (k, id) VALUES (%s, %d)", k, i+1))
			add(fmt.Sprintf("INSERT INTO t22_si (k, id) VALUES (%s, %d)", k, i+1))
			add(fmt.Sprintf("INSERT INTO t22_yr (k, id) VALUES (%s, %d)", k, i+1))
		}
		for i, k := range []string{"2026", "'2026'", "26", "'26'", "69", "'70'", "0", "'0'", "'00'", "'2025-06-01'", "2025.5", "'2155'", "2156", "1901", "'  2026'", "'2026 '", "25"} {
			add(fmt.Sprintf("INSERT INTO t22_yr (k, id) VALUES (%s, %d)", k, i+100))
		}
		for _, tb := range []string{"t22_uns", "t22_si", "t22_yr"} {
			for _, w := range []string{"k = 100", "k < 100", "k >= '99.5'", "k BETWEEN 99.5 AND 100.5", "k = -1", "k < -1", "k > 18446744073709551614", "k IN (99.9, 100)", "k = '1e2'", "k > 1e2", "k = 2026", "k = 26", "k = '26'", "k < 2026", "k >= '2026'", "k = 0", "k = '0'", "k = '00'", "k < 70", "k BETWEEN 2025 AND 2026", "k > 32767", "k = 32767.5", "k >= -0.5 AND k < 0.5"} {
				addQ(fmt.Sprintf("SELECT k, id FROM %s WHERE %s", tb, w))
				add(fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w))
			}
			add(fmt.Sprintf("UPDATE %s SET k = k + 1 WHERE id = 2", tb))
			add(fmt.Sprintf("UPDATE %s SET k = 99 WHERE id = 101", tb))
			add(fmt.Sprintf("UPDATE %s SET k = '2027' WHERE id = 100", tb))
			add(fmt.Sprintf("UPDATE %s SET k = 27 WHERE id = 102", tb))
		}
		add("DELETE FROM t22_uns")
		add("DELETE FROM t22_si")
		add("DELETE FROM t22_yr")
		add("DELETE FROM t22_wk")
	}
	time22Run(t, e, "session", sts)
}
