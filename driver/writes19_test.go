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

// w19Env is an oracle (one table) and shardsql (the table hashed by id
// over four nodes on two servers) with the same 40 rows: k = id % 5, so
// `k < 2` matches 16 rows spread over the nodes. Every table (the
// oracle's, each node's) has a BEFORE UPDATE trigger that logs OLD.id into
// its server's w19log and signals for a row with f = 1: the log counts
// the MATCHED rows of an UPDATE (a BEFORE trigger fires for each matched
// row, changed or not), which is what LIMIT counts, while RowsAffected
// counts the changed ones unless the DSN sets clientFoundRows.
type w19Env struct {
	oracle, sharded *sql.DB
	dsns            []string // the node servers' databases
	plains          []*sql.DB
	found           bool // clientFoundRows=true on every DSN
}

// newW19Env makes the env in databases named name, every DSN (oracle and
// nodes) with params added (e.g. "clientFoundRows=true").
func newW19Env(t *testing.T, name, params string, opts ...driver.Option) *w19Env {
	withParams := func(dsn string) string {
		if params == "" {
			return dsn
		}
		if strings.Contains(dsn, "?") {
			return dsn + "&" + params
		}
		return dsn + "?" + params
	}
	var dsns []string
	for _, d := range sharedDSNs(t, name) {
		dsns = append(dsns, withParams(d))
	}
	oracle := openPlain(t, withParams(sharedDSNs(t, name+"_oracle")[0]))
	topo := w19Topo(t, dsns)
	e := &w19Env{oracle: oracle, dsns: dsns, found: strings.Contains(params, "clientFoundRows=true")}
	const table = "CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(10) NOT NULL DEFAULT '', d DATETIME NULL, f INT NOT NULL DEFAULT 0, s VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL DEFAULT '', KEY (k)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
	const trg = "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW BEGIN IF OLD.f = 1 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; INSERT INTO w19log VALUES (OLD.id); END"
	setup := func(db *sql.DB, tables ...string) {
		for _, q := range []string{"DROP TABLE IF EXISTS w19log", "CREATE TABLE w19log (id INT NOT NULL) ENGINE=InnoDB"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
		for _, tb := range tables {
			for _, q := range []string{"DROP TABLE IF EXISTS " + tb, fmt.Sprintf(table, tb), fmt.Sprintf(trg, "trg_"+tb, tb)} {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
		}
	}
	setup(oracle, "w19")
	for _, d := range dsns {
		p := openPlain(t, d)
		setup(p, "w19_0", "w19_1")
		e.plains = append(e.plains, p)
	}
	e.sharded = openDB(t, topo, opts...)
	e.reset(t, 0)
	return e
}

// w19Topo is w19 and the tables named more hashed by id over four nodes.
func w19Topo(t *testing.T, dsns []string, more ...string) *shard.Topology {
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	for _, name := range append([]string{"w19"}, more...) {
		require.NoError(t, topo.AddTable(shard.Table{Name: name, Column: "id", Nodes: "ds${0..1}." + name + "_${0..1}", Algorithm: shard.Hash()}))
	}
	return topo
}

func (e *w19Env) dbs() []*sql.DB { return []*sql.DB{e.oracle, e.sharded} }

// w19S are the values of s (by id % 7): utf8mb4_general_ci orders them
// a = A < b = B < c, a binary comparison A < B < a < b < c.
var w19S = []string{"b", "A", "c", "B", "a", "C", "a"}

// reset gives both sides the 40 rows again, rows with id % 3 = 0 with d
// set and v = 'x', the row boom (when not 0) with f = 1; logs emptied.
func (e *w19Env) reset(t *testing.T, boom int) {
	t.Helper()
	var vals []string
	for id := 1; id <= 40; id++ {
		d, v := "NULL", ""
		if id%3 == 0 {
			d, v = "'2020-01-01 00:00:00'", "x"
		}
		f := 0
		if id == boom {
			f = 1
		}
		vals = append(vals, fmt.Sprintf("(%d, %d, '%s', %s, %d, '%s')", id, id%5, v, d, f, w19S[id%7]))
	}
	for _, db := range e.dbs() {
		_, err := db.Exec("DELETE FROM w19")
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO w19 (id, k, v, d, f, s) VALUES " + strings.Join(vals, ", "))
		require.NoError(t, err)
	}
	for _, db := range append([]*sql.DB{e.oracle}, e.plains...) {
		_, err := db.Exec("DELETE FROM w19log")
		require.NoError(t, err)
	}
}

// matched is how many rows UPDATEs matched since the reset (the
// triggers' logs), on side i (0 the oracle).
func (e *w19Env) matched(t *testing.T, side int) int {
	t.Helper()
	dbs := e.plains
	if side == 0 {
		dbs = []*sql.DB{e.oracle}
	}
	total := 0
	for _, db := range dbs {
		var n int
		require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM w19log").Scan(&n))
		total += n
	}
	return total
}

// w19Rows is the table's content in id order, as text.
func w19Rows(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := q.Query("SELECT id, k, v, COALESCE(CAST(d AS CHAR), 'NULL') FROM w19 ORDER BY id")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, k int
		var v, d string
		require.NoError(t, rows.Scan(&id, &k, &v, &d))
		out = append(out, fmt.Sprintf("%d %d %s %s", id, k, v, d))
	}
	require.NoError(t, rows.Err())
	return out
}

// w19Summary is the table's content without ids: how many rows of each
// (k < 2, v, d): the same on both sides whenever every matched row is set to
// the same values, whichever rows LIMIT picked.
func w19Summary(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := q.Query("SELECT k < 2, v, COALESCE(CAST(d AS CHAR), 'NULL'), COUNT(*) FROM w19 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, n int
		var v, d string
		require.NoError(t, rows.Scan(&k, &v, &d, &n))
		out = append(out, fmt.Sprintf("%d %s %s ×%d", k, v, d, n))
	}
	require.NoError(t, rows.Err())
	return out
}

// changedRows counts the rows that differ between two contents.
func changedRows(before, after []string) int {
	n := 0
	for i := range before {
		if i < len(after) && before[i] != after[i] {
			n++
		}
	}
	return n
}

// w19Case is one UPDATE … LIMIT run on both sides.
type w19Case struct {
	sql     string
	args    []any
	matched int // min(n, matching): what LIMIT counts, as the logs show
	open    bool
}

// w19Check runs tc on both sides (run executes it on a side and returns
// RowsAffected) and compares: the matched rows (exactly min(n,
// matching)), RowsAffected (the matched rows with clientFoundRows, else
// the rows it changed), and the content summary (determined whichever
// rows LIMIT picks, since every matched row gets the same values, or
// keeps them).
func (e *w19Env) check(t *testing.T, tc w19Case, run func(side int, db *sql.DB) (int64, error)) {
	t.Helper()
	e.reset(t, 0)
	var sums [2][]string
	for i, db := range e.dbs() {
		before := w19Rows(t, db)
		n, err := run(i, db)
		require.NoError(t, err, "%s %v (side %d)", tc.sql, tc.args, i)
		after := w19Rows(t, db)
		require.Equal(t, tc.matched, e.matched(t, i), "matched rows: %s %v (side %d)", tc.sql, tc.args, i)
		want := int64(changedRows(before, after))
		if e.found {
			want = int64(tc.matched)
		}
		require.Equal(t, want, n, "RowsAffected: %s %v (side %d)", tc.sql, tc.args, i)
		sums[i] = w19Summary(t, db)
	}
	if !tc.open {
		require.Equal(t, sums[0], sums[1], "content: %s %v", tc.sql, tc.args)
	}
}

// w19Cases: 16 rows match k < 2, of which 5 (id % 3 = 0) have d set and
// v = 'x': 11 match `k < 2 AND d IS NULL`. open marks the cases whose
// content depends on which rows LIMIT picks (some matched rows are 'x'
// already, others not): only the matched and changed counts are compared.
var w19Cases = []w19Case{
	// gorm's soft-delete batch
	{sql: "UPDATE w19 SET d = ? WHERE k < 2 AND w19.d IS NULL LIMIT ?", args: []any{"2026-01-02 03:04:05", 0}, matched: 0},
	{sql: "UPDATE w19 SET d = ? WHERE k < 2 AND w19.d IS NULL LIMIT ?", args: []any{"2026-01-02 03:04:05", 1}, matched: 1},
	{sql: "UPDATE w19 SET d = ? WHERE k < 2 AND w19.d IS NULL LIMIT ?", args: []any{"2026-01-02 03:04:05", int64(7)}, matched: 7},
	{sql: "UPDATE w19 SET d = ? WHERE k < 2 AND w19.d IS NULL LIMIT ?", args: []any{"2026-01-02 03:04:05", uint64(10)}, matched: 10},
	{sql: "UPDATE w19 SET d = ? WHERE k < 2 AND w19.d IS NULL LIMIT ?", args: []any{"2026-01-02 03:04:05", 1000}, matched: 11},
	// matched rows that do not change count towards LIMIT
	{sql: "UPDATE w19 SET v = 'x' WHERE k < 2 LIMIT 7", matched: 7, open: true},
	{sql: "UPDATE w19 SET v = 'x' WHERE k < 2 LIMIT 11", matched: 11, open: true},
	{sql: "UPDATE w19 SET v = 'x' WHERE k < 2 LIMIT 100", matched: 16},
	{sql: "UPDATE w19 SET v = 'x', d = NULL WHERE k < 2 LIMIT 18446744073709551615", matched: 16},
	// WHERE on the column SET
	{sql: "UPDATE w19 SET v = 'y' WHERE v = '' AND k < 2 LIMIT 4", matched: 4},
	{sql: "UPDATE w19 SET k = k + 10 WHERE k < 2 LIMIT 9", matched: 9, open: true},
	{sql: "UPDATE w19 SET v = 'z' WHERE k = 99 LIMIT 5", matched: 0},
	{sql: "UPDATE w19 SET v = 'x' LIMIT 40", matched: 40},
	{sql: "UPDATE w19 AS a SET a.v = 'q' WHERE a.k < 2 LIMIT 3", matched: 3, open: true},
	// IN on the sharding column: each node its own values and args
	{sql: "UPDATE w19 SET v = 'x' WHERE id IN (?, ?, ?, ?, ?) AND k < 2 LIMIT ?", args: []any{1, 5, 6, 10, 11, 3}, matched: 3, open: true},
	{sql: "UPDATE w19 SET v = 'x' WHERE id IN (1, 5, 6, 10, 11) AND k < 2 LIMIT 9", matched: 5},
}

// TestWrites19UpdateLimit runs UPDATE … LIMIT across nodes on the oracle
// and on shardsql, outside a transaction, with DSNs as the driver's
// defaults, with clientFoundRows=true and with interpolateParams=true:
// the same matched rows (min(n, matching), as the triggers log them),
// RowsAffected as each flag says, and the same content summary. Before
// writes19 every one was refused; counting a node's share by its
// RowsAffected (changed rows) instead of a locking count matches more rows
// than LIMIT allows (`SET v = 'x' … LIMIT 7` with rows already 'x').
func TestWrites19UpdateLimit(t *testing.T) {
	for _, params := range []string{"", "clientFoundRows=true", "interpolateParams=true"} {
		t.Run(params, func(t *testing.T) {
			e := newW19Env(t, "writes19_ul"+strings.NewReplacer("=true", "", "P", "p", "R", "r").Replace(params), params)
			for _, tc := range w19Cases {
				e.check(t, tc, func(_ int, db *sql.DB) (int64, error) {
					r, err := db.Exec(tc.sql, tc.args...)
					if err != nil {
						return 0, err
					}
					return r.RowsAffected()
				})
			}
			// Prepared: the parse cached, the limit read per call.
			e.reset(t, 0)
			for i, db := range e.dbs() {
				st, err := db.Prepare("UPDATE w19 SET d = ? WHERE k < 2 AND d IS NULL LIMIT ?")
				require.NoError(t, err)
				var got []int64
				for j, n := range []int{4, 0, 5, 100} {
					r, err := st.Exec(fmt.Sprintf("2026-01-0%d", j+1), n)
					require.NoError(t, err)
					a, err := r.RowsAffected()
					require.NoError(t, err)
					got = append(got, a)
				}
				require.NoError(t, st.Close())
				require.Equal(t, []int64{4, 0, 5, 2}, got, "side %d", i)
				require.Equal(t, 11, e.matched(t, i), "side %d", i)
			}
			// Run as a query it runs as Exec does: not every node's own LIMIT.
			e.reset(t, 0)
			for i, db := range e.dbs() {
				rows, err := db.Query("UPDATE w19 SET v = 'x' WHERE k < 2 LIMIT 3")
				require.NoError(t, err)
				require.False(t, rows.Next())
				require.NoError(t, rows.Close())
				require.Equal(t, 3, e.matched(t, i), "side %d", i)
			}
		})
	}
}

// TestWrites19UpdateLimitSmallPools: the count and the UPDATE of each node
// run on the statement's transaction, with a pool of one connection per
// data source and one connection in database/sql: no wait on itself.
func TestWrites19UpdateLimitSmallPools(t *testing.T) {
	e := newW19Env(t, "writes19_ulpool", "", driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(20*time.Second))
	e.sharded.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, tc := range w19Cases[:8] {
		e.check(t, tc, func(_ int, db *sql.DB) (int64, error) {
			r, err := db.ExecContext(ctx, tc.sql, tc.args...)
			if err != nil {
				return 0, err
			}
			return r.RowsAffected()
		})
	}
	// and in a transaction
	tc := w19Cases[2]
	e.check(t, tc, func(_ int, db *sql.DB) (int64, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		r, err := tx.ExecContext(ctx, tc.sql, tc.args...)
		if err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		n, err := r.RowsAffected()
		if err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		return n, tx.Commit()
	})
}

// TestWrites19UpdateLimitInTx: inside the caller's transaction (and under
// its savepoints) the updates are the transaction's: Rollback keeps every
// row as it was, ROLLBACK TO a savepoint undoes the statements after it,
// Commit keeps them.
func TestWrites19UpdateLimitInTx(t *testing.T) {
	e := newW19Env(t, "writes19_ultx", "")
	ctx := context.Background()
	const soft = "UPDATE w19 SET d = '2026-02-02' WHERE k < 2 AND d IS NULL LIMIT ?"
	nullLeft := func(q interface {
		QueryRow(string, ...any) *sql.Row
	}) int {
		var n int
		require.NoError(t, q.QueryRow("SELECT COUNT(*) FROM w19 WHERE k < 2 AND d IS NULL").Scan(&n))
		return n
	}
	for _, commit := range []bool{false, true} {
		e.reset(t, 0)
		var after [2]int
		for i, db := range e.dbs() {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			r, err := tx.Exec(soft, 3)
			require.NoError(t, err)
			n, err := r.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 3, n, "side %d", i)
			_, err = tx.Exec("SAVEPOINT sp")
			require.NoError(t, err)
			r, err = tx.Exec(soft, 4)
			require.NoError(t, err)
			n, err = r.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 4, n, "side %d", i)
			require.Equal(t, 4, nullLeft(tx), "side %d", i)
			_, err = tx.Exec("ROLLBACK TO SAVEPOINT sp")
			require.NoError(t, err)
			require.Equal(t, 8, nullLeft(tx), "side %d, after ROLLBACK TO", i)
			r, err = tx.Exec(soft, 5)
			require.NoError(t, err)
			n, err = r.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 5, n, "side %d", i)
			if commit {
				require.NoError(t, tx.Commit())
			} else {
				require.NoError(t, tx.Rollback())
			}
			after[i] = nullLeft(db)
		}
		want := 11
		if commit {
			want = 3
		}
		require.Equal(t, [2]int{want, want}, after, "commit %v", commit)
	}
}

