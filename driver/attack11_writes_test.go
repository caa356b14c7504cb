package driver_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// a11ImplicitTables are sharded by a column the server fills or changes
// by itself: a STORED and a VIRTUAL generated column, and a DATETIME with
// ON UPDATE CURRENT_TIMESTAMP.
var a11ImplicitTables = []dmlTable{
	{name: "g_sto", key: "k", intKey: true, cols: "id INT NOT NULL, k INT AS (id % 7) STORED, n INT NOT NULL DEFAULT 0, UNIQUE KEY u (k, id)", order: "k, id"},
	{name: "g_vir", key: "k", intKey: true, cols: "id INT NOT NULL, k INT AS (id % 5) VIRTUAL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (id), KEY (k)", order: "id"},
	{name: "g_upd", key: "at", cols: "at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.g_upd_${2025-01..2025-12|month|200601}, ds1.g_upd_${2026-01..2026-12|month|200601}"},
	{name: "r_int", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
}

// TestAttack11Writes: first, tables sharded by a column the server writes
// by itself. Found by the round-11 attack: outside strict mode an INSERT
// naming a generated key stored the computed value on the given value's
// node; an UPDATE of a column a generated key reads, or any UPDATE and ON
// DUPLICATE KEY UPDATE of a table whose time key is ON UPDATE
// CURRENT_TIMESTAMP, changed the key and left the row on its old node
// (misplaced). Now refused; updates that leave the key alone still run.
//
// Then SET statements the parser cannot read (variables it takes for
// keywords: timestamp, last_insert_id, sql_buffer_result, …). Found by
// the round-11 attack: they went to the default data source alone, so
// after SET timestamp = … NOW() answered the fixed time on ds0 and the
// real one on ds1. Now refused; SET @@timestamp runs on every data
// source.
func TestAttack11Writes(t *testing.T) {
	e := newDMLEnvOf(t, "a11_writes", nil, a11ImplicitTables)
	t.Run("implicit_keys", func(t *testing.T) { a11ImplicitKeys(t, e) })
	t.Run("unparsed_set", func(t *testing.T) { a11UnparsedSet(t, e) })
	t.Run("row_count", func(t *testing.T) { a11RowCount(t, e) })
	t.Run("div_precision", func(t *testing.T) { a11DivPrecision(t, e) })
}

// a11DivPrecision: AVG and division, DATE_FORMAT and WEEK over rows merged
// above the nodes after SET div_precision_increment, lc_time_names and
// default_week_format. Found by the round-11 attack: after SET
// div_precision_increment = 8, AVG(n) over every node answered with 4
// digits of scale (merge divides with the default increment), one server
// with 8; under lc_time_names = 'de_DE' DATE_FORMAT(at, '%a %b') over a
// CTE answered 'Mon Apr' ('Mo Apr'); under default_week_format = 3 WEEK(at)
// over a derived table answered mode 0's week. Now refused while the
// session's setting is not the default; what the nodes compute (row
// expressions, one node) still runs.
func a11DivPrecision(t *testing.T, e *dmlEnv) {
	e.reset(t)
	var rows []string
	for k := 1; k <= 24; k++ {
		rows = append(rows, fmt.Sprintf("(%d, %d, %d)", k, k, k*k%7))
	}
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	qm := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true, mustRun: true} }
	r := func(sql string) dmlStmt {
		return dmlStmt{sql: sql, session: true, query: true, refuse: "over rows merged from several nodes after SET"}
	}
	sts := []dmlStmt{
		m("INSERT INTO r_int (k, id, n) VALUES " + strings.Join(rows, ", ")),
		qm("SELECT AVG(n), SUM(n) / COUNT(*) FROM r_int"),
		m("SET div_precision_increment = 8"),
		r("SELECT AVG(n) FROM r_int"),
		r("SELECT AVG(DISTINCT n) FROM r_int"),
		r("SELECT n % 3 AS g, AVG(n) FROM r_int GROUP BY g ORDER BY g"),
		r("SELECT SUM(n) / COUNT(*) FROM r_int"),
		r("SELECT n, COUNT(*) FROM r_int GROUP BY n HAVING COUNT(*) / 2 > 1 ORDER BY n"),
		r("SELECT AVG(n) FROM (SELECT n FROM r_int ORDER BY k LIMIT 10) x"),
		r("SELECT x.q FROM (SELECT k, n / 7 AS q FROM r_int ORDER BY k LIMIT 5) x ORDER BY x.q / 3"),
		qm("SELECT k, n / 7, n DIV 2 FROM r_int ORDER BY k"),
		qm("SELECT AVG(n), SUM(n) / COUNT(*) FROM r_int WHERE k = 5"),
		qm("SELECT MAX(n), COUNT(*) FROM r_int"),
		m("SET @@SESSION.div_precision_increment = 4"),
		qm("SELECT AVG(n), SUM(n) / COUNT(*) FROM r_int"),
		m("SET div_precision_increment = 0"),
		r("SELECT AVG(n) FROM r_int"),
		m("SET div_precision_increment = DEFAULT"),
		qm("SELECT AVG(n), SUM(n) / COUNT(*) FROM r_int"),
		// lc_time_names and default_week_format: DATE_FORMAT and WEEK
		// above merged rows answered 'Mon Apr' and mode 0's week
		m("INSERT INTO g_upd (at, id, n) VALUES ('2025-04-07 10:00:00', 1, 1), ('2025-03-31 10:00:00', 2, 1), ('2026-03-01 10:00:00', 3, 1), ('2026-01-04 10:00:00', 4, 1)"),
		m("SET lc_time_names = 'de_DE'"),
		r("WITH c AS (SELECT at, id FROM g_upd ORDER BY id LIMIT 3) SELECT id, DATE_FORMAT(at, '%a %b') FROM c ORDER BY id"),
		r("SELECT d, COUNT(*) FROM (SELECT MONTHNAME(at) AS d FROM g_upd ORDER BY id LIMIT 3) x GROUP BY d ORDER BY d"),
		qm("SELECT id, DATE_FORMAT(at, '%a %b'), MONTHNAME(at) FROM g_upd ORDER BY id"),
		qm("SELECT id, DATE_FORMAT(at, '%W') FROM g_upd WHERE at = '2025-04-07 10:00:00'"),
		m("SET lc_time_names = DEFAULT, default_week_format = 3"),
		qm("WITH c AS (SELECT at, id FROM g_upd ORDER BY id LIMIT 3) SELECT id, DATE_FORMAT(at, '%a %b') FROM c ORDER BY id"),
		r("SELECT id, WEEK(at) FROM (SELECT id, at FROM g_upd ORDER BY id LIMIT 3) x ORDER BY id"),
		qm("SELECT id, WEEK(at, 3) FROM (SELECT id, at FROM g_upd ORDER BY id LIMIT 3) x ORDER BY id"),
		qm("SELECT id, WEEK(at) FROM g_upd ORDER BY id"),
		m("SET default_week_format = 0"),
		qm("SELECT id, WEEK(at) FROM (SELECT id, at FROM g_upd ORDER BY id LIMIT 3) x ORDER BY id"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "div_precision", sts))
}

