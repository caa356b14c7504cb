package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// diff19Tables are the tables of round 19's random writes (diff19): k19
// hashed by id over four nodes on two data sources with a column of each
// kind a WHERE may compare (ENUM, SET, BIT, DATETIME, DECIMAL, YEAR); q19
// hashed by id with a unique key u that lacks the sharding column (only
// IGNORE, REPLACE and ON DUPLICATE KEY UPDATE meet it: a plain INSERT is
// checked on its own node only, as documented); tm19 sharded by month of
// created over six nodes (January–March on ds0, April–June on ds1), its
// primary key (id, created) holding the sharding column; b19 broadcast.
var diff19Tables = []string{
	"k19 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, e ENUM('a','b','c') NULL, st SET('x','y','z') NULL, bt BIT(8) NULL, dt DATETIME NULL, d DECIMAL(8,2) NULL, yr YEAR NULL, v VARCHAR(20) NULL)",
	"q19 (id INT NOT NULL PRIMARY KEY, u INT NOT NULL, n INT NOT NULL DEFAULT 0, UNIQUE KEY (u))",
	"tm19 (id INT NOT NULL, created DATETIME NOT NULL, k INT NOT NULL DEFAULT 0, PRIMARY KEY (id, created))",
	"b19 (id INT NOT NULL PRIMARY KEY, name VARCHAR(10) NOT NULL)",
}

// diff19Keys is each table's primary key as one text expression, naming
// a row for the subset check of DELETE … LIMIT.
var diff19Keys = map[string]string{"k19": "CAST(id AS CHAR)", "q19": "CAST(id AS CHAR)", "tm19": "CONCAT(id, '/', created)", "b19": "CAST(id AS CHAR)"}

// newDiff19Env is an r18aEnv (held connections, transactions) over
// diff19Tables.
func newDiff19Env(t *testing.T, name string) *r18aEnv {
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	for _, tb := range []shard.Table{
		{Name: "k19", Column: "id", Nodes: "ds${0..1}.k19_${0..1}", Algorithm: shard.Hash()},
		{Name: "q19", Column: "id", Nodes: "ds${0..1}.q19_${0..1}", Algorithm: shard.Hash()},
		{Name: "tm19", Column: "created", Nodes: "ds0.tm19_${2025-01..2025-03|month|200601}, ds1.tm19_${2025-04..2025-06|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")},
	} {
		require.NoError(t, topo.AddTable(tb))
	}
	require.NoError(t, topo.AddBroadcastTable("b19"))
	e := &r18aEnv{t: t, oracle: oracle, sharded: openDB(t, topo)}
	diff19Copies[e] = nil
	for _, d := range dsns {
		diff19Copies[e] = append(diff19Copies[e], openPlain(t, d))
	}
	t.Cleanup(func() { delete(diff19Copies, e) })
	diff19Reset(e)
	return e
}

// diff19Reset recreates the tables with the same rows on both sides and
// opens fresh held connections. tm19 holds a row every four days from
// 2025-01-01 and rows at each month's first and last second.
func diff19Reset(e *r18aEnv) {
	t := e.t
	e.closeConns()
	var kv, qv, tv, bv []string
	enums := []string{"'a'", "'b'", "'c'", "NULL"}
	sets := []string{"'x'", "'y,z'", "''", "'x,z'", "NULL", "'x,y,z'"}
	for id := 1; id <= 16; id++ {
		yr := fmt.Sprint(1995 + 2*id)
		if id%7 == 0 {
			yr = "NULL"
		}
		dt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3*id).Add(time.Duration(id) * time.Hour).Format("'2006-01-02 15:04:05'")
		kv = append(kv, fmt.Sprintf("(%d, %d, %s, %s, %d, %s, %d.%02d, %s, 'v%d')", id, id*3%17, enums[id%4], sets[id%6], id*37%256, dt, id, id*25%100, yr, id))
		qv = append(qv, fmt.Sprintf("(%d, %d, %d)", id, 100+id, id))
	}
	for id := 1; id <= 40; id++ {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 4*(id-1)).Add(time.Duration(id%5) * time.Hour)
		tv = append(tv, fmt.Sprintf("(%d, '%s', %d)", id, at.Format("2006-01-02 15:04:05"), id%5))
	}
	for m := 1; m <= 6; m++ {
		first := time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, 0).Add(-time.Second)
		tv = append(tv, fmt.Sprintf("(%d, '%s', %d), (%d, '%s', %d)", 100+m, first.Format("2006-01-02 15:04:05"), m, 200+m, last.Format("2006-01-02 15:04:05"), m))
	}
	for id := 0; id < 5; id++ {
		bv = append(bv, fmt.Sprintf("(%d, 'b%d')", id, id%3))
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range diff19Tables {
			name, _, _ := strings.Cut(tb, " ")
			_, err := db.Exec("DROP TABLE IF EXISTS " + name)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb)
			require.NoError(t, err, tb)
		}
		for _, q := range []string{
			"INSERT INTO k19 (id, n, e, st, bt, dt, d, yr, v) VALUES " + strings.Join(kv, ", "),
			"INSERT INTO q19 (id, u, n) VALUES " + strings.Join(qv, ", "),
			"INSERT INTO tm19 (id, created, k) VALUES " + strings.Join(tv, ", "),
			"INSERT INTO b19 (id, name) VALUES " + strings.Join(bv, ", "),
		} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	var err error
	e.oc, err = e.oracle.Conn(context.Background())
	require.NoError(t, err)
	e.sc, err = e.sharded.Conn(context.Background())
	require.NoError(t, err)
	// A go-sql-driver connection back in its pool keeps its session (a
	// time_zone set by an earlier sequence); shardsql's is reset: start
	// both from the server's default.
	for _, c := range []*sql.Conn{e.oc, e.sc} {
		_, err := c.ExecContext(context.Background(), "SET time_zone = DEFAULT")
		require.NoError(t, err)
	}
}

// diff19Copies are plain connections to each data source of an env, to
// read every copy of the broadcast table b19.
var diff19Copies = map[*r18aEnv][]*sql.DB{}

// diff19Dump compares every table's contents, and each data source's
// copy of b19, with the oracle's; "" when alike.
func diff19Dump(e *r18aEnv) string {
	var out []string
	want, werr := runDiffQuery(e.oracle, "SELECT * FROM b19 ORDER BY id")
	for i, db := range diff19Copies[e] {
		got, gerr := runDiffQuery(db, "SELECT * FROM b19 ORDER BY id")
		if o := diffOutcome(want, werr, got, gerr, true); o != "exact" {
			out = append(out, fmt.Sprintf("b19 on ds%d: %s", i, o))
		}
	}
	for _, tb := range diff19Tables {
		name, _, _ := strings.Cut(tb, " ")
		q := "SELECT * FROM " + name + " ORDER BY " + diff19Keys[name]
		want, werr := runDiffQuery(e.oracle, q)
		got, gerr := runDiffQuery(e.sharded, q)
		if o := diffOutcome(want, werr, got, gerr, true); o != "exact" {
			out = append(out, name+": "+o)
		}
	}
	return strings.Join(out, "; ")
}
