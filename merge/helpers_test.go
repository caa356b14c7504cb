package merge

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/require"
)

// bs is shorthand for a text-protocol value.
func bs(s string) []byte { return []byte(s) }

// nodeCursors turns row sets into sliceCursors, one per node.
func nodeCursors(parts ...[][]driver.Value) []*sliceCursor {
	out := make([]*sliceCursor, len(parts))
	for i, p := range parts {
		out[i] = &sliceCursor{rows: p}
	}
	return out
}

func asCursors[C Cursor](cs []C) []Cursor {
	out := make([]Cursor, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

// run merges parts as spec says and returns every row of the visible width.
func run(t *testing.T, spec Spec, types []string, parts ...[][]driver.Value) ([][]driver.Value, error) {
	t.Helper()
	cur, err := newMerge(spec, types, asCursors(nodeCursors(parts...)))
	require.NoError(t, err)
	defer cur.Close()
	return drain(t, cur, len(types)-spec.Hidden)
}

// mustRun is run that fails the test on a merge error.
func mustRun(t *testing.T, spec Spec, types []string, parts ...[][]driver.Value) [][]driver.Value {
	t.Helper()
	rows, err := run(t, spec, types, parts...)
	require.NoError(t, err)
	return rows
}

// countingCursor is a sliceCursor that counts the rows handed out.
type countingCursor struct {
	sliceCursor
	reads int
}

func (c *countingCursor) Next(dest []driver.Value) error {
	err := c.sliceCursor.Next(dest)
	if err == nil {
		c.reads++
	}
	return err
}

// intRows builds one-column int64 rows.
func intRows(vs ...int64) [][]driver.Value {
	out := make([][]driver.Value, len(vs))
	for i, v := range vs {
		out[i] = []driver.Value{v}
	}
	return out
}

// gci is the COLLATION(x) a MariaDB node sends for utf8mb4 text.
var gci = []byte("utf8mb4_general_ci")

// at is a pointer to At(i), for the optional columns (Agg.CountCol).
func at(i int) *Col {
	c := At(i)
	return &c
}
