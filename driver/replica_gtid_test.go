package driver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGTIDPositions(t *testing.T) {
	p, err := parseGTIDPos("1-1-7, 0-2-42")
	require.NoError(t, err)
	require.Equal(t, "0-2-42,1-1-7", p.String())
	for _, c := range []struct {
		have, need string
		covers     bool
	}{
		{"0-1-42", "", true},
		{"", "0-1-1", false},
		{"0-1-42", "0-1-42", true},
		{"0-1-42", "0-1-43", false},
		{"0-2-50", "0-1-43", true}, // sequence numbers grow within a domain, whichever server wrote
		{"0-1-42", "0-1-40,1-1-1", false},
		{"0-1-42,1-3-9", "0-1-40,1-1-1", true},
	} {
		have, err := parseGTIDPos(c.have)
		require.NoError(t, err)
		need, err := parseGTIDPos(c.need)
		require.NoError(t, err)
		require.Equal(t, c.covers, have.covers(need), "%s covers %s", c.have, c.need)
	}
	a, _ := parseGTIDPos("0-1-5,2-1-9")
	b, _ := parseGTIDPos("0-1-7,1-1-3,2-1-1")
	require.Equal(t, "0-1-7,1-1-3,2-1-9", a.merge(b).String())
	require.Equal(t, "0-1-5,2-1-9", a.String(), "merge changed its receiver")
	for _, bad := range []string{"0-1", "a-1-2", "0-1-2-3", "0-1-x"} {
		_, err := parseGTIDPos(bad)
		require.Error(t, err, bad)
	}
}

func TestReadAfterTokens(t *testing.T) {
	a, _ := parseGTIDPos("0-1-5,2-1-9")
	b, _ := parseGTIDPos("0-3-70")
	token := encodeToken(map[string]gtidPos{"ds0": a, "ds1": b, "ds2": nil})
	got, err := decodeToken(token)
	require.NoError(t, err)
	require.Equal(t, map[string]gtidPos{"ds0": a, "ds1": b}, got)
	empty, err := decodeToken(encodeToken(nil))
	require.NoError(t, err)
	require.Empty(t, empty)
	for _, bad := range []string{"", "xyz", tokenPrefix + "!!!", tokenPrefix + "ZHMw"} {
		_, err := decodeToken(bad)
		require.Error(t, err, bad)
	}
}
