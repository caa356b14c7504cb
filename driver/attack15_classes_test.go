package driver_test

import (
	"testing"
	"time"

	"github.com/shardsql/shardsql/shard"
)

// attack15FitTables are tables whose algorithm cannot take the values of
// their sharding column's type as the router converts them: Hash over a
// DATETIME and a DATE column (time.Time), Mod over a VARCHAR one (the
// collation's bytes), Interval over an INT one (integers).
var attack15FitTables = []dmlTable{
	{name: "f_hdt", key: "at", cols: "at DATETIME NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Hash(), nodes: "ds${0..1}.f_hdt_${0..1}"},
	{name: "f_hdate", key: "at", cols: "at DATE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Hash(), nodes: "ds${0..1}.f_hdate_${0..1}"},
	{name: "f_modtxt", key: "k", cols: "k VARCHAR(10) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Mod(), nodes: "ds${0..1}.f_modtxt_${0..1}"},
	{name: "f_ivint", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.f_ivint_202506, ds1.f_ivint_202507"},
}

// TestAttack15AlgorithmFit: a table whose algorithm cannot place its
// sharding column's values failed every statement naming a key with a
// plain error ("hash: cannot shard a value of type time.Time"). Writes
// that must name a node are refused, reads and writes by key go to every
// node and answer as one table.
func TestAttack15AlgorithmFit(t *testing.T) {
	e := newDMLEnvOf(t, "attack15_fit", nil, attack15FitTables)
	const cannot = "cannot place the values of a"
	sts := []dmlStmt{
		{sql: "INSERT INTO f_hdt (at, id) VALUES ('2025-07-01 12:00:00', 1)", refuse: cannot},
		{sql: "INSERT INTO f_hdt (at, id) VALUES (?, 2)", args: []any{"2025-07-01"}, refuse: cannot},
		{sql: "INSERT INTO f_hdate (at, id) VALUES (20250701, 1)", refuse: cannot},
		{sql: "INSERT INTO f_modtxt (k, id) VALUES ('7', 1)", refuse: cannot},
		{sql: "INSERT INTO f_ivint (k, id) VALUES (7, 1), (8, 2)", refuse: cannot},
		{sql: "REPLACE INTO f_ivint SET k = 7, id = 1", refuse: cannot},
		{sql: "UPDATE f_hdt SET at = '2025-07-03' WHERE id = 1", refuse: cannot},
		{sql: "UPDATE f_modtxt SET k = 'x' WHERE id = 1", refuse: cannot},
		{sql: "SELECT at, id FROM f_hdt WHERE at = '2025-07-01 12:00:00'", query: true, mustRun: true},
		{sql: "SELECT at, id FROM f_hdt WHERE at IN (?, '2025-07-02')", args: []any{"2025-07-01"}, query: true, mustRun: true},
		{sql: "SELECT at, id FROM f_hdt WHERE at BETWEEN '2025-07-01' AND '2025-07-02'", query: true, mustRun: true},
		{sql: "SELECT at, id FROM f_hdate WHERE at = '2025-07-01' OR at = 20250702", query: true, mustRun: true},
		{sql: "SELECT k, id FROM f_modtxt WHERE k IN ('7', 'a')", query: true, mustRun: true},
		{sql: "SELECT k, id FROM f_ivint WHERE k = 7", query: true, mustRun: true},
		{sql: "SELECT k, id FROM f_ivint WHERE k = 7.5", query: true, mustRun: true},
		{sql: "SELECT k, id FROM f_ivint WHERE k > 7", query: true, mustRun: true},
		{sql: "SELECT k, id FROM f_ivint WHERE k BETWEEN 1 AND 9", query: true, mustRun: true},
		{sql: "UPDATE f_hdt SET n = 1 WHERE at = '2025-07-01'", mustRun: true},
		{sql: "DELETE FROM f_ivint WHERE k IN (7, 8)", mustRun: true},
		{sql: "DELETE FROM f_modtxt WHERE k = ?", args: []any{"7"}, mustRun: true},
	}
	for i := range sts {
		sts[i].prepared = len(sts[i].args) > 0
	}
	e.run(t, "algorithm fit", sts)
}

// TestAttack15InexactIn: an IN list holding a time with more fractional
// digits than the column keeps was cut to each node's own values, and a
// node left with one value read `at IN (v)` as `at = v`, which MariaDB
// matches through the index with v cut to the column's precision, where
// the statement's list of several values matches nothing (seed 15101,
// statement 373).
func TestAttack15InexactIn(t *testing.T) {
	e := newDMLEnvOf(t, "attack15_inexact", nil, dmlTables)
	frac := time.Date(2025, 7, 3, 0, 0, 0, 400000000, time.UTC)
	sts := []dmlStmt{
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-07-03 00:00:00', 1), ('2025-06-30 23:59:59', 2), ('2025-06-15', 3)", mustRun: true},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES ('2025-07-02 00:00:00', 1), ('2025-06-29', 2)", mustRun: true},
		{sql: "INSERT INTO d_date (at, id) VALUES ('2025-07-01', 1), ('2025-06-29', 2)", mustRun: true},
		{sql: "SELECT at, id FROM d_dt WHERE at IN (?, ?, ?)", args: []any{frac, "20250630235959", nil}, query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt WHERE at IN ('2025-07-03 00:00:00.4', '2025-06-30 23:59:59')", query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt WHERE at IN ('2025-07-03 00:00:00.4', '2025-06-15')", query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt WHERE at IN ('2025-07-03 00:00:00.4', '2025-06-30 23:59:59') AND id > 0", query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt6 WHERE at IN ('2025-07-02 00:00:00.0000004', '2025-06-29')", query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_date WHERE at IN ('2025-07-01 12:00:00', '2025-06-29')", query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_date WHERE at IN ('2025-07-01 00:00:00.5', '2025-06-29')", query: true, mustRun: true},
		{sql: "UPDATE d_dt SET n = n + 1 WHERE at IN (?, '2025-06-15')", args: []any{frac}, mustRun: true},
		{sql: "DELETE FROM d_dt WHERE at IN ('2025-07-03 00:00:00.4', '2025-06-15')", mustRun: true},
		{sql: "SELECT at, id, n FROM d_dt", query: true, mustRun: true},
	}
	e.run(t, "inexact IN", sts)
}