// a11RowCount: ROW_COUNT() and FOUND_ROWS() after a statement that ran as
// several node statements on one data source (its two node tables). Found
// by the round-11 attack: the session answered for the last node
// statement, or for the COMMIT of the multi-node write's internal
// transaction (0 where one table answers 4). Now refused like state
// several data sources hold; after one node statement they still answer.
func a11RowCount(t *testing.T, e *dmlEnv) {
	e.reset(t)
	// two keys on each node table of ds0
	byNode := map[string][]int{}
	var keys []string
	for k := 1; k <= 60 && len(keys) < 4; k++ {
		plan, err := driver.Explain(context.Background(), e.sharded, "DELETE FROM r_int WHERE k = ?", k)
		require.NoError(t, err)
		n := plan.Units[0].Node
		if n.DataSource != "ds0" || len(byNode[n.Table]) == 2 {
			continue
		}
		byNode[n.Table] = append(byNode[n.Table], k)
		keys = append(keys, strconv.Itoa(k))
	}
	require.Len(t, keys, 4, "keys of ds0's node tables")
	in := strings.Join(keys, ", ")
	one := keys[0]
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	qm := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true, mustRun: true} }
	r := func(sql string) dmlStmt {
		return dmlStmt{sql: sql, session: true, query: true, refuse: "several node statements"}
	}
	var rows []string
	for _, k := range keys {
		rows = append(rows, "("+k+", "+k+", 1)")
	}
	sts := []dmlStmt{
		m("INSERT INTO r_int (k, id, n) VALUES " + strings.Join(rows, ", ")),
		r("SELECT ROW_COUNT()"),
		m("UPDATE r_int SET n = n + 1 WHERE k IN (" + in + ")"),
		r("SELECT ROW_COUNT()"),
		m("INSERT INTO r_int (k, id, n) VALUES " + strings.Join(rows, ", ") + " ON DUPLICATE KEY UPDATE n = n + 1"),
		r("SELECT ROW_COUNT()"),
		m("INSERT IGNORE INTO r_int (k, id, n) VALUES " + strings.Join(rows, ", ")),
		r("SELECT ROW_COUNT()"),
		m("DELETE FROM r_int WHERE k IN (" + in + ") AND n > 100"),
		r("SELECT ROW_COUNT()"),
		q("SELECT k FROM r_int WHERE k IN (" + in + ") ORDER BY k LIMIT 1"),
		r("SELECT FOUND_ROWS()"),
		m("UPDATE r_int SET n = n + 1 WHERE k = " + one),
		qm("SELECT ROW_COUNT()"),
		q("SELECT k FROM r_int WHERE k = " + one),
		qm("SELECT ROW_COUNT(), FOUND_ROWS()"),
		m("DELETE FROM r_int WHERE k IN (" + in + ")"),
		r("SELECT ROW_COUNT()"),
	}
	t.Logf("keys %s: %d statements, %d refused", in, len(sts), e.run(t, "row_count", sts))
}

