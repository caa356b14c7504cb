package driver

import "testing"

// TestComparableType checks the node-table comparison's reading of
// COLUMN_TYPE: display widths MySQL 8 no longer prints are left out,
// ZEROFILL widths and every other type's length kept.
func TestComparableType(t *testing.T) {
	for typ, want := range map[string]string{
		"int(11)":                  "int",
		"INT":                      "int",
		"bigint(20) unsigned":      "bigint unsigned",
		"tinyint(1)":               "tinyint",
		"year(4)":                  "year",
		"int(5) unsigned zerofill": "int(5) unsigned zerofill",
		"varchar(20)":              "varchar(20)",
		"decimal(10,2)":            "decimal(10,2)",
		"binary(4)":                "binary(4)",
		"enum('int(11)','b')":      "enum('int(11)','b')",
		"datetime(6)":              "datetime(6)",
		"mediumint(9)":             "mediumint",
		"smallint(6) unsigned":     "smallint unsigned",
	} {
		if got := comparableType(typ); got != want {
			t.Errorf("comparableType(%q) = %q, want %q", typ, got, want)
		}
	}
}
