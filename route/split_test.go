package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplit checks that only ';' outside strings, comments and quoted names
// cut a multi-statement string, and that what cannot be cut exactly is
// refused.
func TestSplit(t *testing.T) {
	r, err := New(testTopology(t))
	require.NoError(t, err)
	for _, c := range []struct {
		sql  string
		want []Piece
	}{
		{"SELECT 1", nil},
		{"SELECT 1;", nil},
		{"SELECT ';' ; ", nil},
		{"INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`); UPDATE t SET a = ? WHERE b = ?;\n-- x; y\nDELETE FROM t /* ; */ WHERE c = ?;",
			[]Piece{{"INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)", 0}, {"UPDATE t SET a = ? WHERE b = ?", 2}, {"-- x; y\nDELETE FROM t /* ; */ WHERE c = ?", 1}}},
		{"CREATE TABLE a (id INT);;\n\nCREATE TABLE b (id INT)", []Piece{{"CREATE TABLE a (id INT)", 0}, {"CREATE TABLE b (id INT)", 0}}},
		{"SELECT 'it''s;'; SELECT 'a\\';b'", []Piece{{"SELECT 'it''s;'", 0}, {"SELECT 'a\\';b'", 0}}},
	} {
		got, err := r.Split(c.sql)
		require.NoError(t, err, c.sql)
		assert.Equal(t, c.want, got, c.sql)
	}
	for sql, want := range map[string]string{
		"DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //":    "DELIMITER",
		"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END; SELECT 3": "compound statement",
		"SELECT 1; SELECT 'unterminated":                               "cannot be told apart",
	} {
		_, err := r.Split(sql)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), want, sql)
	}
}

// TestRouteUnparsed checks that statements the parser cannot read and that
// name no table of the topology pass through unchanged.
func TestRouteUnparsed(t *testing.T) {
	r, err := New(testTopology(t))
	require.NoError(t, err)
	for _, sql := range []string{
		"SELEC 1",
		"EXECUTE IMMEDIATE 'SELECT 1'",
		"CREATE SEQUENCE s START WITH 100 INCREMENT BY 10",
		"SELECT NEXTVAL(s)",
	} {
		p, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
		require.Len(t, p.Units, 1)
		assert.Equal(t, sql, p.Units[0].SQL)
		assert.Equal(t, "ds0", p.Units[0].DataSource)
	}
}
