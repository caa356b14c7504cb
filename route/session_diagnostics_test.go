package route

import "testing"

func TestDiagnosticsText(t *testing.T) {
	for sql, want := range map[string]bool{
		"SHOW COUNT(*) WARNINGS":        true,
		"show count( * ) errors;":       true,
		"SHOW  COUNT(*)\nWarnings":      true,
		"SHOW WARNINGS":                 false, // parsed: diagnosticsNode
		"SHOW COUNT(*) WARNINGS LIMIT":  false,
		"SELECT COUNT(*) FROM warnings": false,
	} {
		if got := diagnosticsText(sql); got != want {
			t.Errorf("diagnosticsText(%q) = %v, want %v", sql, got, want)
		}
	}
}