func a11UnparsedSet(t *testing.T, e *dmlEnv) {
	e.reset(t)
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, session: true, refuse: why} }
	sts := []dmlStmt{
		m("INSERT INTO g_upd (at, id, n) VALUES ('2025-05-05 00:00:00', 1, 1), ('2026-02-01 00:00:00', 2, 1)"),
		r("SET timestamp = 1000000000", "parser cannot read"),
		r("SET SESSION TIMESTAMP = 1000000000", "parser cannot read"),
		r("set /* c */ timestamp = 1000000000", "parser cannot read"),
		r("SET LOCAL timestamp = DEFAULT", "parser cannot read"),
		r("SET last_insert_id = 7", "parser cannot read"),
		r("SET sql_buffer_result = 1", "parser cannot read"),
		r("SET delay_key_write = OFF", "parser cannot read"),
		r("SET @@session.last_insert_id = 7", "last_insert_id"),
		q("SELECT NOW() > '2020-01-01', id FROM g_upd"),
		m("SET @@timestamp = 1000000000"),
		q("SELECT NOW(), id FROM g_upd"),
		q("SELECT NOW(), UNIX_TIMESTAMP(), id FROM g_upd WHERE at = '2026-02-01 00:00:00'"),
		m("SET @@SESSION.timestamp = DEFAULT"),
		q("SELECT NOW() > '2020-01-01', id FROM g_upd"),
		q("SELECT id FROM g_upd WHERE at < NOW() ORDER BY id"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "unparsed_set", sts))
}

func a11ImplicitKeys(t *testing.T, e *dmlEnv) {
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true} }
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, session: true, refuse: why} }
	sts := []dmlStmt{
		m("SET @@timestamp = 1772600767"), // 2026-03-04 05:06:07 UTC
		r("INSERT INTO g_sto (id, n) VALUES (1, 1), (2, 2), (10, 3)", "generated column"),
		r("INSERT INTO g_sto (id, k, n) VALUES (3, 3, 1)", "generated column"),
		r("INSERT INTO g_sto (id, k, n) VALUES (4, 6, 1)", "generated column"),
		r("REPLACE INTO g_sto (id, k, n) VALUES (4, 4, 1)", "generated column"),
		r("INSERT INTO g_sto (id, k, n) VALUES (1, 1, 9) ON DUPLICATE KEY UPDATE id = id + 1", "generated column"),
		r("UPDATE g_sto SET id = 11 WHERE k = 3 AND id = 10", "generated from"),
		r("UPDATE g_sto SET n = 2, `ID` = 11 WHERE k = 3", "generated from"),
		r("UPDATE g_sto t SET t.id = 11 WHERE k = 3", "generated from"),
		m("UPDATE g_sto SET n = n + 1 WHERE k = 3"),
		q("SELECT id, k FROM g_sto WHERE k = 4"),
		r("INSERT INTO g_vir (id, n) VALUES (1, 1), (2, 2), (10, 3)", "generated column"),
		r("INSERT INTO g_vir (id, k, n) VALUES (3, 3, 1)", "generated column"),
		r("UPDATE g_vir SET id = 11 WHERE k = 0 AND id = 10", "generated from"),
		m("UPDATE g_vir SET n = 7 WHERE id = 10"),
		q("SELECT id, k FROM g_vir WHERE k = 1"),
		m("INSERT INTO g_upd (at, id, n) VALUES ('2025-05-05 00:00:00', 1, 1), ('2026-02-01 00:00:00', 2, 1)"),
		s("INSERT INTO g_upd (id, n) VALUES (3, 1)"),
		r("UPDATE g_upd SET n = n + 1 WHERE at = '2025-05-05 00:00:00'", "ON UPDATE CURRENT_TIMESTAMP"),
		r("UPDATE g_upd SET n = n + 1", "ON UPDATE CURRENT_TIMESTAMP"),
		r("INSERT INTO g_upd (at, id, n) VALUES ('2026-02-01 00:00:00', 2, 1) ON DUPLICATE KEY UPDATE n = n + 5", "ON UPDATE CURRENT_TIMESTAMP"),
		m("INSERT INTO g_upd (at, id, n) VALUES ('2026-02-01 00:00:00', 2, 1) ON DUPLICATE KEY UPDATE at = VALUES(at), n = n + 5"),
		m("INSERT INTO g_upd (at, id, n) VALUES ('2026-02-01 00:00:00', 2, 1) ON DUPLICATE KEY UPDATE n = n + 5, at = at"),
		m("UPDATE g_upd SET at = '2026-02-02 00:00:00', n = 9 WHERE at = '2025-05-05 00:00:00' AND id = 1"),
		q("SELECT at, id, n FROM g_upd"),
		m("SET sql_mode = ''"),
		r("INSERT INTO g_sto (id, k, n) VALUES (20, 2, 1)", "generated column"),
		r("INSERT INTO g_vir (id, k, n) VALUES (20, 2, 1)", "generated column"),
		m("SET sql_mode = DEFAULT"),
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "implicit", sts))
}
