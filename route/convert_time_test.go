package route

import (
	"testing"
	"time"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestTemporalSpellings: the spellings MySQL reads as one instant convert
// to that instant; the ones it reads with guesses (2-digit years) or
// rejects are unknown (reads to every node, writes refused).
func TestTemporalSpellings(t *testing.T) {
	dt := &schema.Column{DataType: "datetime", ColumnType: "datetime(6)", Scale: 6} // keeps every fraction (fractionKey)
	day := time.Date(2025, 4, 4, 0, 0, 0, 0, time.UTC)
	at := time.Date(2025, 4, 4, 15, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		in   any
		want time.Time // zero: unknown
	}{
		{"2025-04-04", day},
		{"2025-4-4", day},
		{"2025/04/04", day},
		{"2025.04.04", day},
		{"20250404", day},
		{int64(20250404), day},
		{[]byte("2025-04-04"), day},
		{"2025-04-04 15:04:05", at},
		{"2025-04-04T15:04:05", at},
		{"2025-04-04 15:4:5", at},
		{"20250404150405", at},
		{int64(20250404150405), at},
		{"2025-04-04 15:04:05.5", at.Add(500 * time.Millisecond)},
		{"2025-04-04 15:04:05.123456", at.Add(123456 * time.Microsecond)},
		{"25-04-04", time.Time{}},
		{"250404", time.Time{}},
		{"2025-02-30", time.Time{}},
		{"0000-00-00", time.Time{}},
		{"2025-13-01", time.Time{}},
		{"2025-04-04 24:00:00", time.Time{}},
		{"2025-04-04 15:04", time.Time{}},
		{"2025-04-04x", time.Time{}},
		{"", time.Time{}},
		{"abc", time.Time{}},
		{1.5, time.Time{}},
	} {
		got := convertKey(dt, c.in, keyCompare, time.UTC)
		if c.want.IsZero() {
			if got.res != keyUnknown {
				t.Errorf("%s: got %v, want unknown", describe(c.in), got)
			}
			continue
		}
		if got.res != keyExact || !got.value.(time.Time).Equal(c.want) {
			t.Errorf("%s: got %v, want %v", describe(c.in), got, c.want)
		}
	}
}
