package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// diff22Tables are the tables of round 22's random runs (diff22): ts22
// sharded by month of a TIMESTAMP(6) key (January–February on ds0,
// March–April on ds1), y22 hashed by id with a YEAR column in its
// primary key (a YEAR sharding key is refused for every written value:
// route.convertKey does not convert YEAR values), gi22 hashed by a generated id (its only
// unique key) with a CHECK constraint, and bc22 broadcast. Each has
// ENUM, SET and BIT columns and a utf8mb4_general_ci VARCHAR holding
// case and trailing-space variants, most of them NULL-heavy.
var diff22Tables = []string{
	"ts22 (id INT NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT '2025-01-01 00:00:00', e ENUM('a','b','c') NULL, st SET('x','y','z') NULL, bt BIT(4) NULL, v VARCHAR(10) COLLATE utf8mb4_general_ci NULL, n INT NULL, PRIMARY KEY (id, at)) DEFAULT CHARSET=utf8mb4",
	"y22 (yr YEAR NOT NULL, id INT NOT NULL, e ENUM('a','b','c') NULL, st SET('x','y','z') NULL, bt BIT(4) NULL, v VARCHAR(10) COLLATE utf8mb4_general_ci NULL, n INT NULL, PRIMARY KEY (yr, id)) DEFAULT CHARSET=utf8mb4",
	"gi22 (id BIGINT NOT NULL PRIMARY KEY, k VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, n INT NULL, CHECK (n IS NULL OR n >= 0)) DEFAULT CHARSET=utf8mb4",
	"bc22 (id INT NOT NULL PRIMARY KEY, e ENUM('a','b','c') NULL, v VARCHAR(10) COLLATE utf8mb4_general_ci NULL, n INT NULL) DEFAULT CHARSET=utf8mb4",
}

// diff22Dumps reads each table's contents in a certain order: gi22
// without its generated ids (shardsql's generator and the oracle's
// AUTO_INCREMENT number differently), the VARCHAR keys by their bytes.
var diff22Dumps = []string{
	"SELECT id, at, e, st, bt + 0, v, n FROM ts22 ORDER BY id, at",
	"SELECT yr, id, e, st, bt + 0, v, n FROM y22 ORDER BY yr, id",
	"SELECT k, n FROM gi22 ORDER BY BINARY k, n",
	"SELECT id, e, v, n FROM bc22 ORDER BY id",
}

// newDiff22Env is an r18aEnv over diff22Tables opened as c says; the
// oracle's gi22 numbers its ids by AUTO_INCREMENT.
func newDiff22Env(t *testing.T, name string, c diff21Config) *r18aEnv {
	suffix := ""
	if c.interpolate {
		suffix = "&interpolateParams=true"
	}
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0]+suffix)
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d+suffix))
	}
	for _, tb := range []shard.Table{
		{Name: "ts22", Column: "at", Nodes: "ds0.ts22_${2025-01..2025-02|month|200601}, ds1.ts22_${2025-03..2025-04|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")},
		{Name: "y22", Column: "id", Nodes: "ds${0..1}.y22_${0..1}", Algorithm: shard.Hash()},
		{Name: "gi22", Column: "id", Nodes: "ds${0..1}.gi22_${0..1}", Algorithm: shard.Hash(), KeyColumn: "id", KeyGenerator: &dmlCounter{}},
	} {
		require.NoError(t, topo.AddTable(tb))
	}
	require.NoError(t, topo.AddBroadcastTable("bc22"))
	var opts []driver.Option
	if c.pool1 {
		// The wait bound ends a deadlock as an error the test reports
		// instead of a hung test.
		opts = append(opts, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(20*time.Second))
	}
	e := &r18aEnv{t: t, oracle: oracle, sharded: openDB(t, topo, opts...)}
	diff22Reset(e)
	return e
}

// diff22Reset recreates the tables with the same rows on both sides and
// opens fresh held connections in the server's default sql_mode.
func diff22Reset(e *r18aEnv) {
	t := e.t
	e.closeConns()
	e.oc, e.sc = nil, nil
	enums := []string{"'a'", "NULL", "'b'", "'c'", "NULL"}
	sets := []string{"'x'", "NULL", "''", "'x,z'", "'y'", "NULL"}
	bits := []string{"1", "NULL", "0", "15", "NULL", "8"}
	vs := []string{"'a'", "'A '", "NULL", "'b'", "'B  '", "NULL", "'a  '", "''", "' '"}
	nums := []string{"1", "NULL", "2", "NULL", "3", "0", "NULL"}
	var tv, yv, gv, bv []string
	for id := 1; id <= 16; id++ {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*(id-1)).Add(time.Duration(id) * time.Microsecond)
		tv = append(tv, fmt.Sprintf("(%d, '%s', %s, %s, %s, %s, %s)", id, at.Format("2006-01-02 15:04:05.000000"), enums[id%5], sets[id%6], bits[id%6], vs[id%9], nums[id%7]))
		yv = append(yv, fmt.Sprintf("(%d, %d, %s, %s, %s, %s, %s)", 2005+id, id, enums[(id+1)%5], sets[(id+2)%6], bits[(id+3)%6], vs[(id+4)%9], nums[(id+5)%7]))
	}
	for i, k := range []string{"a", "B ", "c", "d  ", "E"} {
		gv = append(gv, fmt.Sprintf("('%s', %s)", k, nums[i%7]))
	}
	for id := 1; id <= 6; id++ {
		bv = append(bv, fmt.Sprintf("(%d, %s, %s, %s)", id, enums[id%5], vs[id%9], nums[id%7]))
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range diff22Tables {
			name, _, _ := strings.Cut(tb, " ")
			_, err := db.Exec("DROP TABLE IF EXISTS " + name)
			require.NoError(t, err)
			if db == e.oracle && name == "gi22" {
				tb = strings.Replace(tb, "id BIGINT NOT NULL PRIMARY KEY", "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", 1)
			}
			_, err = db.Exec("CREATE TABLE " + tb)
			require.NoError(t, err, tb)
		}
		for _, q := range []string{
			"INSERT INTO ts22 (id, at, e, st, bt, v, n) VALUES " + strings.Join(tv, ", "),
			"INSERT INTO y22 (yr, id, e, st, bt, v, n) VALUES " + strings.Join(yv, ", "),
			"INSERT INTO gi22 (k, n) VALUES " + strings.Join(gv, ", "),
			"INSERT INTO bc22 (id, e, v, n) VALUES " + strings.Join(bv, ", "),
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
	// (SET time_zone is refused over a TIMESTAMP-sharded table; the
	// sessions keep the servers' zone.)
	for _, c := range []*sql.Conn{e.oc, e.sc} {
		_, err := c.ExecContext(context.Background(), "SET sql_mode = DEFAULT")
		require.NoError(t, err)
	}
}

// diff22Dump compares every table's contents with the oracle's on the
// held connections (or their transactions); "" when alike.
func diff22Dump(e *r18aEnv) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, s := e.runners()
	var out []string
	for _, q := range diff22Dumps {
		want, werr := diff21Query(ctx, o, q)
		got, gerr := diff21Query(ctx, s, q)
		if d := diffOutcome(want, werr, got, gerr, true); d != "exact" {
			out = append(out, q+": "+d)
		}
	}
	return strings.Join(out, "; ")
}
