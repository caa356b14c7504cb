package route

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShapeWalkSessionUses: an uncached parse learns its session uses in
// the shape walk (walkShape with a sessionWalk), which must find what
// sessionUsesOf's own walk finds, for every statement of the corpus and
// those whose uses the session tests pin.
func TestShapeWalkSessionUses(t *testing.T) {
	stmts, planStmts := routeCorpus(t)
	for _, sql := range []string{
		"SELECT @v", "SELECT LAST_INSERT_ID()", "SELECT FOUND_ROWS()", "SELECT ROW_COUNT()", "SELECT CONNECTION_ID()",
		"SELECT GET_LOCK('migrate', 10)", "SELECT @@session.sql_mode, @@time_zone", "SELECT @@global.max_connections",
		"CREATE TEMPORARY TABLE tmp (a INT)", "DROP TEMPORARY TABLE tmp", "SELECT SQL_CALC_FOUND_ROWS * FROM t_order WHERE user_id = 1 LIMIT 1",
		"SELECT * FROM t_order WHERE user_id = ? AND note = @v", "SELECT LASTVAL(s)", "SELECT NEXTVAL(s)", "SELECT 1", "SELECT 1 FROM dual",
		"SELECT @v := 1", "SELECT 1 INTO @v", "SELECT * FROM t_plain INTO OUTFILE '/tmp/x'", "SELECT x.a FROM (SELECT a FROM t_plain FOR UPDATE) AS x",
		"SELECT * FROM t_plain WHERE a IN (SELECT b FROM t_other FOR UPDATE)", "SELECT dual.a", "UPDATE t_order SET note = @v WHERE user_id = 1",
	} {
		stmts = append(stmts, corpusStmt{sql: sql})
	}
	plan, test := planTopology(t), testTopology(t)
	compared := 0
	for i, c := range stmts {
		topo := test
		if i < planStmts {
			topo = plan
		}
		r, err := NewWithConfig(topo, Config{CacheSize: -1})
		require.NoError(t, err)
		ps, err := r.parse(c.sql)
		if err != nil {
			continue // not parsed: no walk
		}
		require.False(t, ps.sessionKnown, c.sql)
		s := &statement{router: r, sql: c.sql, args: c.args, topo: topo, ps: ps, version: topo.Version(), catalog: c.opts.Catalog}
		s.shapeOf(ps.stmt)
		require.True(t, ps.sessionKnown, c.sql)
		require.Equal(t, sessionUsesOf(ps.stmt), ps.session, c.sql)
		compared++
	}
	require.Greater(t, compared, 300)
}
