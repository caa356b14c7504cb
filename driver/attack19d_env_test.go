package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// r19dEnv is review19d's table w19 (id, g, v) sharded by id over four
// nodes on two servers, and the oracle with the same rows. The nodes are
// filled directly (id ranges per node table, not by the hash: the tests
// read by scatter only), so that many rows load fast.
type r19dEnv struct {
	oracle, sharded *sql.DB
	nodes           []*sql.DB // the two servers' node databases
	topo            *shard.Topology
}

func newR19dEnv(t *testing.T, name string, rows int, opts ...driver.Option) *r19dEnv {
	t.Helper()
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	e := &r19dEnv{oracle: oracle, topo: topo}
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
		n, err := sql.Open("mysql", d)
		require.NoError(t, err)
		t.Cleanup(func() { _ = n.Close() })
		e.nodes = append(e.nodes, n)
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "w19", Column: "id", Nodes: "ds${0..1}.w19_${0..1}", Algorithm: shard.Hash()}))
	e.sharded = openDB(t, topo, opts...)
	const cols = "(id INT NOT NULL PRIMARY KEY, g INT NOT NULL, v VARCHAR(40) NOT NULL, b LONGBLOB NULL)"
	_, err = oracle.Exec("DROP TABLE IF EXISTS w19")
	require.NoError(t, err)
	_, err = oracle.Exec("CREATE TABLE w19 " + cols)
	require.NoError(t, err)
	fill := func(db *sql.DB, table string, from, to int) {
		_, err := db.Exec(fmt.Sprintf("INSERT INTO %s (id, g, v) SELECT seq, seq %% 97, CONCAT('v', seq %% 1013) FROM seq_%d_to_%d", table, from, to))
		require.NoError(t, err)
	}
	if rows > 0 {
		fill(oracle, "w19", 1, rows)
	}
	per := rows / 4
	for ds, n := range e.nodes {
		for k := 0; k < 2; k++ {
			tb := fmt.Sprintf("w19_%d", k)
			_, err = n.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = n.Exec("CREATE TABLE " + tb + " " + cols)
			require.NoError(t, err)
			i := ds*2 + k
			if rows > 0 {
				to := (i + 1) * per
				if i == 3 {
					to = rows
				}
				fill(n, tb, i*per+1, to)
			}
		}
	}
	return e
}

// running lists the statements the node servers run now on w19's tables
// (other than the PROCESSLIST query itself).
func (e *r19dEnv) running(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, n := range e.nodes {
		rows, err := n.QueryContext(context.Background(), "SELECT COALESCE(info, '') FROM information_schema.processlist WHERE info LIKE '%w19_%' AND info NOT LIKE '%processlist%'")
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, rows.Err())
		_ = rows.Close()
	}
	return out
}

// killLeft kills the statements on w19's tables still running on the
// node servers (a failed test's leftovers).
func (e *r19dEnv) killLeft(t *testing.T) {
	for _, n := range e.nodes {
		rows, err := n.Query("SELECT id FROM information_schema.processlist WHERE info LIKE '%w19_%' AND info NOT LIKE '%processlist%'")
		if err != nil {
			continue
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if rows.Scan(&id) == nil {
				ids = append(ids, id)
			}
		}
		_ = rows.Close()
		for _, id := range ids {
			_, _ = n.Exec(fmt.Sprintf("KILL QUERY %d", id))
		}
	}
}
