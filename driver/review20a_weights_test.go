package driver_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/charset"
	"vitess.io/vitess/go/mysql/collations/colldata"
)

// TestReview20aWeightStrings compares Vitess's weight strings, which text
// keys hash and merges compare by, with MariaDB's WEIGHT_STRING for
// every utf8mb4, utf8mb3 and latin1 collation both know, over single
// characters of several scripts, spaces and symbols, and contractions.
func TestReview20aWeightStrings(t *testing.T) {
	db := openPlain(t, sharedDSNs(t, "review20a_weights")[0])
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	var strs []string
	for _, r := range [][2]rune{{0x20, 0x24F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x1E00, 0x1EFF}, {0x2000, 0x206F}, {0x3000, 0x303F}, {0x4E00, 0x4E20}, {0xFF00, 0xFF5F}, {0x1F600, 0x1F610}} {
		for c := r[0]; c <= r[1]; c++ {
			strs = append(strs, string(c))
		}
	}
	strs = append(strs, "ch", "CH", "Ch", "ll", "LL", "dz", "dž", "lj", "nj", "aa", "AA", "ss", "ae", "oe", "ue", "rr", "cs", "dzs", "gy", "ly", "ny", "sz", "ty", "zs", "ij", "ng")
	_, err := db.ExecContext(ctx, "CREATE OR REPLACE TABLE ws (i INT PRIMARY KEY, s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)")
	require.NoError(t, err)
	for start := 0; start < len(strs); start += 500 {
		end := min(start+500, len(strs))
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO ws VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?)")
			args = append(args, i, strs[i])
		}
		_, err := db.ExecContext(ctx, sb.String(), args...)
		require.NoError(t, err)
	}
	rows, err := db.QueryContext(ctx, "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE CHARACTER_SET_NAME IN ('utf8mb4', 'utf8mb3', 'latin1') ORDER BY 1")
	require.NoError(t, err)
	var names, sets []string
	for rows.Next() {
		var n, cs string
		require.NoError(t, rows.Scan(&n, &cs))
		names, sets = append(names, n), append(sets, cs)
	}
	require.NoError(t, rows.Close())
	env := collations.MySQL8()
	compared := 0
	for i, name := range names {
		id := env.LookupByName(name)
		if id == collations.Unknown {
			id = env.LookupByName(strings.Replace(name, "utf8mb3_", "utf8_", 1))
		}
		if id == collations.Unknown {
			continue // refused for keys and merges
		}
		coll := colldata.Lookup(id)
		cs := sets[i]
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT i, HEX(WEIGHT_STRING(CONVERT(s USING %s) COLLATE %s)), CONVERT(s USING %s) = s FROM ws ORDER BY i", cs, name, cs))
		require.NoError(t, err)
		diffs := 0
		for rows.Next() {
			var n int
			var w string
			var same bool
			require.NoError(t, rows.Scan(&n, &w, &same))
			s := []byte(strs[n])
			if !same || cs == "utf8mb3" && len(s) == 4 {
				continue // not in the charset
			}
			if cs == "latin1" {
				if s, err = charset.ConvertFromUTF8(nil, coll.Charset(), s); err != nil {
					continue
				}
			}
			if got := strings.ToUpper(hex.EncodeToString(coll.WeightString(nil, s, 0))); got != w {
				if diffs++; diffs <= 3 {
					t.Errorf("%s: %q: MariaDB %s, Vitess %s", name, strs[n], w, got)
				}
			}
		}
		require.NoError(t, rows.Close())
		compared++
	}
	require.Greater(t, compared, 50)
	t.Logf("%d collations compared", compared)
}
