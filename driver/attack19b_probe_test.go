package driver_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttack19bProbe logs which server answers each statement of a list
// of spellings (SET STATEMENT, locking clauses, comments, server functions
// in subqueries, CTEs, ORDER BY, HAVING) under WithoutReadYourWrites, the
// replica stopped. Skipped unless SHARDSQL_A19B_PROBE is set: it asserts
// nothing (the cases that failed are in TestAttack19bReplicas).
func TestAttack19bProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A19B_PROBE") == "" {
		t.Skip("set SHARDSQL_A19B_PROBE to run the probe")
	}
	e := newR19bEnv(t)
	ctx := context.Background()
	_, err := e.db.ExecContext(ctx, "CREATE SEQUENCE s19 NOCACHE")
	require.NoError(t, err)
	require.NoError(t, e.cluster.Sync(ctx))
	e.stop(t)
	norw := openDB(t, e.topo(t), driver.WithoutReadYourWrites())
	for _, q := range []string{
		"SET STATEMENT max_statement_time = 10 FOR SELECT NEXTVAL(s19)",
		"SET STATEMENT max_statement_time = 10 FOR SELECT id FROM p19 WHERE id = 1 FOR UPDATE",
		"SET STATEMENT max_statement_time = 10 FOR SELECT LOAD_FILE('x') FROM p19",
		"SET STATEMENT max_statement_time = 10 FOR SELECT id FROM p19",
		"SET STATEMENT time_zone = '+05:00' FOR SELECT @@time_zone",
		"(SELECT id FROM p19 WHERE id = 1 FOR UPDATE)",
		"SELECT id FROM p19 WHERE id = 1 LOCK IN SHARE MODE NOWAIT",
		"select id from p19 where id = 1 for update",
		"SELECT HIGH_PRIORITY id FROM p19 WHERE id = 1 FOR UPDATE",
		"SELECT id FROM p19 WHERE id = 1 /*! FOR UPDATE */",
		"SELECT id FROM p19 WHERE id = 1 -- FOR UPDATE",
		"SELECT id FROM p19 WHERE id = 1 # x",
		"SELECT (SELECT NEXTVAL(s19)) FROM p19 WHERE id = 1",
		"SELECT id FROM p19 WHERE id IN (SELECT NEXT VALUE FOR s19)",
		"SELECT id FROM p19 WHERE EXISTS (SELECT 1 FROM information_schema.PROCESSLIST)",
		"SELECT id FROM p19, LATERAL (SELECT 1) x",
		"SELECT JSON_ARRAYAGG(id) FROM p19",
		"SELECT id FROM p19 WHERE id = 1 UNION SELECT LOAD_FILE('x')",
		"WITH x AS (SELECT UUID_SHORT() u) SELECT u >> 56 FROM x",
		"SELECT id FROM p19 ORDER BY UUID_SHORT() LIMIT 1",
		"SELECT COUNT(*) FROM p19 GROUP BY id HAVING MAX(UUID_SHORT()) > 0",
	} {
		var trace []driver.ReadServer
		rows, err := norw.QueryContext(driver.WithReadTrace(ctx, &trace), q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Close()
		}
		t.Logf("%s: err=%v trace %+v", q, err, trace)
	}
}
