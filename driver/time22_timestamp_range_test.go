package driver_test

import (
	"testing"
	"time"

	"github.com/shardsql/shardsql/shard"
)

// TestTime22TimestampRange: a TIMESTAMP key beyond the type's range
// (before 1970-01-01 00:00:01 or after 2038-01-19 03:14:07 UTC) is stored
// by MariaDB as 0000-00-00 00:00:00 outside strict sql_mode. Placed by the
// value as written, INSERT … ('2039-06-01') put the zero row in 2039's
// table, where WHERE k < '1970-06-01' (one table answers it with the zero
// row) does not look. Such keys (and any within a day of the edges, for
// the session's time zone) are refused as INSERT values, key moves and
// arguments; keys inside run.
func TestTime22TimestampRange(t *testing.T) {
	e := newDMLEnvOf(t, "t22_tsrange", nil, []dmlTable{
		{name: "t22r", key: "k", cols: "k TIMESTAMP NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id",
			alg: shard.Interval(shard.Year, "2006"), nodes: "ds0.t22r_1969, ds0.t22r_1970, ds1.t22r_${2037..2039|year|2006}"},
	})
	const refusal = "beyond the edge of a TIMESTAMP column's range"
	var sts []dmlStmt
	for _, mode := range []string{"", "STRICT_ALL_TABLES"} {
		sts = append(sts, dmlStmt{sql: "SET sql_mode = '" + mode + "'", session: true})
		for _, q := range []string{"('1970-01-01 00:00:00', 1)", "('1970-01-01 00:00:01', 2)", "('2038-01-19 03:14:07', 3)", "('2038-01-19 03:14:08', 4)",
			"('2039-06-01', 5)", "('1969-12-31 23:59:59', 6)", "(19691231, 7)", "(20390601000000, 8)", "('2038-01-19', 9)"} {
			sts = append(sts, dmlStmt{sql: "INSERT INTO t22r (k, id) VALUES " + q, session: true, refuse: refusal})
		}
		sts = append(sts,
			dmlStmt{sql: "INSERT INTO t22r (k, id) VALUES ('1970-06-01', 10), ('2037-12-31 23:59:59', 11), ('1970-01-02 00:00:00', 12)", session: true, mustRun: true},
			dmlStmt{sql: "UPDATE t22r SET k = '2039-06-01' WHERE id = 10", session: true, refuse: refusal},
			dmlStmt{sql: "INSERT INTO t22r (k, id) VALUES ('1970-06-01', 10) ON DUPLICATE KEY UPDATE id = 13", session: true, mustRun: true},
			dmlStmt{sql: "SELECT k, id FROM t22r WHERE k < '1970-06-01'", session: true, query: true, mustRun: true},
			dmlStmt{sql: "SELECT k, id FROM t22r WHERE k >= '2038-01-01' OR k = '0000-00-00'", session: true, query: true},
			dmlStmt{sql: "DELETE FROM t22r", session: true, mustRun: true},
		)
	}
	for i, a := range []any{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2038, 1, 19, 3, 14, 8, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), "2039-06-01 00:00:00"} {
		sts = append(sts, dmlStmt{sql: "INSERT INTO t22r (k, id) VALUES (?, ?)", args: []any{a, 100 + i}, refuse: refusal})
	}
	sts = append(sts, dmlStmt{sql: "INSERT INTO t22r (k, id) VALUES (?, ?)", args: []any{time.Date(2037, 6, 1, 0, 0, 0, 0, time.UTC), 200}, mustRun: true})
	e.run(t, "timestamp range", sts)
}
