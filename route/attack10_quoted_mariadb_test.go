package route

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shardtest"
)

// TestAttack10QuotedKeywordCalls derives quotedCallNames again from a real
// MariaDB: every name of its KEYWORDS and SQL_FUNCTIONS (and of
// builtinFunctions) whose call in backquotes reaches a stored function
// (error 1305/1630) while some unquoted call of it does not. It also
// checks the refusals' advice: a schema-qualified call of such a name is a
// stored function call, and renamedCalls' names are not MariaDB built-ins
// while the names the parser prints are.
func TestAttack10QuotedKeywordCalls(t *testing.T) {
	srv := shardtest.MariaDB(t, 1)
	db, err := sql.Open("mysql", srv[0].DSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	stored := func(q string) bool {
		_, err := db.ExecContext(ctx, q)
		return storedFunctionMissing(err)
	}
	cand := map[string]bool{}
	for n := range builtinFunctions {
		cand[n] = true
	}
	for _, tbl := range []string{"KEYWORDS", "SQL_FUNCTIONS"} {
		rows, err := db.QueryContext(ctx, "SELECT * FROM information_schema."+tbl)
		require.NoError(t, err)
		for rows.Next() {
			var w string
			require.NoError(t, rows.Scan(&w))
			cand[strings.ToLower(w)] = true
		}
		require.NoError(t, rows.Err())
		_ = rows.Close()
	}
	var want []string
	for n := range cand {
		if !isIdentifier(n) || !stored(fmt.Sprintf("SELECT `%s`(1)", n)) {
			continue
		}
		for _, a := range []string{"()", "(1)", "(1, 1)", "('a')", "('2020-01-01')", "(1, 1, 1)", "('a', 'b', 'c')"} {
			if !stored(fmt.Sprintf("SELECT %s%s", n, a)) {
				want = append(want, n)
				break
			}
		}
	}
	sort.Strings(want)
	if p := os.Getenv("ZZ_DUMP"); p != "" {
		_ = os.WriteFile(p, []byte(strings.Join(want, "\n")), 0o644)
	}
	var have []string
	for n := range quotedCallNames {
		have = append(have, n)
	}
	sort.Strings(have)
	assert.Equal(t, want, have)
	for _, n := range []string{"year", "utc_date", "weight_string", "count", "not"} {
		assert.True(t, stored(fmt.Sprintf("SELECT %s.%s(1)", srv[0].Database(), n)), n)
	}
	for from, to := range renamedCalls {
		arg := "(POINT(1, 1))"
		if strings.Contains(from, "txt") {
			arg = "('POINT(1 1)')"
		}
		assert.True(t, stored("SELECT "+from+arg), from)
		assert.False(t, stored("SELECT "+to+arg), to)
	}
}

func isIdentifier(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
