package route

import (
	"testing"

	"github.com/shardsql/shardsql/shard"
)

func TestDiagnosticsText(t *testing.T) {
	r, err := New(shard.NewTopology())
	if err != nil {
		t.Fatal(err)
	}
	for sql, want := range map[string]bool{
		"SHOW COUNT(*) WARNINGS":        true,
		"show count( * ) errors;":       true,
		"SHOW  COUNT(*)\nWarnings":      true,
		"SHOW WARNINGS":                 false, // parsed: diagnosticsNode
		"SHOW COUNT(*) WARNINGS LIMIT":  false,
		"SELECT COUNT(*) FROM warnings": false,
		// review15a: comments before, inside and after.
		"/* app */ SHOW COUNT(*) WARNINGS":     true,
		"SHOW COUNT(*) ERRORS /* app */":       true,
		"SHOW /* x */ COUNT(*) -- y\nWARNINGS": true,
		"# c\nSHOW COUNT(*) WARNINGS ;":        true,
		"SHOW COUNT(*) WARNINGS x":             false,
	} {
		if got := r.diagnosticsText(sql); got != want {
			t.Errorf("diagnosticsText(%q) = %v, want %v", sql, got, want)
		}
	}
}
