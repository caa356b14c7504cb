package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDialectModeIn: the dialect words of a sql_mode value, any case and
// spacing, found without allocating (the driver asks for every statement
// it parsed: a per-statement split cost 14 allocations a point select).
func TestDialectModeIn(t *testing.T) {
	cases := map[string]string{
		"": "",
		"STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION": "",
		"STRICT_TRANS_TABLES,ANSI_QUOTES":            "ANSI_QUOTES",
		" pipes_as_concat , STRICT_ALL_TABLES":       "pipes_as_concat",
		"ORACLE":                                     "ORACLE",
		"NO_ZERO_DATE,EMPTY_STRING_IS_NULL":          "EMPTY_STRING_IS_NULL",
		"no_backslash_escapes":                       "no_backslash_escapes",
		"NO_AUTO_VALUE_ON_ZERO":                      "",
	}
	for mode, want := range cases {
		assert.Equal(t, want, DialectModeIn(mode), "%q", mode)
	}
	mode := "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = DialectModeIn(mode) }))
}
