package driver_test

import (
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/shard"
)

// time22MinMaxTables are a Range-sharded BIGINT and Day-sharded DATETIME
// and DATE tables, each with its sharding column first in its primary key
// (the index MariaDB answers MIN and MAX from).
var time22MinMaxTables = []dmlTable{
	{name: "t22m_rng", key: "k", intKey: true, cols: "k BIGINT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Range(100, 200), nodes: "ds0.t22m_rng_0, ds1.t22m_rng_${1..2}"},
	{name: "t22m_dt", key: "k", cols: "k DATETIME NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.t22m_dt_20260130, ds1.t22m_dt_${2026-01-31..2026-02-01|day|20060102}"},
	{name: "t22m_date", key: "k", cols: "k DATE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.t22m_date_20260130, ds1.t22m_date_${2026-01-31..2026-02-01|day|20060102}"},
	{name: "t22m_u", key: "k", intKey: true, cols: "k BIGINT NOT NULL, u INT NOT NULL, PRIMARY KEY (k, u), UNIQUE KEY (u)", order: "k, u",
		alg: shard.Range(100), nodes: "ds0.t22m_u_0, ds1.t22m_u_1"},
	{name: "t22m_i", key: "k", intKey: true, cols: "k INT NOT NULL, d DECIMAL(6,2) NOT NULL, PRIMARY KEY (k), KEY (d)", order: "k",
		alg: shard.Range(0), nodes: "ds0.t22m_i_0, ds1.t22m_i_1"},
}

// TestTime22MinMaxInexactBound: MIN or MAX of the sharding column without
// GROUP BY, under a range bound the column does not hold exactly (99.5
// for a BIGINT, a fraction for a DATETIME, a time of day for a DATE), is
// answered by MariaDB from one index lookup of the converted bound, which
// no routing of the nodes reproduces (MAX(k) … k <= 99.5 said 100 on one
// table, 99 through shardsql; MAX(k), COUNT(*) … k BETWEEN 0 AND 99.5
// said NULL, 0 on one table, 99, 2 through shardsql): refused. The same
// reads with exact bounds, with GROUP BY, of other columns, or of rows
// run and agree with the oracle. The same holds for another indexed
// column (a unique key u): each node's lookup finds its own row.
func TestTime22MinMaxInexactBound(t *testing.T) {
	e := newDMLEnvOf(t, "t22_minmax", nil, time22MinMaxTables)
	const refusal = "which the column does not hold exactly"
	setup := []dmlStmt{
		{sql: "INSERT INTO t22m_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)", mustRun: true},
		{sql: "INSERT INTO t22m_dt (k, id) VALUES ('2026-01-30 10:00:00', 1), ('2026-01-31 10:00:00', 2), ('2026-01-31 10:00:01', 3), ('2026-02-01 00:00:00', 4)", mustRun: true},
		{sql: "INSERT INTO t22m_date (k, id) VALUES ('2026-01-30', 1), ('2026-01-31', 2), ('2026-02-01', 3)", mustRun: true},
		{sql: "INSERT INTO t22m_u (k, u) VALUES (1, 5), (2, 9), (150, 10), (160, 20)", mustRun: true},
		{sql: "INSERT INTO t22m_i (k, d) VALUES (-2147483648, -5), (-3, 1.00), (5, 1.01), (2147483647, 2.50)", mustRun: true},
	}
	var sts []dmlStmt
	sts = append(sts, setup...)
	refused := func(q string, args ...any) {
		sts = append(sts, dmlStmt{sql: q, args: args, query: true, refuse: refusal})
	}
	runs := func(q string, args ...any) {
		sts = append(sts, dmlStmt{sql: q, args: args, query: true, mustRun: true})
	}
	for _, w := range []string{"k <= 99.5", "k <= 99.999", "k <= '99.999'", "k <= 99.999e0", "k BETWEEN 0 AND 99.5", "k < 100.4", "k >= 99.4", "99.5 >= k", "k > 99.4 AND k < 150"} {
		for _, sel := range []string{"MAX(k)", "MIN(k)", "MAX(k), COUNT(*)", "COUNT(*), MIN(t22m_rng.k)"} {
			refused(fmt.Sprintf("SELECT %s FROM t22m_rng WHERE %s", sel, w))
		}
		runs(fmt.Sprintf("SELECT COUNT(*), SUM(k) FROM t22m_rng WHERE %s", w))
		runs(fmt.Sprintf("SELECT k, id FROM t22m_rng WHERE %s", w))
		runs(fmt.Sprintf("SELECT MAX(k) FROM t22m_rng WHERE %s GROUP BY id > 0", w))
	}
	for _, a := range []any{99.5, "99.999", 199.5} {
		refused("SELECT MAX(k) FROM t22m_rng WHERE k <= ?", a)
		refused("SELECT MIN(k), COUNT(*) FROM t22m_rng WHERE k >= ?", a)
		runs("SELECT k, id FROM t22m_rng WHERE k <= ?", a)
	}
	refused("SELECT id FROM t22m_rng WHERE k < 150.5 HAVING MAX(k) > 0")
	refused("SELECT m FROM (SELECT MAX(k) AS m FROM t22m_rng WHERE k <= 99.5) d")
	refused("SELECT (SELECT MAX(k) FROM t22m_rng WHERE k <= 99.5) AS m")
	refused("SELECT MAX(r.k) FROM t22m_rng r WHERE r.k <= 99.5")
	for _, a := range []any{int64(99), 99.5, int64(99), "99.5"} {
		st := dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k <= ?", args: []any{a}, query: true, prepared: true}
		if _, isInt := a.(int64); isInt {
			st.mustRun = true
		} else {
			st.refuse = refusal
		}
		sts = append(sts, st)
	}
	for _, w := range []string{"k <= 99", "k < 100", "k BETWEEN 0 AND 99", "k >= 100", "k = 99.5", "k IN (99.5, 150)", "k <= 99 AND id < 5.5"} {
		runs(fmt.Sprintf("SELECT MAX(k), MIN(k), COUNT(*) FROM t22m_rng WHERE %s", w))
	}
	for _, w := range []string{"k >= 20260131100000.1", "k >= '2026-01-31 10:00:00.1'", "k BETWEEN '2026-01-30' AND '2026-01-31 10:00:00.5'", "k < '2026-01-31 10:00:00.5'"} {
		refused(fmt.Sprintf("SELECT MIN(k), COUNT(*) FROM t22m_dt WHERE %s", w))
		refused(fmt.Sprintf("SELECT MAX(k) FROM t22m_dt WHERE %s", w))
		runs(fmt.Sprintf("SELECT k, id FROM t22m_dt WHERE %s", w))
	}
	runs("SELECT MIN(k), MAX(k), COUNT(*) FROM t22m_dt WHERE k >= '2026-01-31 10:00:01' AND k < '2026-02-01'")
	for _, w := range []string{"k >= '2026-01-30 10:00:00'", "k BETWEEN '2026-01-30 10:00:00' AND '2026-02-05'"} {
		refused(fmt.Sprintf("SELECT MIN(k), COUNT(*) FROM t22m_date WHERE %s", w))
		runs(fmt.Sprintf("SELECT k, id FROM t22m_date WHERE %s", w))
	}
	runs("SELECT MIN(k), MAX(k), COUNT(*) FROM t22m_date WHERE k BETWEEN '2026-01-31' AND '2026-02-05'")
	// another indexed column: MAX(u), COUNT(*) … u BETWEEN 0 AND 9.5 is
	// NULL, 0 on one table (the lookup finds u = 10 and drops it) and
	// was 9, 2 through shardsql (node 0 finds 9, node 1 nothing)
	for _, w := range []string{"u BETWEEN 0 AND 9.5", "u <= 9.5", "u > 4.5 AND k < 200", "u >= '4.5'"} {
		refused(fmt.Sprintf("SELECT MAX(u), COUNT(*) FROM t22m_u WHERE %s", w))
		refused(fmt.Sprintf("SELECT MIN(u) FROM t22m_u WHERE %s", w))
		runs(fmt.Sprintf("SELECT u, k FROM t22m_u WHERE %s", w))
		runs(fmt.Sprintf("SELECT MAX(k), COUNT(*) FROM t22m_u WHERE %s", w))
	}
	runs("SELECT MAX(u), MIN(u), COUNT(*) FROM t22m_u WHERE u BETWEEN 0 AND 9")
	// a DECIMAL(6,2): MAX(d), COUNT(*) … d <= 1.005 said 1.01, 2 on one
	// table (1.00, 2 through shardsql); bounds beyond an INT's range are
	// compared exactly by the lookup and run
	for _, w := range []string{"d <= 1.005", "d BETWEEN 0 AND 1.005", "d >= 1.005", "d < 10000", "d > '1.001'"} {
		refused(fmt.Sprintf("SELECT MAX(d), COUNT(*) FROM t22m_i WHERE %s", w))
		runs(fmt.Sprintf("SELECT k, d FROM t22m_i WHERE %s", w))
	}
	for _, w := range []string{"d <= 1.01", "d BETWEEN 0 AND 1.010", "d >= -5", "d < 9999.99", "k < 2147483648", "k > -3000000000", "k BETWEEN -5 AND 3000000000"} {
		runs(fmt.Sprintf("SELECT MAX(d), MIN(k), COUNT(*) FROM t22m_i WHERE %s", w))
	}
	e.run(t, "min/max", sts)
}
