package driver_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// r17bCase is one read of review17b over r16/r16b on a fresh session
// each side: the SETs run on both first, then the read is compared
// exactly with the unsharded oracle, or must be refused with the text.
type r17bCase struct {
	set     []string
	sql     string
	ordered bool
	refuse  string // "" when the answer must be exact
}

// TestAttack17bReads pins the classes review17b found above the nodes
// (docs/attack.md, "Round 17 reads (review17b)") and the statements next
// to them that must still answer exactly.
func TestAttack17bReads(t *testing.T) {
	e := newR16Env(t, "attack17b")
	tz := []string{"SET time_zone = '+05:00'"}
	nus := []string{"SET sql_mode = 'NO_UNSIGNED_SUBTRACTION'"}
	for _, c := range []r17bCase{
		// column names: a comment inside an item is part of the name
		{sql: "SELECT SUM(g /* c */) FROM r16"},
		{sql: "SELECT SUM(g /* c */) FROM r16 WHERE id = 1"},
		{sql: "SELECT g, SUM(id /* c */) FROM r16 GROUP BY g ORDER BY g", ordered: true},
		{sql: "SELECT MAX(g) /* x */ + 1 FROM r16"},
		{sql: "SELECT COUNT(/*a*/*), AVG(g /* c */), SUM(g/**/) FROM r16"},
		{sql: "SELECT id, g /* c */ + 1 FROM r16 ORDER BY id LIMIT 3", ordered: true},
		{sql: "SELECT id, LAG(g /* c */) OVER (ORDER BY id) FROM r16 ORDER BY id", ordered: true},
		{sql: "SELECT SUM(g -- c\n) FROM r16"},
		{sql: "SELECT SUM(g # c\n), MAX(\n\tid) FROM r16"},
		{sql: "SELECT COUNT(*) /* after */, MAX(g) -- d\nFROM r16"},
		// … and after the comma, before a later item
		{sql: "SELECT COUNT(*) , /* x */ MAX(g) /* y */ , SUM(g) FROM r16"},
		{sql: "SELECT COUNT(*),/* x */MAX(g), -- z\n SUM(g) FROM r16"},
		{sql: "SELECT g, /* c */ COUNT(*) FROM r16 WHERE id = 1 GROUP BY g"},
		{sql: "SELECT /* x */ MAX(g), COUNT(*) FROM r16"},
		// column names: numbers, TRUE and NULL behind + and parentheses
		{sql: "SELECT +1, (1), +(1), (+1), -(1), - 1, +-1, + 1.50, +1e3, +0x1F, +TRUE, (NULL), (-1), ((1)), (1.5) FROM r16 WHERE id = 1"},
		{sql: "SELECT +1, (1), + /*c*/ 1.50, (TRUE), COUNT(*) FROM r16"},
		{sql: "SELECT +1, id FROM r16 ORDER BY id LIMIT 2", ordered: true},
		{sql: "SELECT (g), +g, (SUM(g)), +SUM(g) FROM r16 GROUP BY g"},
		// a group key named like another item's alias: the nodes' ORDER BY
		// must sort by the column, as GROUP BY groups by it
		{sql: "SELECT g, COUNT(*) AS g FROM r16 GROUP BY g"},
		{sql: "SELECT g, COUNT(*) AS `G` FROM r16 GROUP BY g"},
		{sql: "SELECT g, SUM(id) AS g FROM r16 GROUP BY g ORDER BY g, 1", ordered: true},
		{sql: "SELECT g, COUNT(*) AS g FROM r16 GROUP BY g HAVING g > 1"},
		{sql: "SELECT e, MAX(g) AS e FROM r16 GROUP BY e"},
		{sql: "SELECT g, MAX(id) AS g FROM r16 GROUP BY g ORDER BY COUNT(*), 1", ordered: true},
		{sql: "SELECT g, id, COUNT(*) AS g FROM r16 GROUP BY g, id"},
		{sql: "SELECT g % 2 AS g, COUNT(*) FROM r16 GROUP BY g"},
		{sql: "SELECT g, COUNT(DISTINCT id) AS g FROM r16 GROUP BY g"},
		{sql: "SELECT COUNT(DISTINCT id) AS g FROM r16 GROUP BY g"},
		{sql: "SELECT g, GROUP_CONCAT(DISTINCT id ORDER BY id) AS g FROM r16 GROUP BY g"},
		{sql: "SELECT g, e, COUNT(DISTINCT id) AS e FROM r16 GROUP BY g, e"},
		{sql: "SELECT g, COUNT(*) AS g FROM r16 GROUP BY g WITH ROLLUP", refuse: "WITH ROLLUP while a select item is aliased g"},
		{sql: "SELECT g, COUNT(*) AS n FROM r16 GROUP BY g WITH ROLLUP", ordered: true},
		// a window's ORDER BY names a select alias first, its PARTITION BY
		// the column first (the alias when no column has the name)
		{sql: "SELECT id AS g, RANK() OVER (ORDER BY g) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id AS g, ROW_NUMBER() OVER (ORDER BY g DESC) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id, -id AS g, LAG(id) OVER (ORDER BY g) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id, -id AS x, ROW_NUMBER() OVER (ORDER BY x) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id, -id AS x, SUM(id) OVER (PARTITION BY x) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id, id % 3 AS g, COUNT(*) OVER (PARTITION BY g) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id AS g, COUNT(*) OVER (PARTITION BY g ORDER BY id) FROM r16 ORDER BY 1", ordered: true},
		{sql: "SELECT id, -id AS g, ROW_NUMBER() OVER (ORDER BY r16.g, id) FROM r16 ORDER BY 1", ordered: true},
		// a subquery's own refusal keeps the refusal's text first
		{sql: "SELECT (SELECT MAX(bt) FROM r16) FROM r16b WHERE id = 1", refuse: "MIN/MAX of a BIT column"},
		{sql: "SELECT id FROM r16b WHERE g IN (SELECT MAX(bt) FROM r16)", refuse: "MIN/MAX of a BIT column"},
		{sql: "SELECT id FROM r16b WHERE EXISTS (SELECT MAX(bt) FROM r16)", refuse: "MIN/MAX of a BIT column"},
		// time-zone-dependent functions above the nodes after SET time_zone
		{set: tz, sql: "SELECT g, UNIX_TIMESTAMP(MAX(dt6)) FROM r16 GROUP BY g", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT g, UNIX_TIMESTAMP(MIN(dt3)) FROM r16 GROUP BY g HAVING UNIX_TIMESTAMP(MIN(dt3)) > 0", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT g, FROM_UNIXTIME(MAX(id) * 100000, '%Y %H') FROM r16 GROUP BY g", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT g, DATE_FORMAT(FROM_UNIXTIME(MAX(id)), '%H') FROM r16 GROUP BY g", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT g, UNIX_TIMESTAMP(x) FROM (SELECT g, MAX(dt6) x FROM r16 GROUP BY g) d", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT g, NOW() > MAX(dt6), CURDATE() > MAX(dt6) FROM r16 GROUP BY g", refuse: "after SET time_zone"},
		{set: tz, sql: "SELECT COUNT(*) FROM (SELECT dt6 FROM r16) d WHERE d.dt6 < NOW()", refuse: "after SET time_zone"},
		// … and what the nodes compute in the session's zone still answers
		{set: tz, sql: "SELECT g, COUNT(*) FROM r16 WHERE dt6 < NOW() GROUP BY g"},
		{set: tz, sql: "SELECT g, MAX(UNIX_TIMESTAMP(dt6)) FROM r16 GROUP BY g"},
		{set: tz, sql: "SELECT g, UNIX_TIMESTAMP() > 0, UTC_TIMESTAMP() > MAX(dt6) FROM r16 GROUP BY g"},
		{set: tz, sql: "SELECT id, UNIX_TIMESTAMP(dt6) FROM r16"},
		{set: tz, sql: "SELECT id FROM r16 WHERE g = (SELECT COUNT(*) FROM r16b WHERE UNIX_TIMESTAMP(dt6) > 0)"},
		{set: []string{"SET time_zone = '+05:00'", "SET time_zone = DEFAULT"}, sql: "SELECT g, UNIX_TIMESTAMP(MAX(dt6)) FROM r16 GROUP BY g"},
		{set: []string{"SET time_zone = 'SYSTEM'"}, sql: "SELECT g, UNIX_TIMESTAMP(MAX(dt6)), FROM_UNIXTIME(MAX(id)) + 0 FROM r16 GROUP BY g"},
		// subtraction above the nodes under NO_UNSIGNED_SUBTRACTION
		{set: nus, sql: "SELECT MAX(u) - MIN(u) FROM r16", refuse: "NO_UNSIGNED_SUBTRACTION"},
		{set: nus, sql: "SELECT MAX(u) - 1 FROM r16", refuse: "NO_UNSIGNED_SUBTRACTION"},
		{set: nus, sql: "SELECT g FROM r16 GROUP BY g HAVING MAX(u) - 1 > 0", refuse: "NO_UNSIGNED_SUBTRACTION"},
		{set: nus, sql: "SELECT x - y FROM (SELECT MAX(u) x, MIN(u) y FROM r16) d", refuse: "NO_UNSIGNED_SUBTRACTION"},
		{set: nus, sql: "SELECT g, COUNT(*), SUM(g - 1) FROM r16 WHERE g - 1 > 0 GROUP BY g"},
		{set: nus, sql: "SELECT id, u - 0 FROM r16 WHERE id = 4"},
		{sql: "SELECT MAX(u) - MIN(u), MAX(u) - MAX(g) FROM r16"},
	} {
		e.runCase(t, c)
	}
}

// TestAttack17bServerTimeZone: sessions that start in another time_zone
// without any SET (a DSN that sets it at connect, as a server's global
// would): the evaluator above the nodes computes in its own zone, so
// time-zone-dependent functions there are refused; what the nodes compute
// still answers.
func TestAttack17bServerTimeZone(t *testing.T) {
	newR16Env(t, "attack17b_tz") // creates and fills the tables
	with := func(d string) string {
		cfg, err := mysql.ParseDSN(d)
		require.NoError(t, err)
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params["time_zone"] = "'+05:00'"
		return cfg.FormatDSN()
	}
	oracle, err := sql.Open("mysql", with(sharedDSNs(t, "attack17b_tz_oracle")[0]))
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range sharedDSNs(t, "attack17b_tz") {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), with(d)))
	}
	for _, tb := range []string{"r16", "r16b"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "id", Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Hash()}))
	}
	e := &r16Env{oracle: oracle, sharded: openDB(t, topo)}
	for _, c := range []r17bCase{
		{sql: "SELECT g, UNIX_TIMESTAMP(MAX(dt6)) FROM r16 GROUP BY g", refuse: "while the servers' session time_zone"},
		{sql: "SELECT g, FROM_UNIXTIME(MAX(id) * 100000, '%Y %H') FROM r16 GROUP BY g", refuse: "time_zone"},
		{sql: "SELECT g, MAX(UNIX_TIMESTAMP(dt6)) FROM r16 GROUP BY g"},
		{sql: "SELECT g, COUNT(*) FROM r16 WHERE dt6 < NOW() GROUP BY g"},
		// SET time_zone = 'SYSTEM' in the session: the evaluator's zone
		{set: []string{"SET time_zone = 'SYSTEM'"}, sql: "SELECT g, UNIX_TIMESTAMP(MAX(dt6)) FROM r16 GROUP BY g"},
	} {
		e.runCase(t, c)
	}
}

// runCase runs c on fresh sessions of both sides, its SETs first: the
// outcome must be exact, or a refusal naming c.refuse.
func (e *r16Env) runCase(t *testing.T, c r17bCase) {
	t.Helper()
	s := e.session(t)
	defer s.close() // discarded now: held to the test's end they were 64 cases' connections on the shared servers
	for _, q := range c.set {
		oerr, serr := s.exec(q)
		require.NoError(t, oerr, q)
		require.NoError(t, serr, q)
	}
	out := s.outcome(c.sql, c.ordered)
	if c.refuse == "" {
		if out != "exact" {
			t.Errorf("%q (after %q):\n    %s", c.sql, c.set, out)
		}
		return
	}
	if !strings.HasPrefix(out, "refused: shardsql: unsupported: ") || !strings.Contains(out, c.refuse) {
		t.Errorf("%q (after %q): want refused naming %q, got\n    %s", c.sql, c.set, c.refuse, out)
	}
}
