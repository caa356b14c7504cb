package route

import "testing"

// TestFoldUnionCS pins the collation fold of a union's text column to
// what MariaDB 10.11 answered (driver's TestUnion22Charsets runs them).
func TestFoldUnionCS(t *testing.T) {
	impl := func(c string) unionCS { return unionCS{class: csImplicit, coll: c} }
	expl := func(c string) unionCS { return unionCS{class: csExplicit, coll: c} }
	lit := unionCS{class: csCoercible}
	unknown := unionCS{class: csUnknown}
	for _, c := range []struct {
		name  string
		parts []unionCS
		ok    bool
		coll  string
	}{
		{"latin1 then cp1251", []unionCS{impl("latin1_swedish_ci"), impl("cp1251_general_ci")}, false, ""},
		{"latin1, utf8mb4, cp1251", []unionCS{impl("latin1_swedish_ci"), impl("utf8mb4_general_ci"), impl("cp1251_general_ci")}, true, "utf8mb4_general_ci"},
		{"latin1, latin1, cp1251", []unionCS{impl("latin1_swedish_ci"), impl("latin1_swedish_ci"), impl("cp1251_general_ci")}, false, ""},
		{"general_ci and unicode_ci", []unionCS{impl("utf8mb4_general_ci"), impl("utf8mb4_unicode_ci")}, false, ""},
		{"general_ci, bin, unicode_ci", []unionCS{impl("utf8mb4_general_ci"), impl("utf8mb4_bin"), impl("utf8mb4_unicode_ci")}, true, "utf8mb4_bin"},
		{"a literal defers", []unionCS{lit, impl("cp1251_general_ci"), lit}, true, "cp1251_general_ci"},
		{"explicit wins in its set", []unionCS{expl("utf8mb4_unicode_ci"), impl("utf8mb4_general_ci")}, true, "utf8mb4_unicode_ci"},
		{"explicit latin1 against utf8mb4", []unionCS{impl("utf8mb4_general_ci"), expl("latin1_bin")}, false, ""},
		{"explicit utf8mb4 over latin1", []unionCS{impl("latin1_swedish_ci"), expl("utf8mb4_bin")}, true, "utf8mb4_bin"},
		{"utf8mb4 over utf8mb3", []unionCS{impl("utf8mb3_general_ci"), impl("utf8mb4_general_ci")}, true, "utf8mb4_general_ci"},
		{"unknown beside latin1", []unionCS{impl("latin1_swedish_ci"), unknown}, false, ""},
		{"unknown beside utf8mb4", []unionCS{unknown, impl("utf8mb4_general_ci")}, false, ""},
		{"two unknown", []unionCS{unknown, unknown}, true, ""},
	} {
		var cur unionCS
		ok := true
		for _, p := range c.parts {
			if cur, ok = foldUnionCS(cur, p); !ok {
				break
			}
		}
		if ok != c.ok || ok && cur.coll != c.coll {
			t.Errorf("%s: got %v %q, want %v %q", c.name, ok, cur.coll, c.ok, c.coll)
		}
	}
}
