package driver_test

import (
	"testing"

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
