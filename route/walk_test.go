package route

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"
)

// TestWalkMatchesVitess: walk visits the nodes sqlparser.Walk visits, in
// its order, for every statement of the routing corpus, both descending
// everywhere and descending as the shape and session walks do.
func TestWalkMatchesVitess(t *testing.T) {
	stmts, _ := routeCorpus(t)
	p, err := sqlparser.New(sqlparser.Options{})
	require.NoError(t, err)
	record := func(shapeLike bool, out *[]string) sqlparser.Visit {
		var visit sqlparser.Visit
		visit = func(n sqlparser.SQLNode) (bool, error) {
			*out = append(*out, fmt.Sprintf("%T %s", n, sqlparser.String(n)))
			if !shapeLike {
				return true, nil
			}
			switch n.(type) {
			case *sqlparser.ColName, *sqlparser.AliasedExpr, *sqlparser.AliasedTableExpr:
				return false, nil
			}
			return true, nil
		}
		return visit
	}
	compared := 0
	for _, c := range stmts {
		stmt, _, err := p.Parse2(c.sql)
		if err != nil {
			continue
		}
		for _, shapeLike := range []bool{false, true} {
			var want, got []string
			require.NoError(t, sqlparser.Walk(record(shapeLike, &want), stmt))
			require.NoError(t, walk(record(shapeLike, &got), stmt))
			require.Equal(t, want, got, c.sql)
			compared++
		}
	}
	require.Greater(t, compared, 600)
}
