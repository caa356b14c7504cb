package driver_test

import (
	"strings"
	"testing"
)

// attack18fCases are review18f's read classes above the nodes over r16
// (round 16's table): each must answer exactly as the oracle (names,
// type names, values' text), or be refused naming refuse.
var attack18fCases = []attack16Case{
	// GROUP_CONCAT of a YEAR column: the nodes group and sort by the
	// column for the merge, and MariaDB sends a grouped YEAR 0 as `0`,
	// where one server's GROUP_CONCAT writes the column's text, `0000`.
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(DISTINCT yr ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY yr DESC SEPARATOR '|') FROM r16"},
	{sql: "SELECT g, GROUP_CONCAT(yr ORDER BY yr) FROM r16 GROUP BY g ORDER BY g", ordered: true},
	{sql: "SELECT GROUP_CONCAT(yr ORDER BY id) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(yr, 'x' ORDER BY yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(id, yr ORDER BY id) FROM r16"},
	{sql: "SELECT g, GROUP_CONCAT(yr ORDER BY yr) FROM r16 GROUP BY g WITH ROLLUP", refuse: "GROUP_CONCAT with WITH ROLLUP"},
	// a YEAR 0 read by a function above the nodes: MariaDB writes a
	// YEAR column's 0 as 0000 there (CONCAT(yr), a grouped MIN(yr), a
	// derived table's column; LENGTH 4), the evaluator as 0
	{sql: "SELECT g, CONCAT(MIN(yr), '') FROM r16 GROUP BY g ORDER BY g", ordered: true, refuse: "reads the YEAR value 0000 in a function"},
	{sql: "SELECT g, LENGTH(MIN(yr)) FROM r16 GROUP BY g ORDER BY g", ordered: true, refuse: "reads the YEAR value 0000 in a function"},
	{sql: "SELECT g, LPAD(MIN(yr), 6, 'x') FROM r16 GROUP BY g ORDER BY g", ordered: true, refuse: "reads the YEAR value 0000 in a function"},
	{sql: "SELECT x.y, CONCAT(x.y, '') FROM (SELECT id, yr AS y FROM r16 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "reads the YEAR value 0000 in a function"},
	{sql: "SELECT a.id, CONCAT(a.yr, b.yr) FROM r16 a JOIN r16b b ON a.g = b.id ORDER BY a.id", ordered: true, refuse: "reads the YEAR value 0000 in a function"},
	// … compared or in arithmetic it is 0 both ways, and other years
	// have four digits: these answer
	{sql: "SELECT g, MIN(yr) + 0 FROM r16 GROUP BY g ORDER BY g", ordered: true},
	{sql: "SELECT g, MAX(yr) m FROM r16 GROUP BY g HAVING m > 1950 ORDER BY g", ordered: true},
	{sql: "SELECT x.id FROM (SELECT id, yr AS y FROM r16 ORDER BY id LIMIT 20) x WHERE x.y < 1950 ORDER BY x.id", ordered: true},
	{sql: "SELECT g, CONCAT(MIN(yr), '') FROM r16 WHERE yr > 0 GROUP BY g ORDER BY g", ordered: true},
	// beside them, what answered already
	{sql: "SELECT GROUP_CONCAT(yr + 0 ORDER BY yr) FROM r16"},
	{sql: "SELECT yr, COUNT(*) FROM r16 GROUP BY yr ORDER BY yr", ordered: true},
	{sql: "SELECT MIN(yr), MAX(yr) FROM r16"},
	{sql: "SELECT GROUP_CONCAT(u ORDER BY u), GROUP_CONCAT(d5 ORDER BY d5) FROM r16"},
}

func TestAttack18fReads(t *testing.T) {
	e := newR16Env(t, "attack18f_reads")
	e.checkCases(t, attack18fCases)
}

// TestAttack18fGroupConcatMaxLen: @@group_concat_max_len counts bytes of
// the result's charset, one a character for a latin1 column's
// GROUP_CONCAT, where the merge counted the UTF-8 bytes the values
// arrive in ('a,A,å,' for 'a,A,å,ä' under 7).
func TestAttack18fGroupConcatMaxLen(t *testing.T) {
	e := newR16Env(t, "attack18f_gcmax")
	s := e.session(t)
	for _, c := range []struct {
		set  string
		sqls []string
	}{
		{"SET SESSION group_concat_max_len = 7", []string{
			"SELECT GROUP_CONCAT(vl1 ORDER BY id) FROM r16",
			"SELECT HEX(GROUP_CONCAT(vl1 ORDER BY id)), LENGTH(GROUP_CONCAT(vl1 ORDER BY id)) FROM r16",
			"SELECT GROUP_CONCAT(vl1 ORDER BY id SEPARATOR 'é') FROM r16",
			// utf8mb4 results still count UTF-8 bytes
			"SELECT GROUP_CONCAT(cp ORDER BY id SEPARATOR 'ßß') FROM r16",
			"SELECT GROUP_CONCAT(id ORDER BY id) FROM r16",
		}},
		{"SET SESSION group_concat_max_len = 4", []string{
			"SELECT GROUP_CONCAT(vl1 ORDER BY id SEPARATOR '') FROM r16",
			"SELECT GROUP_CONCAT(vl1 ORDER BY vl1 DESC, id) FROM r16 WHERE vl1 IS NOT NULL", // ordered in memory
			"SELECT g, GROUP_CONCAT(vl1 ORDER BY id) FROM r16 GROUP BY g",
			"SELECT GROUP_CONCAT(v520 ORDER BY id) FROM r16",
		}},
	} {
		oerr, serr := s.exec(c.set)
		if oerr != nil || serr != nil {
			t.Fatalf("%s: oracle %v, shardsql %v", c.set, oerr, serr)
		}
		for _, q := range c.sqls {
			if out := s.outcome(q, false); out != "exact" {
				t.Errorf("%s; %s\n    => %s", c.set, q, out)
			}
		}
	}
}

// TestAttack18fSequenceAcrossNodes: a sequence is a table of the default
// data source (CREATE SEQUENCE runs there); NEXTVAL/SETVAL/LASTVAL in a
// statement whose nodes are elsewhere failed with 1146 on those servers
// (or would draw from another server's sequence of that name).
func TestAttack18fSequenceAcrossNodes(t *testing.T) {
	e := newR16Env(t, "attack18f_seq")
	s := e.session(t)
	if oerr, serr := s.exec("CREATE SEQUENCE s18f START WITH 1 INCREMENT BY 1"); oerr != nil || serr != nil {
		t.Fatalf("CREATE SEQUENCE: oracle %v, shardsql %v", oerr, serr)
	}
	// the oracle runs every statement, refused ones too: the ones that
	// must answer come first, while both sequences agree
	for _, c := range []attack16Case{
		// naming no table it runs on the default data source, as CREATE did
		{sql: "SELECT NEXTVAL(s18f)"},
		{sql: "SELECT LASTVAL(s18f)"},
		{sql: "SELECT NEXTVAL(s18f), NEXTVAL(s18f)"},
		{sql: "SELECT id, NEXTVAL(s18f) FROM r16 WHERE id < 4", refuse: "a sequence function (NEXTVAL, SETVAL, LASTVAL)"},
		{sql: "SELECT id FROM r16 WHERE id = NEXTVAL(s18f)", refuse: "a sequence function"},
		{sql: "SELECT MAX(NEXTVAL(s18f)) FROM r16", refuse: "a sequence function"},
		{sql: "SELECT id, SETVAL(s18f, 200) FROM r16 WHERE id < 3", refuse: "a sequence function"},
		{sql: "SELECT id, LASTVAL(s18f) FROM r16", refuse: "a sequence function"},
		{sql: "SELECT a.id FROM r16 a JOIN r16b b ON a.id = b.id WHERE b.g = NEXTVAL(s18f)", refuse: "NEXTVAL(s18f)"}, // refused before: a join,
	} {
		out := s.outcome(c.sql, false)
		switch {
		case c.refuse != "":
			if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, c.refuse) {
				t.Errorf("%s\n    want a refusal naming %q, got %s", c.sql, c.refuse, out)
			}
		case out != "exact":
			t.Errorf("%s\n    => %s", c.sql, out)
		}
	}
}
