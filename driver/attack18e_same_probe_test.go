package driver_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// TestAttack18eSameNameProbe: a table sharded one node per data source
// under its own name (ds0.s, ds1.s), an unsharded table plain (on ds0),
// a broadcast table b: writes to plain and b reading s.
func TestAttack18eSameNameProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	dsns := sharedDSNs(t, "attack18e_same")
	oracle := openPlain(t, sharedDSNs(t, "attack18e_same_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "s", Column: "id", Nodes: "ds${0..1}.s", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddBroadcastTable("b"))
	sharded := openDB(t, topo)
	e := &r18eEnv{oracle: oracle, sharded: sharded, dsns: dsns}
	var vals []string
	for id := 1; id <= 20; id++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", id, id%5))
	}
	reset := func() {
		for _, db := range e.dbs() {
			for _, q := range []string{"DROP TABLE IF EXISTS s", "DROP TABLE IF EXISTS plain", "DROP TABLE IF EXISTS b",
				"CREATE TABLE s (id INT PRIMARY KEY, k INT NOT NULL)", "CREATE TABLE plain (id INT PRIMARY KEY, k INT NOT NULL)", "CREATE TABLE b (id INT PRIMARY KEY, k INT NOT NULL)",
				"INSERT INTO s (id, k) VALUES " + strings.Join(vals, ","), "INSERT INTO plain (id, k) VALUES " + strings.Join(vals, ","), "INSERT INTO b (id, k) VALUES " + strings.Join(vals, ",")} {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
		}
	}
	for _, q := range []string{
		"DELETE FROM s WHERE k < 2 LIMIT 3",
		"DELETE FROM s WHERE k < 2 LIMIT 30",
		"INSERT INTO plain (id, k) SELECT id + 100, k FROM s",
		"REPLACE INTO plain (id, k) SELECT id, k + 10 FROM s",
		"UPDATE plain SET k = (SELECT COUNT(*) FROM s)",
		"DELETE FROM plain WHERE id IN (SELECT id FROM s WHERE k = 1)",
		"UPDATE plain SET k = 9 WHERE EXISTS (SELECT 1 FROM s WHERE s.id = plain.id AND s.k = 1)",
		"UPDATE plain JOIN (SELECT id FROM s WHERE k = 1) x ON x.id = plain.id SET plain.k = 9",
		"UPDATE plain JOIN s ON s.id = plain.id SET plain.k = 9 WHERE s.k = 1",
		"DELETE plain FROM plain JOIN s ON s.id = plain.id WHERE s.k = 1",
		"INSERT INTO plain (id, k) SELECT * FROM (SELECT id + 100, k FROM s) d",
		"WITH x AS (SELECT id FROM s) DELETE FROM plain WHERE id IN (SELECT id FROM x)",
		"INSERT INTO plain (id, k) VALUES (100, (SELECT MAX(id) FROM s))",
		"INSERT INTO plain (id, k) SELECT 100, COUNT(*) FROM s",
		"DELETE FROM b WHERE id IN (SELECT id FROM s WHERE k = 1)",
		"INSERT INTO b (id, k) SELECT id + 100, k FROM s",
		"UPDATE b SET k = (SELECT COUNT(*) FROM s)",
		"INSERT INTO plain (id, k) TABLE s",
		"INSERT INTO plain (id, k) SELECT id + 100, k FROM s UNION SELECT 200, 1",
		"INSERT INTO plain (id, k) SELECT id + 200, k FROM b WHERE id IN (SELECT id FROM s)",
		"UPDATE plain SET k = (SELECT MAX(k) FROM attack18e_same.s)",
		"INSERT INTO plain (id, k) SELECT id + 100, k FROM attack18e_same.s",
	} {
		reset()
		wn, werr := r18eExec(e.oracle, q)
		gn, gerr := r18eExec(e.sharded, q)
		out := ""
		if o, failed := errorOutcome(werr, &diffResult{}, gerr); failed {
			out = o
		} else if wn != gn {
			out = fmt.Sprintf("WRONG: RowsAffected %d vs %d", wn, gn)
		} else {
			for _, tb := range []string{"s", "plain", "b"} {
				w, _ := runDiffQuery(e.oracle, "SELECT * FROM "+tb+" ORDER BY id")
				g, _ := runDiffQuery(e.sharded, "SELECT * FROM "+tb+" ORDER BY id")
				if fmt.Sprint(w.rows) != fmt.Sprint(g.rows) {
					out += fmt.Sprintf("WRONG %s: want %v got %v; ", tb, w.rows, g.rows)
				}
			}
			if out == "" {
				out = fmt.Sprintf("exact (%d)", wn)
			}
		}
		t.Logf("%s\n    => %s", q, out)
	}
}
