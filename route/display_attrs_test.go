package route

import (
	"testing"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestZeroFillWidth: the width GROUP_CONCAT zero-fills a ZEROFILL
// integer column's values to, from the catalog's COLUMN_TYPE
// (review19a); none for other columns.
func TestZeroFillWidth(t *testing.T) {
	for _, c := range []struct {
		dataType, columnType string
		want                 int
	}{
		{"int", "int(5) unsigned zerofill", 5},
		{"tinyint", "tinyint(3) unsigned zerofill", 3},
		{"bigint", "bigint(20) unsigned zerofill", 20},
		{"int", "int(10) unsigned", 0},
		{"decimal", "decimal(8,2) unsigned zerofill", 0}, // its text arrives zero-filled
		{"double", "double unsigned zerofill", 0},
	} {
		if got := zeroFillWidth(&schema.Column{DataType: c.dataType, ColumnType: c.columnType}); got != c.want {
			t.Errorf("zeroFillWidth(%s) = %d, want %d", c.columnType, got, c.want)
		}
	}
	if zeroFillWidth(nil) != 0 {
		t.Error("zeroFillWidth(nil) != 0")
	}
}
