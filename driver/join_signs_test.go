package driver_test

import "testing"

// TestJoinMixedSigns (round 19): joins whose keys are an INT and an INT UNSIGNED
// (or BIGINT and BIGINT UNSIGNED) compare integers of either sign
// exactly in MySQL; above the nodes they match the same rows.
func TestJoinMixedSigns(t *testing.T) {
	e := newR16Env(t, "joinsigns")
	e.checkCases(t, []attack16Case{
		{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.u = b.g ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.g = b.u ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id, b.id FROM r16 a LEFT JOIN r16b b ON a.g = b.u ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.g - 3 = b.u ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id FROM r16 a WHERE a.g IN (SELECT u FROM r16b) ORDER BY a.id", ordered: true},
		{sql: "SELECT a.id FROM r16 a WHERE a.u IN (SELECT g - 3 FROM r16b) ORDER BY a.id", ordered: true},
		{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.u = b.id ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id, b.id FROM r16 a JOIN r16b b ON b.u = a.id ORDER BY a.id, b.id", ordered: true},
		{sql: "SELECT a.id, b.g FROM r16 a LEFT JOIN r16b b ON b.u = a.g - 3 ORDER BY a.id, b.g", ordered: true},
		{sql: "SELECT a.id, COUNT(b.id) FROM r16 a LEFT JOIN r16b b ON a.g = b.u GROUP BY a.id ORDER BY a.id", ordered: true},
		{sql: "SELECT a.id FROM r16 a WHERE EXISTS (SELECT 1 FROM r16b b WHERE b.u = a.g) ORDER BY a.id", ordered: true},
		{sql: "SELECT d.id, b.id FROM (SELECT id, yr + 0 AS y FROM r16) d JOIN r16b b ON d.y = b.g + 2000 ORDER BY d.id, b.id", ordered: true},
		{sql: "SELECT d.id, b.id FROM (SELECT id, u AS y FROM r16 WHERE u < 100) d JOIN r16b b ON d.y = b.g ORDER BY d.id, b.id", ordered: true},
		{sql: "SELECT a.id FROM r16 a WHERE NOT EXISTS (SELECT 1 FROM r16b b WHERE b.u = a.g) ORDER BY a.id", ordered: true},
	})
}
