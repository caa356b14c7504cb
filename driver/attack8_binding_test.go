package driver_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// a8BindTables: b8_ev and b8_item are time tables by month, bound to each
// other; b8_int and b8_txt are hashed, bound to each other, with an INT
// and a VARCHAR sharding column (equal in a join as numbers, hashed
// differently); b8_dt and b8_date are bound by day with DATETIME and DATE
// columns.
var a8BindTables = []dmlTable{
	{name: "b8_ev", key: "at", cols: "at DATETIME NOT NULL, id INT NOT NULL, kind INT NOT NULL, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.b8_ev_${2025-01..2025-06|month|200601}, ds1.b8_ev_${2025-07..2025-12|month|200601}"},
	{name: "b8_item", key: "at", cols: "at DATETIME NOT NULL, ev INT NOT NULL, seq INT NOT NULL, PRIMARY KEY (at, ev, seq)", order: "at, ev, seq",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.b8_item_${2025-01..2025-06|month|200601}, ds1.b8_item_${2025-07..2025-12|month|200601}"},
	{name: "b8_int", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "b8_txt", key: "k", cols: "k VARCHAR(10) NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "b8_dt", key: "at", cols: "at DATETIME NOT NULL, id INT NOT NULL, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.b8_dt_${2025-06-28..2025-06-30|day|20060102}, ds1.b8_dt_${2025-07-01..2025-07-03|day|20060102}"},
	{name: "b8_date", key: "at", cols: "at DATE NOT NULL, id INT NOT NULL, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.b8_date_${2025-06-28..2025-06-30|day|20060102}, ds1.b8_date_${2025-07-01..2025-07-03|day|20060102}"},
}

// TestAttack8BindingJoins attacks joins of bound tables (pushed down per
// node pair) and of time tables with a broadcast table: bound columns of
// different types, equal values spelled differently, edges of the time
// ranges, outer joins.
func TestAttack8BindingJoins(t *testing.T) {
	e := newDMLEnvOf(t, "a8_bind", nil, a8BindTables)
	require.NoError(t, e.topo.Bind("b8_ev", "b8_item"))
	require.NoError(t, e.topo.Bind("b8_int", "b8_txt"))
	require.NoError(t, e.topo.Bind("b8_dt", "b8_date"))
	require.NoError(t, e.topo.AddBroadcastTable("b8_kind"))
	for _, q := range []string{"DROP TABLE IF EXISTS b8_kind", "CREATE TABLE b8_kind (kind INT PRIMARY KEY, name VARCHAR(10))", "INSERT INTO b8_kind VALUES (1, 'a'), (2, 'b')"} {
		_, err := e.oracle.Exec(q)
		require.NoError(t, err, q)
		_, err = e.sharded.Exec(q)
		require.NoError(t, err, q)
	}
	sts := []dmlStmt{
		{sql: "INSERT INTO b8_ev (at, id, kind) VALUES ('2025-06-30 23:59:59', 1, 1), ('2025-07-01 00:00:00', 2, 2), ('2025-07-15', 3, 1)", mustRun: true},
		{sql: "INSERT INTO b8_item (at, ev, seq) VALUES ('2025-06-30 23:59:59', 1, 1), ('2025-07-01', 2, 1), ('2025-07-15 00:00:00', 3, 1), ('2025-07-15', 3, 2)", mustRun: true},
		{sql: "INSERT INTO b8_int (k, id) VALUES (7, 1), (8, 2), (70, 3)", mustRun: true},
		{sql: "INSERT INTO b8_txt (k, id) VALUES ('7', 1), ('07', 2), (' 7', 3), ('7.0', 4), ('8', 5), ('7e1', 6)"},
		{sql: "INSERT INTO b8_dt (at, id) VALUES ('2025-06-30 00:00:00', 1), ('2025-07-01 00:00:00', 2), ('2025-06-30 12:00:00', 3)", mustRun: true},
		{sql: "INSERT INTO b8_date (at, id) VALUES ('2025-06-30', 1), ('2025-07-01', 2)", mustRun: true},
		{sql: "SELECT e.id, i.seq FROM b8_ev e JOIN b8_item i ON i.at = e.at AND i.ev = e.id", query: true},
		{sql: "SELECT e.id, i.seq FROM b8_ev e JOIN b8_item i ON i.at = e.at AND i.ev = e.id WHERE e.at BETWEEN '2025-06-30 23:59:59' AND '2025-07-01'", query: true},
		{sql: "SELECT e.id, i.seq FROM b8_ev e LEFT JOIN b8_item i ON i.at = e.at AND i.ev = e.id AND i.seq > 1", query: true},
		{sql: "SELECT e.id, k.name FROM b8_ev e JOIN b8_kind k ON k.kind = e.kind WHERE e.at >= '2025-07-01'", query: true},
		{sql: "SELECT e.id, k.name FROM b8_kind k LEFT JOIN b8_ev e ON k.kind = e.kind AND e.at < '2025-07-01'", query: true},
		{sql: "SELECT e.id, i.seq FROM b8_ev e JOIN b8_item i ON i.ev = e.id", query: true},
		{sql: "SELECT a.id, b.id FROM b8_int a JOIN b8_txt b ON a.k = b.k", query: true},
		{sql: "SELECT a.id, b.id FROM b8_int a JOIN b8_txt b ON b.k = a.k WHERE a.k = 7", query: true},
		{sql: "SELECT a.id, b.id FROM b8_int a LEFT JOIN b8_txt b ON a.k = b.k", query: true},
		{sql: "SELECT COUNT(*) FROM b8_int a JOIN b8_txt b ON a.k = b.k", query: true},
		{sql: "SELECT a.id, b.id FROM b8_dt a JOIN b8_date b ON a.at = b.at", query: true},
		{sql: "SELECT a.id, b.id FROM b8_dt a JOIN b8_date b ON DATE(a.at) = b.at", query: true},
		{sql: "SELECT a.id, b.id FROM b8_dt a LEFT JOIN b8_date b ON a.at = b.at", query: true},
		{sql: "UPDATE b8_ev e JOIN b8_item i ON i.at = e.at AND i.ev = e.id SET i.seq = i.seq + 10 WHERE e.at = '2025-07-15'"},
		{sql: "DELETE i FROM b8_item i JOIN b8_ev e ON i.at = e.at AND i.ev = e.id WHERE e.kind = 2"},
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "binding", sts))
}
