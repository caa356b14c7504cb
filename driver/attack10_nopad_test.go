package driver_test

import (
	"fmt"
	"testing"
)

// TestAttack10NoPadBinMerges: merges of VARCHAR and TEXT under utf8mb4_nopad_bin
// (ORDER BY, GROUP BY, DISTINCT, COUNT(DISTINCT), MIN/MAX, HAVING, a
// top-N) over values with trailing spaces, case, accents, supplementary
// characters and control characters run, and match the oracle; CHAR
// columns under it (MariaDB sorts them padded but compares them unpadded)
// and the _nopad_ci collations stay refused or exact. Before attack10 every one of these
// merges was refused ("Vitess's collations do not implement it").
func TestAttack10NoPadBinMerges(t *testing.T) {
	tables := append([]dmlTable{
		{name: "np_vbin", key: "k", cols: "k VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
		{name: "np_tbin", key: "id", intKey: true, cols: "id INT NOT NULL PRIMARY KEY, k TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, n INT NOT NULL DEFAULT 0", order: "id"},
	}, a9NoPadTables...)
	e := newDMLEnvOf(t, "a10_nopad", nil, tables)
	var sts []dmlStmt
	for _, tb := range []string{"np_vbin", "np_tbin", "np_bin", "np_gci"} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("INSERT INTO %s (k, id) VALUES ('a', 1), ('a ', 2), ('A', 3), ('b', 4), ('é', 5), ('e', 6), ('😀', 7), ('\uffff', 8), ('a\\t', 9), ('', 10), (' ', 11), ('z', 12), ('ß', 13), ('ss', 14), ('a\\0', 15), ('€', 16), ('ÿ', 17)", tb)})
		for _, q := range []string{
			"SELECT k, id FROM %s ORDER BY k, id",
			"SELECT k, id FROM %s ORDER BY k DESC, id DESC",
			"SELECT HEX(k), COUNT(*) FROM %s GROUP BY k ORDER BY k",
			"SELECT HEX(k) FROM %s GROUP BY k",
			"SELECT DISTINCT k FROM %s ORDER BY k",
			"SELECT COUNT(DISTINCT k) FROM %s",
			"SELECT HEX(MIN(k)), HEX(MAX(k)) FROM %s",
			"SELECT k, COUNT(*) FROM %s GROUP BY k HAVING k > 'a'",
			"SELECT k, id FROM %s ORDER BY k LIMIT 4",
			"SELECT k, id FROM %s ORDER BY k DESC, id LIMIT 3 OFFSET 2",
			"SELECT GROUP_CONCAT(HEX(k) ORDER BY k, id) FROM %s",
			"SELECT UPPER(k) AS u, COUNT(*) FROM %s GROUP BY u ORDER BY u",
		} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf(q, tb), query: true, mustRun: tb == "np_vbin" || tb == "np_tbin"})
		}
	}
	t.Logf("%d statements, %d refused", len(sts), e.run(t, "nopad", sts))
}
