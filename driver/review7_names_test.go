package driver_test

import "testing"

// TestReview7StringLiteralNames checks the column names of string literal
// select items: MariaDB names such a column after the string's value
// ('user_id = 7' is the column user_id = 7), and shardsql named it after
// the caller's text, quotes included, on a one-node statement, a scatter,
// a join and a semi-join alike.
func TestReview7StringLiteralNames(t *testing.T) {
	env := newAttackEnv(t, "review7_names")
	for _, q := range []diffQuery{
		ordered(`SELECT id, 'user_id = 7', 'it''s', "q\"x", 'back\\slash', 'é日本', '' FROM t_kind WHERE user_id = 7 ORDER BY id LIMIT 2`),
		ordered(`SELECT id, 'a\0b', _binary'a\0b', _utf8mb4'xé', N'nat', X'00FF', 0x41 FROM t_kind WHERE user_id = 7 ORDER BY id LIMIT 2`),
		ordered(`SELECT id, 't_kind', '/* c */' FROM t_kind ORDER BY id LIMIT 5`),
		unordered(`SELECT 'x', COUNT(*) FROM t_kind`),
		ordered(`SELECT 'x', n, COUNT(*) FROM t_kind GROUP BY n ORDER BY n LIMIT 5`),
		ordered(`SELECT 'x', n FROM t_kind ORDER BY n, id LIMIT 5 OFFSET 600`),
		ordered(`SELECT * FROM (SELECT 'x', id FROM t_kind) d ORDER BY id LIMIT 3`),
		ordered(`SELECT 'x', o.id FROM t_kind o JOIN t_side s ON s.id = o.n ORDER BY o.id LIMIT 3`),
		unordered(`SELECT 'x', COUNT(*) FROM t_kind o JOIN t_side s ON s.id = o.n`),
		ordered(`SELECT 'x', o.id FROM t_kind o WHERE EXISTS (SELECT 1 FROM t_side s WHERE s.k = o.n) ORDER BY o.id LIMIT 3`),
		ordered(`SELECT 'x', id, SUM(n) OVER (PARTITION BY user_id) FROM t_kind ORDER BY id LIMIT 3`),
	} {
		env.exact(t, q, "string literal name")
	}
}
