package driver_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// r18eEnv is an oracle (plain tables on one server) and shardsql over the
// review18e tables: w and o hashed by id over four nodes on two servers
// (not bound), wc bound to w (sharded by wid, a child of w with ON DELETE
// CASCADE on each node), b a broadcast table, tl sharded by month of
// created over six nodes.
type r18eEnv struct {
	oracle, sharded *sql.DB
	dsns            []string
}

var r18eTables = []string{"w", "o", "wc", "b", "tl", "wlog"}

func newR18eEnv(t *testing.T, name string, opts ...driver.Option) *r18eEnv {
	dsns := sharedDSNs(t, name)
	oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	for _, tb := range []shard.Table{
		{Name: "w", Column: "id", Nodes: "ds${0..1}.w_${0..1}", Algorithm: shard.Hash()},
		{Name: "o", Column: "id", Nodes: "ds${0..1}.o_${0..1}", Algorithm: shard.Hash()},
		{Name: "wc", Column: "wid", Nodes: "ds${0..1}.wc_${0..1}", Algorithm: shard.Hash()},
		{Name: "tl", Column: "created", Nodes: "ds0.tl_${2025-01..2025-03|month|200601}, ds1.tl_${2025-04..2025-06|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")},
	} {
		require.NoError(t, topo.AddTable(tb))
	}
	require.NoError(t, topo.Bind("w", "wc"))
	require.NoError(t, topo.AddBroadcastTable("b"))
	require.NoError(t, topo.AddBroadcastTable("wlog"))
	e := &r18eEnv{oracle: oracle, sharded: openDB(t, topo, opts...), dsns: dsns}
	ddl := []string{
		"DROP TABLE IF EXISTS wc", "DROP TABLE IF EXISTS w", "DROP TABLE IF EXISTS o", "DROP TABLE IF EXISTS b", "DROP TABLE IF EXISTS tl", "DROP TABLE IF EXISTS wlog",
		"CREATE TABLE w (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(10) NOT NULL DEFAULT '') ENGINE=InnoDB",
		"CREATE TABLE o (id INT NOT NULL PRIMARY KEY, k INT NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE b (id INT NOT NULL PRIMARY KEY, k INT NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE wlog (n INT NOT NULL AUTO_INCREMENT PRIMARY KEY, id INT NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE tl (id INT NOT NULL PRIMARY KEY, created DATETIME NOT NULL, k INT NOT NULL) ENGINE=InnoDB",
	}
	for _, db := range e.dbs() {
		for _, q := range ddl {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	// wc: child of w with ON DELETE CASCADE, each node its own w node.
	_, err := oracle.Exec("CREATE TABLE wc (id INT NOT NULL PRIMARY KEY, wid INT NOT NULL, FOREIGN KEY (wid) REFERENCES w (id) ON DELETE CASCADE) ENGINE=InnoDB")
	require.NoError(t, err)
	for i, d := range dsns {
		n := openPlain(t, d)
		for j := 0; j < 2; j++ {
			_, err := n.Exec(fmt.Sprintf("CREATE TABLE wc_%d (id INT NOT NULL PRIMARY KEY, wid INT NOT NULL, FOREIGN KEY (wid) REFERENCES w_%d (id) ON DELETE CASCADE) ENGINE=InnoDB", j, j))
			require.NoError(t, err, "ds%d", i)
		}
	}
	e.reset(t)
	return e
}

func (e *r18eEnv) dbs() []*sql.DB { return []*sql.DB{e.oracle, e.sharded} }

// reset gives both sides the same rows: w and o 40 rows (k = id % 5),
// wc two children of each w row with id%4 = 0, b ids 1..10, tl one row a
// fortnight from 2025-01-01.
func (e *r18eEnv) reset(t *testing.T) {
	t.Helper()
	var wv, wcv, bv, tlv []string
	for id := 1; id <= 40; id++ {
		wv = append(wv, fmt.Sprintf("(%d, %d)", id, id%5))
		if id%4 == 0 {
			wcv = append(wcv, fmt.Sprintf("(%d, %d), (%d, %d)", 1000+id, id, 2000+id, id))
		}
		if id <= 10 {
			bv = append(bv, fmt.Sprintf("(%d, %d)", id, id%5))
		}
		tlv = append(tlv, fmt.Sprintf("(%d, '%s', %d)", id, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 4*(id-1)).Format("2006-01-02"), id%5))
	}
	for _, db := range e.dbs() {
		for _, q := range []string{
			"DELETE FROM wc", "DELETE FROM w", "DELETE FROM o", "DELETE FROM b", "DELETE FROM tl", "DELETE FROM wlog",
			"INSERT INTO w (id, k) VALUES " + strings.Join(wv, ", "),
			"INSERT INTO o (id, k) VALUES " + strings.Join(wv, ", "),
			"INSERT INTO wc (id, wid) VALUES " + strings.Join(wcv, ", "),
			"INSERT INTO b (id, k) VALUES " + strings.Join(bv, ", "),
			"INSERT INTO tl (id, created, k) VALUES " + strings.Join(tlv, ", "),
		} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
}

// contents is every table's rows, sorted, as q reads them.
func (e *r18eEnv) contents(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tb := range r18eTables {
		q := "SELECT * FROM " + tb
		if tb == "wlog" {
			q = "SELECT id FROM wlog"
		}
		r, err := runDiffQuery(db, q)
		require.NoError(t, err, tb)
		var rows []string
		for _, row := range r.rows {
			rows = append(rows, strings.Join(row, ","))
		}
		sort.Strings(rows)
		out[tb] = rows
	}
	return out
}

// exec runs q with args on db and says what happened: rows affected or
// the error.
func r18eExec(db *sql.DB, q string, args ...any) (int64, error) {
	r, err := db.Exec(q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// outcome runs q on both sides (after reset) and compares RowsAffected
// and, when det, every table's contents; otherwise the row counts.
func (e *r18eEnv) outcome(t *testing.T, q string, det bool, args ...any) string {
	t.Helper()
	e.reset(t)
	wn, werr := r18eExec(e.oracle, q, args...)
	gn, gerr := r18eExec(e.sharded, q, args...)
	if out, failed := errorOutcome(werr, &diffResult{}, gerr); failed {
		return out
	}
	if wn != gn {
		return fmt.Sprintf("WRONG: RowsAffected oracle %d shardsql %d", wn, gn)
	}
	wc, gc := e.contents(t, e.oracle), e.contents(t, e.sharded)
	for _, tb := range r18eTables {
		if det && strings.Join(wc[tb], ";") != strings.Join(gc[tb], ";") {
			return fmt.Sprintf("WRONG: %s rows\n   want %v\n   got  %v", tb, wc[tb], gc[tb])
		}
		if (det || tb == "w" || tb == "tl") && len(wc[tb]) != len(gc[tb]) {
			return fmt.Sprintf("WRONG: %s has %d rows, oracle %d", tb, len(gc[tb]), len(wc[tb]))
		}
	}
	return fmt.Sprintf("exact (%d)", wn)
}

// newR18eEnvOn opens another shardsql over e's data sources and tables
// with opts.
func newR18eEnvOn(t *testing.T, e *r18eEnv, opts ...driver.Option) *sql.DB {
	topo := shard.NewTopology()
	for i, d := range e.dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "w", Column: "id", Nodes: "ds${0..1}.w_${0..1}", Algorithm: shard.Hash()}))
	return openDB(t, topo, opts...)
}
