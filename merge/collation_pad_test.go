package merge

import (
	"database/sql/driver"
	"encoding/json"
	"os"
	"testing"
)

// padCase is MariaDB 10.11's STRCMP(a, b) under a collation
// (testdata/mariadb_pad_strcmp.json, read from a server): values that
// end in characters weighing as spaces or nothing, and in characters
// sorting below the space.
type padCase struct {
	Collation string `json:"collation"`
	A         string `json:"a"`
	B         string `json:"b"`
	Strcmp    int    `json:"strcmp"`
}

// readPadCases reads the recorded answers.
func readPadCases(t *testing.T) []padCase {
	t.Helper()
	data, err := os.ReadFile("testdata/mariadb_pad_strcmp.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []padCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCollatePadSpace compares textColl.collate, which orders merged rows
// and groups them, with MariaDB's answers.
func TestCollatePadSpace(t *testing.T) {
	for _, c := range readPadCases(t) {
		tc := &textColl{}
		if err := tc.learn([]driver.Value{[]byte(c.Collation)}); err != nil {
			t.Fatal(err)
		}
		if got := tc.collate([]byte(c.A), []byte(c.B)); got != c.Strcmp {
			t.Errorf("%s: collate(%q, %q) = %d, MariaDB %d", c.Collation, c.A, c.B, got, c.Strcmp)
		}
	}
}

// TestPadHazard checks that the evaluator's values are refused exactly
// where comparing them without padding after trimming trailing spaces
// (what the evaluator does) would answer otherwise than MariaDB for some
// recorded pair.
func TestPadHazard(t *testing.T) {
	for _, c := range readPadCases(t) {
		tc := &textColl{}
		if err := tc.learn([]driver.Value{[]byte(c.Collation)}); err != nil {
			t.Fatal(err)
		}
		if !tc.pad {
			continue
		}
		if tc.padHazard([]byte(c.A)) || tc.padHazard([]byte(c.B)) {
			continue
		}
		a, b := []byte(c.A), []byte(c.B)
		for len(a) > 0 && a[len(a)-1] == ' ' {
			a = a[:len(a)-1]
		}
		for len(b) > 0 && b[len(b)-1] == ' ' {
			b = b[:len(b)-1]
		}
		if tc.conv != nil {
			continue // converted to the charset first: TestCollatePadSpace
		}
		got := tc.coll.Collate(a, b, false)
		got = min(max(got, -1), 1)
		if got != c.Strcmp {
			t.Errorf("%s: %q vs %q passes padHazard, but compares %d without padding, MariaDB %d", c.Collation, c.A, c.B, got, c.Strcmp)
		}
	}
}
