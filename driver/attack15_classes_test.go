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

// TestAttack15Passed pins one statement of each hand class of round 15
// that ran exactly (or was refused where marked) over the grown tables:
// binary, latin1, utf8mb3 and unicode_520 keys, BIGINT beyond 2⁵³, Range
// bounds against fractions and strings, week and year edges, INSERT …
// RETURNING in VALUES order, ORM-style OR of pairs, LIMIT ?, ? arguments.
func TestAttack15Passed(t *testing.T) {
	e := newDMLEnvOf(t, "attack15_passed", nil, dmlTables15)
	sts := []dmlStmt{
		{sql: "INSERT INTO d_vb (k, id) VALUES ('ab', 1), ('AB', 2), ('a ', 3), (12, 4), ('x\\0', 5)", mustRun: true},
		{sql: "INSERT INTO d_vb (k, id) VALUES (X'6162', 6)", refuse: "hexLiteral"},
		{sql: "SELECT HEX(k), id FROM d_vb WHERE k IN ('ab', 'a', 12)", query: true, mustRun: true},
		{sql: "INSERT INTO d_b4 (k, id) VALUES ('abcd', 1), ('ab\\0\\0', 2)", mustRun: true},
		{sql: "INSERT INTO d_b4 (k, id) VALUES ('ab', 3)", refuse: "zero bytes"},
		{sql: "SELECT HEX(k), id FROM d_b4 WHERE k = 'ab'", query: true},
		{sql: "INSERT INTO d_l1 (k, id) VALUES ('a', 1), ('A ', 2), ('Y', 3)", mustRun: true},
		{sql: "INSERT INTO d_l1 (k, id) VALUES ('ä', 4)", refuse: "converts to latin1"},
		{sql: "SELECT k, id FROM d_l1 WHERE k IN ('A', 'y ')", query: true, mustRun: true},
		{sql: "INSERT INTO d_mb3 (k, id) VALUES ('😂', 1)", refuse: "outside utf8mb3"},
		{sql: "INSERT INTO d_520 (k, id) VALUES ('ß', 1), ('ss', 2), ('😀', 3), ('😂', 4)", mustRun: true},
		{sql: "SELECT k, id FROM d_520 WHERE k = 'SS' OR k = '😀'", query: true, mustRun: true},
		{sql: "INSERT INTO d_big (k, id) VALUES (9007199254740992, 1), ('9007199254740993', 2), (9007199254740994, 3)", mustRun: true},
		{sql: "SELECT k, id FROM d_big WHERE k = '9007199254740993'", query: true, mustRun: true},
		{sql: "SELECT k, id FROM d_big WHERE k IN (9007199254740993, '5')", query: true, mustRun: true},
		{sql: "INSERT INTO d_rng (k, id) VALUES (-5, 1), (0, 2), (999, 3), ('1000', 4), (1999, 5), (2000, 6)", mustRun: true},
		{sql: "SELECT k, id FROM d_rng WHERE k > 999.5", query: true, mustRun: true},
		{sql: "SELECT k, id FROM d_rng WHERE k < '1e3'", query: true, mustRun: true},
		{sql: "SELECT k, id FROM d_rng WHERE k BETWEEN ? AND ?", args: []any{"-0.5", 999.9}, query: true, mustRun: true},
		{sql: "UPDATE d_rng SET k = 1999 WHERE k = 999", mustRun: true},
		{sql: "INSERT INTO d_rngu (k, id) VALUES (5, 1), (9223372036854775807, 2), (9223372036854775808, 3)", mustRun: true},
		{sql: "SELECT k, id FROM d_rngu WHERE k >= 9223372036854775807.5", query: true, mustRun: true},
		{sql: "INSERT INTO d_mod (k, id) VALUES (-3, 1), ('-1', 2), (7, 3)", mustRun: true},
		{sql: "SELECT k, id FROM d_mod WHERE k IN (-3, '-1', 7.0)", query: true, mustRun: true},
		{sql: "INSERT INTO d_wk (at, id) VALUES ('2025-06-29 23:59:59.999', 1), ('2025-06-30', 2)", mustRun: true},
		{sql: "INSERT INTO d_wk (at, id) VALUES ('2025-06-29 23:59:59.9995', 3)", refuse: "next day"},
		{sql: "SELECT at, id FROM d_wk WHERE at > '2025-06-29 23:59:59.9991'", query: true, mustRun: true},
		{sql: "INSERT INTO d_yr (at, id) VALUES ('2024-12-31 23:59:59.99', 1), ('2025-01-01', 2)", mustRun: true},
		{sql: "SELECT at, id FROM d_yr WHERE at >= '2024-12-31 23:59:59.995'", query: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, v) VALUES (9, 1, 'a'), (2, 2, 'b'), (5, 3, 'c') RETURNING id, k", query: true, ordered: true, mustRun: true},
		{sql: "REPLACE INTO d_int (k, id, v) VALUES (2, 2, 'r'), (11, 4, 'r'), (9, 1, 'r') RETURNING id, v", query: true, ordered: true, mustRun: true},
		{sql: "SELECT k, id, v FROM d_int WHERE (k = ? AND id = ?) OR (k = ? AND id = ?)", args: []any{9, 1, "2", "2"}, query: true, mustRun: true},
		{sql: "SELECT k, id FROM d_int ORDER BY k, id LIMIT ?, ?", args: []any{"1", []byte("2")}, query: true, ordered: true, mustRun: true},
		{sql: "SELECT k, id FROM d_int WHERE k NOT IN (?, ?)", args: []any{9, nil}, query: true, mustRun: true},
	}
	e.run(t, "passed", sts)
}

// TestAttack15Latin1EmptyString: merging rows of a latin1 column
// converts each value to latin1 in a reused buffer; after an empty
// string the buffer had capacity 0 and the next value's conversion
// panicked inside Vitess's charset code (seed 15104), crashing the
// caller. Rows of several nodes ordered across nodes, empty strings among them.
func TestAttack15Latin1EmptyString(t *testing.T) {
	var tables []dmlTable
	for _, tb := range dmlTables15 {
		if tb.name == "d_l1" {
			tables = append(tables, tb)
		}
	}
	e := newDMLEnvOf(t, "attack15_latin1", nil, tables)
	sts := []dmlStmt{
		{sql: "INSERT INTO d_l1 (k, id) VALUES ('', 1), ('a', 2), ('b', 3), ('c', 4), ('d', 5), ('e', 6), ('', 7), ('f', 8), ('g', 9), ('h', 10)", mustRun: true},
		{sql: "SELECT k, id FROM d_l1 ORDER BY k, id", query: true, ordered: true, mustRun: true},
		{sql: "SELECT k, id FROM d_l1 ORDER BY k DESC, id LIMIT ?, ?", args: []any{1, 5}, query: true, ordered: true, mustRun: true},
		{sql: "SELECT k, COUNT(*) FROM d_l1 GROUP BY k ORDER BY k", query: true, ordered: true, mustRun: true},
		{sql: "SELECT MIN(k), MAX(k) FROM d_l1", query: true, mustRun: true},
	}
	e.run(t, "latin1 empty string", sts)
}
