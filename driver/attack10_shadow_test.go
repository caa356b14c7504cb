package driver_test

import (
	"testing"
)

// TestAttack10NameShadowing: a CTE or a derived table named like a
// sharded table shadows it, as on one server; a CTE named like a node
// table is refused or answered as the CTE.
func TestAttack10NameShadowing(t *testing.T) {
	env := newAttackEnv(t, "attack10_shadow")
	for _, q := range []diffQuery{
		ordered("WITH t_side AS (SELECT 1 AS id, 2 AS k) SELECT id, k FROM t_side"),
		ordered("WITH t_side AS (SELECT id, n AS k FROM t_kind WHERE user_id = 3) SELECT COUNT(*), SUM(k) FROM t_side"),
		ordered("WITH t_kind AS (SELECT id, k FROM t_side) SELECT COUNT(*) FROM t_kind"),
		ordered("WITH t_kind AS (SELECT 5 AS user_id, 1 AS n) SELECT n FROM t_kind WHERE user_id = 5"),
		ordered("SELECT COUNT(*) FROM (SELECT id FROM t_side) AS t_kind"),
		ordered("SELECT t_kind.id FROM (SELECT 7 AS id) AS t_kind"),
		ordered("WITH t_side_0 AS (SELECT 1 AS x) SELECT x FROM t_side_0"),
		ordered("WITH c AS (SELECT id FROM t_kind WHERE user_id = 2) SELECT COUNT(*) FROM c JOIN t_side s ON s.id = c.id"),
		ordered("WITH RECURSIVE t_side (id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM t_side WHERE id < 3) SELECT id FROM t_side ORDER BY id"),
		ordered("SELECT (WITH t_side AS (SELECT 9 AS k) SELECT k FROM t_side) AS m"),
		ordered("SELECT id FROM t_kind WHERE user_id = 3 AND n IN (WITH t_kind AS (SELECT 1 AS n) SELECT n FROM t_kind) ORDER BY id"),
	} {
		env.exactOrRefused(t, q, "shadow")
	}
}