// TestWrites19UpdateLimitNodeFails: a node failing after earlier nodes
// updated their share (the trigger signals on a row of the last node in
// plan order) leaves nothing updated, outside a transaction, inside one
// (which goes on and commits) and after an implicit commit, as one
// table's failing UPDATE.
func TestWrites19UpdateLimitNodeFails(t *testing.T) {
	e := newW19Env(t, "writes19_ulfail", "")
	ctx := context.Background()
	const q = "UPDATE w19 SET v = 'done' WHERE k < 2 LIMIT 100"
	p, err := driver.Explain(ctx, e.sharded, q)
	require.NoError(t, err)
	require.NotNil(t, p.DeleteLimit)
	require.Len(t, p.Units, 4)
	last := p.Units[len(p.Units)-1].Node
	boom := 0
	for id := 1; id <= 40 && boom == 0; id++ {
		if id%5 >= 2 {
			continue
		}
		pp, err := driver.Explain(ctx, e.sharded, "SELECT * FROM w19 WHERE id = ?", id)
		require.NoError(t, err)
		if pp.Units[0].Node == last {
			boom = id
		}
	}
	require.NotZero(t, boom, "no matching row on %v", last)
	e.reset(t, boom)
	want := w19Rows(t, e.oracle)
	for i, db := range e.dbs() {
		_, err := db.Exec(q)
		require.ErrorContains(t, err, "boom", "side %d", i)
		require.Equal(t, want, w19Rows(t, db), "side %d: a failing UPDATE changes nothing", i)
	}
	e.reset(t, boom)
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec("UPDATE w19 SET v = ? WHERE k < ? LIMIT ?", "done", 2, 100)
		require.ErrorContains(t, err, "boom", "side %d", i)
		require.Equal(t, want, w19Rows(t, tx), "side %d: in the transaction after the failure", i)
		// The transaction goes on: an UPDATE that leaves the failing row
		// out, then Commit.
		r, err := tx.Exec("UPDATE w19 SET v = 'done' WHERE k < 2 AND f = 0 LIMIT 100")
		require.NoError(t, err)
		n, err := r.RowsAffected()
		require.NoError(t, err)
		require.EqualValues(t, 15, n, "side %d", i)
		require.NoError(t, tx.Commit())
		var done int
		require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM w19 WHERE v = 'done'").Scan(&done))
		require.Equal(t, 15, done, "side %d", i)
	}
	// After an implicit commit the servers run in autocommit mode: the
	// internal transaction undoes the earlier nodes.
	e.reset(t, boom)
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec("ALTER TABLE w19 COMMENT 'batched'")
		require.NoError(t, err)
		_, err = tx.Exec(q)
		require.ErrorContains(t, err, "boom", "side %d", i)
		require.NoError(t, tx.Rollback())
		require.Equal(t, want, w19Rows(t, db), "side %d: after an implicit commit", i)
	}
}

// TestWrites19UpdateLimitRefused: what the design cannot make exact is
// refused before anything runs.
func TestWrites19UpdateLimitRefused(t *testing.T) {
	e := newW19Env(t, "writes19_ulref", "")
	for _, c := range []struct{ sql, refuse string }{
		{"UPDATE IGNORE w19 SET v = 'x' WHERE k < 2 LIMIT 3", "UPDATE IGNORE … LIMIT on sharded table w19"},
		{"UPDATE w19 SET v = 'x' WHERE d < NOW() LIMIT 3", "in the WHERE clause of UPDATE … LIMIT"},
		{"UPDATE w19 SET v = 'x' WHERE RAND() < 0.5 LIMIT 3", "RAND() in the WHERE clause of UPDATE … LIMIT"},
		{"UPDATE w19 SET v = 'x' WHERE k < 2 LIMIT -1", "non-negative integer"},
	} {
		_, err := e.sharded.Exec(c.sql)
		require.ErrorIs(t, err, driver.ErrUnsupported, c.sql)
		require.ErrorContains(t, err, c.refuse, c.sql)
		require.Zero(t, e.matched(t, 1), c.sql)
	}
}
