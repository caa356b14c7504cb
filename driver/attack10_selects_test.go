package driver_test

import (
	"testing"
)

// TestAttack10Selects: CTEs (recursive too), derived tables with LIMIT,
// scalar subqueries in the select list and ORDER BY, window functions,
// GROUP BY … WITH ROLLUP, ORDER BY with COLLATE, expressions, positions
// and aliases that shadow columns, LIMIT ? with huge values, DISTINCT
// ordered by a column not selected, and string functions whose results
// depend on the collation, merged across nodes. Each must match the
// oracle (rows, names, types) or be refused.
func TestAttack10Selects(t *testing.T) {
	env := newAttackEnv(t, "attack10_selects")
	u := func(q string, args ...any) diffQuery { return unordered(q, args...) }
	o := func(q string, args ...any) diffQuery { return ordered(q, args...) }
	for _, q := range []diffQuery{
		// CTEs
		o("WITH c AS (SELECT id, n FROM t_kind WHERE n > 3) SELECT n, COUNT(*) FROM c GROUP BY n ORDER BY n"),
		o("WITH c AS (SELECT id, gci FROM t_kind ORDER BY id LIMIT 30) SELECT gci, COUNT(*) FROM c GROUP BY gci ORDER BY gci, 2"),
		o("WITH RECURSIVE r (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5) SELECT x FROM r ORDER BY x"),
		u("WITH RECURSIVE r (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5) SELECT k.id FROM t_kind k JOIN r ON k.n = r.x WHERE k.user_id = 3"),
		o("WITH RECURSIVE r (x) AS (SELECT MIN(n) FROM t_kind UNION ALL SELECT x + 1 FROM r WHERE x < 3) SELECT x FROM r ORDER BY x"),
		o("WITH c AS (SELECT n FROM t_kind), d AS (SELECT n FROM c WHERE n < 3) SELECT COUNT(*), SUM(n) FROM d"),
		o("WITH c AS (SELECT user_id, COUNT(*) AS m FROM t_kind GROUP BY user_id) SELECT m, COUNT(*) FROM c GROUP BY m ORDER BY m"),
		// derived tables with LIMIT
		o("SELECT COUNT(*), SUM(n) FROM (SELECT n FROM t_kind ORDER BY id LIMIT 17) x"),
		o("SELECT n FROM (SELECT n, id FROM t_kind ORDER BY n DESC, id LIMIT 5 OFFSET 3) x ORDER BY n, 1"),
		u("SELECT COUNT(*) FROM (SELECT n FROM t_kind LIMIT 10) x"),
		o("SELECT * FROM (SELECT id, gci FROM t_kind ORDER BY gci, id LIMIT 8) x ORDER BY id"),
		o("SELECT x.n, COUNT(*) FROM (SELECT DISTINCT n, user_id FROM t_kind) x GROUP BY x.n ORDER BY x.n"),
		// scalar subqueries in the select list and ORDER BY
		o("SELECT id, (SELECT MAX(k) FROM t_side) AS m FROM t_kind WHERE user_id = 3 ORDER BY id"),
		o("SELECT id, (SELECT COUNT(*) FROM t_side s WHERE s.k = t_kind.n) AS c FROM t_kind WHERE user_id = 5 ORDER BY id"),
		o("SELECT id FROM t_kind WHERE user_id = 7 ORDER BY (SELECT MAX(k) FROM t_side), id"),
		o("SELECT id, n FROM t_kind ORDER BY (SELECT 1), n, id LIMIT 10"),
		o("SELECT n, COUNT(*) FROM t_kind GROUP BY n ORDER BY (SELECT COUNT(*) FROM t_side) + n"),
		// window functions
		o("SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM t_kind ORDER BY id LIMIT 10"),
		o("SELECT id, n, RANK() OVER (PARTITION BY n ORDER BY id) FROM t_kind WHERE n < 3 ORDER BY n, id"),
		o("SELECT id, SUM(n) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t_kind ORDER BY id LIMIT 12"),
		o("SELECT gci, COUNT(*) OVER (PARTITION BY gci) AS c, id FROM t_kind ORDER BY id LIMIT 20"),
		o("SELECT id, LAG(n) OVER (ORDER BY id), LEAD(gci, 2) OVER (ORDER BY id) FROM t_kind ORDER BY id LIMIT 10"),
		o("SELECT n, SUM(COUNT(*)) OVER (ORDER BY n) FROM t_kind GROUP BY n ORDER BY n"),
		o("SELECT id, FIRST_VALUE(gci) OVER (PARTITION BY n ORDER BY gci, id) AS f FROM t_kind WHERE n = 2 ORDER BY id"),
		o("SELECT id, NTILE(3) OVER (ORDER BY id) FROM t_kind ORDER BY id LIMIT 9"),
		// WITH ROLLUP
		o("SELECT n, COUNT(*) FROM t_kind GROUP BY n WITH ROLLUP"),
		o("SELECT n, user_id % 3 AS g, SUM(n) FROM t_kind WHERE n < 3 GROUP BY n, g WITH ROLLUP"),
		o("SELECT gci, COUNT(*) FROM t_kind GROUP BY gci WITH ROLLUP"),
		o("SELECT n, COUNT(*) FROM t_kind WHERE user_id = 3 GROUP BY n WITH ROLLUP"),
		// ORDER BY forms
		o("SELECT id, gci FROM t_kind ORDER BY gci COLLATE utf8mb4_bin, id LIMIT 20"),
		o("SELECT id, gci FROM t_kind ORDER BY gci COLLATE utf8mb4_unicode_ci DESC, id LIMIT 20"),
		o("SELECT id, bn FROM t_kind ORDER BY bn COLLATE utf8mb4_general_ci, id LIMIT 20"),
		o("SELECT id, gci AS n FROM t_kind ORDER BY n, id LIMIT 15"),
		o("SELECT id, n AS gci FROM t_kind ORDER BY gci, id LIMIT 15"),
		o("SELECT n AS id, id AS n FROM t_kind ORDER BY id, n LIMIT 15"),
		o("SELECT id, n FROM t_kind ORDER BY 2 DESC, 1 LIMIT 15"),
		o("SELECT id, n FROM t_kind ORDER BY -n, id LIMIT 15"),
		o("SELECT id, n FROM t_kind ORDER BY n IS NULL, n, id LIMIT 15"),
		o("SELECT id, gci FROM t_kind ORDER BY LOWER(gci), id LIMIT 15"),
		o("SELECT id, gci FROM t_kind ORDER BY CONCAT(gci, 'x'), id LIMIT 15"),
		o("SELECT id, uca FROM t_kind ORDER BY uca, id LIMIT 15"),
		o("SELECT id FROM t_kind ORDER BY n DESC, gci, id LIMIT 15"),
		o("SELECT id, n FROM t_kind ORDER BY `n`, t_kind.id LIMIT 15"),
		// LIMIT with ? and huge values
		o("SELECT id FROM t_kind ORDER BY id LIMIT ?", 3),
		o("SELECT id FROM t_kind ORDER BY id LIMIT ?, ?", 1195, uint64(18446744073709551615)),
		o("SELECT id FROM t_kind ORDER BY id LIMIT 18446744073709551615 OFFSET 1198"),
		o("SELECT id FROM t_kind ORDER BY id LIMIT ? OFFSET ?", "2", "1197"),
		o("SELECT n, COUNT(*) FROM t_kind GROUP BY n ORDER BY n LIMIT ?", int64(9223372036854775807)),
		// DISTINCT with ORDER BY on a column not selected
		o("SELECT DISTINCT n FROM t_kind ORDER BY id LIMIT 5"),
		o("SELECT DISTINCT gci FROM t_kind ORDER BY n"),
		o("SELECT DISTINCT n FROM t_kind ORDER BY gci"),
		o("SELECT DISTINCT n FROM t_kind WHERE n IS NOT NULL ORDER BY n DESC"),
		// string functions with collation-sensitive results
		o("SELECT MIN(LOWER(gci)), MAX(UPPER(gci)) FROM t_kind"),
		o("SELECT LOWER(gci) AS l, COUNT(*) FROM t_kind GROUP BY l ORDER BY l"),
		o("SELECT CONCAT(gci, bn) AS c, COUNT(*) FROM t_kind GROUP BY c ORDER BY c"),
		o("SELECT REPLACE(gci, 'A', 'b') AS r, COUNT(*) FROM t_kind GROUP BY r ORDER BY r"),
		o("SELECT TRIM(gci) AS r, COUNT(*) FROM t_kind GROUP BY r ORDER BY r"),
		o("SELECT LEFT(uca, 1) AS r, COUNT(*) FROM t_kind GROUP BY r ORDER BY r"),
		o("SELECT MAX(CONCAT(uca, gci)) FROM t_kind"),
		o("SELECT INSTR(gci, 'a') AS i, COUNT(*) FROM t_kind GROUP BY i ORDER BY i"),
		o("SELECT LOCATE('ss', gci) AS i, COUNT(*) FROM t_kind GROUP BY i ORDER BY i"),
		o("SELECT FIELD(gci, 'a', 'ss') AS f, COUNT(*) FROM t_kind GROUP BY f ORDER BY f"),
		o("SELECT STRCMP(gci, 'a') AS f, COUNT(*) FROM t_kind GROUP BY f ORDER BY f"),
		o("SELECT GROUP_CONCAT(DISTINCT gci ORDER BY gci) FROM t_kind"),
		o("SELECT COUNT(DISTINCT gci), COUNT(DISTINCT bn), COUNT(DISTINCT uca) FROM t_kind"),
		o("SELECT gci, COUNT(*) FROM t_kind WHERE gci LIKE 'a%' GROUP BY gci ORDER BY gci"),
		o("SELECT NULLIF(gci, 'A') AS x, COUNT(*) FROM t_kind GROUP BY x ORDER BY x"),
		o("SELECT GREATEST(gci, 'b') AS x, COUNT(*) FROM t_kind GROUP BY x ORDER BY x"),
		o("SELECT IF(gci = 'a', 'y', 'n') AS x, COUNT(*) FROM t_kind GROUP BY x ORDER BY x"),
	} {
		env.exactOrRefused(t, q, "selects")
	}
}
