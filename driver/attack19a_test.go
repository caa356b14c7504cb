package driver_test

import "testing"

// attack19aCases are review19a's column display attributes above the
// nodes over r19 (attack19a_env_test.go): values whose text depends on
// the column's declared attributes (ZEROFILL width, DOUBLE(M,D)
// decimals), which a node sends as a plain value. Each must answer
// exactly as the oracle (names, type names, values' text), or be refused
// naming refuse.
var attack19aCases = []attack16Case{
	// GROUP_CONCAT of a ZEROFILL integer column across nodes: one server
	// writes the zero-filled text (00007), the nodes send the number
	// (go-sql-driver parses it); the merge pads to the catalog's width
	{sql: "SELECT GROUP_CONCAT(zi ORDER BY zi) FROM r19"},
	{sql: "SELECT GROUP_CONCAT(zi ORDER BY id) FROM r19"}, // ordered in memory
	{sql: "SELECT GROUP_CONCAT(DISTINCT zt ORDER BY zt DESC SEPARATOR ';') FROM r19"},
	{sql: "SELECT g, GROUP_CONCAT(zi ORDER BY id) FROM r19 GROUP BY g"},
	{sql: "SELECT g, GROUP_CONCAT(zd, '/', zi ORDER BY id) FROM r19 GROUP BY g"},
	{sql: "SELECT GROUP_CONCAT(zi, zt ORDER BY id) FROM r19"},
	// a UNION's column is not ZEROFILL on one server (2.30), but each
	// node reads the column itself, whose DECIMAL text arrives zero-filled
	{sql: "SELECT zd FROM r19 UNION ALL SELECT zd FROM r19b"},
	{sql: "SELECT zd FROM r19 UNION SELECT d2 FROM r19b"},
	{sql: "SELECT zi, zd FROM r19 UNION SELECT zi, zd FROM r19c"},
	// … nor is MIN/MAX without GROUP BY (12.00, grouped 000012.00), nor
	// a window function's result, while the rows above a derived table or
	// a join carry the column's zero-filled text
	{sql: "SELECT MAX(x.z), MIN(x.z) FROM (SELECT zd AS z FROM r19 ORDER BY id LIMIT 20) x"},
	{sql: "SELECT MAX(b.zd) FROM r19 a JOIN r19b b ON a.g = b.id"},
	{sql: "SELECT id, MAX(zd) OVER (PARTITION BY g) FROM r19 ORDER BY id", ordered: true},
	{sql: "SELECT id, MIN(zd) OVER (ORDER BY id) FROM r19 ORDER BY id", ordered: true},
	{sql: "SELECT id, FIRST_VALUE(zd) OVER (ORDER BY id) FROM r19 ORDER BY id", ordered: true},
	{sql: "SELECT id, LAG(zd) OVER (ORDER BY id) FROM r19 ORDER BY id", ordered: true},
	// AVG of a DOUBLE(10,3) is a DOUBLE of 7 decimals, sent rounded to them
	{sql: "SELECT AVG(d103) FROM r19"},
	{sql: "SELECT MOD(g, 2) AS p, AVG(d103) FROM r19 GROUP BY p"},
	// a ZEROFILL column read as text by an expression above the nodes
	{sql: "SELECT g, CONCAT(MAX(zi), '') FROM r19 GROUP BY g", refuse: "reads the ZEROFILL column max(zi) as text"},
	{sql: "SELECT g, LENGTH(MAX(zi)) FROM r19 GROUP BY g", refuse: "ZEROFILL column"},
	{sql: "SELECT g, CONCAT(MAX(zd), '') FROM r19 GROUP BY g", refuse: "ZEROFILL column"},
	{sql: "SELECT g, MAX(zi) m FROM r19 GROUP BY g HAVING m LIKE '0%'", refuse: "ZEROFILL column m"},
	{sql: "SELECT x.id, CONCAT(x.z, '') FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT x.id, LENGTH(x.z) FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT x.id, CONCAT(x.z, '') FROM (SELECT id, zd AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT x.id, CONCAT(x.z, '') FROM (SELECT id, zdb AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT x.id FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x WHERE x.z LIKE '0%' ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT y.id, CONCAT(y.z, '') FROM (SELECT x.id, x.z FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id LIMIT 20) y ORDER BY y.id", ordered: true, refuse: "ZEROFILL column y.z"},
	{sql: "WITH x AS (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) SELECT x.id, CONCAT(x.z, '') FROM x ORDER BY x.id", ordered: true, refuse: "ZEROFILL column x.z"},
	{sql: "SELECT x.g, MAX(x.z) m FROM (SELECT g, zi AS z FROM r19 ORDER BY id LIMIT 20) x GROUP BY x.g HAVING m LIKE '0%' ORDER BY x.g", ordered: true, refuse: "ZEROFILL column m"},
	{sql: "SELECT a.id, CONCAT(a.zi, b.zi) FROM r19 a JOIN r19b b ON a.g = b.id ORDER BY a.id", ordered: true, refuse: "ZEROFILL column a.zi"},
	{sql: "SELECT a.id, b.id FROM r19 a JOIN r19b b ON CONCAT(a.zi, '') = CONCAT('0000', b.id) ORDER BY a.id, b.id", ordered: true, refuse: "ZEROFILL column a.zi"},
	{sql: "SELECT a.id, CONCAT(x.z, '') FROM r19 a JOIN (SELECT id, zi AS z FROM r19b ORDER BY id LIMIT 20) x ON a.g = x.id ORDER BY a.id", ordered: true, refuse: "ZEROFILL column x.z"},
	// … of an unsharded table (r19u, on the default data source only):
	// the catalog reads its ZEROFILL columns with the others' names
	{sql: "SELECT a.id, CONCAT(a.id, u.zi) FROM r19 a JOIN r19u u ON a.g = u.id ORDER BY a.id", ordered: true, refuse: "ZEROFILL column u.zi"},
	{sql: "SELECT a.id, CONCAT(a.id, u.zd) FROM r19 a JOIN r19u u ON a.g = u.id ORDER BY a.id", ordered: true, refuse: "ZEROFILL column u.zd"},
	{sql: "SELECT a.id, CONCAT(a.id, x.z) FROM r19 a JOIN (SELECT id, zi AS z FROM r19u) x ON a.g = x.id ORDER BY a.id", ordered: true, refuse: "ZEROFILL column x.z"},
	// a DOUBLE(10,3) read as text: one server writes its 3 decimals
	{sql: "SELECT g, CONCAT(MAX(d103), '') FROM r19 GROUP BY g", refuse: "DOUBLE column of 3 declared decimals"},
	{sql: "SELECT x.id, CONCAT(x.z, '') FROM (SELECT id, d103 AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true, refuse: "DOUBLE column of 3 declared decimals"},
	// what answered already, and must still: plain reads pass the
	// values through; compared, in arithmetic or through COALESCE/IF the
	// value is the number either way
	{sql: "SELECT zi, zd, zdb FROM r19 WHERE id = 1"},
	{sql: "SELECT id, zi, zt, zd, zdb, d103 FROM r19 ORDER BY zi, id", ordered: true},
	{sql: "SELECT CONCAT(zi, ''), LENGTH(zd), LPAD(zi, 7, 'x'), CAST(zi AS CHAR) FROM r19"},
	{sql: "SELECT DISTINCT zd, zi FROM r19"},
	{sql: "SELECT zi, COUNT(*) FROM r19 GROUP BY zi"},
	{sql: "SELECT MIN(zi), MAX(zd), SUM(zi), AVG(zd), MIN(d103), MAX(d103), SUM(d103) FROM r19"},
	{sql: "SELECT g, MAX(zi) + 1, MAX(zd) * 2, SUM(zi) FROM r19 GROUP BY g"},
	{sql: "SELECT g, MAX(zi) FROM r19 GROUP BY g HAVING MAX(zi) > 10"},
	{sql: "SELECT g, MAX(d103) + 0 FROM r19 GROUP BY g"},
	{sql: "SELECT GROUP_CONCAT(zi + 0 ORDER BY id), GROUP_CONCAT(COALESCE(zi, 0) ORDER BY id) FROM r19"},
	{sql: "SELECT GROUP_CONCAT(zd ORDER BY id), GROUP_CONCAT(DISTINCT zd ORDER BY zd) FROM r19"},
	{sql: "SELECT x.id, x.z, x.z + 1, COALESCE(x.z, 0) FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true},
	{sql: "SELECT x.id FROM (SELECT id, zi AS z FROM r19 ORDER BY id LIMIT 20) x WHERE x.z > 10 ORDER BY x.id", ordered: true},
	{sql: "SELECT x.id, x.z, x.z * 2 FROM (SELECT id, d103 AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true},
	{sql: "SELECT x.id, x.z FROM (SELECT id, CAST(zi AS CHAR) AS z FROM r19 ORDER BY id LIMIT 20) x ORDER BY x.id", ordered: true},
	{sql: "SELECT a.id, a.zi, b.zi, b.zd FROM r19 a JOIN r19b b ON a.g = b.id ORDER BY a.id", ordered: true},
	{sql: "SELECT a.id, u.zi, u.zd, CONCAT(u.zi, '') FROM r19 a JOIN r19u u ON a.g = u.id ORDER BY a.id", ordered: true}, // CONCAT over one table: its statement's
	{sql: "SELECT a.id, CONCAT(a.id, c.zi) FROM r19 a JOIN r19c c ON a.g = c.id ORDER BY a.id", ordered: true},           // broadcast: on the nodes
	{sql: "SELECT zi FROM r19 UNION ALL SELECT zi FROM r19c"},
	{sql: "SELECT x.g, MAX(x.z), MIN(x.z) FROM (SELECT g, zd AS z FROM r19 ORDER BY id LIMIT 20) x GROUP BY x.g ORDER BY x.g", ordered: true}, // grouped: zero-filled
	{sql: "SELECT MIN(zd), MAX(zd) FROM r19"},
	{sql: "SELECT g, MAX(zd), MIN(zd) FROM r19 GROUP BY g"},
	{sql: "SELECT id, zd, LAG(zi) OVER (ORDER BY id) FROM r19 ORDER BY id", ordered: true},
}

func TestAttack19aReads(t *testing.T) {
	e := newR19Env(t, "attack19a_reads")
	e.checkCases(t, attack19aCases)
}
