package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// a12SettingTables are the tables of TestAttack12ServerSettings.
var a12SettingTables = []dmlTable{
	{name: "e_int", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "e_dt", key: "at", cols: "at DATETIME NOT NULL, id INT NOT NULL, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.e_dt_${2025-01..2025-06|month|200601}, ds1.e_dt_${2025-07..2025-12|month|200601}"},
	{name: "e_gen", key: "id", intKey: true, gen: true, cols: "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL DEFAULT 0", order: "id"},
}

// a12Variant returns e's oracle and shardsql opened again (same servers,
// databases and tables) with DSNs that set params at connect, as
// go-sql-driver does with any parameter it does not know: the sessions
// start with those settings, as under a server whose globals are set.
func a12Variant(t *testing.T, e *dmlEnv, name string, params map[string]string) *dmlEnv {
	with := func(d string) string {
		cfg, err := mysql.ParseDSN(d)
		require.NoError(t, err)
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		for k, v := range params {
			cfg.Params[k] = v
		}
		return cfg.FormatDSN()
	}
	oracle, err := sql.Open("mysql", with(sharedDSNs(t, name+"_oracle")[0]))
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range sharedDSNs(t, name) {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), with(d)))
	}
	for _, tb := range e.tables {
		st, _ := e.topo.Table(tb.name)
		var nodes []string
		for _, n := range st.Nodes {
			nodes = append(nodes, n.String())
		}
		table := shard.Table{Name: tb.name, Column: tb.key, Nodes: strings.Join(nodes, ", "), Algorithm: tb.alg}
		if tb.alg == nil {
			table.Algorithm = shard.Hash()
		}
		if tb.gen {
			table.KeyColumn, table.KeyGenerator = tb.key, &dmlCounter{}
		}
		require.NoError(t, topo.AddTable(table))
	}
	// Session statements run on the variant's connections; contents and
	// placement are read through e's pools, in the default settings.
	v := *e
	ctx := context.Background()
	v.oconn, err = oracle.Conn(ctx)
	require.NoError(t, err)
	v.sconn, err = openDB(t, topo).Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.oconn.Close(); _ = v.sconn.Close() })
	return &v
}

// TestAttack12ServerSettings: sessions that start with settings other than
// MariaDB's compiled-in defaults, without any SET (round 11's left item:
// a server whose globals are set, or a DSN that sets them). Found by the
// round-12 attack: with div_precision_increment 8 at connect, AVG(n) over
// every node answered 4 digits of scale (the oracle 8); with lc_time_names
// de_DE, DATE_FORMAT over a CTE answered 'Mon' ('Mo'); with
// default_week_format 3, WEEK over a derived table answered mode 0's week;
// with sql_mode ANSI_QUOTES, `WHERE k = "1"` found the row where the
// oracle failed (a column named 1), and `SELECT "k" …` answered the text
// 'k'; with NO_AUTO_VALUE_ON_ZERO, DEFAULT for a generated key got an id
// where the oracle stored 0. Now refused; SET … = DEFAULT (the globals,
// the defaults here) or a literal default gives them back.
func TestAttack12ServerSettings(t *testing.T) {
	e := newDMLEnvOf(t, "a12_settings", nil, a12SettingTables)
	var rows []string
	for k := 1; k <= 24; k++ {
		rows = append(rows, fmt.Sprintf("(%d, %d, %d)", k, k, k*k%7))
	}
	m := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, mustRun: true} }
	qm := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true, mustRun: true} }
	q := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true} }
	r := func(sql, why string) dmlStmt { return dmlStmt{sql: sql, session: true, query: true, refuse: why} }
	const servers = "while the servers' session"

	t.Run("eval", func(t *testing.T) {
		e.reset(t)
		v := a12Variant(t, e, "a12_settings", map[string]string{"div_precision_increment": "8", "lc_time_names": "'de_DE'", "default_week_format": "3"})
		cte := "WITH c AS (SELECT at, id FROM e_dt ORDER BY id LIMIT 3) SELECT id, DATE_FORMAT(at, '%a %b') FROM c ORDER BY id"
		week := "SELECT id, WEEK(at) FROM (SELECT id, at FROM e_dt ORDER BY id LIMIT 3) x ORDER BY id"
		sts := []dmlStmt{
			m("INSERT INTO e_int (k, id, n) VALUES " + strings.Join(rows, ", ")),
			m("INSERT INTO e_dt (at, id) VALUES ('2025-04-07 10:00:00', 1), ('2025-03-31 10:00:00', 2), ('2025-09-01 10:00:00', 3)"),
			r("SELECT AVG(n) FROM e_int", servers),
			r("SELECT SUM(n) / COUNT(*) FROM e_int", servers),
			r(cte, servers),
			r(week, servers),
			qm("SELECT k, n / 7 FROM e_int ORDER BY k"),
			qm("SELECT AVG(n) FROM e_int WHERE k = 5"),
			qm("SELECT id, WEEK(at, 3) FROM (SELECT id, at FROM e_dt ORDER BY id LIMIT 3) x ORDER BY id"),
			m("SET div_precision_increment = 6"),
			r("SELECT AVG(n) FROM e_int", "after SET div_precision_increment"),
			m("SET div_precision_increment = DEFAULT"), // the global: 4
			qm("SELECT AVG(n), SUM(n) / COUNT(*) FROM e_int"),
			r(cte, servers),
			m("SET lc_time_names = 'en_US'"),
			qm(cte),
			r(week, servers),
			m("SET @@session.default_week_format = DEFAULT"),
			qm(week),
		}
		t.Logf("%d statements, %d refused", len(sts), v.run(t, "eval", sts))
	})

	t.Run("sql_mode", func(t *testing.T) {
		e.reset(t)
		v := a12Variant(t, e, "a12_settings", map[string]string{"sql_mode": "'ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO,STRICT_TRANS_TABLES'"})
		const ansi = "sql_mode has ANSI_QUOTES"
		sts := []dmlStmt{
			{sql: "INSERT INTO e_int (k, id, n) VALUES (1, 1, 1), (2, 2, 2)", session: true, refuse: ansi},
			r(`SELECT k FROM e_int WHERE k = "1"`, ansi),
			r(`SELECT "k" FROM e_int ORDER BY 1`, ansi),
			qm("SELECT 1"),
			q(`SELECT "k"`),             // the caller's text to one server: it fails there, as on the oracle
			m("SET sql_mode = DEFAULT"), // the global: MariaDB's default
			m("INSERT INTO e_int (k, id, n) VALUES (1, 1, 1), (2, 2, 2)"),
			qm(`SELECT k FROM e_int WHERE k = "1"`),
			qm(`SELECT "k" FROM e_int ORDER BY 1`),
		}
		t.Logf("%d statements, %d refused", len(sts), v.run(t, "sql_mode", sts))
		w := a12Variant(t, e, "a12_settings", map[string]string{"sql_mode": "'NO_AUTO_VALUE_ON_ZERO,STRICT_TRANS_TABLES'"})
		sts = []dmlStmt{
			{sql: "INSERT INTO e_gen (id, n) VALUES (DEFAULT, 1)", session: true, refuse: "NO_AUTO_VALUE_ON_ZERO"},
			m("SET sql_mode = 'STRICT_TRANS_TABLES'"),
			m("INSERT INTO e_gen (id, n) VALUES (3, 1)"),
		}
		t.Logf("%d statements, %d refused", len(sts), w.run(t, "no_auto_value_on_zero", sts))
	})
}
