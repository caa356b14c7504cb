package driver

import (
	"database/sql/driver"
	"testing"
	"time"
)

// BenchmarkCloneRow: the report's point-select row (two BIGINTs, a
// DECIMAL, a VARCHAR, a DATETIME) as go-sql-driver's readRow boxes it
// (each iteration, as it does per row), then copied out of its buffer
// with each copy boxed anew (box) or written into go-sql-driver's box
// (rebox).
func BenchmarkCloneRow(b *testing.B) {
	buf := []byte("1234.56order-note-0000042")
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	row := make([]driver.Value, 5)
	for _, own := range []bool{false, true} {
		name := map[bool]string{false: "box", true: "rebox"}[own]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				row[0], row[1], row[2], row[3], row[4] = int64(42), buf[:7], buf[7:], int64(7), at
				cloneRow(row, own)
			}
		})
	}
}

// TestReboxValues: the copies written into the boxes hold the values,
// not the buffer they were read from, and a nil slice's box is not
// written.
func TestReboxValues(t *testing.T) {
	buf := []byte("abcdef")
	row := []driver.Value{buf[:3], buf[3:], []byte(nil), int64(1), nil}
	cloneRow(row, true)
	copy(buf, "XXXXXX")
	if string(row[0].([]byte)) != "abc" || string(row[1].([]byte)) != "def" || row[2].([]byte) != nil || row[3] != int64(1) || row[4] != nil {
		t.Fatalf("row after the buffer was reused: %q", row)
	}
	var empty []byte
	if any(empty).([]byte) != nil {
		t.Fatal("the shared zero box was written")
	}
}
