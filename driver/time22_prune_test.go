package driver_test

import (
	"fmt"
	"testing"
)

// TestTime22Pruning attacks range pruning with conditions no row or
// every row meets (empty and reversed ranges, NULL bounds, OR, XOR,
// NOT BETWEEN, NOT IN, IS TRUE, expressions of the key, subqueries),
// over a Range-sharded BIGINT and the time tables, in aggregates (which
// answer one row even from no node), plain reads, FOR UPDATE, UPDATE and
// DELETE. Each must agree with the oracle or be refused.
func TestTime22Pruning(t *testing.T) {
	e := newDMLEnvOf(t, "t22p4", nil, time22Tables)
	var sts []dmlStmt
	add := func(q string) { sts = append(sts, dmlStmt{sql: q, session: true}) }
	addQ := func(q string) { sts = append(sts, dmlStmt{sql: q, session: true, query: true}) }
	add("INSERT INTO t22_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)")
	for _, tb := range []string{"t22_dt3", "t22_date", "t22_ts", "t22_dt"} {
		add(fmt.Sprintf("INSERT INTO %s (k, id) VALUES ('2026-01-30 10:00', 1), ('2026-01-31', 2), ('2026-02-01', 3), ('2026-02-02 23:59:59', 4)", tb))
	}
	for _, w := range []string{"k < 50 OR k > 250", "k BETWEEN 50 AND 60 OR k = 150", "NOT (k BETWEEN 100 AND 199)", "k NOT BETWEEN 100 AND 199",
		"k > 50 AND k < 150 AND k <> 120", "k >= 100 AND k >= 250", "k > 150 AND k < 120", "k NOT IN (100, 150)", "NOT k < 200", "NOT (k >= 100 AND k < 200)",
		"k = NULL", "k IN (NULL)", "k IN (NULL, 150)", "k = 150.5", "k > 150 XOR k > 200", "(k > 150) = 1", "(k > 150) IS TRUE", "(k < 100) IS NOT FALSE",
		"k BETWEEN 150 AND 120", "k BETWEEN NULL AND 150", "k > NULL", "k > 100 AND k IS NULL", "-k > -100", "k + 0 < 100", "k IN (150) AND k IN (50)",
		"k <> 150", "NOT k <=> 150", "k > 150 OR k IS NULL", "IFNULL(k, 0) < 100", "k > 150 AND (id = 1 OR k < 120)", "k = ALL (SELECT 150)", "k < ANY (SELECT 99)",
		"k = (SELECT 150)", "k > (SELECT MAX(k) FROM t22_rng) - 60", "k < 1e2", "k <= 99.999", "k < '100'", "k < '1e2'", "k >= 99.0000000000000000001"} {
		for _, sel := range []string{"COUNT(*), SUM(n), MAX(k)", "k, id"} {
			addQ(fmt.Sprintf("SELECT %s FROM t22_rng WHERE %s", sel, w))
		}
		add(fmt.Sprintf("UPDATE t22_rng SET n = n + 1 WHERE %s", w))
	}
	for _, tb := range []string{"t22_dt3", "t22_date", "t22_ts", "t22_dt"} {
		for _, w := range []string{"k < '2025-01-01'", "k > '2030-01-01'", "k BETWEEN '2026-03-01' AND '2026-01-01'", "k = NULL", "k = '2026-02-30'", "k < '2026-01-31' OR k >= '2026-02-02'",
			"NOT (k >= '2026-01-31' AND k < '2026-02-01')", "k NOT BETWEEN '2026-01-31' AND '2026-02-01'", "k > '2026-02-01' AND k < '2026-01-31'", "k IN ('2026-02-01', NULL)",
			"k <> '2026-02-01'", "k >= '2026-02-01' AND k >= '2026-02-02'", "k < '2026-02-01' AND k < '2026-01-31 12:00'", "k = '2026-01-31' AND k = '2026-02-01'",
			"k >= '2026-01-31' AND k <= '2026-01-31'", "k > '2026-01-31' AND k < '2026-01-31'"} {
			addQ(fmt.Sprintf("SELECT COUNT(*), MAX(k), MIN(id) FROM %s WHERE %s", tb, w))
			addQ(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s GROUP BY id", tb, w))
			addQ(fmt.Sprintf("SELECT k, id FROM %s WHERE %s", tb, w))
			addQ(fmt.Sprintf("SELECT k, id FROM %s WHERE %s FOR UPDATE", tb, w))
			add(fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE %s", tb, w))
		}
	}
	add("DELETE FROM t22_dt3 WHERE k > '2030-01-01'")
	add("DELETE FROM t22_rng WHERE k > 150 AND k < 120")
	time22Run(t, e, "pruning", sts)
}
