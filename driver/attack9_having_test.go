package driver_test

import (
	"testing"
)

// TestAttack9HavingNames: names in HAVING that MariaDB cannot resolve
// (error 1054) — a column neither selected nor grouped by, also when HAVING
// repeats a GROUP BY or select expression over it — must fail through
// shardsql too, and the names MariaDB does resolve must still answer.
// Before attack9 every statement of the first list was answered.
func TestAttack9HavingNames(t *testing.T) {
	env := newAttackEnv(t, "attack9_having")
	for _, q := range []string{
		"SELECT UPPER(gci) AS u, COUNT(*) FROM t_kind GROUP BY UPPER(gci) HAVING UPPER(gci) > 'b '",
		"SELECT UPPER(gci), COUNT(*) FROM t_kind GROUP BY UPPER(gci) HAVING UPPER(gci) > 'b '",
		"SELECT COUNT(*) FROM t_kind GROUP BY UPPER(gci) HAVING UPPER(gci) > 'b '",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING gci > 'b '",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING n + dc > 3",
		"SELECT n + 1 AS m, COUNT(*) FROM t_kind GROUP BY n + 1 HAVING n + 1 > 3",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING MAX(dc) > 3 AND dc > 1",
		"SELECT COUNT(*) AS c FROM t_kind HAVING n > 3",
		"SELECT COUNT(*) AS c FROM t_kind HAVING c > 3 AND id > 1",
		"SELECT UPPER(gci) AS g, COUNT(*) FROM t_kind GROUP BY g HAVING gci > 'b'",
		"SELECT e, MIN(tm) FROM t_kind GROUP BY e HAVING tm > '01:00:00'",
		"SELECT yr, COUNT(*) FROM t_kind GROUP BY yr HAVING YEAR(dt) > 2020",
	} {
		env.bothFail(t, unordered(q), "HAVING")
	}
	for _, q := range []string{
		"SELECT gci, COUNT(*) FROM t_kind GROUP BY gci HAVING gci > 'b'",
		"SELECT gci AS g, COUNT(*) FROM t_kind GROUP BY g HAVING gci > 'b'",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING t_kind.n > 3",
		"SELECT COUNT(*) AS c, n FROM t_kind GROUP BY n HAVING c > 100",
		"SELECT n, COUNT(*) FROM t_kind GROUP BY n HAVING MAX(dc) > 3 AND n < 8",
		"SELECT n AS m FROM t_kind GROUP BY m HAVING m > 3",
		"SELECT DISTINCT n FROM t_kind HAVING n > 3",
		"SELECT COUNT(*) FROM t_kind GROUP BY n HAVING n > 3",
	} {
		env.exact(t, unordered(q), "resolves")
	}
}

// TestAttack9JSONArrow: MySQL's JSON operators, which MariaDB does not
// have (error 1064), fail through shardsql too: the parser printed them as
// JSON_EXTRACT and every node answered. JSON_EXTRACT itself still runs.
func TestAttack9JSONArrow(t *testing.T) {
	env := newAttackEnv(t, "attack9_json")
	for _, q := range []string{
		"SELECT id, js->'$.a' FROM t_kind WHERE user_id = 3",
		"SELECT id, js->>'$.a' FROM t_kind ORDER BY id LIMIT 5",
		"SELECT COUNT(*) FROM t_kind WHERE js->'$.a' IS NOT NULL",
		"SELECT id FROM t_kind WHERE js ->> '$.a' = '1' AND user_id = 5",
	} {
		env.bothFail(t, unordered(q), "")
	}
	env.exact(t, unordered("SELECT id, JSON_EXTRACT(js, '$.a') FROM t_kind WHERE user_id = 3"), "json_extract")
	env.exact(t, unordered("SELECT id, '->' FROM t_kind WHERE user_id = 3"), "arrow in a string")
}
