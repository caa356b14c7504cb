package merge

import (
	"database/sql/driver"
	"testing"
)

// TestTrimZeroFill: the zeros of a ZEROFILL DECIMAL's text are dropped,
// nothing else (review19a).
func TestTrimZeroFill(t *testing.T) {
	for in, want := range map[string]string{
		"000002.30": "2.30", "000000.50": "0.50", "000000.00": "0.00", "0.50": "0.50",
		"100.10": "100.10", "-0.50": "-0.50", "0": "0", "00012": "12", "": "",
	} {
		if got := string(trimZeroFill([]byte(in))); got != want {
			t.Errorf("trimZeroFill(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAppendConcatTextWidth: GROUP_CONCAT writes an integer zero-filled
// to its width (a YEAR's 4, a ZEROFILL column's display width).
func TestAppendConcatTextWidth(t *testing.T) {
	for _, c := range []struct {
		v     driver.Value
		width int
		want  string
	}{
		{int64(7), 5, "00007"}, {int64(99999), 5, "99999"}, {int64(123456), 5, "123456"},
		{uint64(18446744073709551615), 20, "18446744073709551615"}, {uint64(1), 20, "00000000000000000001"},
		{int64(0), 4, "0000"}, {int64(7), 0, "7"}, {[]byte("7"), 3, "007"},
	} {
		got, err := appendConcatText(nil, c.v, c.width)
		if err != nil || string(got) != c.want {
			t.Errorf("appendConcatText(%v, %d) = %q, %v; want %q", c.v, c.width, got, err, c.want)
		}
	}
}
