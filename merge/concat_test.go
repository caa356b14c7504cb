package merge

import (
	"database/sql/driver"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sliceCursor is a cursor over fixed rows that records Close calls.
type sliceCursor struct {
	rows   [][]driver.Value
	err    error // returned after the rows instead of io.EOF
	closed int
}

func (s *sliceCursor) Next(dest []driver.Value) error {
	if len(s.rows) == 0 {
		if s.err != nil {
			return s.err
		}
		return io.EOF
	}
	copy(dest, s.rows[0])
	s.rows = s.rows[1:]
	return nil
}

func (s *sliceCursor) Close() error { s.closed++; return nil }

func drain(t *testing.T, c Cursor, cols int) ([][]driver.Value, error) {
	t.Helper()
	var out [][]driver.Value
	for {
		row := make([]driver.Value, cols)
		err := c.Next(row)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, row)
	}
}

func TestConcatKeepsPartOrderAndClosesEachPart(t *testing.T) {
	a := &sliceCursor{rows: [][]driver.Value{{int64(1)}, {int64(2)}}}
	b := &sliceCursor{}
	c := &sliceCursor{rows: [][]driver.Value{{int64(3)}}}
	cur := concatenate(a, b, c)
	rows, err := drain(t, cur, 1)
	require.NoError(t, err)
	assert.Equal(t, [][]driver.Value{{int64(1)}, {int64(2)}, {int64(3)}}, rows)
	assert.Equal(t, 1, a.closed, "an exhausted part is closed at once")
	assert.Equal(t, 1, b.closed)
	require.NoError(t, cur.Close())
	assert.Equal(t, 2, c.closed, "Close closes every part; parts tolerate a second Close")
}

func TestConcatStopsAtPartError(t *testing.T) {
	boom := errors.New("boom")
	a := &sliceCursor{rows: [][]driver.Value{{"x"}}, err: boom}
	b := &sliceCursor{rows: [][]driver.Value{{"y"}}}
	rows, err := drain(t, concatenate(a, b), 1)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, [][]driver.Value{{"x"}}, rows)
}

func TestConcatEarlyCloseClosesUnreadParts(t *testing.T) {
	a := &sliceCursor{rows: [][]driver.Value{{1}, {2}}}
	b := &sliceCursor{rows: [][]driver.Value{{3}}}
	cur := concatenate(a, b)
	row := make([]driver.Value, 1)
	require.NoError(t, cur.Next(row))
	require.NoError(t, cur.Close())
	assert.Equal(t, 1, a.closed)
	assert.Equal(t, 1, b.closed)
}
